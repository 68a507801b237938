/* Recorded crossbar operations: the HAL calls user code should make.
 *
 * Each wrapper reads the timer, calls the rp_hal_xbar_* function, reads the
 * timer again and records one event (WRITE, VERIFY, READ; MVM records
 * TRANSFER in, MVM, TRANSFER out). User code that calls these is profiled
 * with no extra lines. With RRAMPROF_ENABLED == 0 they are plain HAL calls.
 * Return values are those of the HAL. */
#ifndef RP_XBAR_H
#define RP_XBAR_H

#include <stdint.h>

#include "rramprof/rp_hal_xbar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `step` is stored in the event's iterations field. */
int rp_xbar_write_pulse(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                        const uint8_t *targets, const uint8_t *pulse_mask, uint8_t step);
int rp_xbar_verify(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                   const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending,
                   uint8_t step);
int rp_xbar_read(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols, uint8_t *levels);
/* y = W[row..row+rows, col..col+cols]^T x, digitised. */
int rp_xbar_mvm(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols,
                const int8_t *x, int32_t *y);

#ifdef __cplusplus
}
#endif
#endif
