/* Firmware-private extension of rp_xbar.h for the write-verify loop. */
#ifndef RP_XBAR_PRIV_H
#define RP_XBAR_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "rramprof/rp_xbar.h"

/* rp_xbar_verify, but when `last` is set (the final verify write-verify
 * will do) and cells are still pending, the event's status is
 * RP_STATUS_NOT_CONVERGED. */
int rp_xbar_verify_ex(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                      const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending,
                      uint8_t step, bool last);

#endif
