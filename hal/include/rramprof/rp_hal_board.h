/* HAL contract: board identity and the port header.
 *
 * Every board provides, on the firmware include path, a header "rp_port.h"
 * with these static inline functions (the recorder's hot path uses them, so
 * they must inline):
 *
 *   typedef <integer> rp_port_irq_t;
 *   rp_port_irq_t rp_port_irq_save(void);     // mask interrupts, return old state
 *   void rp_port_irq_restore(rp_port_irq_t);  // restore that state
 *   uint32_t rp_port_cycles32(void);          // low 32 bits of the timer tick,
 *                                             // no side effects
 *   void rp_port_model_cost(uint32_t ticks);  // sim board: advance virtual time
 *                                             // by the modelled cost of recorder
 *                                             // code; no-op on real MCUs
 *
 * and two constants used with rp_port_model_cost (0 on real boards, where
 * the recorder's cost is real and measured):
 *
 *   #define RP_PORT_RECORD_COST_TICKS          // per recorded event
 *   #define RP_PORT_DRAIN_COST_TICKS_PER_EVENT // per event drained
 */
#ifndef RP_HAL_BOARD_H
#define RP_HAL_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

const char *rp_hal_board_name(void);
const char *rp_hal_board_firmware_version(void);
/* Different after every reset (random, or a counter kept in flash). */
uint64_t rp_hal_board_boot_id(void);
/* HwCounter bits this board can sample (0 = none). */
uint32_t rp_hal_board_counters_available(void);

#ifdef __cplusplus
}
#endif
#endif
