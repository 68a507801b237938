/* Simulated RRAM crossbar: cell state, operations and their durations.
 * The physics is described in docs/crossbar-model.md. */
#include "rramprof/rp_xmodel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xm_rng.h"

/* Cells are kept as parallel arrays indexed [tile][row][col], so that the
 * MVM inner loop runs over contiguous conductances. */
struct rp_xmodel {
    rp_xmodel_params_t p;
    uint32_t levels;        /* 2^bits_per_cell */
    float *g;               /* conductance, level units */
    float *sens;            /* device-to-device pulse sensitivity */
    uint64_t *writes;       /* pulses received */
    uint8_t *stuck;
    int8_t *inputs;         /* [tile][row] input register */
    int32_t *outputs;       /* [tile][col] output register */
    double *colsum;         /* scratch, 2 x cols entries */
    xm_rng_t rng;           /* operation noise */
    bool in_caller_mem;     /* made by rp_xmodel_create_in: nothing to free */
};

/* Stream separation: the cell map (stuck cells, sensitivities) depends on
 * the seed only, not on the sequence of operations. */
#define XM_OPS_STREAM 0x6F70735F73747265ull

static size_t prv_idx(const rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col)
{
    return ((size_t)tile * m->p.rows + row) * m->p.cols + col;
}

static uint64_t prv_div_ceil(uint64_t a, uint64_t b)
{
    return (a + b - 1u) / b;
}

static void prv_set_duration(uint64_t *duration_ps, uint64_t v)
{
    if (duration_ps != NULL) {
        *duration_ps = v;
    }
}

/* Duration of an operation on `tile`: nominal, or stretched on a degraded
 * (hot) tile. Results do not change, only time. */
static uint64_t prv_tile_ps(const rp_xmodel_t *m, uint32_t tile, uint64_t ps)
{
    if (m->p.hot_tile < 0 || tile != (uint32_t)m->p.hot_tile || m->p.hot_tile_slowdown == 1.0) {
        return ps;
    }
    return (uint64_t)llround((double)ps * m->p.hot_tile_slowdown);
}

/* Region checks shared by every row-segment operation. */
static int prv_check_segment(const rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col,
                             uint32_t cols)
{
    if (cols == 0u) {
        return RP_ERR_ARG;
    }
    if (tile >= m->p.tiles || row >= m->p.rows || col >= m->p.cols ||
        cols > m->p.cols - col) {
        return RP_ERR_RANGE;
    }
    return RP_OK;
}

static int prv_check_rows(const rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t rows)
{
    if (rows == 0u) {
        return RP_ERR_ARG;
    }
    if (tile >= m->p.tiles || row >= m->p.rows || rows > m->p.rows - row) {
        return RP_ERR_RANGE;
    }
    return RP_OK;
}

uint64_t rp_xmodel_transfer_ps(const rp_xmodel_params_t *p, uint32_t bytes)
{
    /* bytes / (bytes per us) in us, times 1e6 ps per us. */
    double ps = (double)bytes * 1.0e6 / p->interface_bytes_per_us;
    return p->interface_overhead_ps + (uint64_t)llround(ps);
}

/* Bytes of a row segment's levels packed at bits_per_cell. */
static uint32_t prv_packed_levels_bytes(const rp_xmodel_t *m, uint32_t cols)
{
    return (uint32_t)prv_div_ceil((uint64_t)cols * m->p.bits_per_cell, 8u);
}

static uint64_t prv_read_ps(const rp_xmodel_t *m, uint32_t cols)
{
    uint64_t rounds = prv_div_ceil(cols, m->p.adcs_per_tile);
    return rp_xmodel_transfer_ps(&m->p, prv_packed_levels_bytes(m, cols)) +
           m->p.read_latency_ps + rounds * m->p.adc_conversion_ps;
}

/* Draws the cell map (sensitivities, stuck cells) of a model whose arrays
 * are allocated and zeroed. */
static void prv_init_cells(rp_xmodel_t *m, uint64_t seed)
{
    const rp_xmodel_params_t *p = &m->p;
    size_t ncells = (size_t)p->tiles * p->rows * p->cols;
    xm_rng_t map;
    prv_rng_seed(&map, seed);
    const float lmax = (float)(m->levels - 1u);
    for (size_t i = 0; i < ncells; i++) {
        m->sens[i] = (float)exp(p->d2d_sigma * prv_rng_normal(&map));
        /* Draw both numbers for every cell so the map of one rate is a
         * superset of the map of a lower rate with the same seed. */
        double u = prv_rng_uniform(&map);
        double side = prv_rng_uniform(&map);
        if (u < p->stuck_cell_rate) {
            /* Stuck-at-HRS and stuck-at-LRS are equally likely. */
            m->stuck[i] = 1u;
            m->g[i] = side < 0.5 ? 0.0f : lmax;
        }
    }
    prv_rng_seed(&m->rng, seed ^ XM_OPS_STREAM);
}

int rp_xmodel_create(const rp_xmodel_params_t *p, uint64_t seed, rp_xmodel_t **out,
                     char *err, size_t errlen)
{
    if (out == NULL) {
        return RP_ERR_ARG;
    }
    *out = NULL;
    int rc = rp_xmodel_params_validate(p, err, errlen);
    if (rc != RP_OK) {
        return rc;
    }
    rp_xmodel_t *m = calloc(1, sizeof *m);
    if (m == NULL) {
        return RP_ERR_NOSPACE;
    }
    m->p = *p;
    m->levels = 1u << p->bits_per_cell;
    size_t ncells = (size_t)p->tiles * p->rows * p->cols;
    m->g = calloc(ncells, sizeof *m->g);
    m->sens = calloc(ncells, sizeof *m->sens);
    m->writes = calloc(ncells, sizeof *m->writes);
    m->stuck = calloc(ncells, sizeof *m->stuck);
    m->inputs = calloc((size_t)p->tiles * p->rows, sizeof *m->inputs);
    m->outputs = calloc((size_t)p->tiles * p->cols, sizeof *m->outputs);
    m->colsum = calloc(2u * (size_t)p->cols, sizeof *m->colsum);
    if (m->g == NULL || m->sens == NULL || m->writes == NULL || m->stuck == NULL ||
        m->inputs == NULL || m->outputs == NULL || m->colsum == NULL) {
        rp_xmodel_destroy(m);
        return RP_ERR_NOSPACE;
    }
    prv_init_cells(m, seed);
    *out = m;
    return RP_OK;
}

/* Carves the next n bytes, aligned to 8, from a caller's block; NULL (and
 * *used past len) when they do not fit, so one pass both sizes and lays
 * out the model. */
static void *prv_carve(uint8_t *base, size_t len, size_t *used, size_t n)
{
    size_t at = (*used + 7u) & ~(size_t)7u;
    *used = at + n;
    return (base != NULL && *used <= len) ? base + at : NULL;
}

/* Lays the model and its arrays out in mem[0..len); returns the bytes that
 * needs (mem may be NULL to only count). */
static size_t prv_layout(const rp_xmodel_params_t *p, uint8_t *mem, size_t len,
                         rp_xmodel_t **out)
{
    size_t ncells = (size_t)p->tiles * p->rows * p->cols;
    size_t used = 0;
    rp_xmodel_t *m = prv_carve(mem, len, &used, sizeof *m);
    float *g = prv_carve(mem, len, &used, ncells * sizeof *m->g);
    float *sens = prv_carve(mem, len, &used, ncells * sizeof *m->sens);
    uint64_t *writes = prv_carve(mem, len, &used, ncells * sizeof *m->writes);
    uint8_t *stuck = prv_carve(mem, len, &used, ncells * sizeof *m->stuck);
    int8_t *inputs = prv_carve(mem, len, &used, (size_t)p->tiles * p->rows * sizeof *m->inputs);
    int32_t *outputs =
        prv_carve(mem, len, &used, (size_t)p->tiles * p->cols * sizeof *m->outputs);
    double *colsum = prv_carve(mem, len, &used, 2u * (size_t)p->cols * sizeof *m->colsum);
    if (out != NULL && mem != NULL && used <= len) {
        memset(mem, 0, used);
        m->g = g;
        m->sens = sens;
        m->writes = writes;
        m->stuck = stuck;
        m->inputs = inputs;
        m->outputs = outputs;
        m->colsum = colsum;
        *out = m;
    }
    return used;
}

size_t rp_xmodel_mem_size(const rp_xmodel_params_t *p)
{
    if (rp_xmodel_params_validate(p, NULL, 0u) != RP_OK) {
        return 0u;
    }
    return prv_layout(p, NULL, 0u, NULL);
}

int rp_xmodel_create_in(const rp_xmodel_params_t *p, uint64_t seed, void *mem, size_t len,
                        rp_xmodel_t **out, char *err, size_t errlen)
{
    if (out == NULL || mem == NULL || ((uintptr_t)mem & 7u) != 0u) {
        return RP_ERR_ARG;
    }
    *out = NULL;
    int rc = rp_xmodel_params_validate(p, err, errlen);
    if (rc != RP_OK) {
        return rc;
    }
    rp_xmodel_t *m = NULL;
    if (prv_layout(p, mem, len, &m) > len || m == NULL) {
        return RP_ERR_NOSPACE;
    }
    m->p = *p;
    m->levels = 1u << p->bits_per_cell;
    m->in_caller_mem = true;
    prv_init_cells(m, seed);
    *out = m;
    return RP_OK;
}

void rp_xmodel_destroy(rp_xmodel_t *m)
{
    if (m == NULL || m->in_caller_mem) {
        return;
    }
    free(m->g);
    free(m->sens);
    free(m->writes);
    free(m->stuck);
    free(m->inputs);
    free(m->outputs);
    free(m->colsum);
    free(m);
}

const rp_xmodel_params_t *rp_xmodel_params(const rp_xmodel_t *m)
{
    return m != NULL ? &m->p : NULL;
}

/* One pulse on one cell. The pulse closes a share of the gap to the
 * target; the share grows with the ISPP step (larger amplitude), is scaled
 * by the cell's sensitivity, capped at the whole gap, and spread by
 * cycle-to-cycle noise (which may overshoot). */
static void prv_pulse_cell(rp_xmodel_t *m, size_t i, uint8_t target, uint32_t step)
{
    if (m->writes[i] != UINT64_MAX) {
        m->writes[i]++;
    }
    if (m->stuck[i]) {
        return;
    }
    if (m->p.endurance_cycles != 0u && m->writes[i] > m->p.endurance_cycles) {
        m->stuck[i] = 1u;   /* worn out: stays where it is */
        return;
    }
    double gap = (double)target - (double)m->g[i];
    double share = (double)m->sens[i] *
                   (m->p.ispp_first_fraction + step * m->p.ispp_fraction_step);
    if (share > 1.0) {
        share = 1.0;
    }
    double move = gap * share;
    if (m->p.c2c_sigma > 0.0) {
        move *= 1.0 + m->p.c2c_sigma * prv_rng_normal(&m->rng);
    }
    double g = (double)m->g[i] + move;
    double lmax = (double)(m->levels - 1u);
    if (g < 0.0) {
        g = 0.0;
    } else if (g > lmax) {
        g = lmax;
    }
    m->g[i] = (float)g;
}

int rp_xmodel_write_pulse(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col,
                          uint32_t cols, const uint8_t *targets, const uint8_t *pulse_mask,
                          uint32_t step, uint64_t *duration_ps)
{
    prv_set_duration(duration_ps, 0u);
    if (m == NULL || targets == NULL || pulse_mask == NULL) {
        return RP_ERR_ARG;
    }
    int rc = prv_check_segment(m, tile, row, col, cols);
    if (rc != RP_OK) {
        return rc;
    }
    for (uint32_t i = 0; i < cols; i++) {
        if (targets[i] >= m->levels) {
            return RP_ERR_ARG;
        }
    }
    uint32_t pulsed = 0;
    for (uint32_t i = 0; i < cols; i++) {
        if (pulse_mask[i] != 0u) {
            prv_pulse_cell(m, prv_idx(m, tile, row, col + i), targets[i], step);
            pulsed++;
        }
    }
    /* Targets packed at bits_per_cell plus a one-bit-per-cell mask cross
     * the bus; then the drivers set up and pulse in groups. */
    uint32_t bytes = prv_packed_levels_bytes(m, cols) + (uint32_t)prv_div_ceil(cols, 8u);
    uint64_t t = rp_xmodel_transfer_ps(&m->p, bytes) + m->p.write_setup_ps +
                 prv_div_ceil(pulsed, m->p.write_parallel_cols) * m->p.write_pulse_ps;
    prv_set_duration(duration_ps, prv_tile_ps(m, tile, t));
    return RP_OK;
}

/* Sensed conductance of one cell: true value plus read noise. */
static double prv_sense(rp_xmodel_t *m, size_t i)
{
    double g = (double)m->g[i];
    if (m->p.read_noise_sigma > 0.0) {
        g += m->p.read_noise_sigma * prv_rng_normal(&m->rng);
    }
    return g;
}

int rp_xmodel_verify(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col,
                     uint32_t cols, const uint8_t *targets, uint8_t *pending_mask,
                     uint16_t *pending, uint64_t *duration_ps)
{
    prv_set_duration(duration_ps, 0u);
    if (m == NULL || targets == NULL || pending_mask == NULL || pending == NULL ||
        cols > UINT16_MAX) {
        return RP_ERR_ARG;
    }
    int rc = prv_check_segment(m, tile, row, col, cols);
    if (rc != RP_OK) {
        return rc;
    }
    for (uint32_t i = 0; i < cols; i++) {
        if (targets[i] >= m->levels) {
            return RP_ERR_ARG;
        }
    }
    uint16_t n = 0;
    for (uint32_t i = 0; i < cols; i++) {
        double g = prv_sense(m, prv_idx(m, tile, row, col + i));
        bool off = fabs(g - (double)targets[i]) > m->p.write_tolerance;
        pending_mask[i] = off ? 1u : 0u;
        n = (uint16_t)(n + (off ? 1u : 0u));
    }
    *pending = n;
    prv_set_duration(duration_ps, prv_tile_ps(m, tile, prv_read_ps(m, cols)));
    return RP_OK;
}

int rp_xmodel_read(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col, uint32_t cols,
                   uint8_t *levels, uint64_t *duration_ps)
{
    prv_set_duration(duration_ps, 0u);
    if (m == NULL || levels == NULL) {
        return RP_ERR_ARG;
    }
    int rc = prv_check_segment(m, tile, row, col, cols);
    if (rc != RP_OK) {
        return rc;
    }
    double lmax = (double)(m->levels - 1u);
    for (uint32_t i = 0; i < cols; i++) {
        double g = prv_sense(m, prv_idx(m, tile, row, col + i));
        double l = floor(g + 0.5);
        if (l < 0.0) {
            l = 0.0;
        } else if (l > lmax) {
            l = lmax;
        }
        levels[i] = (uint8_t)l;
    }
    prv_set_duration(duration_ps, prv_tile_ps(m, tile, prv_read_ps(m, cols)));
    return RP_OK;
}

int rp_xmodel_load_inputs(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t rows,
                          const int8_t *x, uint64_t *duration_ps)
{
    prv_set_duration(duration_ps, 0u);
    if (m == NULL || x == NULL) {
        return RP_ERR_ARG;
    }
    int rc = prv_check_rows(m, tile, row, rows);
    if (rc != RP_OK) {
        return rc;
    }
    const int lo = -(1 << (m->p.input_bits - 1u));
    const int hi = (1 << (m->p.input_bits - 1u)) - 1;
    for (uint32_t i = 0; i < rows; i++) {
        if (x[i] < lo || x[i] > hi) {
            return RP_ERR_ARG;
        }
    }
    memcpy(&m->inputs[(size_t)tile * m->p.rows + row], x, rows);
    prv_set_duration(duration_ps, prv_tile_ps(m, tile, rp_xmodel_transfer_ps(&m->p, rows)));
    return RP_OK;
}

int rp_xmodel_mvm(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t rows, uint32_t col,
                  uint32_t cols, uint64_t *duration_ps)
{
    prv_set_duration(duration_ps, 0u);
    if (m == NULL) {
        return RP_ERR_ARG;
    }
    int rc = prv_check_rows(m, tile, row, rows);
    if (rc == RP_OK) {
        rc = prv_check_segment(m, tile, 0, col, cols);
    }
    if (rc != RP_OK) {
        return rc;
    }
    const uint32_t ib = m->p.input_bits;
    const uint32_t in_mask = (1u << ib) - 1u;
    const double codes = (double)((1u << m->p.adc_bits) - 1u);
    /* The sense range follows the number of activated rows. */
    const double full_scale =
        m->p.adc_full_scale_frac * (double)rows * (double)(m->levels - 1u);
    const double lsb = full_scale / codes;
    const int8_t *x = &m->inputs[(size_t)tile * m->p.rows + row];
    double *acc = m->colsum;             /* shift-and-add result */
    double *slice = m->colsum + m->p.cols; /* one slice's column sums */

    for (uint32_t j = 0; j < cols; j++) {
        acc[j] = 0.0;
    }
    for (uint32_t s = 0; s < ib; s++) {
        const double weight = (s == ib - 1u) ? -(double)(1u << s) : (double)(1u << s);
        uint32_t active = 0;
        for (uint32_t j = 0; j < cols; j++) {
            slice[j] = 0.0;
        }
        for (uint32_t i = 0; i < rows; i++) {
            if (((((uint32_t)(uint8_t)x[i]) & in_mask) >> s) & 1u) {
                const float *g = &m->g[prv_idx(m, tile, row + i, col)];
                for (uint32_t j = 0; j < cols; j++) {
                    slice[j] += (double)g[j];
                }
                active++;
            }
        }
        for (uint32_t j = 0; j < cols; j++) {
            double a = slice[j];
            /* Independent read noise on each activated cell adds up to a
             * spread of sigma * sqrt(active) on the column. */
            if (active > 0u && m->p.read_noise_sigma > 0.0) {
                a += m->p.read_noise_sigma * sqrt((double)active) * prv_rng_normal(&m->rng);
            }
            double code = floor(a / lsb + 0.5);
            if (code < 0.0) {
                code = 0.0;
            } else if (code > codes) {
                code = codes;
            }
            acc[j] += weight * code * lsb;
        }
    }
    int32_t *y = &m->outputs[(size_t)tile * m->p.cols + col];
    for (uint32_t j = 0; j < cols; j++) {
        double v = floor(acc[j] + 0.5);
        if (v > (double)INT32_MAX) {
            v = (double)INT32_MAX;
        } else if (v < (double)INT32_MIN) {
            v = (double)INT32_MIN;
        }
        y[j] = (int32_t)v;
    }
    uint64_t rounds = prv_div_ceil(cols, m->p.adcs_per_tile);
    uint64_t t = m->p.read_latency_ps +
                 ib * (m->p.dac_settle_ps + rounds * m->p.adc_conversion_ps);
    prv_set_duration(duration_ps, prv_tile_ps(m, tile, t));
    return RP_OK;
}

int rp_xmodel_fetch_outputs(rp_xmodel_t *m, uint32_t tile, uint32_t col, uint32_t cols,
                            int32_t *y, uint64_t *duration_ps)
{
    prv_set_duration(duration_ps, 0u);
    if (m == NULL || y == NULL) {
        return RP_ERR_ARG;
    }
    int rc = prv_check_segment(m, tile, 0, col, cols);
    if (rc != RP_OK) {
        return rc;
    }
    memcpy(y, &m->outputs[(size_t)tile * m->p.cols + col], (size_t)cols * sizeof *y);
    prv_set_duration(duration_ps, prv_tile_ps(m, tile, rp_xmodel_transfer_ps(&m->p, cols * 4u)));
    return RP_OK;
}

int rp_xmodel_cell(const rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col,
                   rp_xmodel_cell_t *out)
{
    if (m == NULL || out == NULL) {
        return RP_ERR_ARG;
    }
    int rc = prv_check_segment(m, tile, row, col, 1u);
    if (rc != RP_OK) {
        return rc;
    }
    size_t i = prv_idx(m, tile, row, col);
    out->conductance = (double)m->g[i];
    out->sensitivity = (double)m->sens[i];
    out->writes = m->writes[i];
    out->stuck = m->stuck[i] != 0u;
    return RP_OK;
}
