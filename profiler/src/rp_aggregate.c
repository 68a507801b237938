/* One-pass aggregator; contract in rp_aggregate.h.
 *
 * Speed comes from doing per event only what cannot be done later. Each
 * event updates one (tile, op) cell with plain sums (count, busy, area =
 * rows * cols, arg, ADC rounds of its columns) and one histogram bucket;
 * everything that is a function of those sums - cells, MACs, bytes,
 * slices, the per-op and per-tile statistics and their histograms, the
 * summary fields of every histogram - is derived when someone reads it
 * (prv_refresh). Ops without a tile (NONE, SPAN, COMPUTE, unknown ones)
 * use the extra cell row PRV_NOTILE, which then holds their per-op
 * statistics directly. rp_agg_add keeps its running state in locals
 * (stores through cell pointers could alias fields of the aggregator and
 * force reloads) and queues device ops for the gap sweep, which runs over
 * a whole chunk of them at a time.
 *
 * Gaps: device ops are collected, sorted by start, and swept in order,
 * except the PRV_WINDOW latest ones, which wait for the next batch: so an
 * op recorded after the ops it encloses (its record is written when it
 * ends) is still swept in start order. The sweep keeps the end of the covered
 * time; a device op starting after it leaves a gap. An op arriving later
 * than the window allows is still merged into the coverage, but gaps
 * already counted are not split again. Within a segment, the time before
 * the first device op and after the last one (a span around them, for
 * instance) is idle too and counts as a gap, so covered + gaps = run.
 *
 * Run time: a segment's base is the start of its first event in stream
 * order (fixed once seen, so the time shift handed to other consumers
 * stays valid); an event starting before the base (a span enclosing the
 * first op) is placed at the segment's first run tick for the time series
 * and the timeline. */
#include "rramprof/rp_aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_status.h"

#define PRV_NOTILE RP_AGG_MAX_TILES          /* cell row of ops without a tile */
#define PRV_ROWS (RP_AGG_MAX_TILES + 1u)
#define PRV_WINDOW 64u                       /* reorder window of the gap sweep */
#define PRV_CHUNK 1024u                      /* device ops sorted and swept at a time */
#define PRV_NAME_SLOTS 2048u                 /* name hash: stored + overflow keys */
#define PRV_NAME_KEYS_MAX 1536u              /* keys kept in it (75 % load) */
#define PRV_FAILED_SLOTS 1024u               /* failed rows that did not fit */
#define PRV_SERIES_SHIFT 8u                  /* log2(RP_AGG_SERIES_BUCKETS) */

#if (1u << PRV_SERIES_SHIFT) != RP_AGG_SERIES_BUCKETS
#error "PRV_SERIES_SHIFT must match RP_AGG_SERIES_BUCKETS"
#endif

/* One (tile, op) or one name: what every event updates, in one cache
 * line (64 bytes; a power of two also keeps the indexing cheap). */
typedef struct prv_cell {
    uint64_t count;
    uint64_t busy;
    uint64_t not_ok;
    uint64_t area;            /* sum of rows * cols */
    uint64_t arg;             /* sum of arg */
    uint64_t rounds;          /* sum of ceil(cols / adcs_per_tile) */
    uint32_t dmin;            /* UINT32_MAX while empty */
    uint32_t dmax;
    rp_hist_t *hist;          /* buckets counted per event */
} prv_cell_t;

/* The rest of a cell, seldom touched. */
typedef struct prv_cold {
    /* ADC rounds and slices depend on the segment's geometry: those of
     * closed segments, and the sums at the current segment's start. */
    uint64_t adc_done;
    uint64_t slices_done;
    uint64_t count_at_seg;
    uint64_t rounds_at_seg;
    /* count and busy when the current time-series bucket began. */
    uint64_t count_at_bucket;
    uint64_t busy_at_bucket;
    rp_agg_stat_t st;         /* derived at refresh */
    bool listed;              /* in rp_agg.used */
} prv_cold_t;

typedef struct prv_span {
    uint64_t start;
    uint64_t end;
} prv_span_t;

/* Gap sweep state (see the top of the file). */
typedef struct prv_sweep {
    uint32_t pending;         /* device ops waiting in the window */
    bool disorder;            /* an entry starts before the one added before it */
    bool dev_seen;            /* a device op was swept in this segment */
    uint64_t dev_first;       /* earliest device op start swept */
    uint64_t cov_end;         /* end of the covered time so far */
    uint64_t covered;
    uint64_t gap_ticks;
    uint64_t gap_count;
    uint64_t gap_min;         /* UINT64_MAX while there is none */
    uint64_t gap_max;
} prv_sweep_t;

typedef struct prv_name_slot {
    uint64_t key;             /* (op << 32 | id) + 1; 0 = empty */
    int32_t index;            /* into names[], -1 = did not fit */
} prv_name_slot_t;

typedef struct prv_episode {
    bool open;
    uint8_t tile;
    uint16_t row;
    uint16_t col;
    uint8_t pulses;
    uint8_t status;
    uint64_t ticks;
} prv_episode_t;

struct rp_agg {
    rp_agg_totals_t totals;
    bool dirty;               /* derived statistics out of date */

    /* Geometry of the current segment. */
    uint32_t adcs_per_tile;
    uint32_t input_bits;
    uint16_t rounds_cols;     /* cache of ceil(cols / adcs_per_tile) */
    uint64_t rounds;

    /* Segment state. */
    bool seg_active;
    bool seg_events;
    uint32_t seg_index;
    uint64_t base;            /* tick at run time run_before */
    uint64_t seg_min;         /* earliest start and latest end of: the first */
    uint64_t seg_max;         /* event and the spans (device ops: see prv_extent) */
    uint64_t run_before;      /* run ticks of the closed segments */

    /* Gaps. */
    prv_sweep_t sw;
    prv_span_t win[PRV_WINDOW + PRV_CHUNK];   /* device ops waiting, in arrival order */
    rp_hist_t gaps;           /* buckets per gap; the rest filled at refresh */

    /* Time series. */
    uint32_t series_lw;       /* log2 of the bucket width */
    bool series_any;          /* something was counted */
    uint64_t series_last;     /* latest bucket a gap alone reached */
    uint64_t series_cur;      /* bucket whose events are still in the cells */
    rp_agg_bucket_t series[RP_AGG_SERIES_BUCKETS];
    bool row_seen[PRV_ROWS];
    uint32_t used_n;                                   /* (tile, op) cells in use: */
    uint16_t used[PRV_ROWS * RP_AGG_MAX_OPS];          /* row * MAX_OPS + op */
    uint64_t tile_series[PRV_ROWS][RP_AGG_SERIES_BUCKETS];

    /* Names. */
    uint32_t name_count;
    uint32_t name_keys;
    uint64_t last_name_key;
    int32_t last_name_index;
    prv_name_slot_t name_slots[PRV_NAME_SLOTS];
    rp_agg_name_t names[RP_AGG_MAX_NAMES];    /* stat derived at refresh */
    prv_cell_t name_cells[RP_AGG_MAX_NAMES];
    prv_cold_t name_cold[RP_AGG_MAX_NAMES];

    /* Write-verify. */
    prv_episode_t ep;
    rp_agg_wv_t wv;
    uint64_t failed_keys[PRV_FAILED_SLOTS];   /* (tile, row, col) + 1 */
    uint32_t failed_key_count;

    /* Timeline. */
    size_t timeline_n;
    rp_record_t timeline[RP_AGG_TIMELINE_EVENTS];

    /* Derived at refresh. */
    rp_agg_stat_t ops[RP_AGG_MAX_OPS];
    rp_hist_t op_hist[RP_AGG_MAX_OPS];
    rp_agg_stat_t tiles[RP_AGG_MAX_TILES];
    rp_hist_t *tile_hist[RP_AGG_MAX_TILES];

    size_t hist_allocs;       /* histograms allocated (for the footprint) */
    prv_cold_t cold[PRV_ROWS][RP_AGG_MAX_OPS];
    _Alignas(64) prv_cell_t cells[PRV_ROWS][RP_AGG_MAX_OPS];
};

_Static_assert(sizeof(prv_cell_t) == 64u, "a cell is one cache line");

static const rp_agg_stat_t prv_zero_stat;

/* Ops counted per tile. */
static inline bool prv_tiled(unsigned op)
{
    return op - RP_OP_WRITE <= RP_OP_TRANSFER - RP_OP_WRITE;
}

/* Same formula as rp_hist_bucket_of, inlined for the hot loop. */
static inline uint32_t prv_bucket(uint64_t v)
{
    uint32_t shift = 63u - (uint32_t)__builtin_clzll(v | (2u * RP_HIST_SUB - 1u)) - RP_HIST_SUB_BITS;
    return (shift << RP_HIST_SUB_BITS) + (uint32_t)(v >> shift);
}

/* ---- time series ----
 *
 * Events mostly arrive in time order, so the hot loop does not write the
 * series: the counts and busy time of the current bucket are what the
 * cells gained since it began, moved into the series when the bucket
 * changes (prv_series_flush). An event of an earlier bucket (a span
 * recorded when it ends) is written directly and left out of the
 * difference. */

static void prv_series_flush(rp_agg_t *a)
{
    const uint64_t b = a->series_cur;
    rp_agg_bucket_t *sb = &a->series[b];
    for (uint32_t i = 0; i < a->used_n; i++) {
        const uint32_t r = a->used[i] / RP_AGG_MAX_OPS;
        const uint32_t op = a->used[i] % RP_AGG_MAX_OPS;
        const prv_cell_t *c = &a->cells[r][op];
        prv_cold_t *k = &a->cold[r][op];
        uint64_t busy = c->busy - k->busy_at_bucket;
        sb->count[op] += c->count - k->count_at_bucket;
        sb->busy[op] += busy;
        a->tile_series[r][b] += busy;
        k->count_at_bucket = c->count;
        k->busy_at_bucket = c->busy;
    }
}

/* a[i * stride] = a[2i * stride] + a[(2i + 1) * stride] for the lower
 * half of n entries, zero above. */
static void prv_series_halve(uint64_t *v, size_t stride, size_t n)
{
    for (size_t i = 0; i < n / 2u; i++) {
        v[i * stride] = v[2u * i * stride] + v[(2u * i + 1u) * stride];
    }
    for (size_t i = n / 2u; i < n; i++) {
        v[i * stride] = 0u;
    }
}

/* Doubles the bucket width until run time t fits. */
static void prv_series_grow(rp_agg_t *a, uint64_t t)
{
    prv_series_flush(a);
    while ((t >> (a->series_lw + PRV_SERIES_SHIFT)) != 0u) {
        const size_t n = RP_AGG_SERIES_BUCKETS;
        const size_t words = sizeof(rp_agg_bucket_t) / sizeof(uint64_t);
        uint64_t *s = (uint64_t *)a->series;
        for (size_t w = 0; w < words; w++) {
            prv_series_halve(s + w, words, n);
        }
        for (uint32_t r = 0; r < PRV_ROWS; r++) {
            if (a->row_seen[r]) {
                prv_series_halve(a->tile_series[r], 1u, n);
            }
        }
        a->series_lw++;
        a->series_cur >>= 1;
        a->series_last >>= 1;
    }
}

/* Series bucket of run time t (outside the hot loop). */
static uint32_t prv_series_index(rp_agg_t *a, uint64_t t)
{
    if ((t >> (a->series_lw + PRV_SERIES_SHIFT)) != 0u) {
        prv_series_grow(a, t);
    }
    uint64_t b = t >> a->series_lw;
    if (!a->series_any || b > a->series_last) {
        a->series_last = b;
    }
    a->series_any = true;
    return (uint32_t)b;
}

/* Run time of tick `tick` of the current segment, 0 if before the base. */
static inline uint64_t prv_run_time(const rp_agg_t *a, uint64_t tick)
{
    uint64_t t = tick + (a->run_before - a->base);   /* modulo 2^64 */
    return (int64_t)t < 0 ? 0u : t;
}

/* ---- gaps ---- */

static inline void prv_gap(rp_agg_t *a, prv_sweep_t *sw, uint64_t from, uint64_t len)
{
    a->gaps.buckets[prv_bucket(len)]++;
    sw->gap_min = len < sw->gap_min ? len : sw->gap_min;
    sw->gap_max = len > sw->gap_max ? len : sw->gap_max;
    sw->gap_ticks += len;
    sw->gap_count++;
    uint64_t t = prv_run_time(a, from);
    if ((t >> a->series_lw) > a->series_cur) {
        /* After the latest event's bucket (a gap after the last op): rare. */
        a->series[prv_series_index(a, t)].gap_ticks += len;
        return;
    }
    a->series[t >> a->series_lw].gap_ticks += len;
}

/* Adds device op [s, e) to the coverage, in (mostly) start order. */
static inline void prv_sweep(rp_agg_t *a, prv_sweep_t *sw, uint64_t s, uint64_t e)
{
    if (!sw->dev_seen) {
        sw->dev_seen = true;
        sw->dev_first = s;
        sw->cov_end = e;
        sw->covered += e - s;
        return;
    }
    if (s < sw->dev_first) {
        /* Later than the window: covers time before the first op. */
        uint64_t upto = e < sw->dev_first ? e : sw->dev_first;
        sw->covered += upto - s;
        if (e < sw->dev_first) {
            prv_gap(a, sw, e, sw->dev_first - e);
        }
        sw->dev_first = s;
        s = upto;
    }
    if (s > sw->cov_end) {
        prv_gap(a, sw, sw->cov_end, s - sw->cov_end);
        sw->covered += e - s;
        sw->cov_end = e;
    } else if (e > sw->cov_end) {
        sw->covered += e - sw->cov_end;
        sw->cov_end = e;
    }
}

/* Sorts the window by start (ops mostly arrive in order: the sort runs
 * only when one did not), then sweeps all but the last `keep` entries. */
static void prv_window_sweep(rp_agg_t *a, uint32_t keep)
{
    prv_span_t *win = a->win;
    prv_sweep_t sw = a->sw;
    const uint32_t n = sw.pending;
    for (uint32_t i = 1u; sw.disorder && i < n; i++) {
        if (win[i].start < win[i - 1u].start) {
            prv_span_t x = win[i];
            uint32_t j = i;
            while (j > 0u && win[j - 1u].start > x.start) {
                win[j] = win[j - 1u];
                j--;
            }
            win[j] = x;
        }
    }
    const uint32_t m = n > keep ? n - keep : 0u;
    uint32_t i = 0;
    if (m > 0u && !sw.dev_seen) {
        prv_sweep(a, &sw, win[0].start, win[0].end);
        i = 1u;
    }
    /* The common cases with the state in locals: an op after some idle
     * time (a gap, whose start precedes some swept op's start and so lies
     * within the series already), or one overlapping the covered time. */
    const uint64_t off = a->run_before - a->base;
    const uint32_t lw = a->series_lw;
    const uint64_t cur = a->series_cur;   /* latest event's bucket */
    rp_agg_bucket_t *series = a->series;
    uint64_t *gap_buckets = a->gaps.buckets;
    uint64_t cov_end = sw.cov_end;
    uint64_t covered = sw.covered;
    uint64_t gap_ticks = sw.gap_ticks;
    uint64_t gap_count = sw.gap_count;
    uint64_t gap_min = sw.gap_min;
    uint64_t gap_max = sw.gap_max;
    /* Gap time of series bucket gap_b, not yet written there (consecutive
     * gaps mostly share a bucket). */
    uint64_t gap_b = 0u;
    uint64_t gap_acc = 0u;
    for (; i < m; i++) {
        const uint64_t s = win[i].start;
        const uint64_t e = win[i].end;
        if (s > cov_end) {
            const uint64_t len = s - cov_end;
            gap_buckets[prv_bucket(len)]++;
            gap_min = len < gap_min ? len : gap_min;
            gap_max = len > gap_max ? len : gap_max;
            gap_ticks += len;
            gap_count++;
            uint64_t t = cov_end + off;
            t = (int64_t)t < 0 ? 0u : t;
            const uint64_t b = t >> lw;
            if (b != gap_b) {
                series[gap_b].gap_ticks += gap_acc;
                gap_acc = 0u;
                /* The gap starts before a swept op: not after the series' end. */
                gap_b = b <= cur ? b : cur;
            }
            gap_acc += len;
            covered += e - s;
            cov_end = e;
        } else if (s >= sw.dev_first) {
            if (e > cov_end) {
                covered += e - cov_end;
                cov_end = e;
            }
        } else {
            /* Arrived later than the window allows: the general path. */
            series[gap_b].gap_ticks += gap_acc;
            gap_acc = 0u;
            sw.cov_end = cov_end;
            sw.covered = covered;
            sw.gap_ticks = gap_ticks;
            sw.gap_count = gap_count;
            sw.gap_min = gap_min;
            sw.gap_max = gap_max;
            prv_sweep(a, &sw, s, e);
            cov_end = sw.cov_end;
            covered = sw.covered;
            gap_ticks = sw.gap_ticks;
            gap_count = sw.gap_count;
            gap_min = sw.gap_min;
            gap_max = sw.gap_max;
        }
    }
    series[gap_b].gap_ticks += gap_acc;
    sw.cov_end = cov_end;
    sw.covered = covered;
    sw.gap_ticks = gap_ticks;
    sw.gap_count = gap_count;
    sw.gap_min = gap_min;
    sw.gap_max = gap_max;
    memmove(win, win + m, (n - m) * sizeof win[0]);
    sw.pending = n - m;
    sw.disorder = false;   /* what is left is sorted */
    a->sw = sw;
}

static void prv_window_flush(rp_agg_t *a)
{
    prv_window_sweep(a, 0u);
}

/* ---- write-verify episodes ---- */

static uint64_t prv_row_key(uint8_t tile, uint16_t row, uint16_t col)
{
    return ((uint64_t)tile << 32 | (uint64_t)row << 16 | col) + 1u;
}

static void prv_failed_row(rp_agg_t *a, const prv_episode_t *ep)
{
    rp_agg_wv_t *wv = &a->wv;
    for (uint32_t i = 0; i < wv->failed_count; i++) {
        rp_agg_failed_row_t *f = &wv->failed[i];
        if (f->tile == ep->tile && f->row == ep->row && f->col == ep->col) {
            f->episodes++;
            return;
        }
    }
    if (wv->failed_count < RP_AGG_MAX_FAILED) {
        rp_agg_failed_row_t *f = &wv->failed[wv->failed_count++];
        f->tile = ep->tile;
        f->row = ep->row;
        f->col = ep->col;
        f->episodes = 1u;
        return;
    }
    /* Count distinct rows that did not fit while the key set has room;
     * past that, every episode of an unlisted row counts. */
    uint64_t key = prv_row_key(ep->tile, ep->row, ep->col);
    uint32_t h = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 54) & (PRV_FAILED_SLOTS - 1u);
    if (a->failed_key_count >= PRV_FAILED_SLOTS * 3u / 4u) {
        for (uint32_t i = 0; i < PRV_FAILED_SLOTS; i++) {
            uint64_t k = a->failed_keys[(h + i) & (PRV_FAILED_SLOTS - 1u)];
            if (k == key) {
                return;
            }
            if (k == 0u) {
                break;
            }
        }
        wv->failed_overflow++;
        return;
    }
    for (;;) {
        uint64_t *k = &a->failed_keys[h];
        if (*k == key) {
            return;
        }
        if (*k == 0u) {
            *k = key;
            a->failed_key_count++;
            wv->failed_overflow++;
            return;
        }
        h = (h + 1u) & (PRV_FAILED_SLOTS - 1u);
    }
}

static void prv_episode_close(rp_agg_t *a)
{
    prv_episode_t *ep = &a->ep;
    if (!ep->open) {
        return;
    }
    ep->open = false;
    rp_agg_wv_t *wv = &a->wv;
    wv->episodes++;
    wv->pulses += ep->pulses;
    wv->ticks += ep->ticks;
    wv->by_pulses[ep->pulses]++;
    if (ep->status == RP_STATUS_NOT_CONVERGED) {
        wv->not_converged++;
        prv_failed_row(a, ep);
    }
}

static void prv_episode_event(rp_agg_t *a, const rp_record_t *e)
{
    prv_episode_t *ep = &a->ep;
    if (e->op == RP_OP_VERIFY && e->iterations == 0u) {
        prv_episode_close(a);
        ep->open = true;
        ep->tile = e->tile;
        ep->row = e->row;
        ep->col = e->col;
        ep->pulses = 0u;
        ep->status = e->status;
        ep->ticks = e->duration;
        return;
    }
    if (!ep->open || ep->tile != e->tile || ep->row != e->row || ep->col != e->col) {
        return;
    }
    ep->ticks += e->duration;
    if (e->op == RP_OP_VERIFY) {
        ep->pulses = e->iterations;
        ep->status = e->status;
    }
}

/* ---- cells ---- */

/* First event of a cell: its histogram (and, for (tile, op) cells, the
 * marks that make the row and op visible). */
static rp_hist_t *prv_cell_hist(rp_agg_t *a, prv_cell_t *c)
{
    if (c >= &a->cells[0][0] && c <= &a->cells[PRV_ROWS - 1u][RP_AGG_MAX_OPS - 1u]) {
        size_t i = (size_t)(c - &a->cells[0][0]);
        prv_cold_t *k = &a->cold[i / RP_AGG_MAX_OPS][i % RP_AGG_MAX_OPS];
        if (!k->listed) {
            k->listed = true;
            a->row_seen[i / RP_AGG_MAX_OPS] = true;
            a->used[a->used_n++] = (uint16_t)i;
        }
    }
    rp_hist_t *h = malloc(sizeof *h);
    if (h == NULL) {
        return NULL;   /* counted without it; tried again at the next event */
    }
    rp_hist_init(h);
    a->hist_allocs++;
    c->hist = h;
    return h;
}

/* Counts e in c (rounds: ADC rounds of e's columns). */
static inline int prv_cell_add(rp_agg_t *a, prv_cell_t *c, const rp_record_t *e, uint64_t rounds,
                               bool region)
{
    const uint32_t d = e->duration;
    c->count++;
    c->busy += d;
    c->not_ok += e->status != RP_STATUS_OK;
    if (region) {   /* a constant: names have no region, arg is their id */
        c->area += (uint64_t)e->rows * e->cols;
        c->arg += e->arg;
        c->rounds += rounds;
    }
    c->dmin = d < c->dmin ? d : c->dmin;
    c->dmax = d > c->dmax ? d : c->dmax;
    rp_hist_t *h = c->hist;
    if (h == NULL) {
        h = prv_cell_hist(a, c);
        if (h == NULL) {
            return RP_ERR_NOSPACE;
        }
    }
    h->buckets[prv_bucket(d)]++;
    return RP_OK;
}

/* What the current segment's geometry makes of a cell's sums. */
static uint64_t prv_adc_mul(const rp_agg_t *a, unsigned op)
{
    if (a->adcs_per_tile == 0u) {
        return 0u;
    }
    return op == RP_OP_READ ? 1u : (op == RP_OP_MVM ? a->input_bits : 0u);
}

static uint64_t prv_slice_add(const rp_agg_t *a, unsigned op)
{
    return op == RP_OP_MVM ? a->input_bits : 0u;
}

/* Moves the current segment's ADC rounds and slices into the done sums. */
static void prv_cell_fold(const rp_agg_t *a, const prv_cell_t *c, prv_cold_t *k, unsigned op)
{
    if (c->count == k->count_at_seg) {
        return;
    }
    k->adc_done += (c->rounds - k->rounds_at_seg) * prv_adc_mul(a, op);
    k->slices_done += (c->count - k->count_at_seg) * prv_slice_add(a, op);
    k->count_at_seg = c->count;
    k->rounds_at_seg = c->rounds;
}

/* Derives k->st (and the histogram's summary fields) from the sums. */
static void prv_cell_derive(const rp_agg_t *a, const prv_cell_t *c, prv_cold_t *k, unsigned op)
{
    rp_agg_stat_t *st = &k->st;
    st->count = c->count;
    st->busy_ticks = c->busy;
    st->not_ok = c->not_ok;
    bool region = op >= RP_OP_WRITE && op <= RP_OP_MVM;
    st->cells = region ? c->area : 0u;
    st->macs = op == RP_OP_MVM ? c->area : 0u;
    st->bytes = op == RP_OP_TRANSFER ? c->arg : 0u;
    st->adc_rounds = k->adc_done + (c->rounds - k->rounds_at_seg) * prv_adc_mul(a, op);
    st->slices = k->slices_done + (c->count - k->count_at_seg) * prv_slice_add(a, op);
    st->hist = c->count > 0u ? c->hist : NULL;
    if (c->hist != NULL) {
        c->hist->count = c->count;
        c->hist->sum = (double)c->busy;
        c->hist->min = c->count > 0u ? c->dmin : 0u;
        c->hist->max = c->dmax;
    }
}

static void prv_stat_sum(rp_agg_stat_t *dst, const rp_agg_stat_t *src)
{
    dst->count += src->count;
    dst->busy_ticks += src->busy_ticks;
    dst->not_ok += src->not_ok;
    dst->bytes += src->bytes;
    dst->macs += src->macs;
    dst->cells += src->cells;
    dst->adc_rounds += src->adc_rounds;
    dst->slices += src->slices;
}

/* ---- names ---- */

/* Index into names[] of (op, id), creating it; -1 if it did not fit. */
static int32_t prv_name_index(rp_agg_t *a, unsigned op, uint32_t id)
{
    uint64_t key = ((uint64_t)op << 32 | id) + 1u;
    if (key == a->last_name_key) {
        return a->last_name_index;
    }
    uint32_t h = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 53) & (PRV_NAME_SLOTS - 1u);
    int32_t index = -1;
    for (uint32_t i = 0; i < PRV_NAME_SLOTS; i++) {
        prv_name_slot_t *s = &a->name_slots[(h + i) & (PRV_NAME_SLOTS - 1u)];
        if (s->key == key) {
            index = s->index;
            break;
        }
        if (s->key == 0u) {
            if (a->name_count < RP_AGG_MAX_NAMES) {
                index = (int32_t)a->name_count++;
                rp_agg_name_t *n = &a->names[index];
                n->id = id;
                n->op = (uint8_t)op;
                s->key = key;
                s->index = index;
                a->name_keys++;
            } else {
                /* Distinct ids that did not fit, while the table has room. */
                a->totals.names_overflow++;
                if (a->name_keys < PRV_NAME_KEYS_MAX) {
                    s->key = key;
                    s->index = -1;
                    a->name_keys++;
                }
            }
            break;
        }
    }
    if (index < 0 && a->name_keys >= PRV_NAME_KEYS_MAX) {
        /* Table full: do not cache, so each such event counts. */
        return -1;
    }
    a->last_name_key = key;
    a->last_name_index = index;
    return index;
}

/* ---- segments ---- */

static void prv_fold_all(rp_agg_t *a)
{
    for (uint32_t r = 0; r < PRV_ROWS; r++) {
        if (a->row_seen[r]) {
            for (uint32_t op = 0; op < RP_AGG_MAX_OPS; op++) {
                prv_cell_fold(a, &a->cells[r][op], &a->cold[r][op], op);
            }
        }
    }
    for (uint32_t i = 0; i < a->name_count; i++) {
        prv_cell_fold(a, &a->name_cells[i], &a->name_cold[i], a->names[i].op);
    }
}

/* Earliest start and latest end of the current segment's events: spans
 * and the first event are in seg_min/seg_max, swept device ops in the
 * sweep state, the others still in the window. */
static void prv_extent(const rp_agg_t *a, uint64_t *lo, uint64_t *hi)
{
    uint64_t l = a->seg_min;
    uint64_t h = a->seg_max;
    if (a->sw.dev_seen) {
        l = a->sw.dev_first < l ? a->sw.dev_first : l;
        h = a->sw.cov_end > h ? a->sw.cov_end : h;
    }
    for (uint32_t i = 0; i < a->sw.pending; i++) {
        l = a->win[i].start < l ? a->win[i].start : l;
        h = a->win[i].end > h ? a->win[i].end : h;
    }
    *lo = l;
    *hi = h;
}

static void prv_close_segment(rp_agg_t *a)
{
    if (!a->seg_active) {
        return;
    }
    prv_window_flush(a);
    prv_episode_close(a);
    if (a->seg_events) {
        prv_extent(a, &a->seg_min, &a->seg_max);
        prv_sweep_t sw = a->sw;
        if (!sw.dev_seen) {
            if (a->seg_max > a->seg_min) {
                prv_gap(a, &sw, a->seg_min, a->seg_max - a->seg_min);
            }
        } else {
            if (sw.dev_first > a->seg_min) {
                prv_gap(a, &sw, a->seg_min, sw.dev_first - a->seg_min);
            }
            if (a->seg_max > sw.cov_end) {
                prv_gap(a, &sw, sw.cov_end, a->seg_max - sw.cov_end);
            }
        }
        sw.dev_seen = false;
        a->sw = sw;
        a->run_before += a->seg_max - a->seg_min;
    }
    prv_fold_all(a);
    a->seg_active = false;
    a->seg_events = false;
    a->dirty = true;
}

/* Geometry and clock of the current segment. */
static void prv_set_info(rp_agg_t *a, const rp_device_info_t *info)
{
    bool geometry = info != NULL && info->valid && info->adcs_per_tile > 0u;
    a->adcs_per_tile = geometry ? info->adcs_per_tile : 0u;
    a->input_bits = info != NULL && info->valid ? info->input_bits : 0u;
    a->rounds_cols = 0u;
    a->rounds = 0u;
    if (info != NULL && info->valid && info->clock_hz > 0u) {
        if (a->totals.clock_hz == 0u) {
            a->totals.clock_hz = info->clock_hz;
        } else if (info->clock_hz != a->totals.clock_hz) {
            a->totals.mixed_clock = true;
        }
    }
    a->dirty = true;
}

static void prv_open_segment(rp_agg_t *a, uint32_t segment, const rp_device_info_t *info)
{
    prv_close_segment(a);
    a->seg_active = true;
    a->seg_events = false;
    a->seg_index = segment;
    a->base = 0u;
    a->seg_min = 0u;
    a->seg_max = 0u;
    a->totals.segments++;
    prv_set_info(a, info);
}

/* ---- public ---- */

rp_agg_t *rp_agg_create(void)
{
    /* The cells are cache-line aligned: calloc does not promise that. */
    rp_agg_t *a = aligned_alloc(_Alignof(rp_agg_t), sizeof *a);
    if (a == NULL) {
        return NULL;
    }
    memset(a, 0, sizeof *a);
    for (uint32_t r = 0; r < PRV_ROWS; r++) {
        for (uint32_t op = 0; op < RP_AGG_MAX_OPS; op++) {
            a->cells[r][op].dmin = UINT32_MAX;
        }
    }
    for (uint32_t i = 0; i < RP_AGG_MAX_NAMES; i++) {
        a->name_cells[i].dmin = UINT32_MAX;
    }
    a->sw.gap_min = UINT64_MAX;
    a->last_name_index = -1;
    a->totals.series_width = 1u;
    return a;
}

void rp_agg_destroy(rp_agg_t *a)
{
    if (a == NULL) {
        return;
    }
    for (uint32_t r = 0; r < PRV_ROWS; r++) {
        for (uint32_t op = 0; op < RP_AGG_MAX_OPS; op++) {
            free(a->cells[r][op].hist);
        }
    }
    for (uint32_t i = 0; i < RP_AGG_MAX_NAMES; i++) {
        free(a->name_cells[i].hist);
    }
    for (uint32_t t = 0; t < RP_AGG_MAX_TILES; t++) {
        free(a->tile_hist[t]);
    }
    free(a);
}

void rp_agg_segment(rp_agg_t *a, uint32_t segment, const rp_device_info_t *info)
{
    if (a == NULL) {
        return;
    }
    if (a->seg_active && segment == a->seg_index) {
        /* The same segment told again (its Hello came late): newer info. */
        prv_set_info(a, info);
        return;
    }
    prv_open_segment(a, segment, info);
}

/* The per-event work of rp_agg_add: cells, time series, the gap queue,
 * write-verify episodes and names. */
static int prv_add_events(rp_agg_t *a, const rp_record_t *events, size_t n)
{
    int rc = RP_OK;
    const uint64_t off = a->run_before - a->base;   /* tick + off = run time, modulo 2^64 */
    uint32_t lw = a->series_lw;
    uint64_t limit = (uint64_t)RP_AGG_SERIES_BUCKETS << lw;
    const uint32_t adcs = a->adcs_per_tile;
    uint16_t rounds_cols = a->rounds_cols;
    uint64_t rounds = a->rounds;
    uint64_t cur = a->series_cur;
    prv_span_t *win = a->win;
    uint32_t pending = a->sw.pending;
    bool disorder = a->sw.disorder;
    uint64_t last = pending > 0u ? win[pending - 1u].start : 0u;
    for (size_t i = 0; i < n; i++) {
        const rp_record_t *e = &events[i];
        const unsigned op = e->op & (RP_AGG_MAX_OPS - 1u);
        const uint32_t d = e->duration;
        const unsigned row = prv_tiled(op) ? e->tile : PRV_NOTILE;
        const uint64_t start = e->start;
        const uint64_t end = start + d;

        /* Time series first: a new bucket must not get this event's share
         * of the old one. */
        uint64_t t = start + off;
        t = (int64_t)t < 0 ? 0u : t;
        if (t >= limit) {
            a->series_cur = cur;
            prv_series_grow(a, t);
            cur = a->series_cur;
            lw = a->series_lw;
            limit = (uint64_t)RP_AGG_SERIES_BUCKETS << lw;
        }
        const uint64_t b = t >> lw;
        prv_cell_t *c = &a->cells[row][op];
        if (b != cur) {
            if (b > cur) {
                /* Time moved on: the cells' gains so far belong to the old bucket. */
                a->series_cur = cur;
                prv_series_flush(a);
                cur = b;
            } else {
                /* An event of an earlier bucket: written there directly. */
                a->cold[row][op].count_at_bucket++;
                a->cold[row][op].busy_at_bucket += d;
                a->series[b].count[op]++;
                a->series[b].busy[op] += d;
                a->tile_series[row][b] += d;
            }
        }

        if (e->cols != rounds_cols && (op == RP_OP_READ || op == RP_OP_MVM)) {
            /* Other ops' rounds are never used: keep the cached ones. */
            rounds_cols = e->cols;
            rounds = adcs > 0u ? ((uint64_t)rounds_cols + adcs - 1u) / adcs : 0u;
        }
        if (prv_cell_add(a, c, e, rounds, true) != RP_OK) {
            rc = RP_ERR_NOSPACE;
        }

        if (op != RP_OP_SPAN) {
            win[pending].start = start;
            win[pending].end = end;
            disorder |= start < last;
            last = start;
            if (++pending == PRV_WINDOW + PRV_CHUNK) {
                a->sw.pending = pending;
                a->sw.disorder = disorder;
                a->series_any = true;
                a->series_cur = cur;   /* the sweep places gaps up to it */
                prv_window_sweep(a, PRV_WINDOW);
                pending = a->sw.pending;
                disorder = false;
                last = win[pending - 1u].start;
            }
            if (op == RP_OP_VERIFY || op == RP_OP_WRITE) {
                prv_episode_event(a, e);
                continue;
            }
            if (op != RP_OP_COMPUTE) {
                continue;
            }
        }
        /* SPAN or COMPUTE: a named group. */
        if (op == RP_OP_SPAN) {
            a->seg_min = start < a->seg_min ? start : a->seg_min;
            a->seg_max = end > a->seg_max ? end : a->seg_max;
        }
        uint64_t key = ((uint64_t)op << 32 | e->arg) + 1u;
        int32_t index = key == a->last_name_key ? a->last_name_index : prv_name_index(a, op, e->arg);
        if (index >= 0 && prv_cell_add(a, &a->name_cells[index], e, 0u, false) != RP_OK) {
            rc = RP_ERR_NOSPACE;
        }
    }
    a->sw.pending = pending;
    a->sw.disorder = disorder;
    a->series_cur = cur;
    a->series_any = true;
    a->rounds_cols = rounds_cols;
    a->rounds = rounds;
    return rc;
}

int rp_agg_add(rp_agg_t *a, uint32_t segment, const rp_record_t *events, size_t n)
{
    if (a == NULL || (events == NULL && n > 0u)) {
        return RP_ERR_ARG;
    }
    if (n == 0u) {
        return RP_OK;
    }
    if (!a->seg_active || segment != a->seg_index) {
        prv_open_segment(a, segment, NULL);
    }
    if (!a->seg_events) {
        a->seg_events = true;
        a->base = events[0].start;
        a->seg_min = events[0].start;
        a->seg_max = events[0].start + events[0].duration;
    }
    a->dirty = true;
    a->totals.events += n;

    /* The first events, for a detailed timeline. */
    if (a->timeline_n < RP_AGG_TIMELINE_EVENTS) {
        size_t k = RP_AGG_TIMELINE_EVENTS - a->timeline_n;
        k = k < n ? k : n;
        for (size_t i = 0; i < k; i++) {
            rp_record_t *t = &a->timeline[a->timeline_n + i];
            *t = events[i];
            t->start = prv_run_time(a, events[i].start);
        }
        a->timeline_n += k;
    }

    /* The gap sweep runs when the window is full (or someone reads). */
    return prv_add_events(a, events, n);
}

/* Brings the derived statistics up to date. */
static void prv_refresh(rp_agg_t *a)
{
    if (!a->dirty) {
        return;
    }
    a->dirty = false;
    if (a->sw.pending > PRV_WINDOW) {
        prv_window_sweep(a, PRV_WINDOW);
    }
    prv_series_flush(a);

    for (uint32_t r = 0; r < PRV_ROWS; r++) {
        if (a->row_seen[r]) {
            for (uint32_t op = 0; op < RP_AGG_MAX_OPS; op++) {
                prv_cell_derive(a, &a->cells[r][op], &a->cold[r][op], op);
            }
        }
    }
    for (uint32_t i = 0; i < a->name_count; i++) {
        prv_cell_derive(a, &a->name_cells[i], &a->name_cold[i], a->names[i].op);
        a->names[i].stat = a->name_cold[i].st;
    }

    /* Per op: the sum over tiles, or the tile-less row. */
    uint32_t tiles_seen = 0u;
    for (uint32_t op = 0; op < RP_AGG_MAX_OPS; op++) {
        rp_agg_stat_t *o = &a->ops[op];
        if (!prv_tiled(op)) {
            *o = a->row_seen[PRV_NOTILE] ? a->cold[PRV_NOTILE][op].st : prv_zero_stat;
            continue;
        }
        memset(o, 0, sizeof *o);
        rp_hist_init(&a->op_hist[op]);
        for (uint32_t t = 0; t < RP_AGG_MAX_TILES; t++) {
            const prv_cell_t *c = &a->cells[t][op];
            if (!a->row_seen[t] || c->count == 0u) {
                continue;
            }
            tiles_seen = t + 1u > tiles_seen ? t + 1u : tiles_seen;
            prv_stat_sum(o, &a->cold[t][op].st);
            if (c->hist != NULL) {
                rp_hist_merge(&a->op_hist[op], c->hist);
            }
        }
        o->hist = a->op_hist[op].count > 0u ? &a->op_hist[op] : NULL;
    }

    /* Per tile: the sum over its ops. */
    for (uint32_t t = 0; t < RP_AGG_MAX_TILES; t++) {
        rp_agg_stat_t *s = &a->tiles[t];
        memset(s, 0, sizeof *s);
        if (!a->row_seen[t]) {
            continue;
        }
        rp_hist_t *th = a->tile_hist[t];
        if (th == NULL) {
            th = malloc(sizeof *th);
            if (th == NULL) {
                a->dirty = true;   /* try again at the next read */
            } else {
                a->hist_allocs++;
                a->tile_hist[t] = th;
            }
        }
        if (th != NULL) {
            rp_hist_init(th);
        }
        for (uint32_t op = 0; op < RP_AGG_MAX_OPS; op++) {
            const prv_cell_t *c = &a->cells[t][op];
            if (c->count == 0u) {
                continue;
            }
            prv_stat_sum(s, &a->cold[t][op].st);
            if (th != NULL && c->hist != NULL) {
                rp_hist_merge(th, c->hist);
            }
        }
        s->hist = th != NULL && th->count > 0u ? th : NULL;
    }

    const prv_sweep_t *sw = &a->sw;
    a->gaps.count = sw->gap_count;
    a->gaps.sum = (double)sw->gap_ticks;
    a->gaps.min = sw->gap_count > 0u ? sw->gap_min : 0u;
    a->gaps.max = sw->gap_max;

    rp_agg_totals_t *tot = &a->totals;
    tot->covered_ticks = sw->covered;
    tot->gap_ticks = sw->gap_ticks;
    tot->gap_count = sw->gap_count;
    tot->tiles_seen = tiles_seen;
    tot->device_ops = tot->events - a->cells[PRV_NOTILE][RP_OP_SPAN].count;
    uint64_t lo = 0u;
    uint64_t hi = 0u;
    if (a->seg_active && a->seg_events) {
        prv_extent(a, &lo, &hi);
    }
    tot->run_ticks = a->run_before + (hi - lo);
    tot->series_width = 1ull << a->series_lw;
    uint64_t last = a->series_cur > a->series_last ? a->series_cur : a->series_last;
    tot->series_used = a->series_any ? (uint32_t)last + 1u : 0u;
}

/* Accessors take a const aggregator but refresh derived data on demand;
 * every aggregator comes from rp_agg_create (never a const object), so
 * writing through the cast is well defined. */
static const rp_agg_t *prv_fresh(const rp_agg_t *a)
{
    prv_refresh((rp_agg_t *)a);
    return a;
}

void rp_agg_finish(rp_agg_t *a)
{
    if (a == NULL) {
        return;
    }
    prv_close_segment(a);
    a->dirty = true;
    prv_refresh(a);
}

int64_t rp_agg_time_shift(const rp_agg_t *a)
{
    return (int64_t)(a->run_before - a->base);
}

uint64_t rp_agg_series_width(uint64_t t_max)
{
    uint64_t w = 1u;
    while ((t_max >> PRV_SERIES_SHIFT) >= w) {
        w <<= 1;
    }
    return w;
}

const rp_agg_totals_t *rp_agg_totals(const rp_agg_t *a)
{
    return &prv_fresh(a)->totals;
}

const rp_agg_stat_t *rp_agg_op(const rp_agg_t *a, unsigned op)
{
    if (op >= RP_AGG_MAX_OPS) {
        return NULL;
    }
    return &prv_fresh(a)->ops[op];
}

const rp_agg_stat_t *rp_agg_tile(const rp_agg_t *a, unsigned tile)
{
    if (tile >= RP_AGG_MAX_TILES) {
        return NULL;
    }
    return &prv_fresh(a)->tiles[tile];
}

const rp_agg_stat_t *rp_agg_tile_op(const rp_agg_t *a, unsigned tile, unsigned op)
{
    if (tile >= RP_AGG_MAX_TILES || op >= RP_AGG_MAX_OPS) {
        return NULL;
    }
    if (!prv_tiled(op) || !a->row_seen[tile]) {
        return &prv_zero_stat;
    }
    return &prv_fresh(a)->cold[tile][op].st;
}

const rp_hist_t *rp_agg_gaps(const rp_agg_t *a)
{
    return &prv_fresh(a)->gaps;
}

uint32_t rp_agg_name_count(const rp_agg_t *a)
{
    return a->name_count;
}

const rp_agg_name_t *rp_agg_name(const rp_agg_t *a, uint32_t i)
{
    return i < a->name_count ? &prv_fresh(a)->names[i] : NULL;
}

const rp_agg_wv_t *rp_agg_wv(const rp_agg_t *a)
{
    return &a->wv;
}

const rp_agg_bucket_t *rp_agg_series(const rp_agg_t *a)
{
    return prv_fresh(a)->series;
}

const uint64_t *rp_agg_tile_series(const rp_agg_t *a, unsigned tile)
{
    if (tile >= RP_AGG_MAX_TILES || !a->row_seen[tile]) {
        return NULL;
    }
    return prv_fresh(a)->tile_series[tile];
}

const rp_record_t *rp_agg_timeline(const rp_agg_t *a, size_t *n)
{
    if (n != NULL) {
        *n = a->timeline_n;
    }
    return a->timeline;
}

size_t rp_agg_footprint(const rp_agg_t *a)
{
    return sizeof *a + a->hist_allocs * sizeof(rp_hist_t);
}
