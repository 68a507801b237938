/* Port header of the MPS2+ AN386 board (Cortex-M4), as emulated by QEMU
 * `-M mps2-an386`. Timestamps come from CMSDK TIMER0, which ticks at the
 * 25 MHz peripheral clock; the M4 of this image has no DWT cycle counter
 * in QEMU. */
#ifndef RP_PORT_H
#define RP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#define RP_BOARD_TIMER_HZ 25000000u
#define RP_AN386_TIMER0_VALUE (*(volatile const uint32_t *)0x40000004u)

/* TIMER0 counts down from 0xFFFFFFFF; its complement counts up. */
static inline uint32_t rp_board_hw_ticks32(void)
{
    return ~RP_AN386_TIMER0_VALUE;
}

/* Restarts the count at 0: QEMU reloads TIMER0 from the virtual time of
 * this write, so the tick phase is set here too (rp_hal_timer_restart). */
static inline bool rp_board_timer_restart(void)
{
    *(volatile uint32_t *)0x40000004u = 0xFFFFFFFFu;   /* TIMER0 VALUE */
    return true;
}

/* QEMU models no DWT: no hardware event counter is ever read. */
#define RP_PORT_HW_COUNTERS 0u

/* For the recorder's self-timing: the negated count also counts up and,
 * unlike the complement, cancels out of a difference (t1 - t0 becomes one
 * subtraction of the raw values). */
#define RP_PORT_COST_TICKS32() (0u - RP_AN386_TIMER0_VALUE)

#include "rp_cm_port.h"

#endif
