/* Shared part of the Cortex-M port headers (contract:
 * hal/include/rramprof/rp_hal_board.h). A board's port/rp_port.h defines
 *
 *   RP_BOARD_TIMER_HZ                     tick rate of its timestamp counter
 *   static inline uint32_t rp_board_hw_ticks32(void)
 *                                         the free-running 32-bit hardware
 *                                         counter, counting up
 *   static inline bool rp_board_timer_restart(void)
 *                                         sets that counter to 0, in phase
 *                                         with the call where the hardware
 *                                         allows; false if it cannot
 *
 * and then includes this file.
 *
 * The timestamp is the hardware counter minus rp_cm_stolen_ticks: time the
 * simulated crossbar model spends computing on the MCU, which a real array
 * would not cost (boards/common/xbar/rp_cm_xbar.c). Without the model the
 * offset stays 0. */
#ifndef RP_CM_PORT_H
#define RP_CM_PORT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

extern volatile uint32_t rp_cm_stolen_ticks;

typedef uint32_t rp_port_irq_t;

/* PRIMASK save + disable: nests, and is ISR-safe. */
static inline rp_port_irq_t rp_port_irq_save(void)
{
    uint32_t primask;
    __asm__ __volatile__("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void rp_port_irq_restore(rp_port_irq_t state)
{
    __asm__ __volatile__("msr primask, %0" ::"r"(state) : "memory");
}

static inline uint32_t rp_port_cycles32(void)
{
    return rp_board_hw_ticks32() - rp_cm_stolen_ticks;
}

/* The recorder times itself with differences of this read: the stolen
 * ticks cannot change inside its critical section, so the raw counter
 * gives the same differences for two loads less per event. A board whose
 * counter needs a conversion to count up may define a cheaper form. */
#ifndef RP_PORT_COST_TICKS32
#define RP_PORT_COST_TICKS32() rp_board_hw_ticks32()
#endif

/* The recorder's cost is real on an MCU and measured, not modelled. */
static inline void rp_port_model_cost(uint32_t ticks)
{
    (void)ticks;
}

#define RP_PORT_RECORD_COST_TICKS 0u
#define RP_PORT_DRAIN_COST_TICKS_PER_EVENT 0u

/* The salvaged counts of the boot before (rp_salvage_previous) must
 * outlive the .bss clearing that follows rp_salvage_read in the reset
 * handler (rp_cm_startup.c). */
#define RP_PORT_NOINIT __attribute__((section(".noinit")))

#ifdef __cplusplus
}
#endif
#endif
