/* Board identity pieces shared by the Cortex-M boards (rp_cm_board.c):
 * the firmware version, a boot id kept in .noinit RAM and the reset cause. The board
 * itself defines rp_hal_board_name and rp_hal_board_counters_available. */
#ifndef RP_CM_BOARD_H
#define RP_CM_BOARD_H

#include <stdint.h>

#include "rramprof/rp_hal_board.h"

/* Call once at boot, before rp_cm_device_loop: counts the reset, derives
 * the boot id from the count and `salt` (e.g. a word of the chip's unique
 * id), and settles the reset cause (rp_cm_reset_cause) from `hw`, what
 * the chip's reset-cause register says (RP_RESET_UNKNOWN if it has none). */
void rp_cm_board_boot(uint32_t salt, rp_reset_cause_t hw);

#endif
