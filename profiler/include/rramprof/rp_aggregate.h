/* Aggregator: one pass over a capture's events, bounded memory.
 *
 * Feed it what the session delivers (rp_session.h callbacks), in stream
 * order: rp_agg_segment() when a segment starts, rp_agg_add() for every
 * batch of events. It keeps, per op kind, per tile (and per tile and op)
 * and per named span / compute name id: count, busy time, min/max, a
 * latency histogram (rp_hist.h, <= 1 % quantile error), bytes moved,
 * MACs, ADC conversion rounds; the idle gaps between operations; the
 * write-verify episodes; and a time series of rates per interval.
 *
 * Definitions (docs/report.md repeats them for readers):
 *   - Run time. Every event gets a run time: within a segment, ticks since
 *     that segment's first event start, plus the run time covered by the
 *     earlier segments (segments are laid end to end). run_ticks is the sum
 *     over segments of (last event end - first event start). Ticks are
 *     those of the first segment that had a Hello (clock_hz); a later
 *     segment with another clock is counted as is and flagged.
 *   - Device ops are every op but SPAN (WRITE, VERIFY, READ, MVM, TRANSFER,
 *     COMPUTE, NONE and unknown ones). busy = sum of durations. covered =
 *     time inside at least one device op; gaps = the intervals between
 *     device ops that no device op covers (nested/overlapping ops do not
 *     create gaps). covered + gap total = run_ticks within each segment.
 *   - Per-tile statistics count device ops except COMPUTE and NONE (those
 *     have no tile). TRANSFER counts for the tile of the MVM it serves.
 *   - MACs: an MVM on rows x cols is rows * cols multiply-accumulates.
 *     bytes: TRANSFER arg. cells: rows * cols of WRITE, VERIFY, READ, MVM.
 *     adc_rounds: conversions one ADC performs in sequence: READ
 *     ceil(cols / adcs_per_tile), MVM input_bits * ceil(cols /
 *     adcs_per_tile), from the segment's Hello (0 if the geometry is
 *     unknown). slices: MVM input_bits (DAC settles).
 *   - Write-verify episodes (rp_wv.h event pattern): a VERIFY with
 *     iterations == 0 opens an episode on its tile/row/col; each later
 *     VERIFY of the same tile/row/col sets the episode's pulses to its
 *     iterations and its outcome to its status; the episode closes at the
 *     next VERIFY(0) anywhere, a new segment, or rp_agg_finish(). A WRITE
 *     or VERIFY that matches no open episode is still counted in the op
 *     statistics.
 *   - Time series: RP_AGG_SERIES_BUCKETS buckets of width w ticks; bucket i
 *     covers run time [i*w, (i+1)*w). w = rp_agg_series_width(max run
 *     time seen): it starts at 1 and doubles (adjacent buckets merged) as
 *     the run grows, so memory never grows. An event counts in the bucket
 *     of its start; a gap in the bucket where it starts.
 *
 * Memory: fixed except for histograms created on first use per (tile, op)
 * and per name id, at most RP_AGG_MAX_TILES * RP_OP_COUNT + RP_AGG_MAX_NAMES
 * of them (each sizeof(rp_hist_t)); nothing depends on the capture length.
 * Name ids beyond RP_AGG_MAX_NAMES distinct ones are counted in
 * names_overflow, not stored. Not thread-safe. */
#ifndef RP_AGGREGATE_H
#define RP_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_hist.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_AGG_MAX_OPS 16u            /* wire op values are < 16 */
#define RP_AGG_MAX_TILES 256u         /* tile is 8 bits on the wire */
#define RP_AGG_MAX_NAMES 256u         /* distinct SPAN/COMPUTE name ids kept */
#define RP_AGG_SERIES_BUCKETS 256u
#define RP_AGG_WV_MAX_PULSES 256u     /* iterations is 8 bits */
#define RP_AGG_MAX_FAILED 64u         /* non-converged rows listed */
#define RP_AGG_TIMELINE_EVENTS 4096u  /* first events kept for a detailed timeline */

/* Statistics of one group of events (an op, a tile, a tile+op, a name). */
typedef struct rp_agg_stat {
    uint64_t count;
    uint64_t busy_ticks;      /* sum of durations */
    uint64_t not_ok;          /* status != OK */
    uint64_t bytes;           /* TRANSFER: sum of arg */
    uint64_t macs;            /* MVM: sum of rows * cols */
    uint64_t cells;           /* WRITE, VERIFY, READ, MVM: sum of rows * cols */
    uint64_t adc_rounds;      /* READ, MVM: see above */
    uint64_t slices;          /* MVM: sum of input_bits */
    const rp_hist_t *hist;    /* durations in ticks; NULL when count == 0 */
} rp_agg_stat_t;

/* A named group (SPAN or COMPUTE events with the same arg). */
typedef struct rp_agg_name {
    uint32_t id;              /* NameTable id (resolve with rp_session_name) */
    uint8_t op;               /* RP_OP_SPAN or RP_OP_COMPUTE */
    rp_agg_stat_t stat;
} rp_agg_name_t;

/* Write-verify programming episodes. */
typedef struct rp_agg_failed_row {
    uint8_t tile;
    uint16_t row;
    uint16_t col;
    uint32_t episodes;        /* non-converged episodes on this tile/row/col */
} rp_agg_failed_row_t;

typedef struct rp_agg_wv {
    uint64_t episodes;
    uint64_t not_converged;   /* episodes whose last VERIFY was NOT_CONVERGED */
    uint64_t pulses;          /* sum of episode pulse counts */
    uint64_t ticks;           /* WRITE + VERIFY busy time inside episodes */
    uint64_t by_pulses[RP_AGG_WV_MAX_PULSES];   /* episodes per pulse count */
    uint32_t failed_count;    /* entries in failed[] */
    uint64_t failed_overflow; /* distinct rows that did not fit */
    rp_agg_failed_row_t failed[RP_AGG_MAX_FAILED];
} rp_agg_wv_t;

/* One time-series interval. */
typedef struct rp_agg_bucket {
    uint64_t count[RP_AGG_MAX_OPS];
    uint64_t busy[RP_AGG_MAX_OPS];
    uint64_t gap_ticks;
} rp_agg_bucket_t;

/* Run-level totals. */
typedef struct rp_agg_totals {
    uint64_t events;          /* all events added */
    uint64_t device_ops;      /* events other than SPAN */
    uint64_t run_ticks;       /* see "Run time" */
    uint64_t covered_ticks;   /* time inside device ops */
    uint64_t gap_ticks;       /* sum of gaps */
    uint64_t gap_count;
    uint64_t clock_hz;        /* of the tick unit (0 if no Hello) */
    bool mixed_clock;         /* a segment had another clock_hz */
    uint32_t segments;
    uint32_t tiles_seen;      /* highest tile index seen + 1 */
    uint64_t names_overflow;
    uint64_t series_width;    /* ticks per time-series bucket */
    uint32_t series_used;     /* buckets up to the last one with data */
} rp_agg_totals_t;

typedef struct rp_agg rp_agg_t;

/* Allocates an aggregator (NULL if out of memory). */
rp_agg_t *rp_agg_create(void);
void rp_agg_destroy(rp_agg_t *a);   /* NULL is fine */

/* Session callbacks: a segment starts (info describes its device); events
 * of that segment, in stream order. rp_agg_add returns RP_OK, or
 * RP_ERR_NOSPACE if a histogram could not be allocated (the events are
 * still counted without it). */
void rp_agg_segment(rp_agg_t *a, uint32_t segment, const rp_device_info_t *info);
int rp_agg_add(rp_agg_t *a, uint32_t segment, const rp_record_t *events, size_t n);
/* Closes open write-verify episodes and the last segment. Call once after
 * the last event; the accessors below are final after it (before, they
 * show the state so far). */
void rp_agg_finish(rp_agg_t *a);

/* What to add to a tick of the current segment to get its run time
 * (other per-event consumers use it to share the aggregator's clock). */
int64_t rp_agg_time_shift(const rp_agg_t *a);
/* Time-series bucket width for a run whose latest run time is t_max:
 * the smallest power of two w >= 1 with t_max < RP_AGG_SERIES_BUCKETS * w. */
uint64_t rp_agg_series_width(uint64_t t_max);

const rp_agg_totals_t *rp_agg_totals(const rp_agg_t *a);
/* Per op value (< RP_AGG_MAX_OPS); never NULL for a valid op (zero stat). */
const rp_agg_stat_t *rp_agg_op(const rp_agg_t *a, unsigned op);
/* All counted ops of a tile together; never NULL for tile < 256. */
const rp_agg_stat_t *rp_agg_tile(const rp_agg_t *a, unsigned tile);
/* One op on one tile; never NULL for valid arguments (zero stat). */
const rp_agg_stat_t *rp_agg_tile_op(const rp_agg_t *a, unsigned tile, unsigned op);
/* Gaps between device ops (ticks). */
const rp_hist_t *rp_agg_gaps(const rp_agg_t *a);
/* Named groups, in order of first appearance; i < rp_agg_name_count(). */
uint32_t rp_agg_name_count(const rp_agg_t *a);
const rp_agg_name_t *rp_agg_name(const rp_agg_t *a, uint32_t i);
const rp_agg_wv_t *rp_agg_wv(const rp_agg_t *a);
/* Time series: RP_AGG_SERIES_BUCKETS entries (totals.series_used hold
 * data); per-tile busy ticks per bucket (NULL for a tile never seen). */
const rp_agg_bucket_t *rp_agg_series(const rp_agg_t *a);
const uint64_t *rp_agg_tile_series(const rp_agg_t *a, unsigned tile);
/* The first events added (up to RP_AGG_TIMELINE_EVENTS), with start in
 * run time; *n receives how many. */
const rp_record_t *rp_agg_timeline(const rp_agg_t *a, size_t *n);
/* Bytes of memory held now (fixed part + histograms), for tests and
 * benchmarks of bounded memory. */
size_t rp_agg_footprint(const rp_agg_t *a);

#ifdef __cplusplus
}
#endif
#endif
