/* Fake HAL for unit tests; see fake_hal.h. */
#include "fake_hal.h"

#include <string.h>

#include "rp_port.h"
#include "rramprof/rp_status.h"

fake_hal_t fake_hal;
rp_fake_port_t rp_fake_port;

void fake_hal_reset(void)
{
    memset(&fake_hal, 0, sizeof fake_hal);
    memset(&rp_fake_port, 0, sizeof rp_fake_port);
    fake_hal.hz = 1000000u;
    fake_hal.bits = 32u;
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    fake_hal.up = true;
    fake_hal.info.tiles = FAKE_XBAR_MAX_TILES;
    fake_hal.info.rows = FAKE_XBAR_MAX_ROWS;
    fake_hal.info.cols = FAKE_XBAR_MAX_COLS;
    fake_hal.info.bits_per_cell = 2u;
    fake_hal.info.adcs_per_tile = 8u;
    fake_hal.info.adc_bits = 8u;
    fake_hal.info.input_bits = 8u;
    fake_hal.info.endurance_cycles = 1000000u;
    fake_hal.info.model = "fake";
    /* Nominal timing, so Hello carries every ArrayInfo field in tests. */
    fake_hal.info.write_pulse_ps = 100000u;
    fake_hal.info.write_setup_ps = 50000u;
    fake_hal.info.write_parallel_cols = 8u;
    fake_hal.info.read_latency_ps = 20000u;
    fake_hal.info.adc_conversion_ps = 10000u;
    fake_hal.info.dac_settle_ps = 5000u;
    fake_hal.info.interface_overhead_ps = 40000u;
    fake_hal.info.interface_bytes_per_s = 100000000u;
    fake_hal.fail_op = -1;
    fake_hal.fail_rc = RP_ERR_HAL;
    fake_hal.board_name = "fake";
    fake_hal.firmware_version = "0.0.0-test";
    fake_hal.boot_id = 0x1234u;
    fake_hal.reset_cause = RP_RESET_POWER_ON;
}

void fake_hal_timer_advance(uint64_t ticks)
{
    fake_hal.now += ticks;
}

size_t fake_hal_rx_push(const uint8_t *data, size_t len)
{
    /* Compact first so the whole buffer is usable. */
    if (fake_hal.rx_head > 0u) {
        memmove(fake_hal.rx, fake_hal.rx + fake_hal.rx_head, fake_hal.rx_len);
        fake_hal.rx_head = 0u;
    }
    size_t room = FAKE_RX_CAP - fake_hal.rx_len;
    size_t n = len < room ? len : room;
    memcpy(fake_hal.rx + fake_hal.rx_len, data, n);
    fake_hal.rx_len += n;
    return n;
}

void fake_hal_tx_clear(void)
{
    fake_hal.tx_len = 0u;
}

/* ---- timer ---- */

uint64_t rp_hal_timer_now(void)
{
    uint64_t t = fake_hal.now;
    fake_hal.now += fake_hal.now_step;
    fake_hal.now_reads++;
    return t;
}

uint64_t rp_hal_timer_hz(void)
{
    return fake_hal.hz;
}

uint32_t rp_hal_timer_bits(void)
{
    return fake_hal.bits;
}

bool rp_hal_timer_restart(void)
{
    if (!fake_hal.can_restart) {
        return false;
    }
    fake_hal.now = 0u;
    fake_hal.restarts++;
    fake_hal.tx_len_at_restart = fake_hal.tx_len;
    return true;
}

/* ---- transport ---- */

size_t rp_hal_transport_tx_space(void)
{
    size_t space = fake_hal.tx_space;
    if (!fake_hal.tx_discard) {
        size_t room = FAKE_TX_CAP - fake_hal.tx_len;
        if (room < space) {
            space = room;
        }
    }
    return space;
}

size_t rp_hal_transport_write(const uint8_t *data, size_t len)
{
    size_t space = rp_hal_transport_tx_space();
    size_t n = len < space ? len : space;
    if (!fake_hal.tx_discard) {
        memcpy(fake_hal.tx + fake_hal.tx_len, data, n);
        fake_hal.tx_len += n;
    }
    if (fake_hal.tx_space != FAKE_TX_UNLIMITED) {
        fake_hal.tx_space -= n;
    }
    fake_hal.tx_total += n;
    fake_hal.tx_writes++;
    return n;
}

size_t rp_hal_transport_read(uint8_t *buf, size_t cap)
{
    size_t n = fake_hal.rx_len < cap ? fake_hal.rx_len : cap;
    if (fake_hal.rx_chunk != 0u && n > fake_hal.rx_chunk) {
        n = fake_hal.rx_chunk;
    }
    memcpy(buf, fake_hal.rx + fake_hal.rx_head, n);
    fake_hal.rx_head += n;
    fake_hal.rx_len -= n;
    return n;
}

bool rp_hal_transport_up(void)
{
    return fake_hal.up;
}

uint32_t rp_hal_transport_rx_lost(void)
{
    return fake_hal.rx_lost;
}

/* ---- board ---- */

const char *rp_hal_board_name(void)
{
    return fake_hal.board_name;
}

const char *rp_hal_board_firmware_version(void)
{
    return fake_hal.firmware_version;
}

uint64_t rp_hal_board_boot_id(void)
{
    return fake_hal.boot_id;
}

uint32_t rp_hal_board_counters_available(void)
{
    return fake_hal.counters_available;
}

rp_reset_cause_t rp_hal_board_reset_cause(uint32_t *fatal_reason)
{
    *fatal_reason = fake_hal.fatal_reason;
    return fake_hal.reset_cause;
}

/* ---- crossbar ---- */

/* Counts the call, advances time by the op's duration and returns the
 * scripted result for it. */
static int prv_op(fake_xbar_op_t op)
{
    fake_hal.op_calls[op]++;
    fake_hal.now += fake_hal.op_ticks[op];
    for (int i = 0; i < 6; i++) {
        rp_fake_port.hw[i] += fake_hal.hw_per_op[i];
    }
    if (fake_hal.fail_call != 0u && fake_hal.fail_op == (int)op &&
        fake_hal.op_calls[op] == fake_hal.fail_call) {
        return fake_hal.fail_rc;
    }
    return fake_hal.op_rc[op];
}

static bool prv_region_ok(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols)
{
    return tile < fake_hal.info.tiles && tile < FAKE_XBAR_MAX_TILES &&
           (uint32_t)row + rows <= fake_hal.info.rows &&
           (uint32_t)row + rows <= FAKE_XBAR_MAX_ROWS &&
           (uint32_t)col + cols <= fake_hal.info.cols &&
           (uint32_t)col + cols <= FAKE_XBAR_MAX_COLS;
}

int rp_hal_xbar_info(rp_array_info_t *out)
{
    *out = fake_hal.info;
    return RP_OK;
}

int rp_hal_xbar_write_pulse(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                            const uint8_t *targets, const uint8_t *pulse_mask, uint8_t step)
{
    int rc = prv_op(FAKE_OP_WRITE);
    if (rc != RP_OK) {
        return rc;
    }
    if (!prv_region_ok(tile, row, 1u, col, cols)) {
        return RP_ERR_RANGE;
    }
    if (fake_hal.step_log_len < sizeof fake_hal.step_log) {
        fake_hal.step_log[fake_hal.step_log_len++] = step;
    }
    for (uint16_t i = 0; i < cols; i++) {
        if (pulse_mask[i] == 0u) {
            continue;
        }
        fake_hal.pulses[tile][row][col + i]++;
        uint8_t *lv = &fake_hal.level[tile][row][col + i];
        if (fake_hal.stuck[tile][row][col + i]) {
            continue;
        }
        if (*lv < targets[i]) {
            (*lv)++;
        } else if (*lv > targets[i]) {
            (*lv)--;
        }
    }
    return RP_OK;
}

int rp_hal_xbar_verify(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                       const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending)
{
    int rc = prv_op(FAKE_OP_VERIFY);
    if (rc != RP_OK) {
        return rc;
    }
    if (!prv_region_ok(tile, row, 1u, col, cols)) {
        return RP_ERR_RANGE;
    }
    uint16_t n = 0;
    for (uint16_t i = 0; i < cols; i++) {
        pending_mask[i] = fake_hal.level[tile][row][col + i] != targets[i] ? 1u : 0u;
        n = (uint16_t)(n + pending_mask[i]);
    }
    *pending = n;
    return RP_OK;
}

int rp_hal_xbar_read(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols, uint8_t *levels)
{
    int rc = prv_op(FAKE_OP_READ);
    if (rc != RP_OK) {
        return rc;
    }
    if (!prv_region_ok(tile, row, 1u, col, cols)) {
        return RP_ERR_RANGE;
    }
    memcpy(levels, &fake_hal.level[tile][row][col], cols);
    return RP_OK;
}

int rp_hal_xbar_load_inputs(uint8_t tile, uint16_t row, uint16_t rows, const int8_t *x)
{
    int rc = prv_op(FAKE_OP_LOAD);
    if (rc != RP_OK) {
        return rc;
    }
    if (!prv_region_ok(tile, row, rows, 0u, 0u)) {
        return RP_ERR_RANGE;
    }
    memcpy(&fake_hal.inputs[row], x, rows);
    return RP_OK;
}

int rp_hal_xbar_mvm(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols)
{
    int rc = prv_op(FAKE_OP_MVM);
    if (rc != RP_OK) {
        return rc;
    }
    if (!prv_region_ok(tile, row, rows, col, cols)) {
        return RP_ERR_RANGE;
    }
    for (uint16_t j = 0; j < cols; j++) {
        int32_t sum = 0;
        for (uint16_t i = 0; i < rows; i++) {
            sum += (int32_t)fake_hal.inputs[row + i] * fake_hal.level[tile][row + i][col + j];
        }
        fake_hal.outputs[col + j] = sum;
    }
    return RP_OK;
}

int rp_hal_xbar_fetch_outputs(uint8_t tile, uint16_t col, uint16_t cols, int32_t *y)
{
    int rc = prv_op(FAKE_OP_FETCH);
    if (rc != RP_OK) {
        return rc;
    }
    if (!prv_region_ok(tile, 0u, 0u, col, cols)) {
        return RP_ERR_RANGE;
    }
    memcpy(y, &fake_hal.outputs[col], (size_t)cols * sizeof *y);
    return RP_OK;
}
