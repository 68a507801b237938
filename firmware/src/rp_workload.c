/* Built-in RRAM workloads; contract in rp_workload.h.
 *
 * Every workload is a small state machine over phases:
 *
 *   PROGRAM  write-verify one row of a pattern per step (rp_wv)
 *   SCAN     read back one row per step and compare with the pattern
 *   MLP      one analog MVM of the batch per step, checked digitally
 *   SOLVE    one mixed-precision refinement iteration per step
 *
 *   program: PROGRAM (a new pattern every run) -> SCAN
 *   scan:    [PROGRAM if no pattern is known]  -> SCAN
 *   mlp:     [PROGRAM weights if not there]    -> MLP
 *   solver:  [PROGRAM matrix if not there]     -> SOLVE
 *
 * What each tile holds is remembered between runs (a pattern kind and
 * seed per tile; targets are recomputed from it, nothing is stored per
 * cell), so mlp and solver program their weights once and scan checks the
 * last programmed pattern. Patterns are a hash of (seed, tile, row, col):
 * deterministic per seed and free of storage.
 *
 * All state is static: this runs in the firmware core (no heap, no stdio).
 * Workloads use floating point only in the solver's digital refinement and
 * for error metrics, never in the record path. */
#include "rramprof/rp_workload.h"

#include <stddef.h>
#include <string.h>

#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_hal_xbar.h"
#include "rramprof/rp_span.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_wv.h"
#include "rramprof/rp_xbar.h"

/* ---- limits and pass criteria ------------------------------------------ */

#define PRV_MAX_TILES 16u             /* tiles a workload uses at most */
#define PRV_MAX_COLS RP_WV_MAX_COLS   /* row segment one step programs/reads */
#define PRV_MAX_ROWS 128u             /* MVM inputs (mlp, solver) */
#define PRV_WV_MAX_STEPS 24u          /* ISPP rounds before a cell is given up */
/* program/scan: wrong cells allowed, per million (stuck and worn cells). */
#define PRV_PROGRAM_MAX_PPM 20000
/* Input vectors per mlp run: inference works on batches, and a longer run
 * spreads its WorkloadResult frame over more events. */
#define PRV_MLP_BATCH 64u
#define PRV_MLP_MAX_IN 128u           /* a small layer: at most 128 x 128 */
#define PRV_MLP_MAX_OUT 128u
/* mlp: RMS error of the analog layer relative to the RMS of the exact
 * integer result, per million. Analog inference is approximate: cells sit
 * anywhere within the write-verify window, some are stuck, the ADC rounds. */
#define PRV_MLP_MAX_PPM 150000
#define PRV_SOLVER_MAX_N 64u
#define PRV_SOLVER_INNER 3u           /* analog MVMs per refinement iteration */
#define PRV_SOLVER_MAX_ITERS 60u
#define PRV_SOLVER_TOL 1e-6           /* ||b - A x|| / ||b|| to pass */

_Static_assert(PRV_MLP_MAX_IN <= PRV_MAX_ROWS && PRV_SOLVER_MAX_N <= PRV_MAX_ROWS,
               "MVM input buffer too small");
_Static_assert(PRV_MLP_MAX_OUT <= PRV_MAX_COLS && PRV_SOLVER_MAX_N <= PRV_MAX_COLS,
               "MVM output buffer too small");

/* ---- the table ------------------------------------------------------------ */

enum { PRV_WL_PROGRAM = 0, PRV_WL_MLP, PRV_WL_SCAN, PRV_WL_SOLVER, PRV_WL_COUNT };

const rp_workload_desc_t rp_workloads[] = {
    {"program", "write-verify a new pattern into every tile, then read it back"},
    {"mlp", "batched MVM inference of one MLP layer against a digital reference"},
    {"scan", "read back the array and check it against the last pattern"},
    {"solver", "solve Ax=b: analog MVM iterations with digital refinement"},
    {NULL, NULL},
};

uint32_t rp_workload_count(void)
{
    return PRV_WL_COUNT;
}

int rp_workload_find(const char *name)
{
    if (name == NULL) {
        return -1;
    }
    for (int i = 0; i < PRV_WL_COUNT; i++) {
        if (strcmp(rp_workloads[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* Boards that model time (the sim board) replace this. */
__attribute__((weak)) void rp_workload_board_compute(uint32_t macs)
{
    (void)macs;
}

/* ---- names shown in reports ----------------------------------------------------- */

static rp_name_t prv_span_program = RP_NAME("program_weights");
static rp_name_t prv_span_scan = RP_NAME("scan_readback");
static rp_name_t prv_span_mlp = RP_NAME("mlp_batch");
static rp_name_t prv_span_solver = RP_NAME("solver_iter");
static rp_name_t prv_compute_mlp = RP_NAME("mlp_reference");
static rp_name_t prv_compute_residual = RP_NAME("solver_residual");
static rp_name_t prv_compute_update = RP_NAME("solver_update");

/* ---- state ---------------------------------------------------------------------- */

typedef enum prv_kind {
    PRV_PAT_NONE = 0,    /* unknown contents */
    PRV_PAT_RANDOM,      /* uniform random levels (program, scan, mlp) */
    PRV_PAT_SOLVER       /* the solver's matrix, transposed */
} prv_kind_t;

/* What a tile holds: rows x cols from (0, 0) follow the pattern. */
typedef struct prv_tile {
    uint8_t kind;
    uint16_t rows, cols;
    uint64_t seed;
    uint32_t failed;     /* cells write-verify gave up on */
} prv_tile_t;

typedef enum prv_phase {
    PRV_PH_IDLE = 0,
    PRV_PH_PROGRAM,
    PRV_PH_SCAN,
    PRV_PH_MLP,
    PRV_PH_SOLVE,
    PRV_PH_DONE
} prv_phase_t;

static prv_tile_t prv_tiles[PRV_MAX_TILES];

static struct {
    bool busy;
    int index;
    uint64_t seed;
    uint32_t run;
    prv_phase_t phase;
    prv_phase_t after_program;    /* phase that follows PROGRAM */
    rp_array_info_t info;
    uint32_t levels;
    uint8_t tiles;                /* tiles in use */
    uint16_t cols;                /* row segment width in use */
    rp_name_t *open_span;
    int hal_rc;                   /* first HAL error of the run */

    /* PROGRAM: tiles [tile, tile_end), rows x cols each */
    struct {
        uint8_t tile, tile_end;
        uint16_t row, rows, cols;
        uint8_t kind;
        uint64_t seed;
        uint32_t failed;          /* of the current tile */
        uint32_t failed_total;
    } pg;

    /* SCAN: every tile with a known pattern */
    struct {
        uint8_t tile;
        uint16_t row;
        uint32_t wrong_tile;
        uint64_t cells, wrong, unexplained;
    } sc;

    /* MLP */
    struct {
        uint16_t in, out;
        uint32_t vec;
        double err2, ref2;
    } mlp;

    /* SOLVE */
    struct {
        uint8_t tile;
        uint16_t n;
        uint32_t iter;
        double bnorm2;
        double rel;
    } sv;
} prv_wl;

/* Vectors too large for the struct above. */
static uint8_t prv_row_buf[PRV_MAX_COLS];
static uint8_t prv_levels_buf[PRV_MAX_COLS];
static int8_t prv_x[PRV_MAX_ROWS];
static int32_t prv_y[PRV_MAX_COLS];
static int32_t prv_ref[PRV_MAX_COLS];   /* mlp digital reference */
static double prv_sx[PRV_SOLVER_MAX_N], prv_sb[PRV_SOLVER_MAX_N];
static double prv_sr[PRV_SOLVER_MAX_N], prv_sd[PRV_SOLVER_MAX_N];
static double prv_sad[PRV_SOLVER_MAX_N];

/* ---- small helpers ---------------------------------------------------------------- */

static uint64_t prv_mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t prv_hash4(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return prv_mix(prv_mix(prv_mix(seed ^ a) ^ b) ^ c);
}

/* Uniform in [0, 1) from a hash. */
static double prv_unit(uint64_t h)
{
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* Square root without libm (the firmware core links no maths library).
 * NaN stays NaN, so a diverged solver cannot look converged. */
static double prv_sqrt(double v)
{
    if (v != v) {
        return v;
    }
    if (!(v > 0.0)) {
        return 0.0;
    }
    double r = v > 1.0 ? v : 1.0;
    for (int i = 0; i < 200; i++) {
        double next = 0.5 * (r + v / r);
        if (next >= r) {
            break;
        }
        r = next;
    }
    return r;
}

static int64_t prv_ppm(double ratio)
{
    if (!(ratio >= 0.0)) {
        return INT64_MAX;   /* NaN: as bad as it gets */
    }
    double ppm = ratio * 1e6 + 0.5;
    return ppm >= 9.2e18 ? INT64_MAX : (int64_t)ppm;
}

/* One 64-bit mix of a row key and a word index (two multiply-xorshift
 * rounds). Patterns are generated row by row, often, so one mix serves
 * several cells. */
static uint64_t prv_word_hash(uint64_t row_key, uint32_t word)
{
    uint64_t z = row_key ^ ((uint64_t)word * 0x9E3779B97F4A7C15ull);
    z *= 0xD6E8FEB86659FD93ull;
    z ^= z >> 32;
    z *= 0xD6E8FEB86659FD93ull;
    return z ^ (z >> 29);
}

/* Fills out[0..cols) with the levels of row `row` of a pattern; n is the
 * solver matrix order. */
static void prv_pattern_row(uint8_t kind, uint64_t seed, uint8_t tile, uint16_t n, uint16_t row,
                            uint16_t cols, uint8_t *out)
{
    const uint64_t key = prv_hash4(seed, tile, row, kind);
    const uint32_t lmax = prv_wl.levels - 1u;
    uint64_t h = 0;
    if (kind == PRV_PAT_SOLVER) {
        /* Cell (row j, col i) holds A[i][j]: MVM sums over rows, so the
         * output on column i is (A d)_i. A has lmax on its diagonal and
         * level-1 entries with probability lmax / (2 (n - 1)) (16-bit
         * resolution), so rows are diagonally dominant on average
         * (off-diagonal sum ~ lmax / 2). */
        uint32_t p16 = 0;
        if (lmax >= 2u && n >= 2u) {
            p16 = (uint32_t)(65536u * lmax / (2u * (uint32_t)(n - 1u)));
        }
        for (uint16_t c = 0; c < cols; c++) {
            if ((c & 3u) == 0u) {
                h = prv_word_hash(key, c >> 2);
            }
            uint32_t u = (uint32_t)(h >> (16u * (c & 3u))) & 0xFFFFu;
            out[c] = c == row ? (uint8_t)lmax : (u < p16 ? 1u : 0u);
        }
        return;
    }
    /* One byte per cell; levels is a power of two <= 256, so masking
     * keeps the levels uniform. */
    for (uint16_t c = 0; c < cols; c++) {
        if ((c & 7u) == 0u) {
            h = prv_word_hash(key, c >> 3);
        }
        out[c] = (uint8_t)((h >> (8u * (c & 7u))) & lmax);
    }
}

/* Appends text to a fixed detail buffer (no stdio in the core). */
static void prv_put(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    while (*s != '\0' && n + 1u < cap) {
        buf[n++] = *s++;
    }
    buf[n] = '\0';
}

static void prv_put_i64(char *buf, size_t cap, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u != 0u);
    if (v < 0) {
        tmp[n++] = '-';
    }
    char out[24];
    for (int i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    out[n] = '\0';
    prv_put(buf, cap, out);
}

static void prv_kv(char *buf, size_t cap, const char *key, int64_t v)
{
    if (buf[0] != '\0') {
        prv_put(buf, cap, " ");
    }
    prv_put(buf, cap, key);
    prv_put(buf, cap, "=");
    prv_put_i64(buf, cap, v);
}

static void prv_span_open(rp_name_t *name)
{
    rp_span_begin(name);
    prv_wl.open_span = name;
}

static void prv_span_close(void)
{
    if (prv_wl.open_span != NULL) {
        rp_span_end(prv_wl.open_span);
        prv_wl.open_span = NULL;
    }
}

static void prv_note_rc(int rc)
{
    if (rc != RP_OK && prv_wl.hal_rc == RP_OK) {
        prv_wl.hal_rc = rc;
    }
}

/* ---- PROGRAM ---------------------------------------------------------------- */

static void prv_program_start(uint8_t tile, uint8_t tile_end, uint16_t rows, uint16_t cols,
                              uint8_t kind, uint64_t seed, prv_phase_t next)
{
    memset(&prv_wl.pg, 0, sizeof prv_wl.pg);
    prv_wl.pg.tile = tile;
    prv_wl.pg.tile_end = tile_end;
    prv_wl.pg.rows = rows;
    prv_wl.pg.cols = cols;
    prv_wl.pg.kind = kind;
    prv_wl.pg.seed = seed;
    prv_wl.after_program = next;
    prv_wl.phase = PRV_PH_PROGRAM;
    /* Contents are unknown until a tile is completely programmed. */
    for (uint8_t t = tile; t < tile_end; t++) {
        prv_tiles[t].kind = PRV_PAT_NONE;
    }
    prv_span_open(&prv_span_program);
}

/* Programs one row; returns true when the phase is over. */
static bool prv_program_step(void)
{
    uint8_t t = prv_wl.pg.tile;
    uint16_t row = prv_wl.pg.row;
    prv_pattern_row(prv_wl.pg.kind, prv_wl.pg.seed, t, prv_wl.pg.rows, row, prv_wl.pg.cols,
                    prv_row_buf);
    rp_wv_result_t res = {0u, 0u};
    int rc = rp_wv_program_row(t, row, 0u, prv_wl.pg.cols, prv_row_buf, PRV_WV_MAX_STEPS, &res);
    prv_note_rc(rc);
    if (rc != RP_OK) {
        prv_span_close();
        return true;
    }
    prv_wl.pg.failed += res.failed_cells;
    prv_wl.pg.failed_total += res.failed_cells;
    if (++prv_wl.pg.row < prv_wl.pg.rows) {
        return false;
    }
    prv_tile_t *d = &prv_tiles[t];
    d->kind = prv_wl.pg.kind;
    d->seed = prv_wl.pg.seed;
    d->rows = prv_wl.pg.rows;
    d->cols = prv_wl.pg.cols;
    d->failed = prv_wl.pg.failed;
    prv_wl.pg.row = 0u;
    prv_wl.pg.failed = 0u;
    if (++prv_wl.pg.tile < prv_wl.pg.tile_end) {
        return false;
    }
    prv_span_close();
    return true;
}

/* ---- SCAN ------------------------------------------------------------------- */

static bool prv_any_known(void)
{
    for (uint8_t t = 0; t < prv_wl.tiles; t++) {
        if (prv_tiles[t].kind != PRV_PAT_NONE) {
            return true;
        }
    }
    return false;
}

/* Moves the scan cursor to the next tile holding a known pattern, from
 * tile `from`; returns false if there is none. */
static bool prv_scan_seek(uint8_t from)
{
    for (uint8_t t = from; t < prv_wl.tiles; t++) {
        if (prv_tiles[t].kind != PRV_PAT_NONE) {
            prv_wl.sc.tile = t;
            prv_wl.sc.row = 0u;
            prv_wl.sc.wrong_tile = 0u;
            return true;
        }
    }
    return false;
}

static void prv_scan_start(void)
{
    memset(&prv_wl.sc, 0, sizeof prv_wl.sc);
    prv_wl.phase = PRV_PH_SCAN;
    prv_span_open(&prv_span_scan);
    if (!prv_scan_seek(0u)) {
        prv_wl.phase = PRV_PH_DONE;
        prv_span_close();
    }
}

static void prv_scan_step(void)
{
    const prv_tile_t *d = &prv_tiles[prv_wl.sc.tile];
    uint8_t t = prv_wl.sc.tile;
    uint16_t row = prv_wl.sc.row;
    int rc = rp_xbar_read(t, row, 0u, d->cols, prv_levels_buf);
    prv_note_rc(rc);
    if (rc != RP_OK) {
        prv_span_close();
        prv_wl.phase = PRV_PH_DONE;
        return;
    }
    prv_pattern_row(d->kind, d->seed, t, d->rows, row, d->cols, prv_row_buf);
    for (uint16_t c = 0; c < d->cols; c++) {
        if (prv_levels_buf[c] != prv_row_buf[c]) {
            prv_wl.sc.wrong_tile++;
        }
    }
    prv_wl.sc.cells += d->cols;
    if (++prv_wl.sc.row < d->rows) {
        return;
    }
    /* Every wrong cell must be one write-verify reported as failed. */
    prv_wl.sc.wrong += prv_wl.sc.wrong_tile;
    if (prv_wl.sc.wrong_tile > d->failed) {
        prv_wl.sc.unexplained += prv_wl.sc.wrong_tile - d->failed;
    }
    if (!prv_scan_seek((uint8_t)(t + 1u))) {
        prv_span_close();
        prv_wl.phase = PRV_PH_DONE;
    }
}

/* ---- MLP ------------------------------------------------------------------------ */

static bool prv_mlp_weights_present(void)
{
    const prv_tile_t *d = &prv_tiles[0];
    return d->kind == PRV_PAT_RANDOM && d->seed == prv_wl.seed && d->rows >= prv_wl.mlp.in &&
           d->cols >= prv_wl.mlp.out;
}

static void prv_mlp_start(void)
{
    prv_wl.mlp.vec = 0u;
    prv_wl.mlp.err2 = 0.0;
    prv_wl.mlp.ref2 = 0.0;
    prv_wl.phase = PRV_PH_MLP;
    prv_span_open(&prv_span_mlp);
}

/* One input vector of the batch: analog MVM, then the exact integer
 * reference. Weights are signed: level L stands for 2L - lmax (odd values
 * symmetric around 0), so the layer output is 2y - lmax * sum(x). */
static void prv_mlp_step(void)
{
    const uint16_t in = prv_wl.mlp.in, out = prv_wl.mlp.out;
    const int32_t lmax = (int32_t)prv_wl.levels - 1;
    const int32_t qmax = (1 << (prv_wl.info.input_bits - 1u)) - 1;
    int32_t xsum = 0;
    for (uint16_t i = 0; i < in; i++) {
        uint64_t h = prv_hash4(prv_wl.seed, prv_wl.run, prv_wl.mlp.vec, i);
        int32_t v = (int32_t)(h % (uint64_t)(2 * qmax + 2)) - (qmax + 1);
        prv_x[i] = (int8_t)v;
        xsum += v;
    }
    int rc = rp_xbar_mvm(0u, 0u, in, 0u, out, prv_x, prv_y);
    prv_note_rc(rc);
    if (rc != RP_OK) {
        prv_span_close();
        prv_wl.phase = PRV_PH_DONE;
        return;
    }

    uint64_t t0 = rp_hal_timer_now();
    for (uint16_t j = 0; j < out; j++) {
        prv_ref[j] = 0;
    }
    for (uint16_t i = 0; i < in; i++) {
        prv_pattern_row(PRV_PAT_RANDOM, prv_wl.seed, 0u, 0u, i, out, prv_row_buf);
        for (uint16_t j = 0; j < out; j++) {
            prv_ref[j] += (2 * (int32_t)prv_row_buf[j] - lmax) * prv_x[i];
        }
    }
    for (uint16_t j = 0; j < out; j++) {
        int64_t ref = prv_ref[j];
        int64_t est = 2 * (int64_t)prv_y[j] - (int64_t)lmax * xsum;
        double e = (double)(est - ref);
        prv_wl.mlp.err2 += e * e;
        prv_wl.mlp.ref2 += (double)ref * (double)ref;
        /* The layer's activation (ReLU) on the analog result. */
        prv_y[j] = est > 0 ? (int32_t)est : 0;
    }
    rp_workload_board_compute((uint32_t)in * out + out);
    rp_compute_mark(&prv_compute_mlp, t0, rp_hal_timer_now());

    if (++prv_wl.mlp.vec >= PRV_MLP_BATCH) {
        prv_span_close();
        prv_wl.phase = PRV_PH_DONE;
    }
}

/* ---- SOLVE ------------------------------------------------------------------------ */

static bool prv_solver_matrix_present(void)
{
    const prv_tile_t *d = &prv_tiles[prv_wl.sv.tile];
    return d->kind == PRV_PAT_SOLVER && d->seed == prv_wl.seed && d->rows == prv_wl.sv.n &&
           d->cols == prv_wl.sv.n;
}

static void prv_solve_start(void)
{
    const uint16_t n = prv_wl.sv.n;
    prv_wl.sv.iter = 0u;
    prv_wl.sv.bnorm2 = 0.0;
    prv_wl.sv.rel = 1.0;
    for (uint16_t i = 0; i < n; i++) {
        prv_sb[i] = 2.0 * prv_unit(prv_hash4(prv_wl.seed, prv_wl.run, 0x5u, i)) - 1.0;
        prv_sx[i] = 0.0;
        prv_wl.sv.bnorm2 += prv_sb[i] * prv_sb[i];
    }
    prv_wl.phase = PRV_PH_SOLVE;
}

/* Analog estimate of A d: d scaled into the signed input range, one MVM,
 * scaled back. Returns a HAL error or RP_OK. */
static int prv_solver_analog_ad(const double *d, double *ad)
{
    const uint16_t n = prv_wl.sv.n;
    const double qmax = (double)((1 << (prv_wl.info.input_bits - 1u)) - 1);
    double dmax = 0.0;
    for (uint16_t i = 0; i < n; i++) {
        double a = d[i] < 0.0 ? -d[i] : d[i];
        if (a > dmax) {
            dmax = a;
        }
    }
    if (dmax == 0.0) {
        for (uint16_t i = 0; i < n; i++) {
            ad[i] = 0.0;
        }
        return RP_OK;
    }
    double scale = dmax / qmax;
    for (uint16_t i = 0; i < n; i++) {
        double q = d[i] / scale;
        prv_x[i] = (int8_t)(q < 0.0 ? q - 0.5 : q + 0.5);
    }
    int rc = rp_xbar_mvm(prv_wl.sv.tile, 0u, n, 0u, n, prv_x, prv_y);
    if (rc != RP_OK) {
        return rc;
    }
    for (uint16_t i = 0; i < n; i++) {
        ad[i] = (double)prv_y[i] * scale;
    }
    return RP_OK;
}

/* One refinement iteration: exact residual r = b - A x (digital), then a
 * correction d ~ A^-1 r from a few Jacobi-preconditioned Richardson
 * iterations d += D^-1 (r - A d) whose A d comes from the analog array,
 * then x += d. The low-precision inner solve only has to shrink the error
 * by a constant factor; the digital residual makes the result exact. */
static void prv_solve_step(void)
{
    const uint16_t n = prv_wl.sv.n;
    prv_span_open(&prv_span_solver);

    /* r = b - A x with the exact matrix, as the MCU knows it; row j of
     * the pattern is column j of A. */
    uint64_t t0 = rp_hal_timer_now();
    for (uint16_t i = 0; i < n; i++) {
        prv_sr[i] = prv_sb[i];
    }
    for (uint16_t j = 0; j < n; j++) {
        prv_pattern_row(PRV_PAT_SOLVER, prv_wl.seed, prv_wl.sv.tile, n, j, n, prv_row_buf);
        for (uint16_t i = 0; i < n; i++) {
            prv_sr[i] -= (double)prv_row_buf[i] * prv_sx[j];
        }
    }
    double r2 = 0.0;
    for (uint16_t i = 0; i < n; i++) {
        r2 += prv_sr[i] * prv_sr[i];
    }
    rp_workload_board_compute((uint32_t)n * n);
    rp_compute_mark(&prv_compute_residual, t0, rp_hal_timer_now());

    double rel = prv_wl.sv.bnorm2 > 0.0 ? prv_sqrt(r2 / prv_wl.sv.bnorm2) : 0.0;
    prv_wl.sv.rel = rel;
    if (rel <= PRV_SOLVER_TOL || prv_wl.sv.iter >= PRV_SOLVER_MAX_ITERS || !(rel < 1e12)) {
        prv_span_close();
        prv_wl.phase = PRV_PH_DONE;
        return;
    }

    const double diag = (double)(prv_wl.levels - 1u);
    for (uint16_t i = 0; i < n; i++) {
        prv_sd[i] = prv_sr[i] / diag;
    }
    for (uint32_t k = 0; k < PRV_SOLVER_INNER; k++) {
        int rc = prv_solver_analog_ad(prv_sd, prv_sad);
        prv_note_rc(rc);
        if (rc != RP_OK) {
            prv_span_close();
            prv_wl.phase = PRV_PH_DONE;
            return;
        }
        t0 = rp_hal_timer_now();
        for (uint16_t i = 0; i < n; i++) {
            prv_sd[i] += (prv_sr[i] - prv_sad[i]) / diag;
        }
        rp_workload_board_compute(n);
        rp_compute_mark(&prv_compute_update, t0, rp_hal_timer_now());
    }
    for (uint16_t i = 0; i < n; i++) {
        prv_sx[i] += prv_sd[i];
    }
    prv_wl.sv.iter++;
    prv_span_close();
}

/* ---- results ------------------------------------------------------------------------ */

static void prv_result(rp_workload_result_t *r)
{
    memset(r, 0, sizeof *r);
    char *dt = r->detail;
    const size_t cap = sizeof r->detail;
    if (prv_wl.hal_rc != RP_OK) {
        r->passed = false;
        r->error_ppm = 1000000;
        prv_put(dt, cap, "hal error ");
        prv_put_i64(dt, cap, prv_wl.hal_rc);
        return;
    }
    switch (prv_wl.index) {
    case PRV_WL_PROGRAM:
    case PRV_WL_SCAN: {
        uint64_t cells = prv_wl.sc.cells;
        r->error_ppm = cells ? prv_ppm((double)prv_wl.sc.wrong / (double)cells) : 1000000;
        r->passed = cells != 0u && prv_wl.sc.unexplained == 0u &&
                    r->error_ppm <= PRV_PROGRAM_MAX_PPM;
        prv_kv(dt, cap, "cells", (int64_t)cells);
        prv_kv(dt, cap, "wrong", (int64_t)prv_wl.sc.wrong);
        prv_kv(dt, cap, "unexplained", (int64_t)prv_wl.sc.unexplained);
        break;
    }
    case PRV_WL_MLP: {
        double ratio = prv_wl.mlp.ref2 > 0.0 ? prv_sqrt(prv_wl.mlp.err2 / prv_wl.mlp.ref2) : 1.0;
        r->error_ppm = prv_ppm(ratio);
        r->passed = r->error_ppm <= PRV_MLP_MAX_PPM;
        prv_kv(dt, cap, "batch", PRV_MLP_BATCH);
        prv_kv(dt, cap, "in", prv_wl.mlp.in);
        prv_kv(dt, cap, "out", prv_wl.mlp.out);
        prv_kv(dt, cap, "rel_rms_ppm", r->error_ppm);
        break;
    }
    case PRV_WL_SOLVER:
        r->error_ppm = prv_ppm(prv_wl.sv.rel);
        r->passed = prv_wl.sv.rel <= PRV_SOLVER_TOL;
        prv_kv(dt, cap, "n", prv_wl.sv.n);
        prv_kv(dt, cap, "iters", prv_wl.sv.iter);
        prv_kv(dt, cap, "resid_ppb", prv_ppm(prv_wl.sv.rel * 1000.0));
        break;
    default:
        break;
    }
}

/* ---- the API -------------------------------------------------------------------------- */

static uint16_t prv_min16(uint32_t a, uint32_t b)
{
    uint32_t m = a < b ? a : b;
    return (uint16_t)(m > 0xFFFFu ? 0xFFFFu : m);
}

int rp_workload_begin(int index, uint64_t seed, uint32_t run)
{
    if (index < 0 || index >= PRV_WL_COUNT) {
        return RP_ERR_NOT_FOUND;
    }
    rp_workload_abort();
    memset(&prv_wl, 0, sizeof prv_wl);
    prv_wl.index = index;
    prv_wl.seed = seed;
    prv_wl.run = run;
    prv_wl.busy = true;

    int rc = rp_hal_xbar_info(&prv_wl.info);
    if (rc != RP_OK || prv_wl.info.tiles == 0u || prv_wl.info.rows == 0u ||
        prv_wl.info.cols == 0u || prv_wl.info.bits_per_cell == 0u ||
        prv_wl.info.bits_per_cell > 8u || prv_wl.info.input_bits < 2u ||
        prv_wl.info.input_bits > 8u) {
        prv_wl.hal_rc = rc != RP_OK ? rc : RP_ERR_UNSUPPORTED;
        prv_wl.phase = PRV_PH_DONE;
        return RP_OK;
    }
    prv_wl.levels = 1u << prv_wl.info.bits_per_cell;
    prv_wl.tiles = (uint8_t)(prv_wl.info.tiles < PRV_MAX_TILES ? prv_wl.info.tiles
                                                                  : PRV_MAX_TILES);
    prv_wl.cols = prv_min16(prv_wl.info.cols, PRV_MAX_COLS);
    uint16_t rows = prv_min16(prv_wl.info.rows, 0xFFFFu);

    switch (index) {
    case PRV_WL_PROGRAM:
        /* A new pattern every run, so every run really programs. */
        prv_program_start(0u, prv_wl.tiles, rows, prv_wl.cols, PRV_PAT_RANDOM,
                          prv_mix(seed ^ ((uint64_t)run << 32)), PRV_PH_SCAN);
        break;
    case PRV_WL_SCAN:
        if (prv_any_known()) {
            prv_scan_start();
        } else {
            prv_program_start(0u, prv_wl.tiles, rows, prv_wl.cols, PRV_PAT_RANDOM, seed,
                              PRV_PH_SCAN);
        }
        break;
    case PRV_WL_MLP:
        prv_wl.mlp.in = prv_min16(prv_wl.info.rows, PRV_MLP_MAX_IN);
        prv_wl.mlp.out = prv_min16(prv_wl.cols, PRV_MLP_MAX_OUT);
        if (prv_mlp_weights_present()) {
            prv_mlp_start();
        } else {
            prv_program_start(0u, 1u, prv_wl.mlp.in, prv_wl.mlp.out, PRV_PAT_RANDOM, seed,
                              PRV_PH_MLP);
        }
        break;
    case PRV_WL_SOLVER:
        /* The last tile, so the mlp weights in tile 0 survive. */
        prv_wl.sv.tile = (uint8_t)(prv_wl.tiles - 1u);
        prv_wl.sv.n = prv_min16(prv_min16(prv_wl.info.rows, prv_wl.cols), PRV_SOLVER_MAX_N);
        if (prv_solver_matrix_present()) {
            prv_solve_start();
        } else {
            prv_program_start(prv_wl.sv.tile, (uint8_t)(prv_wl.sv.tile + 1u), prv_wl.sv.n,
                              prv_wl.sv.n, PRV_PAT_SOLVER, seed, PRV_PH_SOLVE);
        }
        break;
    default:
        break;
    }
    return RP_OK;
}

rp_workload_state_t rp_workload_step(rp_workload_result_t *result)
{
    if (!prv_wl.busy) {
        if (result != NULL) {
            memset(result, 0, sizeof *result);
            prv_put(result->detail, sizeof result->detail, "not running");
        }
        return RP_WORKLOAD_DONE;
    }
    switch (prv_wl.phase) {
    case PRV_PH_PROGRAM:
        if (prv_program_step()) {
            if (prv_wl.hal_rc != RP_OK) {
                prv_wl.phase = PRV_PH_DONE;
            } else if (prv_wl.after_program == PRV_PH_SCAN) {
                prv_scan_start();
            } else if (prv_wl.after_program == PRV_PH_MLP) {
                prv_mlp_start();
            } else {
                prv_solve_start();
            }
        }
        break;
    case PRV_PH_SCAN:
        prv_scan_step();
        break;
    case PRV_PH_MLP:
        prv_mlp_step();
        break;
    case PRV_PH_SOLVE:
        prv_solve_step();
        break;
    default:
        break;
    }
    if (prv_wl.phase != PRV_PH_DONE) {
        return RP_WORKLOAD_RUNNING;
    }
    if (result != NULL) {
        prv_result(result);
    }
    prv_wl.busy = false;
    prv_wl.phase = PRV_PH_IDLE;
    return RP_WORKLOAD_DONE;
}

bool rp_workload_busy(void)
{
    return prv_wl.busy;
}

void rp_workload_abort(void)
{
    prv_span_close();
    prv_wl.busy = false;
    prv_wl.phase = PRV_PH_IDLE;
}

void rp_workload_reset(void)
{
    rp_workload_abort();
    memset(prv_tiles, 0, sizeof prv_tiles);
}
