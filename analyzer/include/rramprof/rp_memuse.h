/* RRAM memory analytics: how the data kept in the array is used.
 *
 * Fed the same events as the aggregator (rp_aggregate.h), in stream order,
 * with the aggregator's time shift so both share one run-time axis. It
 * tracks every row of every tile (up to RP_MEMUSE_MAX_ROWS rows in all,
 * from the segment's Hello geometry) and reports per tile and per region
 * (a region is a block of consecutive rows; a tile has
 * min(rows, RP_MEMUSE_REGIONS_PER_TILE) regions of equal size, the last
 * one taking the remainder).
 *
 * Definitions (docs/report.md repeats them with the label criteria):
 *   - A program is one write-verify episode on a row (a VERIFY with
 *     iterations == 0 followed by its WRITE/VERIFY steps); pulses are its
 *     WRITE events. A READ of a row, or an MVM whose rows include it, is a
 *     read of that row. TRANSFER, SPAN, COMPUTE touch no row.
 *   - write-once ratio: rows programmed exactly once / rows programmed.
 *   - reads per write: row reads / programs.
 *   - retention of a program: time from its end to the last read of the
 *     row before the row's next program (or the end of the capture); a
 *     program never read has retention 0 and counts as a dead write.
 *   - inter-access interval: time between successive accesses (reads or
 *     programs) of the same row.
 *   - working set: distinct rows accessed in each time-series bucket (same
 *     buckets as rp_aggregate.h: rp_agg_series_width of the latest run
 *     time), exact.
 *   - suitability label per tile and region: UNUSED (never accessed), GOOD
 *     (keep in RRAM: write_once_ratio >= RP_MEMUSE_GOOD_WRITE_ONCE and
 *     reads_per_write >= RP_MEMUSE_GOOD_READS_PER_WRITE and no endurance
 *     risk), POOR (move to SRAM/DRAM: reads_per_write <
 *     RP_MEMUSE_POOR_READS_PER_WRITE, or a row already at its endurance
 *     limit, or the time to the endurance limit projected from rewrite
 *     pulses alone under RP_MEMUSE_POOR_LIFETIME_S), MARGINAL otherwise.
 *     Rewrite pulses are those of programs that replace data that had
 *     been read (write, use, rewrite): the first program of a row, or a
 *     retry before any read, is a one-off load that a short capture must
 *     not project forward for years. A region that is only read (data
 *     programmed before the capture) is GOOD.
 *   - endurance hotspots: rows with the most pulses; projected time to the
 *     endurance limit = (endurance_cycles - pulses) / (pulses per second of
 *     run time). Row pulses bound the pulses any cell of the row received.
 *
 * Memory: fixed per-row state sized from the geometry (allocated at the
 * first segment, grown if a later segment reports a larger array, never
 * with the capture length) plus per-tile histograms. Not thread-safe. */
#ifndef RP_MEMUSE_H
#define RP_MEMUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_hist.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_MEMUSE_MAX_ROWS (1u << 20)          /* tiles * rows tracked */
#define RP_MEMUSE_REGIONS_PER_TILE 16u
#define RP_MEMUSE_MAX_HOTSPOTS 16u
/* Label thresholds (documented in docs/report.md). */
#define RP_MEMUSE_GOOD_WRITE_ONCE 0.9
#define RP_MEMUSE_GOOD_READS_PER_WRITE 10.0
#define RP_MEMUSE_POOR_READS_PER_WRITE 1.0
#define RP_MEMUSE_POOR_LIFETIME_S (10.0 * 365.25 * 86400.0)   /* ten years */

typedef enum rp_memuse_label {
    RP_MEMUSE_UNUSED = 0,
    RP_MEMUSE_GOOD = 1,
    RP_MEMUSE_MARGINAL = 2,
    RP_MEMUSE_POOR = 3
} rp_memuse_label_t;

/* "unused", "good", "marginal", "poor". */
const char *rp_memuse_label_name(int label);

/* Usage of one tile or one region. Times in ticks. */
typedef struct rp_memuse_area {
    uint32_t tile;
    uint32_t row_first;
    uint32_t row_count;
    uint64_t rows_accessed;       /* rows read or programmed at least once */
    uint64_t rows_programmed;
    uint64_t rows_programmed_once;
    double write_once_ratio;      /* 0 when nothing was programmed */
    uint64_t programs;
    uint64_t pulses;
    uint64_t reads;               /* row reads */
    double reads_per_write;       /* reads / programs; reads when programs == 0 */
    uint64_t dead_writes;         /* programs never read */
    double retention_mean;        /* over programs */
    uint64_t retention_max;
    double interval_mean;         /* inter-access interval */
    uint64_t max_row_pulses;      /* most pulses on one row of the area */
    double lifetime_s;            /* projected time to the endurance limit of
                                     the most pulsed row; <0 when unknown or
                                     no pulses */
    rp_memuse_label_t label;
    char reason[96];              /* why this label, with the numbers */
} rp_memuse_area_t;

typedef struct rp_memuse_hotspot {
    uint32_t tile;
    uint32_t row;
    uint64_t pulses;
    double pulses_per_s;          /* over run time; 0 when clock unknown */
    double lifetime_s;            /* as above; <0 when unknown */
} rp_memuse_hotspot_t;

typedef struct rp_memuse_totals {
    uint32_t tiles;               /* tiles reported (from geometry) */
    uint32_t rows_per_tile;
    uint32_t regions_per_tile;
    uint64_t untracked;           /* row accesses outside the tracked rows */
    uint64_t endurance_cycles;    /* from Hello, 0 if unknown */
    uint32_t hotspot_count;
    rp_memuse_hotspot_t hotspots[RP_MEMUSE_MAX_HOTSPOTS];   /* most pulses first */
    uint64_t series_width;        /* ticks per working-set bucket */
    uint32_t series_used;
} rp_memuse_totals_t;

typedef struct rp_memuse rp_memuse_t;

rp_memuse_t *rp_memuse_create(void);      /* NULL if out of memory */
void rp_memuse_destroy(rp_memuse_t *m);   /* NULL is fine */
/* A segment starts: geometry and endurance from info. */
void rp_memuse_segment(rp_memuse_t *m, uint32_t segment, const rp_device_info_t *info);
/* Events of the current segment; time_shift = rp_agg_time_shift() taken
 * after the aggregator saw the same events. RP_OK or RP_ERR_NOSPACE. */
int rp_memuse_add(rp_memuse_t *m, const rp_record_t *events, size_t n, int64_t time_shift);
/* Closes open programs and computes areas, labels and hotspots. run_ticks
 * and clock_hz from rp_agg_totals(). Call once after the last event. */
void rp_memuse_finish(rp_memuse_t *m, uint64_t run_ticks, uint64_t clock_hz);

/* Results (valid after finish). */
const rp_memuse_totals_t *rp_memuse_totals(const rp_memuse_t *m);
/* tile < totals.tiles; NULL otherwise. */
const rp_memuse_area_t *rp_memuse_tile(const rp_memuse_t *m, uint32_t tile);
/* region < totals.regions_per_tile; NULL otherwise. */
const rp_memuse_area_t *rp_memuse_region(const rp_memuse_t *m, uint32_t tile, uint32_t region);
/* Per-tile distributions (NULL for a tile out of range): retention of
 * programs, inter-access intervals. */
const rp_hist_t *rp_memuse_retention(const rp_memuse_t *m, uint32_t tile);
const rp_hist_t *rp_memuse_intervals(const rp_memuse_t *m, uint32_t tile);
/* Working set: RP_AGG_SERIES_BUCKETS entries (totals.series_used hold data). */
const uint32_t *rp_memuse_working_set(const rp_memuse_t *m);
/* Pulses per row of a tile (rows_per_tile entries), for wear heatmaps;
 * NULL for a tile out of range. */
const uint32_t *rp_memuse_row_pulses(const rp_memuse_t *m, uint32_t tile);
size_t rp_memuse_footprint(const rp_memuse_t *m);

#ifdef __cplusplus
}
#endif
#endif
