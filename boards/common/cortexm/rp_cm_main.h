/* The Cortex-M boards' device main loop (rp_cm_main.c). */
#ifndef RP_CM_MAIN_H
#define RP_CM_MAIN_H

#include <stdint.h>

/* Seed the image was built with (RP_BOARD_SEED), for the crossbar model. */
uint64_t rp_cm_seed(void);
/* rp_device_init, then rp_device_poll forever; never returns. */
void rp_cm_device_loop(void) __attribute__((noreturn));

#endif
