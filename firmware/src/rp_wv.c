/* Write-verify (ISPP) programming of one row segment; contract in rp_wv.h.
 *
 * Verify first: cells that already hold their target (re-programming the
 * same weights, or a partly converged row) get no pulse at all, which saves
 * time and endurance; a row that needs every cell costs one extra verify.
 *
 * Event sequence, with the `iterations` field of each event:
 *   VERIFY(0), then per round k = 0, 1, ...: WRITE(k), VERIFY(k + 1).
 * WRITE(k) pulses only the cells the previous verify left pending, with the
 * HAL's step k amplitude. The last verify allowed (after max_steps rounds,
 * or the first one when max_steps is 0) carries RP_STATUS_NOT_CONVERGED if
 * cells remain. */
#include "rramprof/rp_wv.h"

#include <stddef.h>

#include "rp_xbar_priv.h"
#include "rramprof/rp_status.h"

int rp_wv_program_row(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                      const uint8_t *targets, uint8_t max_steps, rp_wv_result_t *result)
{
    rp_wv_result_t res = {0u, cols};
    if (targets == NULL || cols == 0u || cols > RP_WV_MAX_COLS) {
        if (result != NULL) {
            *result = res;
        }
        return RP_ERR_ARG;
    }

    uint8_t pending_mask[RP_WV_MAX_COLS];
    uint16_t pending = 0u;
    uint8_t step = 0u;
    int rc = rp_xbar_verify_ex(tile, row, col, cols, targets, pending_mask, &pending, 0u,
                               max_steps == 0u);
    if (rc == RP_OK) {
        res.failed_cells = pending;
    }
    while (rc == RP_OK && pending != 0u && step < max_steps) {
        rc = rp_xbar_write_pulse(tile, row, col, cols, targets, pending_mask, step);
        if (rc != RP_OK) {
            break;
        }
        step++;
        rc = rp_xbar_verify_ex(tile, row, col, cols, targets, pending_mask, &pending, step,
                               step == max_steps);
        if (rc == RP_OK) {
            res.failed_cells = pending;
        }
    }
    res.steps = step;
    if (result != NULL) {
        *result = res;
    }
    return rc;
}
