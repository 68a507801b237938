/* rp_hal_timer.h for Cortex-M boards: the port's 32-bit counter
 * (rp_port_cycles32) extended to 64 bits in software. */
#include "rp_cm_clock.h"
#include "rp_port.h"
#include "rramprof/rp_hal_timer.h"

volatile uint32_t rp_cm_stolen_ticks;

static uint32_t prv_last;
static uint32_t prv_high;

uint64_t rp_hal_timer_now(void)
{
    /* Masked so an interrupt handler calling this between the read and the
     * update cannot count one wrap twice. */
    rp_port_irq_t s = rp_port_irq_save();
    uint32_t now = rp_port_cycles32();
    if (now < prv_last) {
        prv_high++;
    }
    prv_last = now;
    uint64_t t = ((uint64_t)prv_high << 32) | now;
    rp_port_irq_restore(s);
    return t;
}

bool rp_hal_timer_restart(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    bool done = rp_board_timer_restart();
    if (done) {
        rp_cm_stolen_ticks = 0u;
        prv_last = 0u;
        prv_high = 0u;
    }
    rp_port_irq_restore(s);
    return done;
}

uint64_t rp_hal_timer_hz(void)
{
    return RP_BOARD_TIMER_HZ;
}

uint32_t rp_hal_timer_bits(void)
{
    return 32u;
}

bool rp_cm_timer_look(uint32_t then, uint32_t now)
{
    if (now != then) {
        return false;
    }
    (void)rp_board_timer_rearm();
    return true;
}

/* Default: the counter cannot stop, or the board cannot restart it. */
__attribute__((weak)) bool rp_board_timer_rearm(void)
{
    return false;
}
