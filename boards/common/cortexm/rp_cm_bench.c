/* rramprof-<board>-bench: the recorder's cost on the MCU itself, for
 * bench/qemu_bench.sh. Under QEMU -icount shift=0 one instruction takes
 * one virtual ns, so N timer ticks at RP_BOARD_TIMER_HZ over E events are
 * N * 1e9 / RP_BOARD_TIMER_HZ / E instructions per event (25 MHz: 40 per
 * tick), averaged over enough events to make the tick granularity small.
 *
 * Measures, each minus the same loop calling an empty function:
 *   record    rp_recorder_record of an accepted event (the ring never fills)
 *   filtered  rp_recorder_record of an event the op mask rejects
 *   drain     rp_device_drain of a full ring: batch encoding, COBS + CRC
 *             framing and the UART writes, per event
 * and prints "BENCH <name> <milli-instructions per event>" lines on the
 * link after the frames, then exits through semihosting. */
#include <stdint.h>
#include <string.h>

#include "rp_cm_link.h"
#include "rp_cm_startup.h"
#include "rp_port.h"
#include "rramprof/rp_device.h"
#include "rramprof/rp_hal_transport.h"
#include "rramprof/rp_recorder.h"

#define PRV_BLOCK 512u     /* events per timed block: the ring holds them */
#define PRV_BLOCKS 64u

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
    (void)rp_hal_transport_write((const uint8_t *)s, strlen(s));
    while (!rp_cm_link_tx_idle()) {
    }
}

static void prv_put_u32(uint32_t v)
{
    char buf[11];
    int n = 10;
    buf[n] = '\0';
    do {
        buf[--n] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    prv_put(&buf[n]);
}

/* Milli-instructions per event from ticks over `events`. */
static uint32_t prv_milli_instr(uint32_t ticks, uint32_t events)
{
    uint64_t ns_x1000 = (uint64_t)ticks * 1000000000000ull / RP_BOARD_TIMER_HZ;
    return (uint32_t)(ns_x1000 / events);
}

static void prv_report(const char *name, uint32_t milli)
{
    prv_put("\nBENCH ");
    prv_put(name);
    prv_put(" ");
    prv_put_u32(milli);
    prv_put("\n");
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

    /* Drain: a full block at a time; the link queue takes each frame. */
    static rp_record_t one;
    uint32_t drain = 0;
    uint32_t drained = 0;
    for (uint32_t b = 0; b < PRV_BLOCKS / 4u; b++) {
        rp_recorder_start(RP_OP_MASK_ALL, 0u);
        for (uint32_t i = 0; i < PRV_BLOCK; i++) {
            prv_fill(&one, i);
            rp_recorder_record(&one);
        }
        uint32_t t0 = rp_port_cycles32();
        while (rp_ring_count(&rp_recorder.ring) != 0u) {
            drained += rp_device_drain();
        }
        drain += rp_port_cycles32() - t0;
    }
    rp_recorder_stop();
    (void)rp_device_drain();

    prv_report("empty_call", prv_milli_instr(empty, events));
    prv_report("record", prv_milli_instr(rec - empty, events));
    prv_report("filtered", prv_milli_instr(filt - empty, events));
    prv_report("drain", prv_milli_instr(drain, drained));
    prv_report("drained_events", drained * 1000u);
    rp_cm_semihost_exit(0u);
}
