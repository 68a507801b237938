/* The event recorder; contract in rp_recorder.h.
 *
 * Hot path budget: <= 40 host instructions per recorded event and a handful
 * per filtered one (bench/run_callgrind.sh measures both). Hence the port
 * header is inlined and everything lives in one global struct. */
#include "rramprof/rp_recorder.h"

#include "rp_port.h"
#include "rp_ring_priv.h"

#if (RP_CONFIG_RING_CAPACITY & (RP_CONFIG_RING_CAPACITY - 1u)) != 0u || RP_CONFIG_RING_CAPACITY < 2u
#error "RP_CONFIG_RING_CAPACITY must be a power of two >= 2"
#endif

/* Branch hint; with GCC it also turns the op-mask test into one `bt`. */
#if defined(__GNUC__)
#define PRV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PRV_UNLIKELY(x) (x)
#endif

rp_recorder_t rp_recorder;
static rp_record_t prv_slots[RP_CONFIG_RING_CAPACITY];
static uint64_t prv_limit = UINT64_MAX;   /* recorded count that stops recording */

static uint32_t prv_saturate32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void rp_recorder_init(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    rp_recorder.op_mask = 0u;
    rp_recorder.threshold = 0u;
    rp_recorder.active = false;
    (void)rp_ring_init(&rp_recorder.ring, prv_slots, RP_CONFIG_RING_CAPACITY);
    rp_recorder.recorded = 0u;
    rp_recorder.filtered = 0u;
    rp_recorder.filtered_at_stop = 0u;
    rp_recorder.record_ticks = 0u;
    rp_recorder.first_drop_ts = 0u;
    prv_limit = UINT64_MAX;
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
    rp_recorder.op_mask = op_mask != 0u ? op_mask : RP_OP_MASK_ALL;
    rp_recorder.active = true;
    rp_port_irq_restore(s);
}

/* Freezes the reported filtered count; caller holds the critical section. */
static void prv_stop_locked(void)
{
    rp_recorder.filtered_at_stop = rp_recorder.filtered;
    rp_recorder.active = false;
    rp_recorder.op_mask = 0u;   /* every later event fails the first compare */
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
        rp_recorder.op_mask = op_mask != 0u ? op_mask : RP_OP_MASK_ALL;
    }
    rp_port_irq_restore(s);
}

void rp_recorder_set_limit(uint64_t events)
{
    rp_port_irq_t s = rp_port_irq_save();
    prv_limit = events != 0u ? events : UINT64_MAX;
    rp_port_irq_restore(s);
}

void rp_recorder_record(const rp_record_t *rec)
{
    if (PRV_UNLIKELY(((rp_recorder.op_mask >> (rec->op & 31u)) & 1u) == 0u) ||
        rec->duration < rp_recorder.threshold) {
        /* Counted even while stopped, to keep this path one increment:
         * rp_recorder_filtered() reports the count frozen at the last stop.
         * Not under the critical section; an interrupt racing this
         * increment on a 32-bit MCU can cost one filtered count, never a
         * recorded event. */
        rp_recorder.filtered++;
        return;
    }
    /* The filters were read outside the critical section: an interrupt
     * that stops recording just before it lets this one event through,
     * which costs less than re-checking on every event. */
    uint32_t t0 = rp_port_cycles32();
    rp_port_irq_t s = rp_port_irq_save();
    if (prv_ring_push(&rp_recorder.ring, rec)) {
        if (++rp_recorder.recorded >= prv_limit) {
            prv_stop_locked();   /* limit reached: as rp_recorder_stop */
        }
    } else if (rp_recorder.first_drop_ts == 0u) {
        rp_recorder.first_drop_ts = rec->start;
    }
    rp_port_model_cost(RP_PORT_RECORD_COST_TICKS);
    rp_recorder.record_ticks += (uint32_t)(rp_port_cycles32() - t0);
    rp_port_irq_restore(s);
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
