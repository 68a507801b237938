/* The event recorder; contract in rp_recorder.h.
 *
 * Hot path budget (bench/run_callgrind.sh on the host, bench/qemu_bench.sh
 * on the Cortex-M4): a filtered event is a byte load and a branch before
 * its count; an accepted one adds the threshold compare, one critical
 * section, a 32-byte copy into a slot and the counters. Hence the port
 * header is inlined and everything lives in one global struct. */
#include "rramprof/rp_recorder.h"

#include "rp_port.h"
#include "rp_ring_priv.h"

#if (RP_CONFIG_RING_CAPACITY & (RP_CONFIG_RING_CAPACITY - 1u)) != 0u || RP_CONFIG_RING_CAPACITY < 2u
#error "RP_CONFIG_RING_CAPACITY must be a power of two >= 2"
#endif

/* Branch hint: keeps the rare side out of the straight-line path. */
#if defined(__GNUC__)
#define PRV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PRV_NOINLINE __attribute__((noinline))
#else
#define PRV_UNLIKELY(x) (x)
#define PRV_NOINLINE
#endif

/* Per-target choices, each measured (bench/qemu_bench.sh on the
 * Cortex-M4, bench/run_callgrind.sh on x86-64). Arm has no single
 * instruction that tests a register-selected bit, so there a byte per op
 * (accept[]) beats shifting op_mask; GCC saves registers on entry to a
 * one-body record function, so the accepted side goes out of line to keep
 * the filtered side free of them; and the ring's storage and mask as
 * constants fold into the addressing. x86 tests the mask bit with one
 * `bt`, shrink-wraps the single body by itself, and adds the slots'
 * address from memory for free (position-independent code would need a
 * `lea` for the constant). */
#if defined(__arm__)
#define PRV_OP_BYTES 1
#define PRV_ACCEPTED_FN PRV_NOINLINE static void
#define PRV_RING_PUSH(rec) \
    prv_ring_push_to(&rp_recorder.ring, prv_slots, RP_CONFIG_RING_CAPACITY - 1u, (rec))
#else
#define PRV_OP_BYTES 0
#define PRV_ACCEPTED_FN static inline void
#define PRV_RING_PUSH(rec) prv_ring_push(&rp_recorder.ring, (rec))
#endif

/* Timer for the recorder's own cost: only differences are used, so a port
 * may supply a cheaper read of the same tick (rp_hal_board.h). */
#ifndef RP_PORT_COST_TICKS32
#define RP_PORT_COST_TICKS32() rp_port_cycles32()
#endif

/* Zero until rp_recorder_init: every op filtered, nothing in .data. */
rp_recorder_t rp_recorder;
static rp_record_t prv_slots[RP_CONFIG_RING_CAPACITY];

static uint32_t prv_saturate32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Sets op_mask and its byte table; caller holds the critical section. */
static void prv_set_mask(uint32_t op_mask)
{
    rp_recorder.op_mask = op_mask;
    for (uint32_t op = 0; op < RP_RECORDER_OPS; op++) {
        rp_recorder.accept[op] = (uint8_t)((op_mask >> op) & 1u);
    }
}

void rp_recorder_init(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    prv_set_mask(0u);
    rp_recorder.threshold = 0u;
    rp_recorder.active = false;
    (void)rp_ring_init(&rp_recorder.ring, prv_slots, RP_CONFIG_RING_CAPACITY);
    rp_recorder.recorded = 0u;
    rp_recorder.filtered = 0u;
    rp_recorder.filtered_at_stop = 0u;
    rp_recorder.record_ticks = 0u;
    rp_recorder.first_drop_ts = 0u;
    rp_recorder.limit = UINT64_MAX;
    rp_port_irq_restore(s);
}

void rp_recorder_start(uint32_t op_mask, uint64_t threshold)
{
    rp_port_irq_t s = rp_port_irq_save();
    rp_ring_reset(&rp_recorder.ring);
    rp_recorder.recorded = 0u;
    rp_recorder.filtered = 0u;
    rp_recorder.filtered_at_stop = 0u;
    rp_recorder.record_ticks = 0u;
    rp_recorder.first_drop_ts = 0u;
    rp_recorder.threshold = prv_saturate32(threshold);
    prv_set_mask(op_mask != 0u ? op_mask : RP_OP_MASK_ALL);
    rp_recorder.active = true;
    rp_port_irq_restore(s);
}

/* Freezes the reported filtered count; caller holds the critical section. */
static void prv_stop_locked(void)
{
    rp_recorder.filtered_at_stop = rp_recorder.filtered;
    rp_recorder.active = false;
    prv_set_mask(0u);   /* every later event fails the first compare */
}

void rp_recorder_stop(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    if (rp_recorder.active) {
        prv_stop_locked();
    }
    rp_port_irq_restore(s);
}

void rp_recorder_set_filter(uint32_t op_mask, uint64_t threshold)
{
    rp_port_irq_t s = rp_port_irq_save();
    rp_recorder.threshold = prv_saturate32(threshold);
    /* While stopped the mask stays 0; the next Start brings its own. */
    if (rp_recorder.active) {
        prv_set_mask(op_mask != 0u ? op_mask : RP_OP_MASK_ALL);
    }
    rp_port_irq_restore(s);
}

void rp_recorder_set_limit(uint64_t events)
{
    rp_port_irq_t s = rp_port_irq_save();
    rp_recorder.limit = events != 0u ? events : UINT64_MAX;
    rp_port_irq_restore(s);
}

/* A full ring: the event is lost, counted by the ring; the first loss
 * is timestamped for the DropReport. Caller holds the critical section. */
static void prv_dropped(const rp_record_t *rec)
{
    if (rp_recorder.first_drop_ts == 0u) {
        rp_recorder.first_drop_ts = rec->start;
    }
}

/* The accepted side (out of line on Arm, see PRV_ACCEPTED_FN). */
PRV_ACCEPTED_FN prv_record_accepted(const rp_record_t *rec)
{
    uint32_t t0 = RP_PORT_COST_TICKS32();
    rp_port_irq_t s = rp_port_irq_save();
    /* The same slots and mask rp_recorder_init gave the ring. */
    if (PRV_RING_PUSH(rec)) {
        if (++rp_recorder.recorded >= rp_recorder.limit) {
            prv_stop_locked();   /* limit reached: as rp_recorder_stop */
        }
    } else {
        prv_dropped(rec);
    }
    rp_port_model_cost(RP_PORT_RECORD_COST_TICKS);
    rp_recorder.record_ticks += (uint32_t)(RP_PORT_COST_TICKS32() - t0);
    rp_port_irq_restore(s);
}

/* Whether the op mask rejects op (see PRV_OP_BYTES). */
static inline bool prv_op_rejected(unsigned op)
{
#if PRV_OP_BYTES
    return rp_recorder.accept[op & (RP_RECORDER_OPS - 1u)] == 0u;
#else
    return ((rp_recorder.op_mask >> (op & 31u)) & 1u) == 0u;
#endif
}

void rp_recorder_record(const rp_record_t *rec)
{
    /* The filters are read outside the critical section: an interrupt
     * that stops recording just before it lets this one event through,
     * which costs less than re-checking on every event. */
    if (PRV_UNLIKELY(prv_op_rejected(rec->op)) ||
        rec->duration < rp_recorder.threshold) {
        /* Counted even while stopped, to keep this path one increment:
         * rp_recorder_filtered() reports the count frozen at the last stop.
         * Not under the critical section; an interrupt racing this
         * increment on a 32-bit MCU can cost one filtered count, never a
         * recorded event. */
        rp_recorder.filtered++;
        return;
    }
    prv_record_accepted(rec);
}

/* The filtered count as reported; caller holds the critical section. */
static uint64_t prv_filtered_locked(void)
{
    return rp_recorder.active ? rp_recorder.filtered : rp_recorder.filtered_at_stop;
}

uint64_t rp_recorder_filtered(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    uint64_t n = prv_filtered_locked();
    rp_port_irq_restore(s);
    return n;
}

void rp_recorder_counters(rp_counters_t *out)
{
    rp_port_irq_t s = rp_port_irq_save();
    out->events_recorded = rp_recorder.recorded;
    out->events_filtered = prv_filtered_locked();
    out->events_dropped = rp_recorder.ring.dropped;
    out->record_ticks = rp_recorder.record_ticks;
    out->ring_high_water = rp_recorder.ring.high_water;
    rp_port_irq_restore(s);
}
