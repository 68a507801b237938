// rp_salvage: the counts a warm reset leaves in the recorder's state.
#include <CppUTest/TestHarness.h>

#include <string.h>

#include "fake_hal.h"
#include "rp_port.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_salvage.h"

static rp_record_t ev()
{
    rp_record_t r;
    memset(&r, 0, sizeof r);
    r.op = RP_OP_WRITE;
    r.duration = 1;
    return r;
}

TEST_GROUP(salvage)
{
    void setup() override
    {
        fake_hal_reset();
        rp_recorder_init();
    }
};

TEST(salvage, reads_the_counts_a_reset_left_behind)
{
    rp_salvage_stamp(0x1234567890ABCDEFull);
    rp_recorder_start(0, 0);
    rp_record_t w = ev();
    for (uint32_t i = 0; i < RP_CONFIG_RING_CAPACITY + 5u; i++) {
        rp_recorder_record(&w);   // the last 5 overflow the ring
    }
    rp_ring_release(&rp_recorder.ring, 10);
    for (int i = 0; i < 4; i++) {
        rp_recorder_record(&w);
    }
    // The reset: the next boot salvages before anything clears the state.
    rp_salvage_read();
    UNSIGNED_LONGS_EQUAL(0x1234567890ABCDEFull, rp_salvage_previous.boot_id);
    UNSIGNED_LONGS_EQUAL(RP_CONFIG_RING_CAPACITY + 4u, rp_salvage_previous.events_recorded);
    UNSIGNED_LONGS_EQUAL(rp_recorder_recorded(), rp_salvage_previous.events_recorded);
    UNSIGNED_LONGS_EQUAL(10, rp_salvage_previous.events_sent);
    UNSIGNED_LONGS_EQUAL(5, rp_salvage_previous.events_dropped);
}

TEST(salvage, takes_the_push_count_from_the_head_alone)
{
    rp_salvage_stamp(7);
    rp_recorder_start(0, 0);
    // 2^32 + 100 pushed, 2^32 + 90 released; then a reset between the
    // drain's tail and released updates: tail moved by 6, released not.
    rp_recorder.ring.released = (1ull << 32) + 90u;
    rp_recorder.ring.head = 100u;
    rp_recorder.ring.tail = 96u;
    rp_salvage_read();
    UNSIGNED_LONGS_EQUAL((1ull << 32) + 100u, rp_salvage_previous.events_recorded);
    UNSIGNED_LONGS_EQUAL((1ull << 32) + 90u, rp_salvage_previous.events_sent);
}

TEST(salvage, knows_nothing_of_unstamped_or_noisy_state)
{
    rp_record_t w = ev();
    rp_salvage_stamp(99);
    rp_recorder_start(0, 0);
    rp_recorder_record(&w);
    rp_salvage_read();
    UNSIGNED_LONGS_EQUAL(99, rp_salvage_previous.boot_id);
    // Initialised but never stamped (no boot id yet).
    rp_recorder_init();
    rp_recorder_start(0, 0);
    rp_recorder_record(&w);
    rp_salvage_read();
    UNSIGNED_LONGS_EQUAL(0, rp_salvage_previous.boot_id);
    UNSIGNED_LONGS_EQUAL(0, rp_salvage_previous.events_recorded);
    // Power-on RAM: a boot id whose mark does not match it.
    rp_salvage_stamp(99);
    rp_recorder.boot_id ^= 1u << 20;
    rp_salvage_read();
    UNSIGNED_LONGS_EQUAL(0, rp_salvage_previous.boot_id);
    UNSIGNED_LONGS_EQUAL(0, rp_salvage_previous.events_recorded);
}
