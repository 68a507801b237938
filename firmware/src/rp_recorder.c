/* The event recorder; contract in rp_recorder.h.
 *
 * Hot path budget (bench/run_callgrind.sh on the host, bench/qemu_bench.sh
 * on the Cortex-M4): an op the mask excludes is a byte load and a branch;
 * one below the duration threshold adds its compare and a 32-bit count; an
 * accepted one adds one
 * critical section, one compare of the head with slow_head (which stands
 * for both the full ring and the event limit) and a 32-byte copy into a
 * slot. Everything else (64-bit counts, high water, self cost) is derived
 * on the consumer side; see rp_recorder.h. Hence the port header is inlined and
 * everything lives in one global struct. */
#include "rramprof/rp_recorder.h"

#include <string.h>

#include "rp_port.h"
#include "rp_ring_priv.h"

#if (RP_CONFIG_RING_CAPACITY & (RP_CONFIG_RING_CAPACITY - 1u)) != 0u || RP_CONFIG_RING_CAPACITY < 2u
#error "RP_CONFIG_RING_CAPACITY must be a power of two >= 2"
#endif

/* Branch hint: keeps the rare side out of the straight-line path. */
#if defined(__GNUC__)
#define PRV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PRV_NOINLINE __attribute__((noinline))
#define PRV_INLINE static inline __attribute__((always_inline))
#else
#define PRV_INLINE static inline
#define PRV_UNLIKELY(x) (x)
#define PRV_NOINLINE
#endif

/* Per-target choices, each measured (bench/qemu_bench.sh on the
 * Cortex-M4, bench/run_callgrind.sh on x86-64). Arm has no single
 * instruction that tests a register-selected bit, so there a byte per op
 * (accept[]) beats shifting op_mask; GCC saves registers on entry to a
 * one-body record function, so the accepted side goes out of line to keep
 * the filtered side free of them; and the ring's storage as a constant
 * folds into the addressing. x86 tests the mask bit with one `bt`,
 * shrink-wraps the single body by itself, and adds the slots' address
 * from memory for free (position-independent code would need a `lea` for
 * the constant). */
#if defined(__arm__)
#define PRV_OP_BYTES 1
#define PRV_ACCEPTED_FN PRV_NOINLINE static void
#define PRV_SLOTS prv_slots
#else
#define PRV_OP_BYTES 0
#define PRV_ACCEPTED_FN static inline void
#define PRV_SLOTS rp_recorder.ring.slots
#endif

/* The ring's mask as a constant (rp_recorder_init gives the ring exactly
 * RP_CONFIG_RING_CAPACITY slots). */
#define PRV_RING_MASK (RP_CONFIG_RING_CAPACITY - 1u)

/* Timer for the recorder's own cost: only differences are used, so a port
 * may supply a cheaper read of the same tick (rp_hal_board.h). */
#ifndef RP_PORT_COST_TICKS32
#define RP_PORT_COST_TICKS32() rp_port_cycles32()
#endif

/* Zero until rp_recorder_init: every op filtered, nothing in .data. */
rp_recorder_t rp_recorder;
static rp_record_t prv_slots[RP_CONFIG_RING_CAPACITY];

/* Pushes timed by the calibration at Start: enough to make the timer's
 * granularity small, never more than the ring holds. */
#define PRV_CALIBRATION_PUSHES (RP_CONFIG_RING_CAPACITY < 64u ? RP_CONFIG_RING_CAPACITY : 64u)

static uint32_t prv_saturate32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Sets op_mask and its byte table; caller holds the critical section. */
static void prv_set_mask(uint32_t op_mask)
{
    rp_recorder.op_mask = op_mask;
    /* m is op_mask rotated right by op: its low bit is bit (op & 31). */
    uint32_t m = op_mask;
    for (uint32_t op = 0; op < RP_RECORDER_OP_BYTES; op++) {
        rp_recorder.accept[op] = (uint8_t)(m & 1u);
        m = (m >> 1) | (m << (RP_RECORDER_OPS - 1u));
    }
}

/* Extends the 32-bit filtered count; caller holds the critical section.
 * Exact while fewer than 2^32 events are filtered between two calls. */
static void prv_sync_locked(void)
{
    uint32_t now = rp_recorder.filtered;
    rp_recorder.filtered_total += (uint32_t)(now - rp_recorder.filtered_seen);
    rp_recorder.filtered_seen = now;
}

/* Stops recording; caller holds the critical section. */
static void prv_stop_locked(void)
{
    prv_sync_locked();
    rp_recorder.active = false;
    prv_set_mask(0u);   /* every later event fails the first compare */
}

/* Sets slow_head, the head at which the next push must take the slow
 * path: where the ring fills up (seen with the current tail; a later
 * release only makes this early, which the slow path then finds out), or
 * where the next push is the limit's, whichever comes first. One copy for
 * the slow push and the limit's arming. Caller holds the critical
 * section. */
static void prv_update_slow_head(void)
{
    uint32_t head = rp_recorder.ring.head;
    uint32_t to_full = rp_recorder.ring.tail + RP_CONFIG_RING_CAPACITY - head;
    uint32_t to_limit = rp_recorder.limit_head - 1u - head;
    rp_recorder.slow_head = head + (to_full < to_limit ? to_full : to_limit);
}

/* Copies rec into the slot at head and publishes it. */
PRV_INLINE void prv_store(uint32_t head, const rp_record_t *rec)
{
    PRV_SLOTS[head & PRV_RING_MASK] = *rec;
    /* The record must be in its slot before the consumer can see it. */
    atomic_signal_fence(memory_order_release);
    rp_recorder.ring.head = head + 1u;
}

/* head == slow_head: the ring is full (the event is dropped, counted by
 * the ring, the first loss timestamped for the DropReport), or it has
 * room and the event is stored, maybe reaching the limit; then the next
 * slow point is set. Caller holds the critical section. */
PRV_NOINLINE static void prv_push_slow(const rp_record_t *rec, uint32_t head)
{
    if (head - rp_recorder.ring.tail > PRV_RING_MASK) {
        rp_ring_note_full(&rp_recorder.ring);
        if (rp_recorder.first_drop_ts == 0u) {
            rp_recorder.first_drop_ts = rec->start;
        }
        return;   /* slow_head stays: the next push checks again */
    }
    prv_store(head, rec);
    head++;
    if (head == rp_recorder.limit_head) {
        if (rp_recorder.limit_wraps == 0u) {
            /* Limit reached. Stopping nests the caller's critical
             * section: a call is smaller than another inlined stop. */
            rp_recorder_stop();
        } else {
            rp_recorder.limit_wraps--;   /* 2^32 events short of it */
        }
    }
    prv_update_slow_head();
}

/* One push; caller holds the critical section. The straight path is one
 * compare and the copy: the full check and the limit both live behind
 * slow_head. */
PRV_INLINE void prv_push_locked(const rp_record_t *rec)
{
    uint32_t head = rp_recorder.ring.head;
    if (PRV_UNLIKELY(head == rp_recorder.slow_head)) {
        prv_push_slow(rec, head);
    } else {
        prv_store(head, rec);
    }
}

/* Arms the limit for a session starting from an empty ring: the pushed
 * count reaches `limit` when the head's low 32 bits equal limit's after
 * (limit - 1) / 2^32 earlier passes. Caller holds the critical section. */
static void prv_arm_limit(void)
{
    uint64_t limit = rp_recorder.limit;
    rp_recorder.limit_head = (uint32_t)limit;
    rp_recorder.limit_wraps = (uint32_t)((limit - 1u) >> 32);
    prv_update_slow_head();
}

void rp_recorder_init(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    /* Stopped, every op filtered, no counts: all zero but the ring's
     * binding and the limit. rp_ring_init's checks on the capacity hold at
     * compile time (see the #error above), so the ring is bound here
     * directly, sparing the image that function. */
    memset(&rp_recorder, 0, sizeof rp_recorder);
    rp_recorder.ring.slots = prv_slots;
    rp_recorder.ring.mask = PRV_RING_MASK;
    rp_recorder.limit = UINT64_MAX;
    prv_arm_limit();
    rp_port_irq_restore(s);
}

/* The calibration's result in 32 bits: ticks over PRV_CALIBRATION_PUSHES
 * pushes, x 256 / pushes, is ticks x PRV_CALIBRATION_SCALE exactly (both
 * are powers of two), and the modelled cost x 256 fits 32 bits, so the
 * 64-bit sum needs no 64-bit arithmetic to be saturated. */
#define PRV_CALIBRATION_SCALE (256u / PRV_CALIBRATION_PUSHES)
#define PRV_MODEL_COST_Q8 ((uint32_t)RP_PORT_RECORD_COST_TICKS << 8)
#if RP_PORT_RECORD_COST_TICKS > 0xFFFFFFu
#error "RP_PORT_RECORD_COST_TICKS x 256 must fit 32 bits"
#endif

/* Ticks per recorded event x 256 (saturated): the accepted path's
 * critical section and push (plus this loop's few instructions, standing
 * in for the call and the filters) timed over a few pushes of a blank
 * record into the empty ring, plus the modelled cost the port charges per
 * event (rp_port_model_cost, sim and test boards). The caller turns
 * recording off (op mask 0), empties the ring and lifts the limit
 * (slow_head at the capacity: the slow path then comes only with a full
 * ring, which these few pushes never fill) before, and resets the ring
 * after. */
static uint32_t prv_calibrate(void)
{
    /* Not const: in .bss it costs no flash, and nothing writes it. */
    static rp_record_t probe;
    uint32_t t0 = RP_PORT_COST_TICKS32();
    for (uint32_t i = 0; i < PRV_CALIBRATION_PUSHES; i++) {
        rp_port_irq_t s = rp_port_irq_save();
        prv_push_locked(&probe);
        rp_port_irq_restore(s);
    }
    uint32_t ticks = RP_PORT_COST_TICKS32() - t0;
    if (ticks > (UINT32_MAX - PRV_MODEL_COST_Q8) / PRV_CALIBRATION_SCALE) {
        return UINT32_MAX;
    }
    return ticks * PRV_CALIBRATION_SCALE + PRV_MODEL_COST_Q8;
}

void rp_recorder_start(uint32_t op_mask, uint64_t threshold)
{
    /* Nothing recorded while calibrating: stopped, the mask is 0 (as it
     * always is while stopped). */
    rp_recorder_stop();
    rp_port_irq_t s = rp_port_irq_save();
    rp_ring_reset(&rp_recorder.ring);
    rp_recorder.slow_head = RP_CONFIG_RING_CAPACITY;   /* no limit meanwhile */
    rp_port_irq_restore(s);
    uint32_t cost = prv_calibrate();

    s = rp_port_irq_save();
    rp_ring_reset(&rp_recorder.ring);
    rp_recorder.cost_q8 = cost;
    prv_arm_limit();
    rp_recorder.filtered = 0u;
    rp_recorder.filtered_seen = 0u;
    rp_recorder.filtered_total = 0u;
    rp_recorder.first_drop_ts = 0u;
    rp_recorder.active = true;
    rp_port_irq_restore(s);
    /* Active with the mask still 0 until here: events are only dropped
     * uncounted, as before Start. One copy of the filter code. */
    rp_recorder_set_filter(op_mask, threshold);
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

/* The accepted side (out of line on Arm, see PRV_ACCEPTED_FN). */
PRV_ACCEPTED_FN prv_record_accepted(const rp_record_t *rec)
{
    rp_port_irq_t s = rp_port_irq_save();
    prv_push_locked(rec);
    rp_port_model_cost(RP_PORT_RECORD_COST_TICKS);
    rp_port_irq_restore(s);
}

/* Whether the op mask rejects op (see PRV_OP_BYTES). */
static inline bool prv_op_rejected(unsigned op)
{
#if PRV_OP_BYTES
    return rp_recorder.accept[op & (RP_RECORDER_OP_BYTES - 1u)] == 0u;
#else
    return ((rp_recorder.op_mask >> (op & 31u)) & 1u) == 0u;
#endif
}

void rp_recorder_record(const rp_record_t *rec)
{
    /* The filters are read outside the critical section: an interrupt
     * that stops recording just before it lets this one event through,
     * which costs less than re-checking on every event. An op the mask
     * excludes (or any op while stopped) is dropped uncounted: the host
     * knows the mask, and counting it would cost the disabled path two of
     * its five instructions on a Cortex-M4. */
    if (PRV_UNLIKELY(prv_op_rejected(rec->op))) {
        return;
    }
    if (PRV_UNLIKELY(rec->duration < rp_recorder.threshold)) {
        /* Not under the critical section; an interrupt racing this
         * increment can cost one filtered count, never a recorded
         * event. */
        rp_recorder.filtered++;
        return;
    }
    prv_record_accepted(rec);
}

/* The filtered count as reported; caller holds the critical section. */
static uint64_t prv_filtered_locked(void)
{
    prv_sync_locked();
    return rp_recorder.filtered_total;
}

uint64_t rp_recorder_filtered(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    uint64_t n = prv_filtered_locked();
    rp_port_irq_restore(s);
    return n;
}

uint64_t rp_recorder_recorded(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    uint64_t n = rp_ring_pushed(&rp_recorder.ring);
    rp_port_irq_restore(s);
    return n;
}

void rp_recorder_sync(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    prv_sync_locked();
    rp_ring_observe(&rp_recorder.ring);
    rp_port_irq_restore(s);
}

void rp_recorder_counters(rp_counters_t *out)
{
    rp_port_irq_t s = rp_port_irq_save();
    rp_recorder_sync();   /* nested: its upkeep is this one's first step */
    uint64_t recorded = rp_ring_pushed(&rp_recorder.ring);
    out->events_recorded = recorded;
    out->events_filtered = rp_recorder.filtered_total;
    out->events_dropped = rp_recorder.ring.dropped;
    /* Every call that reached the ring, dropped ones too, at the cost
     * calibrated at Start. */
    out->record_ticks = ((recorded + rp_recorder.ring.dropped) * rp_recorder.cost_q8) >> 8;
    out->ring_high_water = rp_recorder.ring.high_water;
    rp_port_irq_restore(s);
}
