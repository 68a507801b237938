/* Aggregator benchmark: events/s through rp_agg_add, and its footprint.
 *
 *   bench_aggregate [--events N] [--runs R] [--batch B]
 *   bench_aggregate --capture FILE [--runs R]
 *
 * Default: a synthetic stream shaped like the sim board's mlp workload
 * (per input vector on one of two tiles: TRANSFER in, MVM, TRANSFER out,
 * then a COMPUTE mark; a SPAN per 64 vectors, recorded when it ends; a
 * write-verify programming phase now and then), with the small gaps the
 * recorder leaves between ops. A pool of events is generated once and fed
 * again and again, shifted in time, in batches of B (default 512), from a
 * cache-sized buffer as a replay hands them over; only rp_agg_add and
 * rp_agg_finish are timed, in CPU time (the machines are
 * shared). Prints the median events/s of R runs and the footprint, which
 * must not depend on N.
 *
 * --capture replays a capture file end to end (reader, decoder, session,
 * aggregator) and, for comparison, without the aggregator. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

#define PRV_POOL (1u << 20)
#define PRV_STAGE 16384u

static uint64_t prv_rng = 0x2545F4914F6CDD1Dull;

static uint32_t prv_rand(void)
{
    prv_rng ^= prv_rng >> 12;
    prv_rng ^= prv_rng << 25;
    prv_rng ^= prv_rng >> 27;
    return (uint32_t)((prv_rng * 0x2545F4914F6CDD1Dull) >> 32);
}

/* CPU time of this (single-threaded) process: on a shared machine it
 * leaves out the time other processes held the core. */
static double prv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int prv_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- synthetic mlp-like stream ---- */

typedef struct prv_gen {
    rp_record_t *out;
    size_t n, cap;
    uint64_t t;
} prv_gen_t;

static void prv_emit(prv_gen_t *g, uint8_t op, uint32_t d, uint8_t tile, uint16_t row, uint16_t rows,
                     uint16_t cols, uint8_t iter, uint8_t status, uint32_t arg)
{
    if (g->n == g->cap) {
        return;
    }
    rp_record_t *r = &g->out[g->n++];
    memset(r, 0, sizeof *r);
    r->start = g->t;
    r->duration = d;
    r->op = op;
    r->tile = tile;
    r->row = row;
    r->rows = rows;
    r->cols = cols;
    r->iterations = iter;
    r->status = status;
    r->arg = arg;
    g->t += d + 28u + (prv_rand() & 7u);   /* recorder overhead between ops */
}

static void prv_program_rows(prv_gen_t *g, uint8_t tile)
{
    for (uint16_t row = 0; row < 64u && g->n < g->cap; row++) {
        uint8_t steps = (uint8_t)(prv_rand() % 6u);
        prv_emit(g, RP_OP_VERIFY, 4660, tile, row, 1, 64, 0, RP_STATUS_OK, 0);
        for (uint8_t k = 0; k < steps; k++) {
            prv_emit(g, RP_OP_WRITE, 1930u + (prv_rand() & 511u), tile, row, 1, 64, k, RP_STATUS_OK, 0);
            uint8_t st = (k + 1u == steps && (prv_rand() & 15u) == 0) ? RP_STATUS_NOT_CONVERGED
                                                                      : RP_STATUS_OK;
            prv_emit(g, RP_OP_VERIFY, 4660, tile, row, 1, 64, (uint8_t)(k + 1u), st, 0);
        }
    }
}

static size_t prv_generate(rp_record_t *pool, size_t cap)
{
    prv_gen_t g = {pool, 0, cap, 1000};
    uint32_t vec = 0;
    while (g.n < cap) {
        if (vec % 4096u == 0) {
            prv_program_rows(&g, (uint8_t)((vec / 4096u) & 1u));
        }
        uint64_t span_start = g.t;
        for (uint32_t v = 0; v < 64u && g.n < cap; v++, vec++) {
            uint8_t tile = (uint8_t)(vec & 1u);
            prv_emit(&g, RP_OP_TRANSFER, 2960u + (prv_rand() & 63u), tile, 0, 64, 64, 0, 0, 64);
            prv_emit(&g, RP_OP_MVM, 13100, tile, 0, 64, 64, 0, 0, 0);
            prv_emit(&g, RP_OP_TRANSFER, 10640u + (prv_rand() & 255u), tile, 0, 64, 64, 0, 0, 256);
            prv_emit(&g, RP_OP_COMPUTE, 12480, 0, 0, 0, 0, 0, 0, 2);
        }
        if (g.n < cap) {
            uint64_t end = g.t;
            rp_record_t *r = &g.out[g.n++];
            memset(r, 0, sizeof *r);
            r->op = RP_OP_SPAN;
            r->start = span_start;
            r->duration = (uint32_t)(end - span_start);
            r->arg = 1;
        }
    }
    return g.n;
}

static double prv_synthetic_once(const rp_record_t *pool, size_t pool_n, uint64_t events, size_t batch,
                                 size_t *footprint, uint64_t *check)
{
    uint64_t pool_ticks = pool[pool_n - 1].start + pool[pool_n - 1].duration - pool[0].start + 100u;
    rp_agg_t *a = rp_agg_create();
    if (a == NULL) {
        return -1.0;
    }
    rp_device_info_t info;
    memset(&info, 0, sizeof info);
    info.valid = true;
    info.clock_hz = 100000000;
    info.tiles = 2;
    info.rows = 64;
    info.cols = 64;
    info.adcs_per_tile = 2;
    info.input_bits = 4;
    rp_agg_segment(a, 0, &info);

    /* The pool is walked in stages copied to a small buffer first (not
     * timed), each lap later in time than the one before: in a replay the
     * aggregator reads a batch the decoder has just written, from cache,
     * not a stream from main memory. */
    static rp_record_t stage[PRV_STAGE];
    double elapsed = 0.0;
    uint64_t left = events;
    uint64_t shift = 0;
    size_t at = 0;
    while (left > 0) {
        size_t n = pool_n - at < PRV_STAGE ? pool_n - at : PRV_STAGE;
        n = left < n ? (size_t)left : n;
        for (size_t i = 0; i < n; i++) {
            stage[i] = pool[at + i];
            stage[i].start += shift;
        }
        double t0 = prv_now();
        for (size_t i = 0; i < n; i += batch) {
            size_t k = n - i < batch ? n - i : batch;
            if (rp_agg_add(a, 0, stage + i, k) != RP_OK) {
                rp_agg_destroy(a);
                return -1.0;
            }
        }
        elapsed += prv_now() - t0;
        left -= n;
        at += n;
        if (at == pool_n) {
            at = 0;
            shift += pool_ticks;
        }
    }
    double t0 = prv_now();
    rp_agg_finish(a);
    elapsed += prv_now() - t0;
    const rp_agg_totals_t *tot = rp_agg_totals(a);
    *check = tot->events + tot->gap_count;
    *footprint = rp_agg_footprint(a);
    if (tot->events != events) {
        fprintf(stderr, "aggregator counted %" PRIu64 " of %" PRIu64 " events\n", tot->events, events);
        elapsed = -1.0;
    }
    rp_agg_destroy(a);
    return elapsed;
}

/* ---- capture replay ---- */

typedef struct prv_replay {
    rp_session_t *s;
    rp_agg_t *a;
    uint64_t events;
} prv_replay_t;

static int prv_on_events(void *ctx, uint32_t seg, const rp_record_t *ev, size_t n)
{
    prv_replay_t *r = ctx;
    r->events += n;
    if (r->a != NULL) {
        int rc = rp_agg_add(r->a, seg, ev, n);
        return rc == RP_ERR_NOSPACE ? RP_OK : rc;
    }
    return RP_OK;
}

static void prv_on_segment(void *ctx, uint32_t seg, const rp_device_info_t *info)
{
    prv_replay_t *r = ctx;
    if (r->a != NULL) {
        rp_agg_segment(r->a, seg, info);
    }
}

static int prv_on_msg(void *ctx, const rp_msg_t *m)
{
    prv_replay_t *r = ctx;
    return rp_session_apply(r->s, m);
}

static double prv_replay_once(const char *path, bool with_agg, uint64_t *events, size_t *footprint)
{
    prv_replay_t r = {0};
    rp_decoder_t *d = rp_decoder_create();
    rp_session_callbacks_t cb = {prv_on_events, prv_on_segment, &r};
    r.s = rp_session_create(&cb);
    r.a = with_agg ? rp_agg_create() : NULL;
    if (d == NULL || r.s == NULL || (with_agg && r.a == NULL)) {
        rp_decoder_destroy(d);
        rp_session_destroy(r.s);
        rp_agg_destroy(r.a);
        return -1.0;
    }
    double t0 = prv_now();
    int rc = rp_capture_replay(path, d, prv_on_msg, &r, NULL, NULL);
    if (r.a != NULL) {
        rp_agg_finish(r.a);
        *footprint = rp_agg_footprint(r.a);
    }
    double t1 = prv_now();
    *events = r.events;
    rp_agg_destroy(r.a);
    rp_session_destroy(r.s);
    rp_decoder_destroy(d);
    return rc == RP_OK ? t1 - t0 : -1.0;
}

static int prv_capture(const char *path, int runs)
{
    double with[99], without[99];
    uint64_t events = 0;
    size_t footprint = 0;
    for (int i = 0; i < runs; i++) {
        with[i] = prv_replay_once(path, true, &events, &footprint);
        without[i] = prv_replay_once(path, false, &events, &footprint);
        if (with[i] < 0.0 || without[i] < 0.0) {
            fprintf(stderr, "replay of %s failed\n", path);
            return 1;
        }
    }
    qsort(with, (size_t)runs, sizeof with[0], prv_cmp);
    qsort(without, (size_t)runs, sizeof without[0], prv_cmp);
    double w = with[runs / 2], wo = without[runs / 2];
    printf("capture %s: %" PRIu64 " events, median of %d runs\n", path, events, runs);
    printf("  replay + session + aggregator: %.1f M events/s (%.3f s)\n", events / w / 1e6, w);
    printf("  replay + session:              %.1f M events/s (%.3f s)\n", events / wo / 1e6, wo);
    if (w > wo) {
        printf("  aggregator alone (difference): %.1f M events/s\n", events / (w - wo) / 1e6);
    }
    printf("  aggregator footprint: %zu bytes\n", footprint);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t events = 20000000;
    int runs = 5;
    size_t batch = 512;
    const char *capture = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            events = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
            batch = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--capture") == 0 && i + 1 < argc) {
            capture = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_aggregate [--events N] [--runs R] [--batch B] "
                            "[--capture FILE]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > 99 || events == 0 || batch == 0) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    if (capture != NULL) {
        return prv_capture(capture, runs);
    }

    rp_record_t *pool = malloc(PRV_POOL * sizeof *pool);
    if (pool == NULL) {
        return 1;
    }
    size_t pool_n = prv_generate(pool, PRV_POOL);
    uint64_t per_op[RP_AGG_MAX_OPS] = {0};
    for (size_t i = 0; i < pool_n; i++) {
        per_op[pool[i].op]++;
    }
    double secs[99];
    size_t footprint = 0;
    uint64_t check = 0;
    for (int i = 0; i < runs; i++) {
        secs[i] = prv_synthetic_once(pool, pool_n, events, batch, &footprint, &check);
        if (secs[i] < 0.0) {
            free(pool);
            return 1;
        }
    }
    qsort(secs, (size_t)runs, sizeof secs[0], prv_cmp);
    printf("synthetic mlp-like stream: %" PRIu64 " events in batches of %zu, median of %d runs\n",
           events, batch, runs);
    printf("  mix per %zu events:", pool_n);
    for (unsigned op = 0; op < RP_AGG_MAX_OPS; op++) {
        if (per_op[op] > 0) {
            printf(" %s %" PRIu64, rp_op_name(op), per_op[op]);
        }
    }
    printf("\n  aggregator: %.1f M events/s (%.3f s; fastest %.1f M/s)\n",
           (double)events / secs[runs / 2] / 1e6, secs[runs / 2], (double)events / secs[0] / 1e6);
    printf("  footprint: %zu bytes (check %" PRIu64 ")\n", footprint, check);
    free(pool);
    return 0;
}
