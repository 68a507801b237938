/* Firmware-private extension of rp_xbar.h for the write-verify loop. */
#ifndef RP_XBAR_PRIV_H
#define RP_XBAR_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "rramprof/rp_encoder.h"
#include "rramprof/rp_xbar.h"

/* rp_xbar_verify, but when `last` is set (the final verify write-verify
 * will do) and cells are still pending, the event's status is
 * RP_STATUS_NOT_CONVERGED. */
int rp_xbar_verify_ex(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                      const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending,
                      uint8_t step, bool last);

/* Hardware event counters (HwCounter) of a session, sampled through the
 * port (rp_hal_board.h: RP_PORT_HW_COUNTERS, rp_port_hw_read) after every
 * recorded crossbar operation, and by the device at every drain and every
 * Counters. Each sample adds the counters' deltas modulo their width
 * (CYCCNT 32 bits, the others 8 bits), so a total is exact while a counter
 * counts fewer than 2^width events between two samples. Nothing is read
 * on boards without counters or with profiling compiled out. */

/* HwCounter bits sampled: rp_hal_board_counters_available() &
 * RP_PORT_HW_COUNTERS (0 with RRAMPROF_ENABLED == 0). */
uint32_t rp_xbar_hw_available(void);
/* Zeroes the totals, takes the first sample and samples from now on. */
void rp_xbar_hw_start(void);
/* Adds the deltas since the previous sample (no-op when not sampling). */
void rp_xbar_hw_sample(void);
/* A last sample, then no more; the totals stay for rp_xbar_hw_fill. */
void rp_xbar_hw_stop(void);
/* Samples, then sets out->hw_valid to the counters of the last session
 * and their totals in out->hw_* (others 0). */
void rp_xbar_hw_fill(rp_counters_t *out);

#endif
