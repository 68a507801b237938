/* rp_hal_xbar.h on a Cortex-M board, bound to the simulated crossbar model
 * (hal/sim_xbar) held in static memory: an emulated MCU (QEMU) or a real
 * one with no RRAM attached yet runs the workloads against the model.
 *
 * Timing: each operation lasts its modelled true duration on the board's
 * timestamp counter. The time the MCU spends computing the model is added
 * to rp_cm_stolen_ticks (rp_cm_port.h), so it does not show in timestamps,
 * and then the call busy-waits on the hardware timer until the operation's
 * duration has passed. A real array would take that time by itself. */
#ifndef RP_CM_XBAR_H
#define RP_CM_XBAR_H

#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_xmodel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creates the model from preset `preset` with `tiles` tiles (0 = the
 * preset's) and `seed`, in the static arena of RP_CM_XBAR_ARENA bytes.
 * RP_ERR_NOSPACE if it does not fit. */
int rp_cm_xbar_init(const char *preset, uint32_t tiles, uint64_t seed);

/* Board hook: sleep for about `ticks` timestamp ticks (a one-shot timer
 * and WFI), at most that long; the caller spins out the rest. The weak
 * default returns at once (pure spinning), which the QEMU boards keep
 * (but for the an386 -bench image): under -icount a WFI does not always
 * resume at the same instruction count on a loaded host
 * (boards/qemu-mps2-an386/an386_board.c). */
void rp_board_wait_ticks(uint32_t ticks);

#ifdef __cplusplus
}
#endif
#endif
