/* The device main loop of the Cortex-M boards, built into each image (the
 * -test image with its own settings; see boards/common/cortexm.cmake).
 *
 * Build-time settings (compiler -D):
 *   RP_BOARD_WORKLOAD     workload run at every Start ["mlp"]
 *   RP_BOARD_SEED         seed of the workloads [1]
 *   RP_BOARD_EVENT_LIMIT  stop recording after that many events [0 = never]
 *   RP_BOARD_TEST         record from boot, and once everything is sent
 *                         leave through semihosting (QEMU -semihosting)
 *   RP_BOARD_BENCH        run the recorder benchmarks of rp_cm_bench.c
 *                         instead (the -bench image)
 *   RP_BOARD_SELFTEST     run the encoder self-test of rp_cm_selftest.c
 *                         instead (the -selftest image) */
#include <stdbool.h>
#include <stdint.h>

#include "rp_cm_clock.h"
#include "rp_cm_link.h"
#include "rp_cm_main.h"
#include "rp_cm_startup.h"
#include "rp_port.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_device.h"
#include "rramprof/rp_frame.h"

#ifndef RP_BOARD_WORKLOAD
#define RP_BOARD_WORKLOAD "mlp"
#endif
#ifndef RP_BOARD_SEED
#define RP_BOARD_SEED 1u
#endif
#ifndef RP_BOARD_EVENT_LIMIT
#define RP_BOARD_EVENT_LIMIT 0u
#endif
#ifndef RP_BOARD_TEST
#define RP_BOARD_TEST 0
#endif

/* The drain sends a batch only once the link's TX queue has room for the
 * largest frame: a smaller queue would never have it. */
_Static_assert(RP_CM_LINK_TX_SIZE >= RP_FRAME_ENCODED_MAX(RP_FRAME_MAX_PAYLOAD),
               "the link's TX queue holds a whole frame");

uint64_t rp_cm_seed(void)
{
    return RP_BOARD_SEED;
}

#if defined(RP_BOARD_BENCH) && RP_BOARD_BENCH
void rp_cm_bench_run(void) __attribute__((noreturn));
#endif
#if defined(RP_BOARD_SELFTEST) && RP_BOARD_SELFTEST
void rp_cm_selftest_run(void) __attribute__((noreturn));
#endif

void rp_cm_device_loop(void)
{
#if defined(RP_BOARD_BENCH) && RP_BOARD_BENCH
    rp_cm_bench_run();   /* bench image: measure, report, exit */
#endif
#if defined(RP_BOARD_SELFTEST) && RP_BOARD_SELFTEST
    rp_cm_selftest_run();   /* self-test image: compare, report, exit */
#endif
    rp_device_config_t cfg = {
        .default_workload = RP_BOARD_WORKLOAD,
        .seed = RP_BOARD_SEED,
        .event_limit = RP_BOARD_EVENT_LIMIT,
        .autostart = RP_BOARD_TEST != 0,
        .heartbeat_ms = 1000u,
        .counters_ms = 1000u,
    };
    rp_device_init(&cfg);
    /* Set up and serving: a fatal error from here on may reset again. */
    rp_cm_fatal_device_up(&rp_cm_last_fatal);
    /* Idle, nothing else waits on the counter: restart it here too if it
     * stops, or Heartbeats and Counters would stop with it. */
    rp_cm_timer_watch_t watch;
    rp_cm_timer_watch_init(&watch, rp_board_hw_ticks32());
    for (;;) {
        bool busy = rp_device_poll();
        rp_cm_link_pump();
        (void)rp_cm_timer_stalled(&watch, rp_board_hw_ticks32());
        if (RP_BOARD_TEST != 0 && !busy && rp_cm_link_tx_idle()) {
            rp_cm_semihost_exit(0u);
        }
    }
}
