/* Reset cause and fatal reason names (see rp_reset.h). */
#include "rramprof/rp_reset.h"

#include <stdio.h>

static const char *const prv_names[RP_RESET_CAUSE_COUNT] = {
    [RP_RESET_UNKNOWN] = "unknown cause", [RP_RESET_POWER_ON] = "power-on",
    [RP_RESET_PIN] = "reset pin",         [RP_RESET_SOFTWARE] = "software reset",
    [RP_RESET_WATCHDOG] = "watchdog",     [RP_RESET_BROWN_OUT] = "brown-out",
    [RP_RESET_LOW_POWER] = "low-power reset", [RP_RESET_FATAL] = "fatal error",
};

static const char *const prv_ids[RP_RESET_CAUSE_COUNT] = {
    [RP_RESET_UNKNOWN] = "unknown",     [RP_RESET_POWER_ON] = "power_on",
    [RP_RESET_PIN] = "pin",             [RP_RESET_SOFTWARE] = "software",
    [RP_RESET_WATCHDOG] = "watchdog",   [RP_RESET_BROWN_OUT] = "brown_out",
    [RP_RESET_LOW_POWER] = "low_power", [RP_RESET_FATAL] = "fatal",
};

const char *rp_reset_cause_name(uint32_t cause)
{
    return prv_names[cause < RP_RESET_CAUSE_COUNT ? cause : RP_RESET_UNKNOWN];
}

const char *rp_reset_cause_id(uint32_t cause)
{
    return prv_ids[cause < RP_RESET_CAUSE_COUNT ? cause : RP_RESET_UNKNOWN];
}

/* Cortex-M system exceptions 2..15 (proto/rramprof.proto, fatal_reason). */
static const char *const prv_exceptions[16] = {
    [2] = "NMI",         [3] = "HardFault", [4] = "MemManage",     [5] = "BusFault",
    [6] = "UsageFault",  [7] = "SecureFault", [11] = "SVCall",     [12] = "DebugMonitor",
    [14] = "PendSV",     [15] = "SysTick",
};

const char *rp_fatal_reason_text(uint32_t reason, char *buf, size_t cap)
{
    if (cap == 0u) {
        return buf;
    }
    if (reason == 0x1000u) {
        snprintf(buf, cap, "system clock did not start (%u)", (unsigned)reason);
    } else if (reason == 0x1001u) {
        snprintf(buf, cap, "timestamp counter does not count (%u)", (unsigned)reason);
    } else if (reason >= 16u && reason < 512u) {
        snprintf(buf, cap, "IRQ %u without a handler (exception %u)", (unsigned)(reason - 16u),
                 (unsigned)reason);
    } else if (reason < 16u && prv_exceptions[reason] != NULL) {
        snprintf(buf, cap, "%s (exception %u)", prv_exceptions[reason], (unsigned)reason);
    } else if (reason >= 1u && reason < 16u) {
        snprintf(buf, cap, "reserved exception %u", (unsigned)reason);
    } else {
        snprintf(buf, cap, "fatal reason %u", (unsigned)reason);
    }
    return buf;
}

const char *rp_reset_text(uint32_t cause, uint32_t fatal_reason, char *buf, size_t cap)
{
    if (cap == 0u) {
        return buf;
    }
    if (cause == RP_RESET_FATAL) {
        char why[80];
        snprintf(buf, cap, "fatal error: %s", rp_fatal_reason_text(fatal_reason, why, sizeof why));
    } else {
        snprintf(buf, cap, "%s", rp_reset_cause_name(cause));
    }
    return buf;
}
