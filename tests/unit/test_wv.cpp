// Write-verify (ISPP) loop over the fake crossbar.
#include <CppUTest/TestHarness.h>

#include <string.h>

extern "C" {
#include "fake_hal.h"
#include "rp_port.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_wv.h"
}

static uint32_t take(rp_record_t *out, uint32_t max)
{
    uint32_t n = 0;
    const rp_record_t *p;
    uint32_t k;
    while (n < max && (k = rp_ring_peek(&rp_recorder.ring, &p, max - n)) > 0) {
        memcpy(out + n, p, k * sizeof *p);
        rp_ring_release(&rp_recorder.ring, k);
        n += k;
    }
    return n;
}

TEST_GROUP(wv)
{
    rp_record_t out[64];

    void setup() override
    {
        fake_hal_reset();
        rp_recorder_init();
        rp_recorder_start(0, 0);
        fake_hal.op_ticks[FAKE_OP_WRITE] = 50;
        fake_hal.op_ticks[FAKE_OP_VERIFY] = 10;
    }
};

TEST(wv, programs_a_row_verify_first_pulsing_only_pending_cells)
{
    // Cells start at level 0; each pulse moves a cell one level.
    uint8_t targets[4] = {1, 3, 0, 2};
    rp_wv_result_t res = {99, 99};
    LONGS_EQUAL(RP_OK, rp_wv_program_row(1, 5, 8, 4, targets, 10, &res));
    LONGS_EQUAL(3, res.steps);
    LONGS_EQUAL(0, res.failed_cells);
    for (int i = 0; i < 4; i++) {
        LONGS_EQUAL(targets[i], fake_hal.level[1][5][8 + i]);
        // Exactly as many pulses as levels to move: converged cells rest.
        LONGS_EQUAL(targets[i], fake_hal.pulses[1][5][8 + i]);
    }
    // VERIFY(0) WRITE(0) VERIFY(1) WRITE(1) VERIFY(2) WRITE(2) VERIFY(3)
    LONGS_EQUAL(7, take(out, 64));
    const uint8_t ops[7] = {RP_OP_VERIFY, RP_OP_WRITE, RP_OP_VERIFY, RP_OP_WRITE,
                            RP_OP_VERIFY, RP_OP_WRITE, RP_OP_VERIFY};
    const uint8_t iters[7] = {0, 0, 1, 1, 2, 2, 3};
    for (int i = 0; i < 7; i++) {
        LONGS_EQUAL(ops[i], out[i].op);
        LONGS_EQUAL(iters[i], out[i].iterations);
        LONGS_EQUAL(RP_STATUS_OK, out[i].status);
        LONGS_EQUAL(1, out[i].tile);
        LONGS_EQUAL(5, out[i].row);
        LONGS_EQUAL(8, out[i].col);
        LONGS_EQUAL(4, out[i].cols);
    }
    // The HAL saw growing ISPP steps.
    LONGS_EQUAL(3, fake_hal.step_log_len);
    LONGS_EQUAL(0, fake_hal.step_log[0]);
    LONGS_EQUAL(1, fake_hal.step_log[1]);
    LONGS_EQUAL(2, fake_hal.step_log[2]);
}

TEST(wv, already_programmed_row_costs_one_verify)
{
    uint8_t targets[2] = {2, 1};
    fake_hal.level[0][0][0] = 2;
    fake_hal.level[0][0][1] = 1;
    rp_wv_result_t res;
    LONGS_EQUAL(RP_OK, rp_wv_program_row(0, 0, 0, 2, targets, 8, &res));
    LONGS_EQUAL(0, res.steps);
    LONGS_EQUAL(0, res.failed_cells);
    LONGS_EQUAL(0, fake_hal.op_calls[FAKE_OP_WRITE]);
    LONGS_EQUAL(1, take(out, 64));
    LONGS_EQUAL(RP_OP_VERIFY, out[0].op);
    LONGS_EQUAL(RP_STATUS_OK, out[0].status);
}

TEST(wv, stuck_cell_gives_up_after_max_steps_with_not_converged)
{
    uint8_t targets[3] = {1, 3, 1};
    fake_hal.stuck[0][2][1] = true;
    rp_wv_result_t res;
    LONGS_EQUAL(RP_OK, rp_wv_program_row(0, 2, 0, 3, targets, 5, &res));
    LONGS_EQUAL(5, res.steps);
    LONGS_EQUAL(1, res.failed_cells);
    LONGS_EQUAL(5, fake_hal.pulses[0][2][1]);
    LONGS_EQUAL(1, fake_hal.pulses[0][2][0]);
    LONGS_EQUAL(1 + 2 * 5, take(out, 64));
    for (int i = 0; i < 10; i++) {
        LONGS_EQUAL(RP_STATUS_OK, out[i].status);
    }
    LONGS_EQUAL(RP_OP_VERIFY, out[10].op);
    LONGS_EQUAL(5, out[10].iterations);
    LONGS_EQUAL(RP_STATUS_NOT_CONVERGED, out[10].status);
}

TEST(wv, zero_max_steps_only_verifies)
{
    uint8_t targets[2] = {1, 0};
    rp_wv_result_t res;
    LONGS_EQUAL(RP_OK, rp_wv_program_row(0, 0, 0, 2, targets, 0, &res));
    LONGS_EQUAL(0, res.steps);
    LONGS_EQUAL(1, res.failed_cells);
    LONGS_EQUAL(1, take(out, 64));
    LONGS_EQUAL(RP_STATUS_NOT_CONVERGED, out[0].status);
}

TEST(wv, hal_error_stops_the_loop_and_is_returned)
{
    uint8_t targets[2] = {3, 3};
    fake_hal.fail_op = FAKE_OP_WRITE;
    fake_hal.fail_call = 2;
    rp_wv_result_t res;
    LONGS_EQUAL(RP_ERR_HAL, rp_wv_program_row(0, 1, 0, 2, targets, 10, &res));
    LONGS_EQUAL(1, res.steps);
    LONGS_EQUAL(2, res.failed_cells);  // as the last good verify saw them
    // VERIFY(0) WRITE(0) VERIFY(1) WRITE(1, failed)
    LONGS_EQUAL(4, take(out, 64));
    LONGS_EQUAL(RP_OP_WRITE, out[3].op);
    LONGS_EQUAL(RP_STATUS_HAL_ERROR, out[3].status);
}

TEST(wv, out_of_range_row_is_returned)
{
    uint8_t targets[2] = {1, 1};
    rp_wv_result_t res;
    LONGS_EQUAL(RP_ERR_RANGE,
                rp_wv_program_row(0, FAKE_XBAR_MAX_ROWS, 0, 2, targets, 10, &res));
    LONGS_EQUAL(0, res.steps);
    LONGS_EQUAL(2, res.failed_cells);
    LONGS_EQUAL(1, take(out, 64));
    LONGS_EQUAL(RP_STATUS_OUT_OF_RANGE, out[0].status);
}

TEST(wv, bad_arguments_touch_nothing)
{
    uint8_t targets[RP_WV_MAX_COLS + 1] = {0};
    rp_wv_result_t res;
    LONGS_EQUAL(RP_ERR_ARG, rp_wv_program_row(0, 0, 0, 0, targets, 10, &res));
    LONGS_EQUAL(RP_ERR_ARG, rp_wv_program_row(0, 0, 0, RP_WV_MAX_COLS + 1, targets, 10, &res));
    LONGS_EQUAL(RP_ERR_ARG, rp_wv_program_row(0, 0, 0, 4, NULL, 10, &res));
    LONGS_EQUAL(0, fake_hal.op_calls[FAKE_OP_VERIFY]);
    LONGS_EQUAL(0, fake_hal.op_calls[FAKE_OP_WRITE]);
}

TEST(wv, full_width_row)
{
    uint8_t targets[RP_WV_MAX_COLS];
    for (unsigned i = 0; i < RP_WV_MAX_COLS; i++) {
        targets[i] = (uint8_t)(i % 4);
    }
    rp_wv_result_t res;
    LONGS_EQUAL(RP_OK, rp_wv_program_row(1, 63, 0, RP_WV_MAX_COLS, targets, 10, &res));
    LONGS_EQUAL(3, res.steps);
    LONGS_EQUAL(0, res.failed_cells);
    for (unsigned i = 0; i < RP_WV_MAX_COLS; i++) {
        LONGS_EQUAL(targets[i], fake_hal.level[1][63][i]);
    }
}

TEST(wv, result_pointer_is_optional)
{
    uint8_t targets[1] = {1};
    LONGS_EQUAL(RP_OK, rp_wv_program_row(0, 0, 0, 1, targets, 4, NULL));
    LONGS_EQUAL(1, fake_hal.level[0][0][0]);
}
