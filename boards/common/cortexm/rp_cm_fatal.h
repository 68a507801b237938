/* The fatal-error record that rp_cm_fatal keeps across resets, the guard
 * against reset loops, and the reset cause the Hello reports (pure
 * functions: no registers, so the host tests can include this header). */
#ifndef RP_CM_FATAL_H
#define RP_CM_FATAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rramprof/rp_hal_board.h"

/* rp_cm_fatal reasons besides exception numbers (1..511); the Hello's
 * fatal_reason carries them (proto/rramprof.proto). */
#define RP_CM_FATAL_CLOCK 0x1000u      /* the system clock did not come up */
#define RP_CM_FATAL_TIMEBASE 0x1001u   /* the timestamp counter does not count */

/* The last rp_cm_fatal, kept across the reset in .noinit for a debugger
 * (valid when magic is RP_CM_FATAL_MAGIC; noise after power-on). */
#define RP_CM_FATAL_MAGIC 0x52504654u /* "RPFT" */
typedef struct rp_cm_fatal_info {
    uint32_t magic;
    uint32_t reason;
    uint32_t resets; /* fatal resets in a row since the device last came up */
} rp_cm_fatal_info_t;

/* Fatal resets in a row after which rp_cm_fatal parks the core instead:
 * a fault that recurs on every boot (a dead clock, a crash during set-up)
 * would otherwise reset the MCU for ever, and the host would see a new
 * boot every few milliseconds. */
#define RP_CM_FATAL_RESETS_MAX 3u

/* Records `reason` in *info and says whether a reset may follow: true for
 * the first RP_CM_FATAL_RESETS_MAX fatal errors since
 * rp_cm_fatal_device_up, false after (info->resets stays at the limit).
 * A record left over from power-on noise counts as no reset. Pure, so
 * that the host tests can check it. */
static inline bool rp_cm_fatal_note(rp_cm_fatal_info_t *info, uint32_t reason)
{
    uint32_t resets = info->magic == RP_CM_FATAL_MAGIC ? info->resets : 0u;
    if (resets > RP_CM_FATAL_RESETS_MAX) {
        resets = 0u; /* noise that happens to hold the magic */
    }
    info->magic = RP_CM_FATAL_MAGIC;
    info->reason = reason;
    if (resets == RP_CM_FATAL_RESETS_MAX) {
        info->resets = resets;
        return false;
    }
    info->resets = resets + 1u;
    return true;
}

/* The device came up and serves the host: the next fatal error starts a
 * new run of resets. The last reason stays for a debugger to read. */
static inline void rp_cm_fatal_device_up(rp_cm_fatal_info_t *info)
{
    info->resets = 0u;
}

/* Why this boot happened, for the Hello: from the fatal record, the
 * board's reset-cause register (`hw`; RP_RESET_UNKNOWN where it has none)
 * and whether .noinit RAM held no boot record (`cold`). rp_cm_fatal's
 * reset is a software reset, so its record (resets pending: the device did
 * not come up since) counts unless the hardware saw another cause. A board
 * without the register calls cold RAM a power-on and anything else
 * unknown. *reason gets the fatal reason with RP_RESET_FATAL, else 0. */
static inline rp_reset_cause_t rp_cm_reset_cause(const rp_cm_fatal_info_t *info,
                                                 rp_reset_cause_t hw, bool cold,
                                                 uint32_t *reason)
{
    *reason = 0u;
    bool pending = info->magic == RP_CM_FATAL_MAGIC && info->resets >= 1u &&
                   info->resets <= RP_CM_FATAL_RESETS_MAX;
    if (pending && (hw == RP_RESET_SOFTWARE || hw == RP_RESET_UNKNOWN)) {
        *reason = info->reason;
        return RP_RESET_FATAL;
    }
    if (hw != RP_RESET_UNKNOWN) {
        return hw;
    }
    return cold ? RP_RESET_POWER_ON : RP_RESET_UNKNOWN;
}

#endif
