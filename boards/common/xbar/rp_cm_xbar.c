/* The simulated crossbar behind rp_hal_xbar.h on Cortex-M boards; timing
 * rules in rp_cm_xbar.h. */
#include "rp_cm_xbar.h"

#include <string.h>

#include "rp_cm_clock.h"
#include "rp_port.h"
#include "rramprof/rp_hal_xbar.h"
#include "rramprof/rp_status.h"

/* Bytes for the model; the board sizes it to its RAM. */
#ifndef RP_CM_XBAR_ARENA
#define RP_CM_XBAR_ARENA (160u * 1024u)
#endif

/* Durations are converted with whole ticks per microsecond. */
_Static_assert(RP_BOARD_TIMER_HZ % 1000000u == 0u, "timer rate must be whole MHz");
#define PRV_TICKS_PER_US ((uint64_t)(RP_BOARD_TIMER_HZ / 1000000u))

static _Alignas(8) uint8_t prv_arena[RP_CM_XBAR_ARENA];

static struct {
    rp_xmodel_t *model;
    rp_xmodel_params_t params;
    char model_name[RP_XMODEL_NAME_MAX + 8];
    uint32_t t0;          /* timestamp at operation entry */
    uint32_t hw0;         /* hardware counter at operation entry */
} prv_x;

int rp_cm_xbar_init(const char *preset, uint32_t tiles, uint64_t seed)
{
    rp_xmodel_params_t p;
    int rc = rp_xmodel_preset(preset, &p);
    if (rc != RP_OK) {
        return rc;
    }
    if (tiles != 0u) {
        p.tiles = tiles;
    }
    p.mcu_clock_hz = RP_BOARD_TIMER_HZ;
    rc = rp_xmodel_create_in(&p, seed, prv_arena, sizeof prv_arena, &prv_x.model, NULL, 0u);
    if (rc != RP_OK) {
        return rc;
    }
    prv_x.params = p;
    /* "mcu:" + preset: the array is the model, running on the MCU. */
    memcpy(prv_x.model_name, "mcu:", 4u);
    memcpy(prv_x.model_name + 4, p.name, strlen(p.name) + 1u);
    return RP_OK;
}

static void prv_begin(void)
{
    /* One read for both, so hiding the compute time below leaves the
     * timestamp exactly where it was at entry. */
    prv_x.hw0 = rp_board_hw_ticks32();
    prv_x.t0 = prv_x.hw0 - rp_cm_stolen_ticks;
}

/* Hides the model's compute time, then waits out the true duration. */
static int prv_end(int rc, uint64_t duration_ps)
{
    rp_cm_stolen_ticks += rp_board_hw_ticks32() - prv_x.hw0;
    uint64_t ticks = (duration_ps * PRV_TICKS_PER_US + 999999u) / 1000000u;
    uint32_t wait = ticks > 0x7FFFFFFFu ? 0x7FFFFFFFu : (uint32_t)ticks;
    uint32_t spent = rp_port_cycles32() - prv_x.t0;
    if (spent < wait) {
        /* Sleep short of the deadline (by 1/32 and 4 ticks) and spin the
         * rest: the sleep timer may run on another clock, a little slower
         * than its nominal rate (QEMU rounds its period to whole ns), and
         * a wake-up costs time. */
        uint32_t left = wait - spent;
        uint32_t margin = left / 32u + 4u;
        rp_board_wait_ticks(left > margin ? left - margin : 0u);
    }
    /* The spin ends even if the counter stops: the first stall restarts it
     * where the board can (rp_board_timer_rearm), a second one in the same
     * wait fails the operation instead of hanging. */
    rp_cm_timer_watch_t watch;
    rp_cm_timer_watch_init(&watch, rp_port_cycles32());
    bool stalled = false;
    for (;;) {
        uint32_t now = rp_port_cycles32();
        if ((uint32_t)(now - prv_x.t0) >= wait) {
            break;
        }
        if (rp_cm_timer_stalled(&watch, now)) {
            if (stalled) {
                return rc != RP_OK ? rc : RP_ERR_HAL;
            }
            stalled = true;
        }
    }
    return rc;
}

/* Default: the spin loop in prv_end does all the waiting. */
__attribute__((weak)) void rp_board_wait_ticks(uint32_t ticks)
{
    (void)ticks;
}

int rp_hal_xbar_info(rp_array_info_t *out)
{
    if (out == NULL) {
        return RP_ERR_ARG;
    }
    if (prv_x.model == NULL) {
        return RP_ERR_STATE;
    }
    rp_xmodel_describe(&prv_x.params, prv_x.model_name, out);
    return RP_OK;
}

int rp_hal_xbar_write_pulse(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                            const uint8_t *targets, const uint8_t *pulse_mask, uint8_t step)
{
    uint64_t ps = 0;
    prv_begin();
    int rc = prv_x.model == NULL ? RP_ERR_STATE
                                 : rp_xmodel_write_pulse(prv_x.model, tile, row, col, cols,
                                                         targets, pulse_mask, step, &ps);
    return prv_end(rc, ps);
}

int rp_hal_xbar_verify(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols,
                       const uint8_t *targets, uint8_t *pending_mask, uint16_t *pending)
{
    uint64_t ps = 0;
    prv_begin();
    int rc = prv_x.model == NULL ? RP_ERR_STATE
                                 : rp_xmodel_verify(prv_x.model, tile, row, col, cols, targets,
                                                    pending_mask, pending, &ps);
    return prv_end(rc, ps);
}

int rp_hal_xbar_read(uint8_t tile, uint16_t row, uint16_t col, uint16_t cols, uint8_t *levels)
{
    uint64_t ps = 0;
    prv_begin();
    int rc = prv_x.model == NULL
                 ? RP_ERR_STATE
                 : rp_xmodel_read(prv_x.model, tile, row, col, cols, levels, &ps);
    return prv_end(rc, ps);
}

int rp_hal_xbar_load_inputs(uint8_t tile, uint16_t row, uint16_t rows, const int8_t *x)
{
    uint64_t ps = 0;
    prv_begin();
    int rc = prv_x.model == NULL ? RP_ERR_STATE
                                 : rp_xmodel_load_inputs(prv_x.model, tile, row, rows, x, &ps);
    return prv_end(rc, ps);
}

int rp_hal_xbar_mvm(uint8_t tile, uint16_t row, uint16_t rows, uint16_t col, uint16_t cols)
{
    uint64_t ps = 0;
    prv_begin();
    int rc = prv_x.model == NULL ? RP_ERR_STATE
                                 : rp_xmodel_mvm(prv_x.model, tile, row, rows, col, cols, &ps);
    return prv_end(rc, ps);
}

int rp_hal_xbar_fetch_outputs(uint8_t tile, uint16_t col, uint16_t cols, int32_t *y)
{
    uint64_t ps = 0;
    prv_begin();
    int rc = prv_x.model == NULL
                 ? RP_ERR_STATE
                 : rp_xmodel_fetch_outputs(prv_x.model, tile, col, cols, y, &ps);
    return prv_end(rc, ps);
}
