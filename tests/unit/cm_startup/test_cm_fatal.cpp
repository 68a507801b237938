// rp_cm_fatal_note / rp_cm_fatal_device_up: the reset-loop guard of
// rp_cm_fatal, on a record like the one kept in .noinit across resets.
#include <CppUTest/TestHarness.h>

#include <cstring>

extern "C" {
#include "rp_cm_fatal.h"
}

TEST_GROUP(cm_fatal){};

// A record in the state power-on leaves it: whatever the RAM held.
static rp_cm_fatal_info_t noise(uint32_t fill)
{
    rp_cm_fatal_info_t info;
    std::memset(&info, (int)(fill & 0xFFu), sizeof info);
    return info;
}

TEST(cm_fatal, resets_up_to_the_limit_then_parks)
{
    rp_cm_fatal_info_t info = noise(0xA5u);
    for (uint32_t k = 1; k <= RP_CM_FATAL_RESETS_MAX; k++) {
        CHECK_TRUE(rp_cm_fatal_note(&info, RP_CM_FATAL_CLOCK));   // reset k
        UNSIGNED_LONGS_EQUAL(RP_CM_FATAL_MAGIC, info.magic);
        UNSIGNED_LONGS_EQUAL(RP_CM_FATAL_CLOCK, info.reason);
        UNSIGNED_LONGS_EQUAL(k, info.resets);
    }
    // The same failure after the last reset: park, and keep parking.
    CHECK_FALSE(rp_cm_fatal_note(&info, RP_CM_FATAL_CLOCK));
    CHECK_FALSE(rp_cm_fatal_note(&info, 3u));   // a HardFault while parked
    UNSIGNED_LONGS_EQUAL(3u, info.reason);
    UNSIGNED_LONGS_EQUAL(RP_CM_FATAL_RESETS_MAX, info.resets);
}

TEST(cm_fatal, device_up_starts_a_new_run)
{
    rp_cm_fatal_info_t info = noise(0u);
    for (uint32_t k = 0; k < RP_CM_FATAL_RESETS_MAX; k++) {
        CHECK_TRUE(rp_cm_fatal_note(&info, 3u));
    }
    rp_cm_fatal_device_up(&info);
    UNSIGNED_LONGS_EQUAL(0u, info.resets);
    UNSIGNED_LONGS_EQUAL(3u, info.reason);   // still there for a debugger
    UNSIGNED_LONGS_EQUAL(RP_CM_FATAL_MAGIC, info.magic);
    CHECK_TRUE(rp_cm_fatal_note(&info, 4u));
    UNSIGNED_LONGS_EQUAL(1u, info.resets);
}

TEST(cm_fatal, power_on_noise_counts_as_no_reset)
{
    // Without the magic, the count is noise: the first fatal may reset.
    rp_cm_fatal_info_t info = noise(0xFFu);
    CHECK_TRUE(rp_cm_fatal_note(&info, RP_CM_FATAL_TIMEBASE));
    UNSIGNED_LONGS_EQUAL(1u, info.resets);
    // The magic by chance, with a count no run of resets can reach.
    info = noise(0xFFu);
    info.magic = RP_CM_FATAL_MAGIC;
    CHECK_TRUE(rp_cm_fatal_note(&info, RP_CM_FATAL_TIMEBASE));
    UNSIGNED_LONGS_EQUAL(1u, info.resets);
}
