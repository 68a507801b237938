/* The ARMv7-M DWT (Cortex-M3/M4/M7) as the source of the hardware counters
 * (HwCounter): CYCCNT (32 bits) and the profiling counters CPICNT, EXCCNT,
 * SLEEPCNT, LSUCNT and FOLDCNT (8 bits each, wrapping every 256 counts).
 *
 * A port with a DWT defines RP_PORT_HW_COUNTERS and rp_port_hw_read with
 * rp_cm_dwt_read (see boards/nucleo-f446re/port/rp_port.h); its board
 * calls rp_cm_dwt_init at boot and answers rp_hal_board_counters_available
 * with rp_cm_dwt_available. The core accumulates the deltas
 * (firmware/src/rp_xbar_priv.h).
 *
 * The detection is functional, not by part number: a counter is available
 * when DWT_CTRL does not flag it missing (NOCYCCNT, NOPRFCNT) and its
 * enable bit sticks (CYCCNT must also advance). A Cortex-M0/M0+ (no such
 * counters) or an emulator that reads the DWT as zeros and ignores writes
 * therefore yields 0. QEMU may also fault on the access, so the QEMU boards
 * do not call this at all (their ports set RP_PORT_HW_COUNTERS to 0). */
#ifndef RP_CM_DWT_H
#define RP_CM_DWT_H

#include <stdbool.h>
#include <stdint.h>

#define RP_CM_DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define RP_CM_DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
/* CPICNT, EXCCNT, SLEEPCNT, LSUCNT, FOLDCNT follow at 0x...08 to 0x...18. */
#define RP_CM_DWT_EVCNT(i) (*(volatile const uint32_t *)(0xE0001008u + 4u * (uint32_t)(i)))

/* Enables the trace block, starts CYCCNT from 0 and the five profiling
 * counters, and returns the HwCounter bits the core turned out to have. */
uint32_t rp_cm_dwt_init(void);
/* What rp_cm_dwt_init found (0 before it ran). */
uint32_t rp_cm_dwt_available(void);
/* Sets DEMCR.TRCENA and the enable bits of the counters found at init
 * again: a debug probe may clear TRCENA when it detaches, which stops
 * CYCCNT and the other counters (they keep their values). False without
 * CYCCNT. For rp_board_timer_rearm (rp_cm_clock.h). */
bool rp_cm_dwt_rearm(void);

/* raw[0] = CYCCNT, raw[1..5] = CPICNT, EXCCNT, SLEEPCNT, LSUCNT, FOLDCNT.
 * Reads only; call only when rp_cm_dwt_available() is not 0. */
static inline void rp_cm_dwt_read(uint32_t raw[6])
{
    raw[0] = RP_CM_DWT_CYCCNT;
    for (uint32_t i = 0; i < 5u; i++) {
        raw[1u + i] = RP_CM_DWT_EVCNT(i) & 0xFFu;
    }
}

#endif
