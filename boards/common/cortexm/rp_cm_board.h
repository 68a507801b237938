/* Board identity pieces shared by the Cortex-M boards (rp_cm_board.c):
 * the firmware version and a boot id kept in .noinit RAM. The board
 * itself defines rp_hal_board_name and rp_hal_board_counters_available. */
#ifndef RP_CM_BOARD_H
#define RP_CM_BOARD_H

#include <stdint.h>

/* Call once at boot: counts the reset and derives the boot id from the
 * count and `salt` (e.g. a word of the chip's unique id). */
void rp_cm_board_boot(uint32_t salt);

#endif
