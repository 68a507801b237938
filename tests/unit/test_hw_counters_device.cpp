// Hardware event counters on the device side: what Hello says, what the
// Counters carry, and how the 8-bit counters' wraps accumulate. The fake
// port (tests/fakes/port) reads the counters from rp_fake_port.hw, each
// crossbar call adds fake_hal.hw_per_op to them, and the device's frames
// are unpacked with the protobuf-c code generated from the schema.
#include <CppUTest/TestHarness.h>

#include <string.h>
#include <vector>

extern "C" {
#include "fake_hal.h"
#include "mock_workload.h"
#include "rp_port.h"
#include "rramprof.pb-c.h"
#include "rramprof/rp_command_out.h"
#include "rramprof/rp_device.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_xbar.h"
}

namespace {

typedef Rramprof__V1__Frame Frame;

const auto HELLO = RRAMPROF__V1__FRAME__BODY_HELLO;
const auto COUNTERS = RRAMPROF__V1__FRAME__BODY_COUNTERS;
const auto RESPONSE = RRAMPROF__V1__FRAME__BODY_RESPONSE;

const uint32_t kAll = RP_HW_CYCCNT | RP_HW_CPICNT | RP_HW_EXCCNT | RP_HW_SLEEPCNT | RP_HW_LSUCNT |
                      RP_HW_FOLDCNT;

// Host side of the fake link: every frame the device wrote, unpacked.
struct Frames {
    size_t pos = 0;
    rp_deframer_t d;
    uint8_t buf[RP_FRAME_MAX_PAYLOAD + RP_FRAME_CRC_LEN];
    std::vector<Frame *> all;

    void reset()
    {
        clear();
        pos = 0;
        rp_deframer_init(&d, buf, sizeof buf);
    }
    void clear()
    {
        for (Frame *f : all)
            rramprof__v1__frame__free_unpacked(f, NULL);
        all.clear();
    }
    void collect()
    {
        for (; pos < fake_hal.tx_len; pos++) {
            if (rp_deframer_feed(&d, fake_hal.tx[pos]) == RP_DEFRAME_FRAME) {
                Frame *f = rramprof__v1__frame__unpack(NULL, rp_deframer_payload_len(&d), rp_deframer_payload(&d));
                CHECK(f != NULL);
                all.push_back(f);
            }
        }
    }
    Frame *last(Rramprof__V1__Frame__BodyCase c) const
    {
        Frame *found = NULL;
        for (Frame *f : all)
            if (f->body_case == c)
                found = f;
        return found;
    }
};

Frames frames;

void send(rp_command_kind_t kind, uint32_t id)
{
    rp_command_t c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.request_id = id;
    uint8_t payload[RP_COMMAND_MAX_PAYLOAD];
    size_t len = rp_command_encode(&c, payload, sizeof payload);
    CHECK(len > 0);
    uint8_t frame[RP_FRAME_ENCODED_MAX(RP_COMMAND_MAX_PAYLOAD)];
    size_t flen = rp_frame_encode(payload, len, frame, sizeof frame);
    LONGS_EQUAL(flen, fake_hal_rx_push(frame, flen));
}

void poll()
{
    rp_device_poll();
    frames.collect();
}

void reads(int n)
{
    uint8_t levels[4];
    for (int i = 0; i < n; i++)
        LONGS_EQUAL(RP_OK, rp_xbar_read(0, 0, 0, 4, levels));
}

// Stops the session and returns its final Counters.
const Rramprof__V1__Counters *stop()
{
    send(RP_CMD_STOP, 99);
    poll();
    Frame *f = frames.last(COUNTERS);
    CHECK(f != NULL);
    return f->counters;
}

void per_op(uint32_t cyc, uint32_t cpi, uint32_t exc, uint32_t sleep, uint32_t lsu, uint32_t fold)
{
    const uint32_t v[6] = { cyc, cpi, exc, sleep, lsu, fold };
    memcpy(fake_hal.hw_per_op, v, sizeof v);
}

} // namespace

TEST_GROUP(hw_counters)
{
    void setup() override
    {
        fake_hal_reset();
        mock_workload_reset();
        frames.reset();
    }
    void teardown() override
    {
        frames.clear();
        LONGS_EQUAL(0, rp_fake_port.irq_depth);
        LONGS_EQUAL(0, rp_fake_port.irq_bad_restores);
    }
    void start()
    {
        rp_device_config_t cfg;
        memset(&cfg, 0, sizeof cfg);
        rp_device_init(&cfg);
        send(RP_CMD_START, 1);
        poll();
        CHECK_TRUE(rp_device_recording());
    }
};

TEST(hw_counters, hello_says_what_the_board_found)
{
    const uint32_t cases[] = { 0u, RP_HW_CYCCNT, kAll };
    for (uint32_t bits : cases) {
        setup();
        fake_hal.counters_available = bits;
        rp_device_config_t cfg;
        memset(&cfg, 0, sizeof cfg);
        rp_device_init(&cfg);
        frames.collect();
        Frame *h = frames.last(HELLO);
        CHECK(h != NULL);
        UNSIGNED_LONGS_EQUAL(bits, h->hello->counters_available);
        // GetInfo answers with the same Hello.
        send(RP_CMD_GET_INFO, 5);
        poll();
        Frame *r = frames.last(RESPONSE);
        CHECK(r != NULL && r->response->hello != NULL);
        UNSIGNED_LONGS_EQUAL(bits, r->response->hello->counters_available);
        frames.clear();
    }
}

TEST(hw_counters, a_board_without_counters_is_never_read)
{
    // The sim board's case: nothing available, so nothing is sampled, and
    // the Counters say no hardware field is valid rather than sending 0s.
    per_op(1000, 10, 1, 0, 5, 1);
    start();
    reads(10);
    poll();
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGS_EQUAL(0, rp_fake_port.hw_reads);
    UNSIGNED_LONGS_EQUAL(0, c->hw_valid);
    UNSIGNED_LONGLONGS_EQUAL(0, c->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(0, c->hw_cpi);
}

TEST(hw_counters, counters_fill_the_counters_message)
{
    fake_hal.counters_available = kAll;
    per_op(1000, 100, 3, 7, 50, 2);
    start();
    reads(20);
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGS_EQUAL(kAll, c->hw_valid);
    UNSIGNED_LONGLONGS_EQUAL(20000, c->hw_cycles);
    // 100 CPI counts per operation wrap the 8-bit counter every third
    // operation; sampled after each, the total is exact.
    UNSIGNED_LONGLONGS_EQUAL(2000, c->hw_cpi);
    UNSIGNED_LONGLONGS_EQUAL(60, c->hw_exc);
    UNSIGNED_LONGLONGS_EQUAL(140, c->hw_sleep);
    UNSIGNED_LONGLONGS_EQUAL(1000, c->hw_lsu);
    UNSIGNED_LONGLONGS_EQUAL(40, c->hw_fold);
}

TEST(hw_counters, only_available_counters_are_valid)
{
    fake_hal.counters_available = RP_HW_CYCCNT | RP_HW_LSUCNT;
    per_op(500, 100, 3, 7, 50, 2);
    start();
    reads(4);
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGS_EQUAL(RP_HW_CYCCNT | RP_HW_LSUCNT, c->hw_valid);
    UNSIGNED_LONGLONGS_EQUAL(2000, c->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(200, c->hw_lsu);
    UNSIGNED_LONGLONGS_EQUAL(0, c->hw_cpi);
    UNSIGNED_LONGLONGS_EQUAL(0, c->hw_exc);
    UNSIGNED_LONGLONGS_EQUAL(0, c->hw_sleep);
    UNSIGNED_LONGLONGS_EQUAL(0, c->hw_fold);
}

TEST(hw_counters, wraps_accumulate_from_any_starting_value)
{
    // The 8-bit counters start just below their wrap and CYCCNT just below
    // 2^32: every delta crosses the wrap at least once.
    fake_hal.counters_available = kAll;
    rp_fake_port.hw[0] = 0xFFFFFF00u;
    for (int i = 1; i < 6; i++)
        rp_fake_port.hw[i] = 250u;
    per_op(0x100, 255, 6, 128, 1, 200);
    start();
    reads(7);
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGLONGS_EQUAL(7u * 0x100u, c->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(7u * 255u, c->hw_cpi);
    UNSIGNED_LONGLONGS_EQUAL(7u * 6u, c->hw_exc);
    UNSIGNED_LONGLONGS_EQUAL(7u * 128u, c->hw_sleep);
    UNSIGNED_LONGLONGS_EQUAL(7u * 1u, c->hw_lsu);
    UNSIGNED_LONGLONGS_EQUAL(7u * 200u, c->hw_fold);
}

TEST(hw_counters, every_crossbar_call_is_a_sample)
{
    // An MVM is three HAL calls (inputs, MVM, outputs), a write-verify
    // step two: 200 counts per call stay exact only if each call ends with
    // a sample.
    fake_hal.counters_available = kAll;
    per_op(1000, 200, 0, 0, 0, 0);
    start();
    int8_t x[4] = { 1, 2, 3, 4 };
    int32_t y[4];
    LONGS_EQUAL(RP_OK, rp_xbar_mvm(0, 0, 4, 0, 4, x, y));
    uint8_t targets[4] = { 1, 1, 1, 1 }, mask[4] = { 1, 1, 1, 1 };
    uint16_t pending = 0;
    LONGS_EQUAL(RP_OK, rp_xbar_write_pulse(0, 0, 0, 4, targets, mask, 1));
    LONGS_EQUAL(RP_OK, rp_xbar_verify(0, 0, 0, 4, targets, mask, &pending, 1));
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGLONGS_EQUAL(5u * 1000u, c->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(5u * 200u, c->hw_cpi);
}

TEST(hw_counters, more_than_255_counts_between_samples_are_lost_modulo_256)
{
    // The documented limit: a counter that counts 256 or more between two
    // samples loses multiples of 256 (300 per call reads as 44).
    fake_hal.counters_available = kAll;
    per_op(1000, 300, 0, 0, 0, 0);
    start();
    reads(10);
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGLONGS_EQUAL(10u * 1000u, c->hw_cycles);   // 32 bits: exact
    UNSIGNED_LONGLONGS_EQUAL(10u * 44u, c->hw_cpi);
}

TEST(hw_counters, drains_sample_too)
{
    // Counts outside crossbar operations (the workload's own code) are
    // caught by the sample every drain takes: 200 + 200 between two polls
    // would read as 144, with a poll in between they are exact.
    fake_hal.counters_available = kAll;
    start();
    rp_fake_port.hw[4] += 200u;   // LSUCNT
    poll();
    rp_fake_port.hw[4] += 200u;
    poll();
    rp_fake_port.hw[4] += 200u;
    rp_fake_port.hw[4] += 200u;
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGLONGS_EQUAL(200u + 200u + (400u % 256u), c->hw_lsu);
}

TEST(hw_counters, totals_run_from_start_to_stop)
{
    fake_hal.counters_available = kAll;
    per_op(1000, 10, 0, 0, 0, 0);
    rp_device_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    rp_device_init(&cfg);
    reads(5);   // before Start: not counted
    send(RP_CMD_START, 1);
    poll();
    reads(3);
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGLONGS_EQUAL(3000, c->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(30, c->hw_cpi);
    uint32_t reads_at_stop = rp_fake_port.hw_reads;
    reads(4);   // after Stop: not counted, not even read
    poll();
    UNSIGNED_LONGS_EQUAL(reads_at_stop, rp_fake_port.hw_reads);

    // A new session starts from zero.
    frames.clear();
    send(RP_CMD_START, 2);
    poll();
    reads(2);
    c = stop();
    UNSIGNED_LONGLONGS_EQUAL(2000, c->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(20, c->hw_cpi);
}

TEST(hw_counters, periodic_counters_carry_running_totals)
{
    fake_hal.counters_available = kAll;
    per_op(100, 1, 0, 0, 0, 0);
    rp_device_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.counters_ms = 1;   // 1000 ticks
    rp_device_init(&cfg);
    send(RP_CMD_START, 1);
    poll();
    reads(6);
    fake_hal_timer_advance(1500);
    poll();
    Frame *f = frames.last(COUNTERS);
    CHECK(f != NULL);
    UNSIGNED_LONGS_EQUAL(kAll, f->counters->hw_valid);
    UNSIGNED_LONGLONGS_EQUAL(600, f->counters->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(6, f->counters->hw_cpi);
    reads(4);
    const Rramprof__V1__Counters *c = stop();
    UNSIGNED_LONGLONGS_EQUAL(1000, c->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(10, c->hw_cpi);
}
