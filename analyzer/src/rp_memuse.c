/* RRAM memory analytics; contract in rp_memuse.h, the metrics and label
 * criteria explained in docs/memory-analytics.md.
 *
 * State is per tracked row (a flat array, tile-major) plus one pending
 * "read run" per tile. MVMs read many rows at once (64 per event in the mlp
 * workload), so updating every row per MVM would dominate the pipeline.
 * Instead, consecutive reads of the same row range of a tile are gathered
 * in the tile's run: its first and last time, how many reads, and the
 * working-set buckets it touched. Within a run every row sees the same
 * inter-access intervals, so each read adds its interval to the histogram
 * once with a count of rows (O(1) per MVM). The run is folded into its
 * rows before any other access to one of them, when a read of other rows
 * of the tile starts a new run, at a segment change and at finish, so a
 * row's state is exact whenever it is looked at.
 *
 * Working set: each row keeps a 256-bit mask of the buckets it was
 * accessed in; when the bucket width doubles, adjacent bit pairs are ORed
 * (at most 64 doublings in all), and finish counts the bits per bucket. */
#include "rramprof/rp_memuse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_status.h"

#define PRV_BUCKETS RP_AGG_SERIES_BUCKETS
#define PRV_MASK_WORDS (PRV_BUCKETS / 64u)
#define PRV_MAX_TILES 256u          /* tile is 8 bits on the wire */
#define PRV_MAX_TILE_ROWS 65536u    /* row is 16 bits on the wire */
#define PRV_NO_ROW UINT32_MAX

_Static_assert(PRV_BUCKETS == 256u, "bucket masks assume 256 buckets");

/* Row flags. */
enum {
    PRV_HAS_PROG = 1u,      /* a program whose retention is not closed yet */
    PRV_READ_SINCE = 2u,    /* that program was read (last_read is valid) */
    PRV_USED = 4u           /* programmed data was read, then re-programmed */
};

typedef struct prv_row {
    uint64_t last_access;   /* run time of the latest access */
    uint64_t interval_sum;  /* sum of inter-access intervals (accesses - 1 of them) */
    uint64_t reads;
    uint64_t prog_end;      /* end of the latest program */
    uint64_t last_read;     /* latest read after the latest program */
    uint64_t ret_sum;       /* retention of closed programs */
    uint64_t ret_max;
    uint32_t programs;
    uint32_t dead;          /* programs never read */
    uint32_t flags;
    uint32_t load_pulses;   /* pulses before the first rewrite (PRV_USED) */
    uint64_t mask[PRV_MASK_WORDS];   /* working-set buckets accessed in */
} prv_row_t;

/* Reads of rows [lo, hi) of one tile not yet folded into the rows. */
typedef struct prv_run {
    uint64_t n;             /* reads in the run; 0 = no run */
    uint32_t lo, hi;
    uint64_t t_first, t_last;
    uint64_t mask[PRV_MASK_WORDS];
} prv_run_t;

struct rp_memuse {
    /* Tracked layout: tiles x rows, row g = tile * rows + row. */
    uint32_t tiles, rows, regions;
    uint32_t geo_tiles;            /* largest tile count reported */
    prv_row_t *row;
    uint32_t *pulses;
    rp_hist_t *retention;          /* per tile */
    rp_hist_t *intervals;          /* per tile */
    rp_memuse_area_t *tile_area;   /* per tile */
    rp_memuse_area_t *region_area; /* per tile and region */
    bool nospace;                  /* a layout could not be allocated */
    bool finished;

    uint32_t open_row;             /* row whose program is in progress */
    uint64_t endurance;            /* smallest non-zero endurance reported */
    unsigned shift;                /* log2 of the bucket width */
    bool any_event;
    uint64_t t_max;                /* latest run time seen (see prv_seen) */
    /* Current segment, in run time: latest end of any event and of device
     * ops (all but SPAN), for the aggregator's trailing gap. */
    bool seg_dev;
    uint64_t seg_end, dev_end;

    prv_run_t run[PRV_MAX_TILES];
    uint32_t working_set[PRV_BUCKETS];
    rp_memuse_totals_t totals;
};

/* ---- small helpers --------------------------------------------------------- */

static inline uint64_t prv_max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static inline void prv_mask_set(uint64_t *mask, uint64_t bucket)
{
    mask[bucket >> 6] |= 1ull << (bucket & 63u);
}

/* Keeps bits 0, 2, 4, ... of x, ORed with their odd neighbours, packed into
 * the low 32 bits: one width doubling of 64 buckets. */
static uint64_t prv_pack_pairs(uint64_t x)
{
    x = (x | (x >> 1)) & 0x5555555555555555ull;
    x = (x | (x >> 1)) & 0x3333333333333333ull;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0Full;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFull;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFull;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFull;
    return x;
}

/* Merges adjacent buckets of a mask `times` times. */
static void prv_mask_halve(uint64_t *mask, unsigned times)
{
    for (unsigned k = 0; k < times; k++) {
        if ((mask[0] | mask[1] | mask[2] | mask[3]) == 0u) {
            return;
        }
        uint64_t lo = prv_pack_pairs(mask[0]) | (prv_pack_pairs(mask[1]) << 32);
        uint64_t hi = prv_pack_pairs(mask[2]) | (prv_pack_pairs(mask[3]) << 32);
        mask[0] = lo;
        mask[1] = hi;
        mask[2] = 0u;
        mask[3] = 0u;
    }
}

/* log2 of rp_agg_series_width(t): the smallest w = 2^s with t < 256 w. */
static unsigned prv_shift_for(uint64_t t)
{
    unsigned s = 0;
    while ((t >> s) >= PRV_BUCKETS) {
        s++;
    }
    return s;
}

/* Widens the buckets so that run time t falls in the last one or before. */
static void prv_widen(rp_memuse_t *m, unsigned shift)
{
    if (shift <= m->shift) {
        return;
    }
    unsigned times = shift - m->shift;
    size_t n = (size_t)m->tiles * m->rows;
    for (size_t g = 0; g < n; g++) {
        prv_mask_halve(m->row[g].mask, times);
    }
    for (uint32_t t = 0; t < PRV_MAX_TILES; t++) {
        if (m->run[t].n != 0u) {
            prv_mask_halve(m->run[t].mask, times);
        }
    }
    m->shift = shift;
}

/* The aggregator sizes its buckets by the latest run time it has seen: event
 * starts and gap starts (rp_aggregate.h). Gaps between ops start before the
 * next op, so only the gap after a segment's last device op can lie beyond
 * every event start; prv_close_segment accounts for it. */
static inline void prv_seen(rp_memuse_t *m, uint64_t t)
{
    if (t > m->t_max) {
        m->t_max = t;
        if ((t >> m->shift) >= PRV_BUCKETS) {
            prv_widen(m, prv_shift_for(t));
        }
    }
}

static void prv_close_segment(rp_memuse_t *m)
{
    if (m->seg_dev && m->seg_end > m->dev_end) {
        prv_seen(m, m->dev_end);
    }
    m->seg_dev = false;
    m->seg_end = 0u;
    m->dev_end = 0u;
}

/* Moves row r's last access to t. Returns true and the interval since the
 * previous access in *iv (added to the row's sum) if there was one. */
static inline bool prv_touch(prv_row_t *r, uint64_t t, uint64_t *iv)
{
    if (r->reads + r->programs == 0u) {
        r->last_access = t;
        return false;
    }
    *iv = t > r->last_access ? t - r->last_access : 0u;
    r->interval_sum += *iv;
    r->last_access = prv_max64(r->last_access, t);
    return true;
}

/* Records one access of row r at time t in the interval statistics. */
static void prv_access(rp_memuse_t *m, uint32_t tile, prv_row_t *r, uint64_t t)
{
    uint64_t iv;
    if (prv_touch(r, t, &iv)) {
        rp_hist_add(&m->intervals[tile], iv);
    }
}

/* ---- reads ------------------------------------------------------------------- */

/* The row was read at t: the latest read of its program, if it has one. */
static inline void prv_read_of_program(prv_row_t *x, uint64_t t)
{
    if ((x->flags & PRV_HAS_PROG) != 0u) {
        x->last_read = (x->flags & PRV_READ_SINCE) != 0u ? prv_max64(x->last_read, t) : t;
        x->flags |= PRV_READ_SINCE;
    }
}

/* Applies a tile's pending run to its rows. Out of line: rare, and it
 * would bloat the per-event read path it is called from. */
__attribute__((noinline)) static void prv_fold(rp_memuse_t *m, uint32_t tile)
{
    prv_run_t *run = &m->run[tile];
    if (run->n == 0u) {
        return;
    }
    prv_row_t *r = m->row + (size_t)tile * m->rows;
    const uint64_t span = run->t_last - run->t_first;
    /* Rows of a run were mostly last touched together (by the previous
     * run), so their intervals repeat: count equal ones and add them to
     * the histogram in one call. */
    uint64_t same_iv = 0u, same_n = 0u;
    for (uint32_t i = run->lo; i < run->hi; i++) {
        prv_row_t *x = &r[i];
        /* The run's first read is an access like any other (batched into
         * the histogram as above); the later ones already went to the
         * histogram and add up to span. */
        uint64_t iv;
        if (prv_touch(x, run->t_first, &iv)) {
            if (iv != same_iv && same_n != 0u) {
                rp_hist_add_n(&m->intervals[tile], same_iv, same_n);
                same_n = 0u;
            }
            same_iv = iv;
            same_n++;
        }
        x->interval_sum += span;
        x->last_access = prv_max64(x->last_access, run->t_last);
        x->reads += run->n;
        prv_read_of_program(x, run->t_last);
        for (unsigned w = 0; w < PRV_MASK_WORDS; w++) {
            x->mask[w] |= run->mask[w];
        }
    }
    if (same_n != 0u) {
        rp_hist_add_n(&m->intervals[tile], same_iv, same_n);
    }
    run->n = 0u;
}

static void prv_fold_all(rp_memuse_t *m)
{
    for (uint32_t t = 0; t < m->tiles; t++) {
        prv_fold(m, t);
    }
}

/* Folds the tile's run if it covers row. */
static inline void prv_fold_row(rp_memuse_t *m, uint32_t tile, uint32_t row)
{
    const prv_run_t *run = &m->run[tile];
    if (run->n != 0u && row >= run->lo && row < run->hi) {
        prv_fold(m, tile);
    }
}

/* Replaces the tile's run by one read of rows [lo, hi) at t. */
__attribute__((noinline)) static void prv_run_start(rp_memuse_t *m, uint32_t tile, uint32_t lo,
                                                    uint32_t hi, uint64_t t)
{
    prv_run_t *run = &m->run[tile];
    prv_fold(m, tile);
    run->n = 1u;
    run->lo = lo;
    run->hi = hi;
    run->t_first = t;
    run->t_last = t;
    memset(run->mask, 0, sizeof run->mask);
    prv_mask_set(run->mask, t >> m->shift);
}

/* A READ or MVM of rows [row, row + count) of tile at time t. */
static void prv_read(rp_memuse_t *m, uint32_t tile, uint32_t row, uint32_t count, uint64_t t)
{
    if (tile >= m->tiles || row >= m->rows) {
        m->totals.untracked += count;
        return;
    }
    uint32_t hi = row + count;
    if (hi > m->rows) {
        m->totals.untracked += hi - m->rows;
        hi = m->rows;
    }
    /* A read ends the steps of a program in progress on these rows. */
    if (m->open_row != PRV_NO_ROW) {
        uint32_t base = tile * m->rows;
        if (m->open_row >= base + row && m->open_row < base + hi) {
            m->open_row = PRV_NO_ROW;
        }
    }
    if (hi - row == 1u) {
        /* One row (a READ): as cheap to apply at once as to gather (runs
         * are only made of several rows), and it leaves a pending MVM run
         * of other rows alone. */
        prv_fold_row(m, tile, row);
        prv_row_t *x = &m->row[(size_t)tile * m->rows + row];
        prv_access(m, tile, x, t);
        x->reads++;
        prv_read_of_program(x, t);
        prv_mask_set(x->mask, t >> m->shift);
        return;
    }
    prv_run_t *run = &m->run[tile];
    if (run->n != 0u && run->lo == row && run->hi == hi) {
        /* Same rows again: every row of the run sees the same interval. */
        uint64_t iv = t > run->t_last ? t - run->t_last : 0u;
        rp_hist_add_n(&m->intervals[tile], iv, (uint64_t)(hi - row));
        run->t_last = prv_max64(run->t_last, t);
        run->n++;
        prv_mask_set(run->mask, t >> m->shift);
        return;
    }
    prv_run_start(m, tile, row, hi, t);
}

/* ---- programs ---------------------------------------------------------------- */

/* Closes the retention of the row's latest program, if any. */
static void prv_close_program(rp_memuse_t *m, uint32_t tile, prv_row_t *r)
{
    if ((r->flags & PRV_HAS_PROG) == 0u) {
        return;
    }
    uint64_t ret = 0u;
    if ((r->flags & PRV_READ_SINCE) != 0u) {
        ret = r->last_read > r->prog_end ? r->last_read - r->prog_end : 0u;
    } else {
        r->dead++;
    }
    r->ret_sum += ret;
    r->ret_max = prv_max64(r->ret_max, ret);
    rp_hist_add(&m->retention[tile], ret);
    r->flags &= ~(uint32_t)(PRV_HAS_PROG | PRV_READ_SINCE);
}

/* Global index of a tracked row, or PRV_NO_ROW (counted as untracked). */
static inline uint32_t prv_row_index(rp_memuse_t *m, uint32_t tile, uint32_t row)
{
    if (tile >= m->tiles || row >= m->rows) {
        m->totals.untracked++;
        return PRV_NO_ROW;
    }
    return tile * m->rows + row;
}

/* A program of row g starts at t (its first event ends at end). */
static void prv_program_start(rp_memuse_t *m, uint32_t tile, uint32_t row, uint32_t g,
                              uint64_t t, uint64_t end)
{
    prv_row_t *r = &m->row[g];
    prv_fold_row(m, tile, row);
    if ((r->flags & (PRV_USED | PRV_READ_SINCE)) == PRV_READ_SINCE) {
        /* The first rewrite of data that was used: pulses from here on
         * recur with the workload (see prv_rewrite_lifetime). */
        r->flags |= PRV_USED;
        r->load_pulses = m->pulses[g];
    }
    prv_close_program(m, tile, r);
    prv_access(m, tile, r, t);
    r->programs++;
    r->prog_end = end;
    r->flags |= PRV_HAS_PROG;
    prv_mask_set(r->mask, t >> m->shift);
    m->open_row = g;
}

/* VERIFY with iterations == 0: a new program (and the end of any other). */
static void prv_verify0(rp_memuse_t *m, const rp_record_t *e, uint64_t t, uint64_t end)
{
    m->open_row = PRV_NO_ROW;
    uint32_t g = prv_row_index(m, e->tile, e->row);
    if (g != PRV_NO_ROW) {
        prv_program_start(m, e->tile, e->row, g, t, end);
    }
}

/* A WRITE or a later VERIFY: a step of the program in progress on the row;
 * without one (its VERIFY(0) was lost), a new program. */
static void prv_step(rp_memuse_t *m, const rp_record_t *e, uint64_t t, uint64_t end)
{
    uint32_t g = prv_row_index(m, e->tile, e->row);
    if (g == PRV_NO_ROW) {
        return;
    }
    if (m->open_row == g) {
        prv_row_t *r = &m->row[g];
        r->prog_end = prv_max64(r->prog_end, end);
        prv_mask_set(r->mask, t >> m->shift);
    } else {
        prv_program_start(m, e->tile, e->row, g, t, end);
    }
    /* After the program start: a pulse belongs to the program it opens. */
    if (e->op == RP_OP_WRITE && m->pulses[g] != UINT32_MAX) {
        m->pulses[g]++;
    }
}

/* ---- layout ------------------------------------------------------------------ */

static size_t prv_layout_bytes(uint32_t tiles, uint32_t rows, uint32_t regions)
{
    size_t n = (size_t)tiles * rows;
    return n * (sizeof(prv_row_t) + sizeof(uint32_t)) + 2u * (size_t)tiles * sizeof(rp_hist_t) +
           (size_t)tiles * (1u + regions) * sizeof(rp_memuse_area_t);
}

/* Grows the tracked layout to cover tiles x rows (within the caps). Runs
 * must be folded and no program open. */
static void prv_layout(rp_memuse_t *m, uint32_t tiles, uint32_t rows)
{
    if (tiles == 0u || rows == 0u) {
        return;
    }
    if (tiles > PRV_MAX_TILES) {
        tiles = PRV_MAX_TILES;
    }
    if (rows > PRV_MAX_TILE_ROWS) {
        rows = PRV_MAX_TILE_ROWS;
    }
    uint32_t geo_tiles = tiles > m->geo_tiles ? tiles : m->geo_tiles;
    uint32_t new_rows = rows > m->rows ? rows : m->rows;
    uint32_t new_tiles = RP_MEMUSE_MAX_ROWS / new_rows;
    if (new_tiles > geo_tiles) {
        new_tiles = geo_tiles;
    }
    if (new_tiles < m->tiles) {
        /* Longer tiles would push tracked ones out: keep the row count. */
        new_rows = m->rows;
        new_tiles = RP_MEMUSE_MAX_ROWS / new_rows;
        if (new_tiles > geo_tiles) {
            new_tiles = geo_tiles;
        }
    }
    m->geo_tiles = geo_tiles;
    if (new_tiles == m->tiles && new_rows == m->rows) {
        return;
    }
    uint32_t regions =
        new_rows < RP_MEMUSE_REGIONS_PER_TILE ? new_rows : RP_MEMUSE_REGIONS_PER_TILE;
    size_t n = (size_t)new_tiles * new_rows;
    prv_row_t *row = calloc(n, sizeof *row);
    uint32_t *pulses = calloc(n, sizeof *pulses);
    rp_hist_t *ret = malloc((size_t)new_tiles * sizeof *ret);
    rp_hist_t *iv = malloc((size_t)new_tiles * sizeof *iv);
    rp_memuse_area_t *ta = calloc(new_tiles, sizeof *ta);
    rp_memuse_area_t *ra = calloc((size_t)new_tiles * regions, sizeof *ra);
    if (row == NULL || pulses == NULL || ret == NULL || iv == NULL || ta == NULL || ra == NULL) {
        free(row);
        free(pulses);
        free(ret);
        free(iv);
        free(ta);
        free(ra);
        m->nospace = true;
        return;
    }
    for (uint32_t t = 0; t < new_tiles; t++) {
        if (t < m->tiles) {
            memcpy(&row[(size_t)t * new_rows], &m->row[(size_t)t * m->rows],
                   (size_t)m->rows * sizeof *row);
            memcpy(&pulses[(size_t)t * new_rows], &m->pulses[(size_t)t * m->rows],
                   (size_t)m->rows * sizeof *pulses);
            ret[t] = m->retention[t];
            iv[t] = m->intervals[t];
        } else {
            rp_hist_init(&ret[t]);
            rp_hist_init(&iv[t]);
        }
    }
    free(m->row);
    free(m->pulses);
    free(m->retention);
    free(m->intervals);
    free(m->tile_area);
    free(m->region_area);
    m->row = row;
    m->pulses = pulses;
    m->retention = ret;
    m->intervals = iv;
    m->tile_area = ta;
    m->region_area = ra;
    m->tiles = new_tiles;
    m->rows = new_rows;
    m->regions = regions;
}

/* ---- API ----------------------------------------------------------------------- */

const char *rp_memuse_label_name(int label)
{
    switch (label) {
    case RP_MEMUSE_UNUSED:
        return "unused";
    case RP_MEMUSE_GOOD:
        return "good";
    case RP_MEMUSE_MARGINAL:
        return "marginal";
    case RP_MEMUSE_POOR:
        return "poor";
    default:
        return "unknown";
    }
}

rp_memuse_t *rp_memuse_create(void)
{
    rp_memuse_t *m = calloc(1, sizeof *m);
    if (m != NULL) {
        m->open_row = PRV_NO_ROW;
    }
    return m;
}

void rp_memuse_destroy(rp_memuse_t *m)
{
    if (m == NULL) {
        return;
    }
    free(m->row);
    free(m->pulses);
    free(m->retention);
    free(m->intervals);
    free(m->tile_area);
    free(m->region_area);
    free(m);
}

void rp_memuse_segment(rp_memuse_t *m, uint32_t segment, const rp_device_info_t *info)
{
    (void)segment;
    if (m == NULL || m->finished) {
        return;
    }
    /* The device was reset: a program in progress was abandoned. */
    prv_close_segment(m);
    prv_fold_all(m);
    m->open_row = PRV_NO_ROW;
    if (info == NULL || !info->valid) {
        return;
    }
    if (info->endurance_cycles != 0u &&
        (m->endurance == 0u || info->endurance_cycles < m->endurance)) {
        m->endurance = info->endurance_cycles;
    }
    prv_layout(m, info->tiles, info->rows);
}

int rp_memuse_add(rp_memuse_t *m, const rp_record_t *events, size_t n, int64_t time_shift)
{
    if (m == NULL || (events == NULL && n != 0u)) {
        return RP_ERR_ARG;
    }
    if (m->finished) {
        return RP_OK;
    }
    const uint64_t shift_u = (uint64_t)time_shift;
    const uint64_t neg = time_shift < 0 ? (uint64_t)0 - shift_u : 0u;
    if (n != 0u) {
        m->any_event = true;
    }
    for (size_t i = 0; i < n; i++) {
        const rp_record_t *e = &events[i];
        uint64_t t = e->start < neg ? 0u : e->start + shift_u;
        uint64_t end = t + e->duration;
        prv_seen(m, t);
        m->seg_end = prv_max64(m->seg_end, end);
        if (e->op != RP_OP_SPAN) {
            m->seg_dev = true;
            m->dev_end = prv_max64(m->dev_end, end);
        }
        switch (e->op) {
        case RP_OP_READ:
            prv_read(m, e->tile, e->row, e->rows != 0u ? e->rows : 1u, t);
            break;
        case RP_OP_MVM:
            if (e->rows != 0u) {
                prv_read(m, e->tile, e->row, e->rows, t);
            }
            break;
        case RP_OP_VERIFY:
            if (e->iterations == 0u) {
                prv_verify0(m, e, t, end);
            } else {
                prv_step(m, e, t, end);
            }
            break;
        case RP_OP_WRITE:
            prv_step(m, e, t, end);
            break;
        default:
            break;   /* TRANSFER, SPAN, COMPUTE, NONE touch no row */
        }
    }
    return m->nospace ? RP_ERR_NOSPACE : RP_OK;
}

/* ---- finish ------------------------------------------------------------------ */

static double prv_lifetime(uint64_t endurance, uint64_t pulses, uint64_t run_ticks,
                           uint64_t clock_hz)
{
    if (endurance == 0u || pulses == 0u || run_ticks == 0u || clock_hz == 0u) {
        return -1.0;
    }
    if (pulses >= endurance) {
        return 0.0;
    }
    return (double)(endurance - pulses) * (double)run_ticks / ((double)pulses * (double)clock_hz);
}

/* "12.3 years", "4.5 days", ... */
static void prv_duration_text(char *buf, size_t cap, double s)
{
    const double day = 86400.0, year = 365.25 * 86400.0;
    if (s >= year) {
        snprintf(buf, cap, "%.3g years", s / year);
    } else if (s >= day) {
        snprintf(buf, cap, "%.3g days", s / day);
    } else if (s >= 3600.0) {
        snprintf(buf, cap, "%.3g hours", s / 3600.0);
    } else {
        snprintf(buf, cap, "%.3g s", s);
    }
}

/* Time until a row's cells reach the endurance limit if its rewrites go on
 * at the observed rate. Rewrites are the programs that replace data which
 * had been read (write, use, rewrite: a cycle that lasts as long as the
 * workload); loading the data (the first program, and re-programming
 * before any read: a retry or a restarted load) is a one-off. 0 when the
 * row is already at the limit; <0 when unknown or nothing recurs. */
static double prv_rewrite_lifetime(uint64_t endurance, uint64_t pulses, uint64_t recurring,
                                   uint64_t run_ticks, uint64_t clock_hz)
{
    if (endurance == 0u || run_ticks == 0u || clock_hz == 0u) {
        return -1.0;
    }
    if (pulses >= endurance) {
        return 0.0;
    }
    if (recurring == 0u) {
        return -1.0;
    }
    return (double)(endurance - pulses) * (double)run_ticks /
           ((double)recurring * (double)clock_hz);
}

/* x cut (not rounded) to `digits` decimals, for values shown next to a
 * threshold they are below: 0.998 reads/write shows as 0.99, not 1.00. */
static double prv_cut(double x, int digits)
{
    double scale = digits == 1 ? 10.0 : 100.0;
    return floor(x * scale + 1e-9) / scale;
}

/* rewrite_life: the shortest prv_rewrite_lifetime of the area's rows. */
static void prv_label(rp_memuse_area_t *a, double rewrite_life, bool endurance_known)
{
    char wear[48] = "no endurance data";
    if (rewrite_life >= 0.0) {
        char d[24];
        prv_duration_text(d, sizeof d, rewrite_life);
        snprintf(wear, sizeof wear, "rewrites wear out in %s", d);
    } else if (endurance_known) {
        snprintf(wear, sizeof wear, "no recurring wear");
    }
    const bool wear_risk = rewrite_life >= 0.0 && rewrite_life < RP_MEMUSE_POOR_LIFETIME_S;
    if (a->rows_accessed == 0u) {
        a->label = RP_MEMUSE_UNUSED;
        snprintf(a->reason, sizeof a->reason, "never read or programmed");
    } else if (a->programs == 0u) {
        a->label = RP_MEMUSE_GOOD;
        snprintf(a->reason, sizeof a->reason, "only read (%llu reads): data programmed before",
                 (unsigned long long)a->reads);
    } else if (a->reads_per_write < RP_MEMUSE_POOR_READS_PER_WRITE) {
        a->label = RP_MEMUSE_POOR;
        snprintf(a->reason, sizeof a->reason, "%.2f reads/write < %.0f: written more than read",
                 prv_cut(a->reads_per_write, 2), RP_MEMUSE_POOR_READS_PER_WRITE);
    } else if (wear_risk) {
        a->label = RP_MEMUSE_POOR;
        if (rewrite_life == 0.0) {
            snprintf(a->reason, sizeof a->reason, "worn out: %llu pulses on one row",
                     (unsigned long long)a->max_row_pulses);
        } else {
            snprintf(a->reason, sizeof a->reason, "%s (< 10 years)", wear);
        }
    } else if (a->write_once_ratio >= RP_MEMUSE_GOOD_WRITE_ONCE &&
               a->reads_per_write >= RP_MEMUSE_GOOD_READS_PER_WRITE) {
        a->label = RP_MEMUSE_GOOD;
        snprintf(a->reason, sizeof a->reason, "write-once %.0f%%, %.1f reads/write, %s",
                 100.0 * a->write_once_ratio, a->reads_per_write, wear);
    } else {
        a->label = RP_MEMUSE_MARGINAL;
        if (a->write_once_ratio < RP_MEMUSE_GOOD_WRITE_ONCE) {
            snprintf(a->reason, sizeof a->reason, "write-once %.1f%% < %.0f%%, %.1f reads/write",
                     prv_cut(100.0 * a->write_once_ratio, 1), 100.0 * RP_MEMUSE_GOOD_WRITE_ONCE,
                     a->reads_per_write);
        } else {
            snprintf(a->reason, sizeof a->reason, "%.2f reads/write < %.0f, write-once %.0f%%",
                     prv_cut(a->reads_per_write, 2), RP_MEMUSE_GOOD_READS_PER_WRITE,
                     100.0 * a->write_once_ratio);
        }
    }
}

/* Sums rows [first, first + count) of a tile into a. */
static void prv_area(const rp_memuse_t *m, uint32_t tile, uint32_t first, uint32_t count,
                     uint64_t run_ticks, uint64_t clock_hz, rp_memuse_area_t *a)
{
    memset(a, 0, sizeof *a);
    a->tile = tile;
    a->row_first = first;
    a->row_count = count;
    uint64_t ret_sum = 0u, iv_sum = 0u, iv_count = 0u;
    double rewrite_life = -1.0;
    for (uint32_t i = first; i < first + count; i++) {
        size_t g = (size_t)tile * m->rows + i;
        const prv_row_t *r = &m->row[g];
        uint64_t acc = r->reads + r->programs;
        if (acc != 0u) {
            a->rows_accessed++;
            iv_count += acc - 1u;
            iv_sum += r->interval_sum;
        }
        if (r->programs != 0u) {
            a->rows_programmed++;
            a->rows_programmed_once += r->programs == 1u;
        }
        a->programs += r->programs;
        a->pulses += m->pulses[g];
        a->reads += r->reads;
        a->dead_writes += r->dead;
        ret_sum += r->ret_sum;
        a->retention_max = prv_max64(a->retention_max, r->ret_max);
        a->max_row_pulses = prv_max64(a->max_row_pulses, m->pulses[g]);
        uint64_t recurring = (r->flags & PRV_USED) != 0u ? m->pulses[g] - r->load_pulses : 0u;
        double life = prv_rewrite_lifetime(m->endurance, m->pulses[g], recurring, run_ticks,
                                           clock_hz);
        if (life >= 0.0 && (rewrite_life < 0.0 || life < rewrite_life)) {
            rewrite_life = life;
        }
    }
    a->write_once_ratio = a->rows_programmed != 0u
                              ? (double)a->rows_programmed_once / (double)a->rows_programmed
                              : 0.0;
    a->reads_per_write =
        a->programs != 0u ? (double)a->reads / (double)a->programs : (double)a->reads;
    a->retention_mean = a->programs != 0u ? (double)ret_sum / (double)a->programs : 0.0;
    a->interval_mean = iv_count != 0u ? (double)iv_sum / (double)iv_count : 0.0;
    a->lifetime_s = prv_lifetime(m->endurance, a->max_row_pulses, run_ticks, clock_hz);
    prv_label(a, rewrite_life, m->endurance != 0u && run_ticks != 0u && clock_hz != 0u);
}

/* Keeps the RP_MEMUSE_MAX_HOTSPOTS rows with the most pulses, most first
 * (ties: lower tile, then lower row, first). */
static void prv_hotspots(rp_memuse_t *m, uint64_t run_ticks, uint64_t clock_hz)
{
    rp_memuse_totals_t *tot = &m->totals;
    uint32_t count = 0;
    for (uint32_t tile = 0; tile < m->tiles; tile++) {
        const uint32_t *p = m->pulses + (size_t)tile * m->rows;
        for (uint32_t row = 0; row < m->rows; row++) {
            uint64_t v = p[row];
            bool full = count == RP_MEMUSE_MAX_HOTSPOTS;
            if (v == 0u || (full && v <= tot->hotspots[count - 1u].pulses)) {
                continue;
            }
            uint32_t i = count < RP_MEMUSE_MAX_HOTSPOTS ? count++ : count - 1u;
            while (i > 0u && tot->hotspots[i - 1u].pulses < v) {
                tot->hotspots[i] = tot->hotspots[i - 1u];
                i--;
            }
            rp_memuse_hotspot_t *h = &tot->hotspots[i];
            h->tile = tile;
            h->row = row;
            h->pulses = v;
            h->pulses_per_s = run_ticks != 0u && clock_hz != 0u
                                  ? (double)v * (double)clock_hz / (double)run_ticks
                                  : 0.0;
            h->lifetime_s = prv_lifetime(m->endurance, v, run_ticks, clock_hz);
        }
    }
    tot->hotspot_count = count;
}

void rp_memuse_finish(rp_memuse_t *m, uint64_t run_ticks, uint64_t clock_hz)
{
    if (m == NULL || m->finished) {
        return;
    }
    m->finished = true;
    prv_close_segment(m);
    prv_fold_all(m);
    m->open_row = PRV_NO_ROW;
    size_t n = (size_t)m->tiles * m->rows;
    for (size_t g = 0; g < n; g++) {
        prv_close_program(m, (uint32_t)(g / m->rows), &m->row[g]);
    }

    for (size_t g = 0; g < n; g++) {
        const uint64_t *mask = m->row[g].mask;
        for (unsigned w = 0; w < PRV_MASK_WORDS; w++) {
            uint64_t bits = mask[w];
            while (bits != 0u) {
                m->working_set[w * 64u + (unsigned)__builtin_ctzll(bits)]++;
                bits &= bits - 1u;
            }
        }
    }

    rp_memuse_totals_t *tot = &m->totals;
    tot->tiles = m->tiles;
    tot->rows_per_tile = m->rows;
    tot->regions_per_tile = m->regions;
    tot->endurance_cycles = m->endurance;
    tot->series_width = 1ull << m->shift;
    tot->series_used = m->any_event ? (uint32_t)(m->t_max >> m->shift) + 1u : 0u;

    for (uint32_t tile = 0; tile < m->tiles; tile++) {
        prv_area(m, tile, 0u, m->rows, run_ticks, clock_hz, &m->tile_area[tile]);
        uint32_t size = m->rows / m->regions;
        for (uint32_t r = 0; r < m->regions; r++) {
            uint32_t first = r * size;
            uint32_t count = r + 1u < m->regions ? size : m->rows - first;
            prv_area(m, tile, first, count, run_ticks, clock_hz,
                     &m->region_area[(size_t)tile * m->regions + r]);
        }
    }
    prv_hotspots(m, run_ticks, clock_hz);
}

/* ---- results ----------------------------------------------------------------- */

const rp_memuse_totals_t *rp_memuse_totals(const rp_memuse_t *m)
{
    return m != NULL ? &m->totals : NULL;
}

const rp_memuse_area_t *rp_memuse_tile(const rp_memuse_t *m, uint32_t tile)
{
    return m != NULL && tile < m->tiles ? &m->tile_area[tile] : NULL;
}

const rp_memuse_area_t *rp_memuse_region(const rp_memuse_t *m, uint32_t tile, uint32_t region)
{
    if (m == NULL || tile >= m->tiles || region >= m->regions) {
        return NULL;
    }
    return &m->region_area[(size_t)tile * m->regions + region];
}

const rp_hist_t *rp_memuse_retention(const rp_memuse_t *m, uint32_t tile)
{
    return m != NULL && tile < m->tiles ? &m->retention[tile] : NULL;
}

const rp_hist_t *rp_memuse_intervals(const rp_memuse_t *m, uint32_t tile)
{
    return m != NULL && tile < m->tiles ? &m->intervals[tile] : NULL;
}

const uint32_t *rp_memuse_working_set(const rp_memuse_t *m)
{
    return m != NULL ? m->working_set : NULL;
}

const uint32_t *rp_memuse_row_pulses(const rp_memuse_t *m, uint32_t tile)
{
    return m != NULL && tile < m->tiles ? m->pulses + (size_t)tile * m->rows : NULL;
}

size_t rp_memuse_footprint(const rp_memuse_t *m)
{
    if (m == NULL) {
        return 0u;
    }
    return sizeof *m + prv_layout_bytes(m->tiles, m->rows, m->regions);
}
