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

// rp_cm_reset_cause: what the Hello says about the boot.
TEST_GROUP(cm_reset_cause){};

// The record as rp_cm_fatal leaves it after `resets` fatal resets.
static rp_cm_fatal_info_t after_fatal(uint32_t reason, uint32_t resets)
{
    rp_cm_fatal_info_t info = noise(0u);
    for (uint32_t k = 0; k < resets; k++) {
        (void)rp_cm_fatal_note(&info, reason);
    }
    return info;
}

TEST(cm_reset_cause, a_fatal_reset_reports_its_reason)
{
    uint32_t reason = 99u;
    rp_cm_fatal_info_t info = after_fatal(3u, 1u);
    // A board without a reset-cause register, and one that saw SYSRESETREQ.
    LONGS_EQUAL(RP_RESET_FATAL, rp_cm_reset_cause(&info, RP_RESET_UNKNOWN, false, &reason));
    UNSIGNED_LONGS_EQUAL(3u, reason);
    reason = 99u;
    LONGS_EQUAL(RP_RESET_FATAL, rp_cm_reset_cause(&info, RP_RESET_SOFTWARE, false, &reason));
    UNSIGNED_LONGS_EQUAL(3u, reason);
    // The last of a run of resets, up to the limit.
    info = after_fatal(RP_CM_FATAL_CLOCK, RP_CM_FATAL_RESETS_MAX);
    LONGS_EQUAL(RP_RESET_FATAL, rp_cm_reset_cause(&info, RP_RESET_UNKNOWN, false, &reason));
    UNSIGNED_LONGS_EQUAL(RP_CM_FATAL_CLOCK, reason);
}

TEST(cm_reset_cause, the_hardware_cause_wins_over_a_stale_record)
{
    // SRAM kept the record through a short power cycle, or the button was
    // pressed while parked: the register knows better.
    uint32_t reason = 99u;
    rp_cm_fatal_info_t info = after_fatal(5u, 2u);
    LONGS_EQUAL(RP_RESET_POWER_ON, rp_cm_reset_cause(&info, RP_RESET_POWER_ON, false, &reason));
    UNSIGNED_LONGS_EQUAL(0u, reason);
    LONGS_EQUAL(RP_RESET_PIN, rp_cm_reset_cause(&info, RP_RESET_PIN, false, &reason));
    LONGS_EQUAL(RP_RESET_WATCHDOG, rp_cm_reset_cause(&info, RP_RESET_WATCHDOG, true, &reason));
    UNSIGNED_LONGS_EQUAL(0u, reason);
}

TEST(cm_reset_cause, a_device_that_came_up_reports_no_fatal)
{
    uint32_t reason = 99u;
    rp_cm_fatal_info_t info = after_fatal(3u, 1u);
    rp_cm_fatal_device_up(&info);   // served the host: that fault is history
    LONGS_EQUAL(RP_RESET_UNKNOWN, rp_cm_reset_cause(&info, RP_RESET_UNKNOWN, false, &reason));
    UNSIGNED_LONGS_EQUAL(0u, reason);
    LONGS_EQUAL(RP_RESET_SOFTWARE, rp_cm_reset_cause(&info, RP_RESET_SOFTWARE, false, &reason));
    LONGS_EQUAL(RP_RESET_POWER_ON, rp_cm_reset_cause(&info, RP_RESET_UNKNOWN, true, &reason));
}

TEST(cm_reset_cause, power_on_noise_is_no_fatal)
{
    uint32_t reason = 99u;
    rp_cm_fatal_info_t info = noise(0x01u);   // resets 0x01010101, no magic
    LONGS_EQUAL(RP_RESET_POWER_ON, rp_cm_reset_cause(&info, RP_RESET_UNKNOWN, true, &reason));
    UNSIGNED_LONGS_EQUAL(0u, reason);
    info.magic = RP_CM_FATAL_MAGIC;   // the magic by chance, a count out of range
    LONGS_EQUAL(RP_RESET_POWER_ON, rp_cm_reset_cause(&info, RP_RESET_UNKNOWN, true, &reason));
    info.resets = 0u;
    LONGS_EQUAL(RP_RESET_UNKNOWN, rp_cm_reset_cause(&info, RP_RESET_UNKNOWN, false, &reason));
}
