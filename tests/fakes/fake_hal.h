/* Fake HAL for unit tests: every rp_hal_* function of hal/include/rramprof
 * backed by one global struct the test reads and scripts.
 *
 *  - timer: `now` only moves when the test advances it or a crossbar call
 *    runs (each op advances it by op_ticks[op]), so durations are exact;
 *  - transport: TX bytes are captured in `tx` (or only counted when
 *    tx_discard is set); `tx_space` is what the link takes before the test
 *    refills it; RX is a queue the test fills with fake_hal_rx_push;
 *  - crossbar: a small array of cell levels. A pulse moves each selected,
 *    non-stuck cell one level toward its target; verify flags cells whose
 *    level differs from the target; MVM computes real column sums. Each op
 *    can be forced to return an error, always or at its n-th call;
 *  - board identity: plain fields.
 *
 * fake_hal_reset() restores every default and also resets rp_fake_port. */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_encoder.h"
#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_hal_transport.h"
#include "rramprof/rp_hal_xbar.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FAKE_XBAR_MAX_TILES 2u
#define FAKE_XBAR_MAX_ROWS 64u
#define FAKE_XBAR_MAX_COLS 256u
#define FAKE_TX_CAP (256u * 1024u)
#define FAKE_RX_CAP 4096u
#define FAKE_TX_UNLIMITED ((size_t)-1)

typedef enum fake_xbar_op {
    FAKE_OP_WRITE = 0,
    FAKE_OP_VERIFY,
    FAKE_OP_READ,
    FAKE_OP_LOAD,
    FAKE_OP_MVM,
    FAKE_OP_FETCH,
    FAKE_OP_COUNT
} fake_xbar_op_t;

typedef struct fake_hal {
    /* timer */
    uint64_t now;
    uint64_t hz;
    uint32_t bits;
    uint64_t now_step;        /* added to `now` after every rp_hal_timer_now */
    bool can_restart;         /* rp_hal_timer_restart sets now to 0 */
    uint32_t restarts;        /* successful rp_hal_timer_restart calls */
    size_t tx_len_at_restart; /* tx_len when the clock last restarted */
    uint32_t now_reads;

    /* transport */
    uint8_t tx[FAKE_TX_CAP];
    size_t tx_len;            /* bytes captured in tx */
    size_t tx_space;          /* FAKE_TX_UNLIMITED or bytes left; writes use it up */
    bool tx_discard;          /* count bytes but do not keep them */
    uint64_t tx_total;        /* bytes accepted since reset */
    uint32_t tx_writes;
    bool up;
    uint8_t rx[FAKE_RX_CAP];
    size_t rx_head, rx_len;
    size_t rx_chunk;          /* most bytes one read returns (0 = no limit) */
    uint32_t rx_lost;         /* rp_hal_transport_rx_lost() */

    /* crossbar */
    rp_array_info_t info;
    uint64_t op_ticks[FAKE_OP_COUNT];
    int op_rc[FAKE_OP_COUNT];        /* returned by every call when non-zero */
    uint32_t op_calls[FAKE_OP_COUNT];
    int fail_op;                     /* with fail_call: make that call fail */
    uint32_t fail_call;              /* 1-based call number of fail_op; 0 = off */
    int fail_rc;
    uint8_t level[FAKE_XBAR_MAX_TILES][FAKE_XBAR_MAX_ROWS][FAKE_XBAR_MAX_COLS];
    bool stuck[FAKE_XBAR_MAX_TILES][FAKE_XBAR_MAX_ROWS][FAKE_XBAR_MAX_COLS];
    uint32_t pulses[FAKE_XBAR_MAX_TILES][FAKE_XBAR_MAX_ROWS][FAKE_XBAR_MAX_COLS];
    uint8_t step_log[64];            /* `step` of each write pulse, in order */
    uint32_t step_log_len;
    int8_t inputs[FAKE_XBAR_MAX_ROWS];
    int32_t outputs[FAKE_XBAR_MAX_COLS];

    /* board */
    const char *board_name;
    const char *firmware_version;
    uint64_t boot_id;
    rp_reset_cause_t reset_cause;    /* reported as is, with fatal_reason */
    uint32_t fatal_reason;
    uint32_t counters_available;
    /* hardware counters: every crossbar call adds hw_per_op[i] to
       rp_fake_port.hw[i] (the fake port reads them) */
    uint32_t hw_per_op[6];
} fake_hal_t;

extern fake_hal_t fake_hal;

void fake_hal_reset(void);
void fake_hal_timer_advance(uint64_t ticks);
/* Queues bytes for rp_hal_transport_read; returns how many fitted. */
size_t fake_hal_rx_push(const uint8_t *data, size_t len);
/* Drops the captured TX bytes (keeps the counters). */
void fake_hal_tx_clear(void);

#ifdef __cplusplus
}
#endif
#endif
