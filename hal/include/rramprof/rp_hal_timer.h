/* HAL contract: the timestamp source.
 *
 * rp_hal_timer_now() returns ticks at rp_hal_timer_hz(), extended in
 * software to 64 bits from a hardware counter rp_hal_timer_bits() wide. It is
 * monotonic and must be called at least once per wrap of the hardware
 * counter (the device main loop does). Callable from interrupt handlers. */
#ifndef RP_HAL_TIMER_H
#define RP_HAL_TIMER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint64_t rp_hal_timer_now(void);
uint64_t rp_hal_timer_hz(void);
uint32_t rp_hal_timer_bits(void);

#ifdef __cplusplus
}
#endif
#endif
