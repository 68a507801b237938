/* HAL contract: the RRAM crossbar, uninstrumented.
 *
 * A board binds these to its array (a memory-mapped macro, an SPI-attached
 * test chip, or the simulated crossbar). Firmware code calls the recorded
 * wrappers in firmware/include/rramprof/rp_xbar.h instead, which time each
 * call. All functions are synchronous: they return when the array
 * operation has finished. They return RP_OK or a negative rp_err_t;
 * RP_ERR_RANGE for a region outside the array.
 *
 * Regions: tile < tiles, row + rows <= rows per tile, col + cols <= cols.
 * Levels are conductance levels 0 .. 2^bits_per_cell - 1. */
#ifndef RP_HAL_XBAR_H
#define RP_HAL_XBAR_H

#include <stdint.h>

#include "rramprof/rp_encoder.h"   /* rp_array_info_t */

#ifdef __cplusplus
extern "C" {
#endif

/* Geometry and nominal characteristics of the attached array. */
int rp_hal_xbar_info(rp_array_info_t *out);

/* One programming pulse (SET or RESET as each cell's target requires) on
 * the cells of row `row`, columns col..col+cols-1, whose pulse_mask byte is
 * non-zero. `step` is the write-verify iteration (0-based): the pulse
 * amplitude grows with it, as in incremental step pulse programming. */
int rp_hal_xbar_write_pulse(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                            const uint8_t *targets, const uint8_t *pulse_mask, uint8_t step);

/* Verify read: compares the cells with their targets. Sets pending_mask[i]
 * to 1 for cells still outside tolerance, 0 for the others, and *pending to
 * their count. */
int rp_hal_xbar_verify(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                       const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending);

/* Reads the levels of a row segment. */
int rp_hal_xbar_read(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols, uint8_t *levels);

/* MVM in three steps, as an MCU drives a real macro: move the inputs in,
 * convert, move the outputs out. x has `rows` signed inputs (input_bits
 * wide); y receives `cols` digitised column sums. */
int rp_hal_xbar_load_inputs(uint8_t tile, uint16_t row, uint16_t rows, const int8_t *x);
int rp_hal_xbar_mvm(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols);
int rp_hal_xbar_fetch_outputs(uint8_t tile, uint16_t col, uint16_t cols, int32_t *y);

#ifdef __cplusplus
}
#endif
#endif
