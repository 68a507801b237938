/* Write-verify programming (incremental step pulse programming, ISPP).
 *
 * Programs a row segment to target levels: pulse the cells still out of
 * tolerance, verify, repeat with a larger step until every cell converged
 * or max_steps is reached. Every pulse and verify is recorded through the
 * rp_xbar wrappers; the final VERIFY carries RP_STATUS_NOT_CONVERGED if
 * cells were left behind. */
#ifndef RP_WV_H
#define RP_WV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RP_WV_MAX_COLS 256u

typedef struct rp_wv_result {
    uint8_t steps;          /* pulse+verify rounds used */
    uint16_t failed_cells;  /* cells still out of tolerance at the end */
} rp_wv_result_t;

/* cols <= RP_WV_MAX_COLS. Returns RP_OK (even with failed cells; see
 * result), or a HAL / range error. */
int rp_wv_program_row(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                      const uint8_t *targets, uint8_t max_steps, rp_wv_result_t *result);

#ifdef __cplusplus
}
#endif
#endif
