/* Stall watch on the timestamp counter (rp_cm_clock.c), for the loops that
 * wait on it: the crossbar model's spin (rp_cm_xbar.c) and the device
 * main loop (rp_cm_main.c).
 *
 * A counter that stops would hang every wait on it. The DWT cycle counter
 * does stop when a debug probe clears DEMCR.TRCENA as it detaches, as
 * some do, which can happen at any time after boot. */
#ifndef RP_CM_CLOCK_H
#define RP_CM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Loop iterations between two looks at the counter; the counter has
 * stopped when it reads the same at both. Any running timer moves in that
 * time: an iteration takes at least 4 instructions, so 65,536 of them
 * last at least 262 us under QEMU -icount shift=0 (1 ns each), where a
 * 25 MHz timer ticks 6,500 times; on the 168 MHz NUCLEO the crossbar spin
 * looks every 2-4 ms, the idle device loop about every 0.1 s. */
#define RP_CM_TIMER_STALL_READS (1u << 16)

/* Only a board whose timestamp counter can stop while the firmware runs
 * (the DWT cycle counter) sets RP_CM_TIMER_CAN_STOP=1 in its DEFINES; on
 * the others the watch compiles to nothing, so their crossbar spin keeps
 * its resolution (6 instructions a turn rather than 8: under QEMU that
 * changed which 40-instruction tick a wait ends in, and with it the
 * recorded durations). */
#ifndef RP_CM_TIMER_CAN_STOP
#define RP_CM_TIMER_CAN_STOP 0
#endif

typedef struct rp_cm_timer_watch {
    uint32_t snap;    /* the counter at the last look */
    uint32_t left;    /* iterations until the next look */
} rp_cm_timer_watch_t;

/* Board hook: restarts a stopped timestamp counter (for the DWT: TRCENA
 * and CYCCNTENA again); false if the board cannot. The weak default
 * returns false. */
bool rp_board_timer_rearm(void);

/* The look itself, out of line: true, after rp_board_timer_rearm, when
 * the counter read `then` at the previous look and `now` at this one. */
bool rp_cm_timer_look(uint32_t then, uint32_t now);

static inline void rp_cm_timer_watch_init(rp_cm_timer_watch_t *w, uint32_t now)
{
    w->snap = now;
    w->left = RP_CM_TIMER_STALL_READS;
}

/* Feeds one read `now` of the counter per loop iteration; a decrement and
 * a branch but once per RP_CM_TIMER_STALL_READS calls, so a spin's
 * resolution barely changes. Returns true when the counter has not moved
 * since the previous look; rp_board_timer_rearm has then been called. */
static inline bool rp_cm_timer_stalled(rp_cm_timer_watch_t *w, uint32_t now)
{
    if (!RP_CM_TIMER_CAN_STOP || --w->left != 0u) {
        return false;
    }
    /* By value, so the watch can live in registers. */
    uint32_t then = w->snap;
    rp_cm_timer_watch_init(w, now);
    return rp_cm_timer_look(then, now);
}

#endif
