/* rramprof-<board>-bench: the recorder's cost on the MCU itself, for
 * bench/qemu_bench.sh. Under QEMU -icount shift=0 one instruction takes
 * one virtual ns, so N timer ticks at RP_BOARD_TIMER_HZ over E events are
 * N * 1e9 / RP_BOARD_TIMER_HZ / E instructions per event (25 MHz: 40 per
 * tick), averaged over enough events to make the tick granularity small.
 *
 * Measures, over PRV_BLOCK x PRV_BLOCKS events each:
 *   record    rp_recorder_record of an accepted event (the ring never
 *             fills), minus the same loop calling an empty function
 *   filtered  the same for an event the op mask rejects
 *   drain     rp_device_drain of a block of a synthetic write pattern:
 *             batch encoding, COBS + CRC framing and the transport
 *   drain_<workload>  the same for the events of a real workload, recorded
 *             a block at a time while it runs on the simulated crossbar
 * For each drain, "<name>_tx" is the part spent inside
 * rp_hal_transport_write (the CMSDK UART's polled byte writes: a board
 * cost, not the recorder's; a DMA UART takes it off the CPU), and
 * "<name>_frame" the part inside rp_frame_encode (CRC-32 and COBS), each
 * timed by a link-time wrapper (-Wl,--wrap); "<name>_bytes" is the
 * protobuf payload per event in thousandths of a byte (before CRC and
 * COBS), to compare encoders. Prints "BENCH <name> <milli-instructions
 * per event>" lines on the link after the frames, then exits through
 * semihosting. */
#include <stdint.h>
#include <string.h>

#include "rp_cm_link.h"
#include "rp_cm_startup.h"
#include "rp_cm_text.h"
#include "rp_port.h"
#include "rramprof/rp_device.h"
#include "rramprof/rp_hal_transport.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_workload.h"

#define PRV_BLOCK 512u     /* events per timed block: the ring holds them */
/* 102,400 events per measurement; a quicker build for profiling may set
 * fewer (with 20 the averages move by up to about 6 instructions per
 * event, solver the most). */
#ifndef RP_CM_BENCH_BLOCKS
#define RP_CM_BENCH_BLOCKS 200u
#endif
#define PRV_BLOCKS RP_CM_BENCH_BLOCKS

/* Ticks inside the transport and the framing, and payload bytes framed,
 * since the last reset (see the file comment). */
static uint32_t prv_tx_ticks, prv_frame_ticks, prv_payload_bytes;

size_t __real_rp_hal_transport_write(const uint8_t *data, size_t len);
size_t __wrap_rp_hal_transport_write(const uint8_t *data, size_t len);
size_t __wrap_rp_hal_transport_write(const uint8_t *data, size_t len)
{
    uint32_t t0 = rp_port_cycles32();
    size_t sent = __real_rp_hal_transport_write(data, len);
    prv_tx_ticks += rp_port_cycles32() - t0;
    return sent;
}

size_t __real_rp_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t cap);
size_t __wrap_rp_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t cap);
size_t __wrap_rp_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
    uint32_t t0 = rp_port_cycles32();
    size_t n = __real_rp_frame_encode(payload, len, out, cap);
    prv_frame_ticks += rp_port_cycles32() - t0;
    prv_payload_bytes += (uint32_t)len;
    return n;
}

__attribute__((noinline)) static void prv_empty(const rp_record_t *rec)
{
    __asm__ __volatile__("" : : "r"(rec) : "memory");
}

static void prv_fill(rp_record_t *rec, uint32_t i)
{
    memset(rec, 0, sizeof *rec);
    rec->start = i * 100u;
    rec->duration = 40u + (i & 7u);
    rec->op = RP_OP_WRITE;
    rec->tile = (uint8_t)(i & 1u);
    rec->row = (uint16_t)(i & 63u);
    rec->rows = 1u;
    rec->cols = 64u;
    rec->iterations = 1u;
}

/* Ticks spent calling fn on PRV_BLOCK events, PRV_BLOCKS times, each
 * block starting from an empty ring. */
static uint32_t prv_time(void (*fn)(const rp_record_t *), uint32_t mask)
{
    static rp_record_t recs[PRV_BLOCK];
    for (uint32_t i = 0; i < PRV_BLOCK; i++) {
        prv_fill(&recs[i], i);
    }
    uint32_t ticks = 0;
    for (uint32_t b = 0; b < PRV_BLOCKS; b++) {
        rp_recorder_start(mask, 0u);
        uint32_t t0 = rp_port_cycles32();
        for (uint32_t i = 0; i < PRV_BLOCK; i++) {
            fn(&recs[i]);
        }
        ticks += rp_port_cycles32() - t0;
    }
    return ticks;
}

static void prv_put(const char *s)
{
    (void)__real_rp_hal_transport_write((const uint8_t *)s, strlen(s));
    while (!rp_cm_link_tx_idle()) {
    }
}

static void prv_put_u32(uint32_t v)
{
    char buf[RP_CM_U32_TEXT];
    prv_put(rp_cm_u32_text(buf, v));
}

/* Milli-instructions per event from ticks over `events`. */
static uint32_t prv_milli_instr(uint32_t ticks, uint32_t events)
{
    uint64_t ns_x1000 = (uint64_t)ticks * 1000000000000ull / RP_BOARD_TIMER_HZ;
    return (uint32_t)(ns_x1000 / events);
}

/* "BENCH <name><suffix> <milli>"; the drains name themselves in parts. */
static void prv_report_as(const char *name, const char *suffix, uint32_t milli)
{
    prv_put("\nBENCH ");
    prv_put(name);
    prv_put(suffix);
    prv_put(" ");
    prv_put_u32(milli);
    prv_put("\n");
}

static void prv_report(const char *name, uint32_t milli)
{
    prv_report_as(name, "", milli);
}

/* Drains the ring to empty, adding the ticks spent to *ticks. */
static uint32_t prv_timed_drain(uint32_t *ticks)
{
    uint32_t drained = 0;
    uint32_t t0 = rp_port_cycles32();
    while (rp_ring_count(&rp_recorder.ring) != 0u) {
        drained += rp_device_drain();
    }
    *ticks += rp_port_cycles32() - t0;
    return drained;
}

/* Fills the ring with a block: the synthetic pattern (workload < 0), or the
 * events of a workload run step by step (a step may overshoot the block;
 * the ring holds twice as many). */
static void prv_fill_block(int workload, uint32_t *run)
{
    static rp_record_t one;
    if (workload < 0) {
        for (uint32_t i = 0; i < PRV_BLOCK; i++) {
            prv_fill(&one, i);
            rp_recorder_record(&one);
        }
        return;
    }
    while (rp_ring_count(&rp_recorder.ring) < PRV_BLOCK) {
        rp_workload_result_t result;
        if (!rp_workload_busy()) {
            (void)rp_workload_begin(workload, 1u, (*run)++);
        }
        (void)rp_workload_step(&result);
    }
}

/* One drain measurement, "BENCH <name>" and "BENCH <name>_tx" lines: of
 * the synthetic pattern (workload NULL), or of the named workload. */
static void prv_drain_report(const char *name, const char *workload_name)
{
    int workload = workload_name != NULL ? rp_workload_find(workload_name) : -1;
    if (workload_name != NULL && workload < 0) {
        return;   /* not in this image: no line, the script skips it */
    }
    uint32_t ticks = 0, drained = 0, run = 0;
    prv_tx_ticks = 0;
    prv_frame_ticks = 0;
    prv_payload_bytes = 0;
    rp_recorder_start(RP_OP_MASK_ALL, 0u);
    while (drained < PRV_BLOCK * PRV_BLOCKS) {
        prv_fill_block(workload, &run);
        drained += prv_timed_drain(&ticks);
    }
    rp_workload_abort();
    rp_recorder_stop();
    prv_report_as(name, "", prv_milli_instr(ticks, drained));
    prv_report_as(name, "_tx", prv_milli_instr(prv_tx_ticks, drained));
    prv_report_as(name, "_frame", prv_milli_instr(prv_frame_ticks, drained));
    prv_report_as(name, "_bytes", (uint32_t)((uint64_t)prv_payload_bytes * 1000u / drained));
}

void rp_cm_bench_run(void)
{
    rp_device_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    rp_device_init(&cfg);
    (void)rp_device_drain();   /* Hello out of the way */

    const uint32_t events = PRV_BLOCK * PRV_BLOCKS;
    uint32_t empty = prv_time(prv_empty, RP_OP_MASK_ALL);
    uint32_t rec = prv_time(rp_recorder_record, RP_OP_MASK_ALL);
    uint32_t filt = prv_time(rp_recorder_record, 1u << RP_OP_MVM);

    prv_report("empty_call", prv_milli_instr(empty, events));
    prv_report("record", prv_milli_instr(rec - empty, events));
    prv_report("filtered", prv_milli_instr(filt - empty, events));

    prv_drain_report("drain", NULL);
    prv_drain_report("drain_program", "program");
    prv_drain_report("drain_mlp", "mlp");
    prv_drain_report("drain_scan", "scan");
    prv_drain_report("drain_solver", "solver");
    rp_cm_semihost_exit(0u);
}
