/* Memory analytics benchmark: events/s of rp_memuse_add, alone and behind
 * the aggregator (the two per-event consumers of the report pipeline).
 *
 *   bench_memuse [--events N] [--runs R] [--workload mlp|scan|program]
 *                [--tiles T] [--rows N] [--with-agg]
 *
 * Builds one in-memory chunk of a synthetic stream shaped like a sim-board
 * workload and feeds it repeatedly, each pass shifted in time after the
 * previous one, until N events went in (so N can exceed memory):
 *   mlp      64 rows programmed once, then TRANSFER, MVM over 64 rows,
 *            TRANSFER, COMPUTE per input vector, a SPAN per batch of 64;
 *   scan     one READ per row, row after row, over every tile;
 *   program  write-verify of each row in turn (VERIFY(0), then 3 rounds of
 *            WRITE, VERIFY), then a READ of it.
 * Prints the median events/s over R runs and the module's footprint. */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_memuse.h"
#include "rramprof/rp_status.h"

#define PRV_CHUNK 65536u       /* events per chunk */
#define PRV_BATCH 1024u        /* events per add call, as a session delivers them */
#define PRV_MAX_RUNS 15

typedef struct prv_opts {
    uint64_t events;
    int runs;
    const char *workload;
    uint32_t tiles, rows;
    bool with_agg;
} prv_opts_t;

static rp_record_t prv_chunk[PRV_CHUNK];
static size_t prv_chunk_len;
static uint64_t prv_chunk_span;   /* ticks the chunk covers */

static void prv_put(uint64_t *t, uint8_t op, uint8_t tile, uint16_t row, uint16_t rows,
                    uint8_t iterations, uint32_t duration)
{
    if (prv_chunk_len >= PRV_CHUNK) {
        return;
    }
    rp_record_t *r = &prv_chunk[prv_chunk_len++];
    memset(r, 0, sizeof *r);
    r->start = *t;
    r->duration = duration;
    r->op = op;
    r->tile = tile;
    r->row = row;
    r->rows = rows;
    r->iterations = iterations;
    r->cols = 64;
    *t += duration + 2u;
}

/* Fills the chunk; the mlp prologue (weights) goes in `prologue`. */
static void prv_build(const prv_opts_t *o, rp_record_t *prologue, size_t *prologue_len)
{
    uint64_t t = 0;
    *prologue_len = 0;
    if (strcmp(o->workload, "mlp") == 0) {
        for (uint16_t r = 0; r < 64u; r++) {
            prv_put(&t, RP_OP_VERIFY, 0, r, 1, 0, 40);
            prv_put(&t, RP_OP_WRITE, 0, r, 1, 0, 100);
            prv_put(&t, RP_OP_VERIFY, 0, r, 1, 1, 40);
        }
        memcpy(prologue, prv_chunk, prv_chunk_len * sizeof *prologue);
        *prologue_len = prv_chunk_len;
        prv_chunk_len = 0;
        uint32_t vec = 0;
        while (prv_chunk_len + 5u <= PRV_CHUNK) {
            uint64_t span_start = t;
            prv_put(&t, RP_OP_TRANSFER, 0, 0, 64, 0, 30);
            prv_put(&t, RP_OP_MVM, 0, 0, 64, 0, 400);
            prv_put(&t, RP_OP_TRANSFER, 0, 0, 64, 0, 30);
            prv_put(&t, RP_OP_COMPUTE, 0, 0, 0, 0, 200);
            if (++vec % 64u == 0u) {
                uint64_t end = t;
                prv_put(&span_start, RP_OP_SPAN, 0, 0, 0, 0, (uint32_t)(end - span_start));
            }
        }
    } else if (strcmp(o->workload, "scan") == 0) {
        uint32_t tile = 0, row = 0;
        while (prv_chunk_len < PRV_CHUNK) {
            prv_put(&t, RP_OP_READ, (uint8_t)tile, (uint16_t)row, 1, 0, 50);
            if (++row == o->rows) {
                row = 0;
                tile = (tile + 1u) % o->tiles;
            }
        }
    } else {
        uint32_t tile = 0, row = 0;
        while (prv_chunk_len + 8u <= PRV_CHUNK) {
            prv_put(&t, RP_OP_VERIFY, (uint8_t)tile, (uint16_t)row, 1, 0, 40);
            for (uint8_t k = 0; k < 3u; k++) {
                prv_put(&t, RP_OP_WRITE, (uint8_t)tile, (uint16_t)row, 1, k, 100);
                prv_put(&t, RP_OP_VERIFY, (uint8_t)tile, (uint16_t)row, 1, (uint8_t)(k + 1u), 40);
            }
            prv_put(&t, RP_OP_READ, (uint8_t)tile, (uint16_t)row, 1, 0, 50);
            if (++row == o->rows) {
                row = 0;
                tile = (tile + 1u) % o->tiles;
            }
        }
    }
    prv_chunk_span = t;
}

static double prv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Feeds n events of a chunk, shifted by base ticks, in session-sized batches. */
static int prv_feed(rp_agg_t *agg, rp_memuse_t *mu, const rp_record_t *ev, size_t n, uint64_t base,
                    rp_record_t *scratch)
{
    for (size_t i = 0; i < n; i += PRV_BATCH) {
        size_t k = n - i < PRV_BATCH ? n - i : PRV_BATCH;
        const rp_record_t *batch = &ev[i];
        if (base != 0u) {
            for (size_t j = 0; j < k; j++) {
                scratch[j] = ev[i + j];
                scratch[j].start += base;
            }
            batch = scratch;
        }
        int64_t shift = 0;
        if (agg != NULL) {
            rp_agg_add(agg, 0, batch, k);
            shift = rp_agg_time_shift(agg);
        }
        int rc = rp_memuse_add(mu, batch, k, shift);
        if (rc != RP_OK) {
            return rc;
        }
    }
    return RP_OK;
}

static int prv_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

int main(int argc, char **argv)
{
    prv_opts_t o = {20000000u, 5, "mlp", 16u, 256u, false};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            o.events = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            o.runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
            o.workload = argv[++i];
        } else if (strcmp(argv[i], "--tiles") == 0 && i + 1 < argc) {
            o.tiles = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
            o.rows = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--with-agg") == 0) {
            o.with_agg = true;
        } else {
            fprintf(stderr,
                    "usage: bench_memuse [--events N] [--runs R] [--workload mlp|scan|program]\n"
                    "                    [--tiles T] [--rows N] [--with-agg]\n");
            return 2;
        }
    }
    if (o.runs < 1 || o.runs > PRV_MAX_RUNS || o.tiles < 1u || o.tiles > 256u || o.rows < 64u ||
        o.rows > 65536u ||
        (strcmp(o.workload, "mlp") != 0 && strcmp(o.workload, "scan") != 0 &&
         strcmp(o.workload, "program") != 0)) {
        fprintf(stderr, "bench_memuse: bad option value\n");
        return 2;
    }

    static rp_record_t prologue[PRV_CHUNK];
    static rp_record_t scratch[PRV_BATCH];
    size_t prologue_len = 0;
    prv_build(&o, prologue, &prologue_len);

    rp_device_info_t info;
    memset(&info, 0, sizeof info);
    info.valid = true;
    info.clock_hz = 100000000u;
    info.tiles = o.tiles;
    info.rows = o.rows;
    info.cols = 256u;
    info.endurance_cycles = 1000000u;

    double rate[PRV_MAX_RUNS];
    size_t footprint = 0;
    uint64_t fed = 0;
    for (int run = 0; run < o.runs; run++) {
        rp_agg_t *agg = o.with_agg ? rp_agg_create() : NULL;
        rp_memuse_t *mu = rp_memuse_create();
        if (mu == NULL || (o.with_agg && agg == NULL)) {
            fprintf(stderr, "bench_memuse: out of memory\n");
            return 1;
        }
        if (agg != NULL) {
            rp_agg_segment(agg, 0, &info);
        }
        rp_memuse_segment(mu, 0, &info);
        double t0 = prv_now();
        fed = 0;
        int rc = prv_feed(agg, mu, prologue, prologue_len, 0u, scratch);
        fed += prologue_len;
        uint64_t base = prologue_len != 0u ? prologue[prologue_len - 1u].start + 1000u : 0u;
        while (rc == RP_OK && fed < o.events) {
            size_t n = o.events - fed < prv_chunk_len ? (size_t)(o.events - fed) : prv_chunk_len;
            rc = prv_feed(agg, mu, prv_chunk, n, base, scratch);
            fed += n;
            base += prv_chunk_span;
        }
        uint64_t run_ticks = base;
        uint64_t clock_hz = info.clock_hz;
        if (agg != NULL) {
            rp_agg_finish(agg);
            run_ticks = rp_agg_totals(agg)->run_ticks;
        }
        rp_memuse_finish(mu, run_ticks, clock_hz);
        double dt = prv_now() - t0;
        if (rc != RP_OK) {
            fprintf(stderr, "bench_memuse: add failed: %d\n", rc);
            return 1;
        }
        rate[run] = (double)fed / dt;
        footprint = rp_memuse_footprint(mu);
        if (run == 0) {
            const rp_memuse_area_t *a = rp_memuse_tile(mu, 0);
            printf("check: tile 0 reads %llu programs %llu label %s (%s)\n",
                   (unsigned long long)a->reads, (unsigned long long)a->programs,
                   rp_memuse_label_name(a->label), a->reason);
        }
        rp_memuse_destroy(mu);
        rp_agg_destroy(agg);
    }
    qsort(rate, (size_t)o.runs, sizeof rate[0], prv_cmp);
    printf("workload %s, %llu events, %u x %u rows%s: median %.1f M events/s "
           "(min %.1f, max %.1f), memuse footprint %zu bytes\n",
           o.workload, (unsigned long long)fed, o.tiles, o.rows,
           o.with_agg ? ", with aggregator" : "",
           rate[o.runs / 2] / 1e6, rate[0] / 1e6, rate[o.runs - 1] / 1e6, footprint);
    return 0;
}
