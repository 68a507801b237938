/* Names for why a device reset (Hello.reset_cause, Hello.fatal_reason),
 * shared by the capture messages, the reports and the findings. */
#ifndef RP_RESET_H
#define RP_RESET_H

#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_hal_board.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Causes this reader knows: RP_RESET_UNKNOWN .. RP_RESET_FATAL. */
#define RP_RESET_CAUSE_COUNT 8u

/* "power-on", "reset pin", "software reset", "watchdog", "brown-out",
 * "low-power reset", "fatal error", or "unknown cause" (also for a cause
 * newer than this reader). */
const char *rp_reset_cause_name(uint32_t cause);

/* Stable identifier for machine-readable output: "power_on", "pin",
 * "software", "watchdog", "brown_out", "low_power", "fatal", "unknown". */
const char *rp_reset_cause_id(uint32_t cause);

/* Writes what a fatal reason code means into buf (always terminated,
 * truncated to cap), e.g. "HardFault (exception 3)", "IRQ 22 without a
 * handler (exception 38)", "system clock did not start (4096)". Returns
 * buf. */
const char *rp_fatal_reason_text(uint32_t reason, char *buf, size_t cap);

/* A reset in a few words: "fatal error: " and the fatal reason's text
 * for RP_RESET_FATAL, else rp_reset_cause_name(); into buf as
 * rp_fatal_reason_text does. Returns buf. */
const char *rp_reset_text(uint32_t cause, uint32_t fatal_reason, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
