/* Port header of the NUCLEO-F446RE (STM32F446RE, Cortex-M4F at 168 MHz).
 * Timestamps are the DWT cycle counter: one tick per core cycle. The DWT
 * profiling counters are the hardware counters (rp_cm_dwt.h); the board
 * tells which ones the core has (rp_cm_dwt_init). */
#ifndef RP_PORT_H
#define RP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#define RP_BOARD_TIMER_HZ 168000000u

static inline uint32_t rp_board_hw_ticks32(void)
{
    return *(volatile const uint32_t *)0xE0001004u;   /* DWT_CYCCNT */
}

/* Restarts the cycle counter at 0 (it is writable). */
static inline bool rp_board_timer_restart(void)
{
    *(volatile uint32_t *)0xE0001004u = 0u;   /* DWT_CYCCNT */
    return true;
}

#include "rp_cm_dwt.h"

#define RP_PORT_HW_COUNTERS 0x3Fu   /* CYCCNT and the five 8-bit counters */

static inline void rp_port_hw_read(uint32_t raw[6])
{
    rp_cm_dwt_read(raw);
}

#include "rp_cm_port.h"

#endif
