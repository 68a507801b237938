/* HAL contract: the timestamp source.
 *
 * rp_hal_timer_now() returns ticks at rp_hal_timer_hz(), extended in
 * software to 64 bits from a hardware counter rp_hal_timer_bits() wide. It is
 * monotonic and must be called at least once per wrap of the hardware
 * counter (the device main loop does). Callable from interrupt handlers. */
#ifndef RP_HAL_TIMER_H
#define RP_HAL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint64_t rp_hal_timer_now(void);
uint64_t rp_hal_timer_hz(void);
uint32_t rp_hal_timer_bits(void);

/* Restarts the count at 0, in phase with this call (the next tick comes
 * one full period later), and returns true; or returns false and changes
 * nothing where the hardware cannot. The device calls it when a Start
 * carries its workload, with nothing in flight, so that a session under an
 * instruction-counting emulator runs identically from run to run. */
bool rp_hal_timer_restart(void);

#ifdef __cplusplus
}
#endif
#endif
