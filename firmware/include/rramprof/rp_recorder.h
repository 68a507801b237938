/* The event recorder: runtime filters, the ring, and exact accounting.
 *
 * rp_recorder_record() is the hot path: a filter compare, one critical
 * section, one fixed-size copy. It never allocates and never blocks.
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

/* Entries of rp_recorder_t.accept: one per bit of the 32-bit op mask. */
#define RP_RECORDER_OPS 32u

typedef struct rp_recorder {
    /* accept[op & 31] is 1 when op_mask has bit op, kept in step with it:
     * on Arm the hot path's filter is then one byte load and a branch
     * instead of a shift and a test. First in the struct so it is indexed
     * straight off the struct's address. */
    uint8_t accept[RP_RECORDER_OPS];
    uint32_t op_mask;          /* bit n set = record op n; 0 while stopped */
    uint32_t threshold;        /* events shorter than this are filtered */
    bool active;
    rp_ring_t ring;
    uint64_t recorded;
    uint64_t limit;            /* `recorded` count that stops recording */
    uint64_t filtered;         /* every rejected call, stopped or not */
    uint64_t filtered_at_stop; /* `filtered` when recording last stopped */
    uint64_t record_ticks;     /* self cost, measured with RP_PORT_COST_TICKS32 */
    uint64_t first_drop_ts;    /* start tick of the first dropped event, 0 if none */
} rp_recorder_t;

extern rp_recorder_t rp_recorder;

/* Binds the ring storage (RP_CONFIG_RING_CAPACITY records). Stopped after. */
void rp_recorder_init(void);
/* Clears the ring and all counters, then records ops in op_mask (0 = all)
 * lasting at least threshold ticks (saturated to 32 bits). */
void rp_recorder_start(uint32_t op_mask, uint64_t threshold);
/* Stops recording; events already in the ring stay there to be drained. */
void rp_recorder_stop(void);
void rp_recorder_set_filter(uint32_t op_mask, uint64_t threshold);
/* Stops recording by itself (as rp_recorder_stop) once `events` events
 * were recorded since Start, so a session holds exactly that many; 0 = no
 * limit. Kept across Starts. */
void rp_recorder_set_limit(uint64_t events);

/* Records one event if the recorder is active and the filters pass.
 * Safe to call from interrupt handlers. */
void rp_recorder_record(const rp_record_t *rec);

/* Events rejected by the filters while recording (calls made while
 * stopped are not counted). */
uint64_t rp_recorder_filtered(void);

/* Fills the recorder part of Counters (ticks, drops, ring high water). */
void rp_recorder_counters(rp_counters_t *out);

#ifdef __cplusplus
}
#endif
#endif
