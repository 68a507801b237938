/* Board identity pieces shared by the Cortex-M boards. */
#include <stdbool.h>
#include <stdint.h>

#include "rp_cm_board.h"
#include "rp_cm_startup.h"
#include "rramprof/rp_hal_board.h"

#ifndef RRAMPROF_VERSION
#define RRAMPROF_VERSION "0.0.0"
#endif

/* The board this image is built for (its boards/ folder name, set by
 * rp_cm_board() in cortexm.cmake), as the host's .rramprof.board section:
 * `rramprof flash` and `rramprof capture --board` refuse an image built
 * for another board. Not allocated: no byte of flash or RAM, and not in
 * the .bin or .hex. */
#if defined(RP_CM_BOARD_NAME)
__asm__(".pushsection .rramprof.board,\"\",%progbits\n"
        ".asciz \"" RP_CM_BOARD_NAME "\"\n"
        ".popsection\n");
#endif

/* Survives a warm reset (the linker scripts keep .noinit out of .bss), so
 * every reset gets a new boot id: a counter guarded by a magic word. At
 * power-on RAM holds noise on silicon (then the magic is almost never
 * right and the count restarts from the noise) and zeros under QEMU (so
 * emulated runs are reproducible). */
#define PRV_BOOT_MAGIC 0x52504254u /* "RPBT" */

static struct {
    uint32_t magic;
    uint32_t count;
} prv_boot __attribute__((section(".noinit")));

static uint64_t prv_boot_id;
static rp_reset_cause_t prv_reset_cause;
static uint32_t prv_fatal_reason;

static uint64_t prv_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rp_cm_board_boot(uint32_t salt, rp_reset_cause_t hw)
{
    bool cold = prv_boot.magic != PRV_BOOT_MAGIC;
    if (cold) {
        prv_boot.magic = PRV_BOOT_MAGIC;
    }
    /* Before rp_cm_device_loop clears the count of fatal resets. */
    prv_reset_cause = rp_cm_reset_cause(&rp_cm_last_fatal, hw, cold, &prv_fatal_reason);
    prv_boot.count++;
    prv_boot_id = prv_mix(((uint64_t)salt << 32) | prv_boot.count);
}

uint64_t rp_hal_board_boot_id(void)
{
    return prv_boot_id;
}

rp_reset_cause_t rp_hal_board_reset_cause(uint32_t *fatal_reason)
{
    *fatal_reason = prv_fatal_reason;
    return prv_reset_cause;
}

const char *rp_hal_board_firmware_version(void)
{
    return RRAMPROF_VERSION;
}
