// Recorded HAL wrappers: timing, region fields, status mapping.
#include <CppUTest/TestHarness.h>

#include <string.h>

extern "C" {
#include "fake_hal.h"
#include "rp_port.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_xbar.h"
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

TEST_GROUP(xbar)
{
    void setup() override
    {
        fake_hal_reset();
        rp_recorder_init();
        rp_recorder_start(0, 0);
        fake_hal.now = 5000;
        fake_hal.op_ticks[FAKE_OP_WRITE] = 100;
        fake_hal.op_ticks[FAKE_OP_VERIFY] = 30;
        fake_hal.op_ticks[FAKE_OP_READ] = 20;
        fake_hal.op_ticks[FAKE_OP_LOAD] = 8;
        fake_hal.op_ticks[FAKE_OP_MVM] = 400;
        fake_hal.op_ticks[FAKE_OP_FETCH] = 12;
    }
};

TEST(xbar, write_pulse_records_write_with_step)
{
    uint8_t targets[4] = {1, 2, 3, 0};
    uint8_t mask[4] = {1, 1, 0, 1};
    LONGS_EQUAL(RP_OK, rp_xbar_write_pulse(1, 9, 4, 4, targets, mask, 6));
    LONGS_EQUAL(1, fake_hal.op_calls[FAKE_OP_WRITE]);
    LONGS_EQUAL(1, fake_hal.level[1][9][4]);
    LONGS_EQUAL(0, fake_hal.level[1][9][6]);  // not in the mask
    LONGS_EQUAL(6, fake_hal.step_log[0]);
    rp_record_t out[2];
    LONGS_EQUAL(1, take(out, 2));
    LONGS_EQUAL(RP_OP_WRITE, out[0].op);
    LONGS_EQUAL(5000, out[0].start);
    LONGS_EQUAL(100, out[0].duration);
    LONGS_EQUAL(1, out[0].tile);
    LONGS_EQUAL(9, out[0].row);
    LONGS_EQUAL(1, out[0].rows);
    LONGS_EQUAL(4, out[0].col);
    LONGS_EQUAL(4, out[0].cols);
    LONGS_EQUAL(6, out[0].iterations);
    LONGS_EQUAL(RP_STATUS_OK, out[0].status);
}

TEST(xbar, verify_passes_pending_through_and_records_ok)
{
    uint8_t targets[3] = {0, 2, 0};
    uint8_t pending_mask[3] = {9, 9, 9};
    uint16_t pending = 77;
    LONGS_EQUAL(RP_OK, rp_xbar_verify(0, 3, 10, 3, targets, pending_mask, &pending, 2));
    LONGS_EQUAL(1, pending);
    LONGS_EQUAL(0, pending_mask[0]);
    LONGS_EQUAL(1, pending_mask[1]);
    rp_record_t out[2];
    LONGS_EQUAL(1, take(out, 2));
    LONGS_EQUAL(RP_OP_VERIFY, out[0].op);
    LONGS_EQUAL(30, out[0].duration);
    LONGS_EQUAL(2, out[0].iterations);
    // Only write-verify's final verify reports NOT_CONVERGED.
    LONGS_EQUAL(RP_STATUS_OK, out[0].status);
}

TEST(xbar, read_returns_levels_and_records_read)
{
    fake_hal.level[0][2][0] = 3;
    fake_hal.level[0][2][1] = 1;
    uint8_t levels[2] = {0, 0};
    LONGS_EQUAL(RP_OK, rp_xbar_read(0, 2, 0, 2, levels));
    LONGS_EQUAL(3, levels[0]);
    LONGS_EQUAL(1, levels[1]);
    rp_record_t out[2];
    LONGS_EQUAL(1, take(out, 2));
    LONGS_EQUAL(RP_OP_READ, out[0].op);
    LONGS_EQUAL(5000, out[0].start);
    LONGS_EQUAL(20, out[0].duration);
    LONGS_EQUAL(2, out[0].row);
    LONGS_EQUAL(2, out[0].cols);
}

TEST(xbar, mvm_records_transfer_mvm_transfer_back_to_back)
{
    // W rows 4..5, cols 8..10.
    for (int c = 0; c < 3; c++) {
        fake_hal.level[1][4][8 + c] = (uint8_t)(c + 1);
        fake_hal.level[1][5][8 + c] = 2;
    }
    int8_t x[2] = {3, -1};
    int32_t y[3] = {0, 0, 0};
    LONGS_EQUAL(RP_OK, rp_xbar_mvm(1, 4, 2, 8, 3, x, y));
    LONGS_EQUAL(3 * 1 - 2, y[0]);
    LONGS_EQUAL(3 * 2 - 2, y[1]);
    LONGS_EQUAL(3 * 3 - 2, y[2]);

    rp_record_t out[4];
    LONGS_EQUAL(3, take(out, 4));
    LONGS_EQUAL(RP_OP_TRANSFER, out[0].op);
    LONGS_EQUAL(5000, out[0].start);
    LONGS_EQUAL(8, out[0].duration);
    LONGS_EQUAL(2, out[0].arg);  // input bytes
    // Both transfers carry the whole region of the MVM they serve.
    LONGS_EQUAL(1, out[0].tile);
    LONGS_EQUAL(4, out[0].row);
    LONGS_EQUAL(2, out[0].rows);
    LONGS_EQUAL(8, out[0].col);
    LONGS_EQUAL(3, out[0].cols);

    LONGS_EQUAL(RP_OP_MVM, out[1].op);
    LONGS_EQUAL(5008, out[1].start);
    LONGS_EQUAL(400, out[1].duration);
    LONGS_EQUAL(1, out[1].tile);
    LONGS_EQUAL(4, out[1].row);
    LONGS_EQUAL(2, out[1].rows);
    LONGS_EQUAL(8, out[1].col);
    LONGS_EQUAL(3, out[1].cols);

    LONGS_EQUAL(RP_OP_TRANSFER, out[2].op);
    LONGS_EQUAL(5408, out[2].start);
    LONGS_EQUAL(12, out[2].duration);
    LONGS_EQUAL(3 * sizeof(int32_t), out[2].arg);  // output bytes
    LONGS_EQUAL(1, out[2].tile);
    LONGS_EQUAL(4, out[2].row);
    LONGS_EQUAL(2, out[2].rows);
    LONGS_EQUAL(8, out[2].col);
    LONGS_EQUAL(3, out[2].cols);
    LONGS_EQUAL(0, out[1].arg);  // MVM does not use arg: recorded as 0
    LONGS_EQUAL(0, out[1].iterations);
}

TEST(xbar, mvm_steps_exclude_the_recorder_cost_between_them)
{
    // One clock for HAL and recorder, as on the sim board: recording the
    // input TRANSFER takes RP_PORT_RECORD_COST_TICKS before the MVM starts.
    rp_fake_port.timer = &fake_hal.now;
    int8_t x[1] = {1};
    int32_t y[1];
    LONGS_EQUAL(RP_OK, rp_xbar_mvm(0, 0, 1, 0, 1, x, y));
    rp_fake_port.timer = NULL;
    rp_record_t out[4];
    LONGS_EQUAL(3, take(out, 4));
    const uint64_t cost = RP_PORT_RECORD_COST_TICKS;
    LONGS_EQUAL(5000, out[0].start);
    LONGS_EQUAL(8, out[0].duration);
    LONGS_EQUAL(5000 + 8 + cost, out[1].start);
    LONGS_EQUAL(400, out[1].duration);
    LONGS_EQUAL(5000 + 8 + cost + 400 + cost, out[2].start);
    LONGS_EQUAL(12, out[2].duration);
}

TEST(xbar, hal_errors_map_to_event_status)
{
    uint8_t levels[4];
    fake_hal.op_rc[FAKE_OP_READ] = RP_ERR_HAL;
    LONGS_EQUAL(RP_ERR_HAL, rp_xbar_read(0, 0, 0, 4, levels));
    fake_hal.op_rc[FAKE_OP_READ] = RP_OK;
    LONGS_EQUAL(RP_ERR_RANGE, rp_xbar_read(0, 0, FAKE_XBAR_MAX_COLS - 2, 4, levels));
    rp_record_t out[4];
    LONGS_EQUAL(2, take(out, 4));
    LONGS_EQUAL(RP_STATUS_HAL_ERROR, out[0].status);
    LONGS_EQUAL(RP_STATUS_OUT_OF_RANGE, out[1].status);
}

TEST(xbar, mvm_stops_at_the_first_failing_step)
{
    int8_t x[2] = {1, 1};
    int32_t y[2];
    fake_hal.op_rc[FAKE_OP_MVM] = RP_ERR_HAL;
    LONGS_EQUAL(RP_ERR_HAL, rp_xbar_mvm(0, 0, 2, 0, 2, x, y));
    LONGS_EQUAL(0, fake_hal.op_calls[FAKE_OP_FETCH]);
    rp_record_t out[4];
    LONGS_EQUAL(2, take(out, 4));
    LONGS_EQUAL(RP_OP_TRANSFER, out[0].op);
    LONGS_EQUAL(RP_STATUS_OK, out[0].status);
    LONGS_EQUAL(RP_OP_MVM, out[1].op);
    LONGS_EQUAL(RP_STATUS_HAL_ERROR, out[1].status);

    fake_hal.op_rc[FAKE_OP_MVM] = RP_OK;
    LONGS_EQUAL(RP_ERR_RANGE, rp_xbar_mvm(0, FAKE_XBAR_MAX_ROWS - 1, 2, 0, 2, x, y));
    LONGS_EQUAL(1, take(out, 4));
    LONGS_EQUAL(RP_STATUS_OUT_OF_RANGE, out[0].status);
}

TEST(xbar, filtered_ops_still_run_on_the_hal)
{
    rp_recorder_start(1u << RP_OP_MVM, 0);
    uint8_t levels[4];
    int8_t x[1] = {1};
    int32_t y[1];
    LONGS_EQUAL(RP_OK, rp_xbar_read(0, 0, 0, 4, levels));
    LONGS_EQUAL(RP_OK, rp_xbar_mvm(0, 0, 1, 0, 1, x, y));
    LONGS_EQUAL(1, fake_hal.op_calls[FAKE_OP_READ]);
    LONGS_EQUAL(1, fake_hal.op_calls[FAKE_OP_MVM]);
    LONGS_EQUAL(1, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());   // masked out: not counted
}

TEST(xbar, long_operations_saturate_the_32_bit_duration)
{
    fake_hal.op_ticks[FAKE_OP_READ] = 1ull << 33;
    uint8_t levels[1];
    rp_xbar_read(0, 0, 0, 1, levels);
    rp_record_t out[1];
    LONGS_EQUAL(1, take(out, 1));
    LONGS_EQUAL(UINT32_MAX, out[0].duration);
}
