/* The event recorder: runtime filters, the ring, and exact accounting.
 *
 * rp_recorder_record() is the hot path: a filter compare, one critical
 * section, one head compare, one fixed-size copy. It never allocates and
 * never blocks.
 * Everything here is a single global instance: a device has one recorder. */
#ifndef RP_RECORDER_H
#define RP_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "rramprof/rp_config.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_OP_MASK_ALL 0xFFFFu

/* Bits of the op mask: op n is recorded when bit (n & 31) is set. */
#define RP_RECORDER_OPS 32u
/* Entries of rp_recorder_t.accept: one per value of the record's op byte. */
#define RP_RECORDER_OP_BYTES 256u

/* The hot path keeps only 32-bit state and the ring's head; every 64-bit
 * count is derived on the consumer side (drain, Counters):
 *   events_recorded = pushes into the ring since Start (rp_ring_pushed);
 *   events_filtered = the 32-bit `filtered` (events below the duration
 *                     threshold; ops the mask excludes are not counted),
 *                     extended by rp_recorder_sync,
 *                     which the drain calls far more often than every 2^32
 *                     events;
 *   record_ticks    = (recorded + dropped) x a per-event cost calibrated
 *                     at each Start (docs/protocol.md, Counters). */
typedef struct rp_recorder {
    /* accept[op] is 1 when op_mask has bit (op & 31), kept in step with
     * it: on Arm the hot path's filter is then one byte load and a branch
     * instead of a mask, a shift and a test. First in the struct so it is
     * indexed straight off the struct's address. */
    uint8_t accept[RP_RECORDER_OP_BYTES];
    uint32_t op_mask;          /* bit n set = record op n; 0 while stopped */
    uint32_t threshold;        /* events shorter than this are filtered */
    uint32_t filtered;         /* threshold rejections; wraps */
    uint32_t slow_head;        /* ring head at which a push takes the slow
                                  path: the ring may be full there, or the
                                  push is the limit's; only producers write it */
    uint32_t limit_head;       /* ring head (low 32 bits of the pushed
                                  count) at which the limit may be reached */
    uint32_t limit_wraps;      /* times limit_head must still be passed first */
    uint32_t cost_q8;          /* calibrated ticks per recorded event x 256 */
    bool active;
    rp_ring_t ring;
    uint64_t limit;            /* events per session, UINT64_MAX = none */
    uint32_t filtered_seen;    /* `filtered` at the last rp_recorder_sync */
    uint64_t filtered_total;   /* `filtered` extended to 64 bits */
    uint64_t first_drop_ts;    /* start tick of the first dropped event, 0 if none */
    uint64_t boot_id;          /* the boot it records in (rp_salvage_stamp) */
    uint32_t boot_mark;        /* ties boot_id to this state (rp_salvage.h) */
} rp_recorder_t;

extern rp_recorder_t rp_recorder;

/* Binds the ring storage (RP_CONFIG_RING_CAPACITY records). Stopped after. */
void rp_recorder_init(void);
/* Clears the ring and all counters, calibrates the per-event cost (times
 * a few pushes into the empty ring), then records ops in op_mask (0 = all)
 * lasting at least threshold ticks (saturated to 32 bits). */
void rp_recorder_start(uint32_t op_mask, uint64_t threshold);
/* Stops recording; events already in the ring stay there to be drained. */
void rp_recorder_stop(void);
void rp_recorder_set_filter(uint32_t op_mask, uint64_t threshold);
/* Stops recording by itself (as rp_recorder_stop) once `events` events
 * were recorded since Start, so a session holds exactly that many; 0 = no
 * limit. Takes effect at the next Start and is kept across Starts. */
void rp_recorder_set_limit(uint64_t events);

/* Records one event if the recorder is active, the op mask holds its op
 * and it lasts at least the threshold. An event the mask excludes (every
 * event while stopped) costs a load and a branch and is not counted; one
 * below the threshold is counted in rp_recorder_filtered. Safe to call
 * from interrupt handlers. */
void rp_recorder_record(const rp_record_t *rec);

/* Events of recorded ops that the duration threshold rejected since
 * Start (op-mask rejections are not counted). Consumer side, as
 * rp_recorder_sync. */
uint64_t rp_recorder_filtered(void);

/* Events accepted into the ring since Start. Consumer side: call it from
 * the context that drains the ring. */
uint64_t rp_recorder_recorded(void);

/* Consumer-side upkeep: extends the 32-bit filtered count and takes the
 * ring's high-water mark. Call it at least once per 2^32 events; the
 * device's drain does on every call. */
void rp_recorder_sync(void);

/* Fills the recorder part of Counters (ticks, drops, ring high water).
 * Consumer side, as rp_recorder_sync. */
void rp_recorder_counters(rp_counters_t *out);

#ifdef __cplusplus
}
#endif
#endif
