/* The sim board's HAL: virtual clock + simulated crossbar. Contract and
 * timing rules in sim_hal.h. */
#include "sim_hal.h"

#include <stdio.h>
#include <string.h>

#include "rp_port.h"
#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_hal_xbar.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_workload.h"

#ifndef RRAMPROF_VERSION
#define RRAMPROF_VERSION "0.0.0"
#endif

/* Clock rate before init: a typical Cortex-M clock. */
#define PRV_DEFAULT_HZ 100000000ull
#define PRV_PS_PER_S 1000000000000ull

uint64_t rp_sim_hal_ticks;

static struct {
    rp_xmodel_t *model;
    rp_xmodel_params_t params;
    uint64_t hz;
    uint64_t boot_id;
    rp_reset_cause_t reset_cause;
    char model_name[RP_XMODEL_NAME_MAX + 8];
    rp_sim_truth_fn truth;
    void *truth_ctx;
} prv_hal = {.hz = PRV_DEFAULT_HZ, .reset_cause = RP_RESET_POWER_ON};

static uint64_t prv_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int rp_sim_hal_init(const rp_xmodel_params_t *p, uint64_t seed, char *err, size_t errlen)
{
    rp_xmodel_t *m = NULL;
    int rc = rp_xmodel_create(p, seed, &m, err, errlen);
    if (rc != RP_OK) {
        return rc;
    }
    rp_xmodel_destroy(prv_hal.model);
    prv_hal.model = m;
    prv_hal.params = *p;
    prv_hal.hz = p->mcu_clock_hz;
    prv_hal.boot_id = prv_mix(seed + 0x9E3779B97F4A7C15ull);
    prv_hal.reset_cause = RP_RESET_POWER_ON;
    snprintf(prv_hal.model_name, sizeof prv_hal.model_name, "sim:%s", p->name);
    rp_sim_hal_ticks = 0u;
    return RP_OK;
}

void rp_sim_hal_deinit(void)
{
    rp_xmodel_destroy(prv_hal.model);
    prv_hal.model = NULL;
    prv_hal.hz = PRV_DEFAULT_HZ;
}

uint64_t rp_sim_hal_now(void)
{
    return rp_sim_hal_ticks;
}

void rp_sim_hal_advance(uint64_t ticks)
{
    rp_sim_hal_ticks += ticks;
}

uint64_t rp_sim_hal_ps_to_ticks(uint64_t ps)
{
    /* ceil(ps * hz / 1e12); the product needs more than 64 bits. */
    __extension__ typedef unsigned __int128 prv_u128;
    prv_u128 num = (prv_u128)ps * prv_hal.hz + (PRV_PS_PER_S - 1u);
    return (uint64_t)(num / PRV_PS_PER_S);
}

const rp_xmodel_params_t *rp_sim_hal_params(void)
{
    return prv_hal.model != NULL ? &prv_hal.params : NULL;
}

rp_xmodel_t *rp_sim_hal_model(void)
{
    return prv_hal.model;
}

void rp_sim_hal_set_boot_id(uint64_t id)
{
    prv_hal.boot_id = id;
}

void rp_sim_hal_reset(rp_reset_cause_t cause)
{
    prv_hal.boot_id = prv_mix(prv_hal.boot_id);
    prv_hal.reset_cause = cause;
}

void rp_sim_hal_set_truth(rp_sim_truth_fn fn, void *ctx)
{
    prv_hal.truth = fn;
    prv_hal.truth_ctx = ctx;
}

/* Advances the clock by one operation and reports it to the truth hook. */
static void prv_finish(rp_sim_truth_t *t, uint64_t duration_ps)
{
    t->start = rp_sim_hal_ticks;
    t->duration_ps = duration_ps;
    t->duration = rp_sim_hal_ps_to_ticks(duration_ps);
    rp_sim_hal_ticks += t->duration;
    if (prv_hal.truth != NULL) {
        prv_hal.truth(prv_hal.truth_ctx, t);
    }
}

static rp_sim_truth_t prv_truth(uint8_t op, uint8_t tile, uint16_t row, uint16_t rows,
                                uint16_t col, uint16_t cols)
{
    rp_sim_truth_t t;
    memset(&t, 0, sizeof t);
    t.op = op;
    t.tile = tile;
    t.row = row;
    t.rows = rows;
    t.col = col;
    t.cols = cols;
    return t;
}

/* ---- rp_hal_timer.h ------------------------------------------------------- */

uint64_t rp_hal_timer_now(void)
{
    return rp_sim_hal_ticks;
}

uint64_t rp_hal_timer_hz(void)
{
    return prv_hal.hz;
}

uint32_t rp_hal_timer_bits(void)
{
    return 64u;
}

/* The virtual clock is the crossbar model's time line (and the --truth
 * file's): it never goes back. The sim is deterministic without it. */
bool rp_hal_timer_restart(void)
{
    return false;
}

/* ---- rp_hal_board.h ------------------------------------------------------- */

const char *rp_hal_board_name(void)
{
    return RP_SIM_HAL_BOARD_NAME;
}

const char *rp_hal_board_firmware_version(void)
{
    return RRAMPROF_VERSION;
}

uint64_t rp_hal_board_boot_id(void)
{
    return prv_hal.boot_id;
}

uint32_t rp_hal_board_counters_available(void)
{
    return 0u;   /* the virtual clock is the only counter */
}

/* Every start of the sim process powers the simulated board on; later
 * boots follow rp_sim_hal_reset. */
rp_reset_cause_t rp_hal_board_reset_cause(uint32_t *fatal_reason)
{
    *fatal_reason = 0u;
    return prv_hal.reset_cause;
}

/* ---- rp_workload.h board hook ------------------------------------------------ */

void rp_workload_board_compute(uint32_t macs)
{
    if (prv_hal.model != NULL) {
        rp_sim_hal_ticks += rp_sim_hal_ps_to_ticks((uint64_t)macs * prv_hal.params.mcu_mac_ps);
    }
}

/* ---- rp_hal_xbar.h ---------------------------------------------------------- */

int rp_hal_xbar_info(rp_array_info_t *out)
{
    if (out == NULL) {
        return RP_ERR_ARG;
    }
    if (prv_hal.model == NULL) {
        return RP_ERR_STATE;
    }
    rp_xmodel_describe(&prv_hal.params, prv_hal.model_name, out);
    return RP_OK;
}

int rp_hal_xbar_write_pulse(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                            const uint8_t *targets, const uint8_t *pulse_mask, uint8_t step)
{
    rp_sim_truth_t t = prv_truth(RP_OP_WRITE, tile, row, 1u, col, cols);
    uint64_t ps = 0;
    t.step = step;
    t.status = prv_hal.model == NULL
                   ? RP_ERR_STATE
                   : rp_xmodel_write_pulse(prv_hal.model, tile, row, col, cols, targets,
                                           pulse_mask, step, &ps);
    prv_finish(&t, ps);
    return t.status;
}

int rp_hal_xbar_verify(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                       const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending)
{
    rp_sim_truth_t t = prv_truth(RP_OP_VERIFY, tile, row, 1u, col, cols);
    uint64_t ps = 0;
    t.status = prv_hal.model == NULL
                   ? RP_ERR_STATE
                   : rp_xmodel_verify(prv_hal.model, tile, row, col, cols, targets,
                                      pending_mask, pending, &ps);
    prv_finish(&t, ps);
    return t.status;
}

int rp_hal_xbar_read(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols, uint8_t *levels)
{
    rp_sim_truth_t t = prv_truth(RP_OP_READ, tile, row, 1u, col, cols);
    uint64_t ps = 0;
    t.status = prv_hal.model == NULL
                   ? RP_ERR_STATE
                   : rp_xmodel_read(prv_hal.model, tile, row, col, cols, levels, &ps);
    prv_finish(&t, ps);
    return t.status;
}

int rp_hal_xbar_load_inputs(uint8_t tile, uint16_t row, uint16_t rows, const int8_t *x)
{
    rp_sim_truth_t t = prv_truth(RP_OP_TRANSFER, tile, row, rows, 0u, 0u);
    uint64_t ps = 0;
    t.bytes = rows;
    t.status = prv_hal.model == NULL
                   ? RP_ERR_STATE
                   : rp_xmodel_load_inputs(prv_hal.model, tile, row, rows, x, &ps);
    prv_finish(&t, ps);
    return t.status;
}

int rp_hal_xbar_mvm(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols)
{
    rp_sim_truth_t t = prv_truth(RP_OP_MVM, tile, row, rows, col, cols);
    uint64_t ps = 0;
    t.status = prv_hal.model == NULL
                   ? RP_ERR_STATE
                   : rp_xmodel_mvm(prv_hal.model, tile, row, rows, col, cols, &ps);
    prv_finish(&t, ps);
    return t.status;
}

int rp_hal_xbar_fetch_outputs(uint8_t tile, uint16_t col, uint16_t cols, int32_t *y)
{
    rp_sim_truth_t t = prv_truth(RP_OP_TRANSFER, tile, 0u, 0u, col, cols);
    uint64_t ps = 0;
    t.bytes = (uint32_t)cols * 4u;
    t.status = prv_hal.model == NULL
                   ? RP_ERR_STATE
                   : rp_xmodel_fetch_outputs(prv_hal.model, tile, col, cols, y, &ps);
    prv_finish(&t, ps);
    return t.status;
}
