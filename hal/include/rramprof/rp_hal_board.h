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
 *
 * Optionally, a cheaper read of the same tick for the recorder's timing of
 * itself (only differences taken inside one critical section are used;
 * default rp_port_cycles32()):
 *
 *   #define RP_PORT_COST_TICKS32() <uint32_t expression>
 *
 * Hardware event counters (HwCounter, e.g. the ARMv7-M DWT), optional:
 *
 *   #define RP_PORT_HW_COUNTERS <HwCounter bits> // counters the port can
 *                                   // read; 0 (or undefined) compiles every
 *                                   // hardware-counter sample out of the core
 *   void rp_port_hw_read(uint32_t raw[6]);     // when RP_PORT_HW_COUNTERS != 0:
 *                                   // raw[i] = counter of bit (1 << i) now:
 *                                   // CYCCNT (32 bits), CPICNT, EXCCNT,
 *                                   // SLEEPCNT, LSUCNT, FOLDCNT (8 bits,
 *                                   // upper bits ignored); no side effects
 *
 * The core calls rp_port_hw_read after every crossbar operation, at every
 * drain and when it builds Counters, and accumulates the deltas (modulo
 * each counter's width) from Start; only counters in
 * rp_hal_board_counters_available() are read. A counter is exact as long
 * as it counts fewer than 2^width events between two samples
 * (docs/protocol.md, Counters).
 */
#ifndef RP_HAL_BOARD_H
#define RP_HAL_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why the device last reset; values equal rramprof.v1.ResetCause. */
typedef enum rp_reset_cause {
    RP_RESET_UNKNOWN = 0,     /* the board cannot tell */
    RP_RESET_POWER_ON = 1,
    RP_RESET_PIN = 2,         /* reset pin: button or debug probe */
    RP_RESET_SOFTWARE = 3,    /* software reset request */
    RP_RESET_WATCHDOG = 4,
    RP_RESET_BROWN_OUT = 5,
    RP_RESET_LOW_POWER = 6,
    RP_RESET_FATAL = 7        /* the firmware's fatal-error handler */
} rp_reset_cause_t;

const char *rp_hal_board_name(void);
const char *rp_hal_board_firmware_version(void);
/* Different after every reset (random, or a counter kept in flash). */
uint64_t rp_hal_board_boot_id(void);
/* HwCounter bits this board can sample (0 = none), as found at run time
 * where the core may lack them (DWT_CTRL NOCYCCNT / NOPRFCNT; QEMU models
 * no DWT). Hello says this & RP_PORT_HW_COUNTERS. */
uint32_t rp_hal_board_counters_available(void);
/* Why this boot happened, found once at boot (the same answer until the
 * next reset). For RP_RESET_FATAL, *fatal_reason gets the fatal error's
 * code (Hello.fatal_reason: the exception number, ...), otherwise 0. */
rp_reset_cause_t rp_hal_board_reset_cause(uint32_t *fatal_reason);

#ifdef __cplusplus
}
#endif
#endif
