/* Port header of the Netduino Plus 2 (STM32F405, Cortex-M4F), as emulated
 * by QEMU `-M netduinoplus2`. Timestamps come from TIM2, a 32-bit timer:
 * QEMU clocks its STM32 timers at 1 GHz, and the prescaler divides by 40,
 * giving 25 MHz. On silicon (RP_NETDUINO_SILICON=1: 168 MHz core) TIM2
 * runs undivided on the 84 MHz APB1 timer clock. QEMU has no DWT. */
#ifndef RP_PORT_H
#define RP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#if defined(RP_NETDUINO_SILICON) && RP_NETDUINO_SILICON
#define RP_BOARD_TIMER_HZ 84000000u
#define RP_NETDUINO_TIM_PSC 0u
#else
#define RP_BOARD_TIMER_HZ 25000000u
#define RP_NETDUINO_TIM_PSC 39u
#endif
#define RP_NETDUINO_TIM2_CNT (*(volatile const uint32_t *)0x40000024u)

static inline uint32_t rp_board_hw_ticks32(void)
{
    return RP_NETDUINO_TIM2_CNT;
}

/* Restarts the count at 0: an update event (TIM2 EGR.UG) clears the
 * counter and, on silicon, the prescaler, so the phase starts here. QEMU's
 * STM32 timer keeps its prescaler phase tied to virtual time, so under
 * QEMU the first tick comes within one period rather than exactly one. */
static inline bool rp_board_timer_restart(void)
{
    *(volatile uint32_t *)0x40000014u = 1u;   /* TIM2 EGR: UG */
    return true;
}

/* QEMU models no DWT: no hardware event counter is ever read (the
 * F405's DWT on silicon would need rp_cm_dwt.c, as on nucleo-f446re). */
#define RP_PORT_HW_COUNTERS 0u

#include "rp_cm_port.h"

#endif
