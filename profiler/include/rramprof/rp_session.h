/* Capture session: what is known about a device stream, and exact loss.
 *
 * Feed every decoded message (rp_decode.h) to rp_session_apply() in stream
 * order. The session keeps the device description (Hello), the name table,
 * the last Counters, workload results, per-op event statistics and the loss
 * accounting, and hands each batch of rebuilt events to the on_events
 * callback in stream order, so consumers (the CLI, the aggregator) work in
 * bounded memory.
 *
 * Loss accounting, per recording run (a run starts at Start: EventBatch
 * sequence and first_event restart at 0, dropped_total restarts at 0):
 *   - lost_batches: gaps in EventBatch.sequence;
 *   - link_events: events lost between device and host, exact: a batch whose
 *     first_event is above the next expected index (previous first_event +
 *     count) means the difference was lost; a Counters.events_sent above the
 *     next expected index means the batches before it were lost;
 *   - device_events: the largest dropped_total seen (EventBatch,
 *     DropReport, Counters.events_dropped) - events the device ring lost;
 *   - unsent_events: for a run that a device reset ended, the events
 *     recorded beyond those sent (received or lost on the link): they were
 *     still in the ring, and the reset took them. Exact when the new boot's
 *     Hello reports the old boot's counts at the reset (previous_boot_id
 *     equal to the old boot_id: the board kept its RAM); else, as the last
 *     Counters before the reset counted them, a lower bound (events
 *     recorded after that Counters are not known), and the reset counts in
 *     resets_unreported. A run that ends normally has a final Counters
 *     sent after the ring drained, so nothing is left unsent;
 *   - total_events = link_events + device_events + unsent_events.
 * A batch whose sequence goes back (below the next expected one) while the
 * boot_id is unchanged starts a new run (a new Start): the previous run's
 * losses are kept and counting restarts from zero. Losses at the end of a
 * run (batches lost after the last one received) are known once a Counters
 * frame says how many events were sent; the final Counters at Stop makes
 * the count exact.
 *
 * Segments: a Hello (or a Response carrying one) whose boot_id differs from
 * the current one means the device was reset: a new segment starts with
 * fresh run state; the old run's losses are kept, and the events its ring
 * still held count as unsent_events (above). A session begins with
 * segment 0 at the first Hello or the first batch, whichever comes first.
 * The first Hello of each segment says why that boot happened
 * (stats.boots): segment 0's boot came before the capture, every later
 * one is a reset during it.
 *
 * Memory: fixed; the name table, workload table and device strings have
 * compile-time bounds below (extra entries are counted, not stored;
 * over-long strings are truncated). */
#ifndef RP_SESSION_H
#define RP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_decode.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_reset.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_SESSION_STR_MAX 64u        /* bytes per stored string, NUL included */
#define RP_SESSION_MAX_WORKLOADS 32u  /* names stored from Hello.workloads */
#define RP_SESSION_MAX_NAMES 1024u    /* NameTable ids below this are stored */
#define RP_SESSION_MAX_RESULTS 64u    /* distinct workload names with results */

/* The device as its latest Hello described it; strings are copies. */
typedef struct rp_device_info {
    bool valid;                     /* a Hello was seen */
    uint32_t protocol_version;
    char board[RP_SESSION_STR_MAX];
    char firmware_version[RP_SESSION_STR_MAX];
    uint64_t clock_hz;
    uint32_t timer_bits;
    uint32_t tiles, rows, cols, bits_per_cell, adcs_per_tile, adc_bits, input_bits;
    uint64_t endurance_cycles;
    char model[RP_SESSION_STR_MAX];
    /* Nominal array timing from ArrayInfo, 0 = unknown. */
    uint64_t write_pulse_ps, write_setup_ps;
    uint32_t write_parallel_cols;
    uint64_t read_latency_ps, adc_conversion_ps, dac_settle_ps;
    uint64_t interface_overhead_ps, interface_bytes_per_s;
    uint32_t ring_capacity;
    uint32_t max_frame_payload;
    uint64_t boot_id;
    uint32_t counters_available;
    uint32_t op_mask;
    uint64_t threshold_ticks;
    uint32_t reset_cause;           /* why it last reset: RP_RESET_* (rp_reset.h) */
    uint32_t fatal_reason;          /* with RP_RESET_FATAL */
    uint32_t workload_count;        /* stored, <= RP_SESSION_MAX_WORKLOADS */
    char workloads[RP_SESSION_MAX_WORKLOADS][RP_SESSION_STR_MAX];
} rp_device_info_t;

/* Events of one op kind. Durations in ticks. */
typedef struct rp_op_stats {
    uint64_t count;
    uint64_t ticks_total;
    uint32_t ticks_min;       /* 0 when count == 0 */
    uint32_t ticks_max;
    uint64_t not_ok;          /* status != STATUS_OK */
} rp_op_stats_t;

typedef struct rp_loss {
    uint64_t lost_batches;    /* EventBatch sequence numbers never received */
    uint64_t link_events;     /* events lost on the link (exact) */
    uint64_t device_events;   /* events lost on the device (dropped_total) */
    uint64_t unsent_events;   /* events a reset took from the device's ring
                                 (see above) */
    uint64_t total_events;    /* link_events + device_events + unsent_events */
    uint32_t resets_unreported; /* resets whose new boot did not report the
                                   old one's counts: for each, unsent_events
                                   holds a lower bound only */
} rp_loss_t;

/* Aggregated results of one workload name. */
typedef struct rp_workload_stats {
    char name[RP_SESSION_STR_MAX];
    uint32_t runs;
    uint32_t passed;
    uint32_t failed;
    int64_t worst_error_ppm;  /* largest |error_ppm| seen, with its sign */
    uint64_t ticks_total;     /* sum of end - start */
} rp_workload_stats_t;

/* Why the device booted, from the first Hello of each segment. */
typedef struct rp_boot_stats {
    bool first_known;         /* segment 0 had a Hello */
    uint32_t first_cause;     /* segment 0: the boot before the capture */
    uint32_t first_fatal_reason;
    uint32_t resets;          /* resets during the capture (segments after 0) */
    uint32_t by_cause[RP_RESET_CAUSE_COUNT];   /* those by cause; causes
                                                * newer than this reader
                                                * count as unknown */
    uint32_t last_fatal_reason;   /* latest fatal reset's reason, 0 = none */
    uint32_t last_fatal_segment;
} rp_boot_stats_t;

/* Snapshot of everything counted so far (all segments together unless
 * said otherwise). */
typedef struct rp_session_stats {
    uint32_t segments;        /* device boots seen (0 before any data) */
    uint32_t runs;            /* recording runs (batch streams from sequence 0) */
    uint64_t batches;
    uint64_t events;          /* events delivered */
    rp_op_stats_t ops[16];    /* indexed by op value (wire ops are < 16) */
    rp_loss_t loss;
    /* Time covered by events: per segment, first event start to last event
     * end; summed over segments. Seconds use that segment's clock_hz (0 if
     * no Hello gave one). */
    uint64_t duration_ticks;
    double duration_s;
    uint64_t first_tick;      /* current segment: earliest event start */
    uint64_t last_tick;       /* current segment: latest event end */
    uint64_t frames[RP_FRAME_KIND_COUNT];   /* good frames applied per kind */
    uint64_t bad_frames;      /* messages applied with err != RP_OK */
    bool has_counters;
    rp_counters_t counters;   /* last Counters of the current segment */
    uint32_t workload_names;  /* entries in the workload table */
    uint64_t workload_results;      /* WorkloadResult frames */
    uint64_t workload_overflow;     /* results of names that did not fit */
    uint32_t name_count;      /* stored names */
    uint64_t name_overflow;   /* NameTable entries that did not fit */
    rp_boot_stats_t boots;
} rp_session_stats_t;

typedef struct rp_session rp_session_t;

/* Receives the events of one batch, in stream order. segment is the
 * segment index the events belong to (0-based). Return RP_OK to go on; any
 * other value is returned by rp_session_apply(). */
typedef int (*rp_events_fn)(void *ctx, uint32_t segment, const rp_record_t *events, size_t n);
/* Told when a new segment starts (device reset), before its events.
 * info describes the device of the new segment. */
typedef void (*rp_segment_fn)(void *ctx, uint32_t segment, const rp_device_info_t *info);

typedef struct rp_session_callbacks {
    rp_events_fn on_events;     /* may be NULL */
    rp_segment_fn on_segment;   /* may be NULL */
    void *ctx;
} rp_session_callbacks_t;

/* Allocates a session (one fixed-size allocation); cb may be NULL. */
rp_session_t *rp_session_create(const rp_session_callbacks_t *cb);
void rp_session_destroy(rp_session_t *s);   /* NULL is fine */

/* Applies one decoded message. Bad messages (msg->err != RP_OK) are only
 * counted. Returns RP_OK, RP_ERR_ARG, or what on_events returned. */
int rp_session_apply(rp_session_t *s, const rp_msg_t *msg);

/* Copies the current statistics. */
void rp_session_stats(const rp_session_t *s, rp_session_stats_t *out);
/* Device of the current segment (valid == false before any Hello). */
const rp_device_info_t *rp_session_device(const rp_session_t *s);
/* Name interned for id, or NULL if unknown. */
const char *rp_session_name(const rp_session_t *s, uint32_t id);
/* Workload table entry i (< stats.workload_names), or NULL. */
const rp_workload_stats_t *rp_session_workload(const rp_session_t *s, uint32_t i);

#ifdef __cplusplus
}
#endif
#endif
