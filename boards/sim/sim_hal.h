/* The sim board's HAL binding: a virtual clock and the simulated crossbar.
 *
 * Implements rp_hal_timer.h, rp_hal_xbar.h and rp_hal_board.h (the
 * transport is boards/sim/sim_transport.c) for a host process. Time is
 * virtual: a 64-bit tick counter at the model's mcu_clock_hz (one tick =
 * one MCU cycle) that only moves when something modelled takes time:
 *
 *   - each crossbar HAL call advances it by that operation's true duration
 *     from the model, rounded up to whole ticks (the MCU sees completion at
 *     its next cycle). Nothing else advances the clock inside the call, so
 *     a wrapper that reads the timer before and after measures exactly
 *     that tick count: it is the ground truth the truth hook reports;
 *   - rp_workload_board_compute(macs) charges mcu_ns_per_mac per digital
 *     multiply-accumulate done by a workload;
 *   - rp_port_model_cost() (port/rp_port.h) charges the recorder's
 *     modelled cost;
 *   - the board main calls rp_sim_hal_advance() for anything else it
 *     models (idle loop iterations, link bandwidth).
 *
 * Runs are therefore deterministic for a parameter set and seed. The
 * module is a singleton, as a board's HAL is; it is not thread-safe. */
#ifndef RP_SIM_HAL_H
#define RP_SIM_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_xmodel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Board name reported by rp_hal_board_name(). */
#define RP_SIM_HAL_BOARD_NAME "sim"

/* Creates the crossbar model from p (copied) and seed, resets the clock to
 * 0, the reset cause to power-on and the boot id to one derived from seed
 * (so runs are reproducible; see rp_sim_hal_set_boot_id). Replaces any model from an earlier init.
 * On a bad parameter set writes the reason into err and returns
 * RP_ERR_ARG (RP_ERR_NOSPACE if memory runs out). Before a successful
 * init the crossbar functions return RP_ERR_STATE. */
int rp_sim_hal_init(const rp_xmodel_params_t *p, uint64_t seed, char *err, size_t errlen);
/* Frees the model; crossbar calls return RP_ERR_STATE again. */
void rp_sim_hal_deinit(void);

/* Current virtual time in ticks (same as rp_hal_timer_now()). */
uint64_t rp_sim_hal_now(void);
/* Advances virtual time by ticks of modelled MCU or board work. */
void rp_sim_hal_advance(uint64_t ticks);
/* Ticks covering ps picoseconds at the current clock, rounded up. */
uint64_t rp_sim_hal_ps_to_ticks(uint64_t ps);

/* The active parameter set and model, or NULL before init. The model may
 * be inspected (rp_xmodel_cell); calling its operations directly bypasses
 * the clock. */
const rp_xmodel_params_t *rp_sim_hal_params(void);
rp_xmodel_t *rp_sim_hal_model(void);

/* Overrides the boot id reported by rp_hal_board_boot_id(). */
void rp_sim_hal_set_boot_id(uint64_t id);

/* A simulated reset of the board (the sim's --reset-after): a new boot id,
 * derived from the old one, and cause for rp_hal_board_reset_cause() to
 * report (power-on before the first reset). The crossbar keeps its cells,
 * as non-volatile memory does, and the virtual clock runs on; the caller
 * boots the firmware core again (rp_device_init). */
void rp_sim_hal_reset(rp_reset_cause_t cause);

/* Ground truth: one record per crossbar HAL call, in call order, including
 * calls that failed (they take 0 ticks). */
typedef struct rp_sim_truth {
    uint8_t op;            /* enum rp_op: WRITE, VERIFY, READ, MVM or TRANSFER */
    uint8_t tile;
    uint8_t step;          /* write_pulse: ISPP step; else 0 */
    int status;            /* return value of the HAL call (RP_OK or rp_err_t) */
    uint16_t row, rows;    /* region; rows = 1 for row operations; */
    uint16_t col, cols;    /* inputs TRANSFER has col = cols = 0,
                              outputs TRANSFER row = rows = 0 */
    uint32_t bytes;        /* TRANSFER: bytes moved over the bus; else 0 */
    uint64_t start;        /* tick the call began */
    uint64_t duration;     /* ticks the clock advanced */
    uint64_t duration_ps;  /* the model's exact duration */
} rp_sim_truth_t;

typedef void (*rp_sim_truth_fn)(void *ctx, const rp_sim_truth_t *t);
/* Installs fn (NULL removes it); kept across rp_sim_hal_init. */
void rp_sim_hal_set_truth(rp_sim_truth_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
