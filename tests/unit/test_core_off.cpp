// The compile-time off switch: with RRAMPROF_ENABLED == 0 the span macros
// call nothing (the name is only evaluated as a discarded expression, the
// timestamps not at all) and the HAL wrappers are plain calls that neither
// read the timer nor record. unit.core_off_symbols checks the same at the
// symbol level.
#include <CppUTest/TestHarness.h>

#include <string.h>

extern "C" {
#include "fake_hal.h"
#include "rp_port.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_span.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_wv.h"
#include "rramprof/rp_xbar.h"
}

#if RRAMPROF_ENABLED
#error "test_core_off.cpp must be compiled with RRAMPROF_ENABLED=0"
#endif

static int names_evaluated;
static int times_evaluated;
static rp_name_t off_name = RP_NAME("off");

static rp_name_t *counted(rp_name_t *n)
{
    names_evaluated++;
    return n;
}

// External: referenced only inside sizeof, it must not be "unneeded".
uint64_t counted_time(uint64_t t);
uint64_t counted_time(uint64_t t)
{
    times_evaluated++;
    return t;
}

TEST_GROUP(core_off)
{
    void setup() override
    {
        fake_hal_reset();
        rp_recorder_init();
        rp_span_reset();
        rp_recorder_start(0, 0);
        names_evaluated = 0;
        times_evaluated = 0;
    }
};

TEST(core_off, span_macros_call_and_record_nothing)
{
    rp_span_begin(counted(&off_name));
    rp_span_end(counted(&off_name));
    rp_compute_mark(counted(&off_name), counted_time(1), counted_time(5));
    LONGS_EQUAL(3, names_evaluated);  // each name once, as documented
    LONGS_EQUAL(0, times_evaluated);  // timestamps are never computed
    LONGS_EQUAL(0, off_name.id);  // never interned
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());
    LONGS_EQUAL(0, fake_hal.now_reads);
    const uint32_t *ids;
    const char *const *texts;
    LONGS_EQUAL(0, rp_name_pending(&ids, &texts));
}

TEST(core_off, span_scope_still_runs_its_body_once)
{
    int runs = 0;
    RP_SPAN_SCOPE(counted(&off_name)) {
        runs++;
    }
    LONGS_EQUAL(1, runs);
    LONGS_EQUAL(1, names_evaluated);
    LONGS_EQUAL(0, rp_recorder_recorded());
}

TEST(core_off, wrappers_are_plain_hal_calls)
{
    fake_hal.op_ticks[FAKE_OP_READ] = 10;
    fake_hal.level[0][1][2] = 3;
    uint8_t levels[1] = {0};
    LONGS_EQUAL(RP_OK, rp_xbar_read(0, 1, 2, 1, levels));
    LONGS_EQUAL(3, levels[0]);

    int8_t x[1] = {2};
    int32_t y[1] = {0};
    LONGS_EQUAL(RP_OK, rp_xbar_mvm(0, 1, 1, 2, 1, x, y));
    LONGS_EQUAL(6, y[0]);
    fake_hal.op_rc[FAKE_OP_LOAD] = RP_ERR_HAL;
    LONGS_EQUAL(RP_ERR_HAL, rp_xbar_mvm(0, 1, 1, 2, 1, x, y));
    LONGS_EQUAL(1, fake_hal.op_calls[FAKE_OP_MVM]);

    LONGS_EQUAL(0, fake_hal.now_reads);
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());
}

TEST(core_off, write_verify_programs_without_recording)
{
    uint8_t targets[3] = {1, 2, 3};
    rp_wv_result_t res;
    LONGS_EQUAL(RP_OK, rp_wv_program_row(1, 4, 0, 3, targets, 8, &res));
    LONGS_EQUAL(3, res.steps);
    LONGS_EQUAL(0, res.failed_cells);
    LONGS_EQUAL(3, fake_hal.level[1][4][2]);
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(0, fake_hal.now_reads);
}
