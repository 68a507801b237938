/* Recorded crossbar operations; contract in rp_xbar.h.
 *
 * Each wrapper is: t0 = now, HAL call, t1 = now, one record. The timer is
 * read even when the recorder would filter the event, so a filtered call
 * costs the same as a recorded one apart from the ring copy.
 *
 * Hardware event counters (rp_xbar_priv.h) are sampled here, after each
 * operation and outside its [t0, t1], because an operation is where most
 * cycles go: sampling once per operation keeps the 8-bit DWT counters'
 * intervals as short as the core can make them without a timer interrupt.
 * The recorder's own hot path (rp_recorder_record) does not sample. */
#include "rramprof/rp_xbar.h"

#include <string.h>

#include "rp_port.h"
#include "rp_xbar_priv.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_status.h"

/* ---- hardware event counters ---- */

#ifndef RP_PORT_HW_COUNTERS
#define RP_PORT_HW_COUNTERS 0u   /* the port has none: sampling compiles out */
#endif

#define PRV_HW_N 6u   /* HwCounter bit i <-> index i */

typedef struct prv_hw {
    uint32_t on;                /* bits sampled now; 0 = not sampling */
    uint32_t valid;             /* bits sampled in the last session */
    uint32_t last[PRV_HW_N];    /* raw values at the previous sample */
    uint64_t total[PRV_HW_N];   /* deltas summed since rp_xbar_hw_start */
} prv_hw_t;

static prv_hw_t prv_hw;

uint32_t rp_xbar_hw_available(void)
{
#if RRAMPROF_ENABLED && RP_PORT_HW_COUNTERS != 0
    return rp_hal_board_counters_available() & (uint32_t)(RP_PORT_HW_COUNTERS);
#else
    return 0u;
#endif
}

#if RP_PORT_HW_COUNTERS != 0
/* CYCCNT wraps at 2^32, the other DWT counters at 2^8: a delta taken
 * modulo the width is right unless the counter went round between two
 * samples. Counters not sampled stay 0. */
static void prv_hw_sample_locked(void)
{
    uint32_t raw[PRV_HW_N];
    rp_port_hw_read(raw);
    for (uint32_t i = 0; i < PRV_HW_N; i++) {
        if ((prv_hw.on & (1u << i)) == 0u) {
            continue;
        }
        uint32_t delta = raw[i] - prv_hw.last[i];
        prv_hw.total[i] += i == 0u ? delta : (delta & 0xFFu);
        prv_hw.last[i] = raw[i];
    }
}
#endif

void rp_xbar_hw_sample(void)
{
#if RP_PORT_HW_COUNTERS != 0
    if (prv_hw.on == 0u) {
        return;
    }
    rp_port_irq_t s = rp_port_irq_save();
    prv_hw_sample_locked();
    rp_port_irq_restore(s);
#endif
}

void rp_xbar_hw_start(void)
{
    uint32_t avail = rp_xbar_hw_available();
    rp_port_irq_t s = rp_port_irq_save();
    memset(&prv_hw, 0, sizeof prv_hw);
#if RP_PORT_HW_COUNTERS != 0
    if (avail != 0u) {
        rp_port_hw_read(prv_hw.last);
        prv_hw.on = avail;
        prv_hw.valid = avail;
    }
#else
    (void)avail;
#endif
    rp_port_irq_restore(s);
}

void rp_xbar_hw_stop(void)
{
    rp_xbar_hw_sample();
    prv_hw.on = 0u;
}

void rp_xbar_hw_fill(rp_counters_t *out)
{
    rp_xbar_hw_sample();
    rp_port_irq_t s = rp_port_irq_save();
    uint64_t t[PRV_HW_N];
    for (uint32_t i = 0; i < PRV_HW_N; i++) {
        t[i] = (prv_hw.valid & (1u << i)) != 0u ? prv_hw.total[i] : 0u;
    }
    out->hw_valid = prv_hw.valid;
    rp_port_irq_restore(s);
    out->hw_cycles = t[0];
    out->hw_cpi = t[1];
    out->hw_exc = t[2];
    out->hw_sleep = t[3];
    out->hw_lsu = t[4];
    out->hw_fold = t[5];
}

/* ---- recorded operations ---- */

#if RRAMPROF_ENABLED

#if RP_PORT_HW_COUNTERS != 0
#define PRV_HW_SAMPLE() rp_xbar_hw_sample()
#else
#define PRV_HW_SAMPLE() ((void)0)
#endif

static uint8_t prv_status(int rc)
{
    if (rc == RP_OK) {
        return RP_STATUS_OK;
    }
    return rc == RP_ERR_RANGE ? RP_STATUS_OUT_OF_RANGE : RP_STATUS_HAL_ERROR;
}

/* One record for an operation that ran from t0 to t1. */
static void prv_record(uint8_t op, uint64_t t0, uint64_t t1, uint8_t tile, uint16_t row,
                       uint16_t rows, uint16_t col, uint16_t cols, uint8_t iterations,
                       uint8_t status, uint32_t arg)
{
    PRV_HW_SAMPLE();
    uint64_t d = t1 - t0;
    rp_record_t rec;
    rec.start = t0;
    rec.duration = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    rec.arg = arg;
    rec.op = op;
    rec.status = status;
    rec.tile = tile;
    rec.iterations = iterations;
    rec.row = row;
    rec.rows = rows;
    rec.col = col;
    rec.cols = cols;
    rp_recorder_record(&rec);
}

int rp_xbar_write_pulse(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                        const uint8_t *targets, const uint8_t *pulse_mask, uint8_t step)
{
    uint64_t t0 = rp_hal_timer_now();
    int rc = rp_hal_xbar_write_pulse(tile, row, col, cols, targets, pulse_mask, step);
    uint64_t t1 = rp_hal_timer_now();
    prv_record(RP_OP_WRITE, t0, t1, tile, row, 1u, col, cols, step, prv_status(rc), 0u);
    return rc;
}

int rp_xbar_verify_ex(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                      const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending,
                      uint8_t step, bool last)
{
    uint64_t t0 = rp_hal_timer_now();
    int rc = rp_hal_xbar_verify(tile, row, col, cols, targets, pending_mask, pending);
    uint64_t t1 = rp_hal_timer_now();
    uint8_t status = prv_status(rc);
    if (rc == RP_OK && last && *pending != 0u) {
        status = RP_STATUS_NOT_CONVERGED;
    }
    prv_record(RP_OP_VERIFY, t0, t1, tile, row, 1u, col, cols, step, status, 0u);
    return rc;
}

int rp_xbar_verify(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                   const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending,
                   uint8_t step)
{
    return rp_xbar_verify_ex(tile, row, col, cols, targets, pending_mask, pending, step, false);
}

int rp_xbar_read(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols, uint8_t *levels)
{
    uint64_t t0 = rp_hal_timer_now();
    int rc = rp_hal_xbar_read(tile, row, col, cols, levels);
    uint64_t t1 = rp_hal_timer_now();
    prv_record(RP_OP_READ, t0, t1, tile, row, 1u, col, cols, 0u, prv_status(rc), 0u);
    return rc;
}

/* Each of the three steps is timed on its own: recording the previous one
 * takes time too, which belongs to neither operation. Both transfers carry
 * the region of the MVM they serve (arg tells their size), so the three
 * events agree on every region member and those columns stay constant. */
int rp_xbar_mvm(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols,
                const int8_t *x, int32_t *y)
{
    uint64_t t0 = rp_hal_timer_now();
    int rc = rp_hal_xbar_load_inputs(tile, row, rows, x);
    uint64_t t1 = rp_hal_timer_now();
    prv_record(RP_OP_TRANSFER, t0, t1, tile, row, rows, col, cols, 0u, prv_status(rc),
               (uint32_t)rows * (uint32_t)sizeof *x);
    if (rc != RP_OK) {
        return rc;
    }

    t0 = rp_hal_timer_now();
    rc = rp_hal_xbar_mvm(tile, row, rows, col, cols);
    t1 = rp_hal_timer_now();
    prv_record(RP_OP_MVM, t0, t1, tile, row, rows, col, cols, 0u, prv_status(rc), 0u);
    if (rc != RP_OK) {
        return rc;
    }

    t0 = rp_hal_timer_now();
    rc = rp_hal_xbar_fetch_outputs(tile, col, cols, y);
    t1 = rp_hal_timer_now();
    prv_record(RP_OP_TRANSFER, t0, t1, tile, row, rows, col, cols, 0u, prv_status(rc),
               (uint32_t)cols * (uint32_t)sizeof *y);
    return rc;
}

#else /* !RRAMPROF_ENABLED: plain HAL calls */

int rp_xbar_write_pulse(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                        const uint8_t *targets, const uint8_t *pulse_mask, uint8_t step)
{
    return rp_hal_xbar_write_pulse(tile, row, col, cols, targets, pulse_mask, step);
}

int rp_xbar_verify_ex(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                      const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending,
                      uint8_t step, bool last)
{
    (void)step;
    (void)last;
    return rp_hal_xbar_verify(tile, row, col, cols, targets, pending_mask, pending);
}

int rp_xbar_verify(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                   const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending,
                   uint8_t step)
{
    (void)step;
    return rp_hal_xbar_verify(tile, row, col, cols, targets, pending_mask, pending);
}

int rp_xbar_read(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols, uint8_t *levels)
{
    return rp_hal_xbar_read(tile, row, col, cols, levels);
}

int rp_xbar_mvm(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols,
                const int8_t *x, int32_t *y)
{
    int rc = rp_hal_xbar_load_inputs(tile, row, rows, x);
    if (rc == RP_OK) {
        rc = rp_hal_xbar_mvm(tile, row, rows, col, cols);
    }
    if (rc == RP_OK) {
        rc = rp_hal_xbar_fetch_outputs(tile, col, cols, y);
    }
    return rc;
}

#endif
