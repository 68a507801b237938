/* Port header of the sim board (contract: hal/include/rramprof/rp_hal_board.h).
 *
 * The sim board is one single-threaded host process with no interrupts, so
 * the critical section only has to stop the compiler from moving memory
 * accesses across it. Time is the virtual clock of boards/sim/sim_hal.c: a
 * 64-bit tick count at the modelled MCU clock (mcu_clock_hz, e.g. 100 MHz,
 * so one tick is one MCU cycle). Nothing advances it but modelled work, so
 * the recorder's own code costs nothing unless charged here. */
#ifndef RP_PORT_H
#define RP_PORT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The virtual clock, owned by sim_hal.c. Read and advanced only through
 * the functions below and the sim HAL. */
extern uint64_t rp_sim_hal_ticks;

typedef uint32_t rp_port_irq_t;

static inline rp_port_irq_t rp_port_irq_save(void)
{
    __asm__ __volatile__("" ::: "memory");
    return 0u;
}

static inline void rp_port_irq_restore(rp_port_irq_t state)
{
    (void)state;
    __asm__ __volatile__("" ::: "memory");
}

static inline uint32_t rp_port_cycles32(void)
{
    return (uint32_t)rp_sim_hal_ticks;
}

/* Charges the modelled cost of recorder code to virtual time, so the
 * observer effect shows in sim runs as it would on an MCU. */
static inline void rp_port_model_cost(uint32_t ticks)
{
    rp_sim_hal_ticks += ticks;
}

/* Modelled costs in MCU cycles (one tick = one cycle), for a Cortex-M
 * class core at about one instruction per cycle: recording an event is a
 * filter compare, a critical section and a 24-byte copy into the ring
 * (about 30 instructions); draining one event encodes its columns into an
 * EventBatch and frames it (about 80 instructions per event). */
/* A host process has no hardware event counters (Hello says 0). */
#define RP_PORT_HW_COUNTERS 0u

#define RP_PORT_RECORD_COST_TICKS 30u
#define RP_PORT_DRAIN_COST_TICKS_PER_EVENT 80u

#ifdef __cplusplus
}
#endif
#endif
