/* Reset handler shared by the Cortex-M boards: copy .data from flash, zero
 * .bss, enable the FPU (the model and libm use it), then the board's
 * rp_board_main. Each board supplies the vector table and the linker
 * script that defines the symbols below. */
#include <stdint.h>

#include "rp_cm_startup.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];

#define PRV_SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void rp_cm_reset_handler(void)
{
    /* CP10 and CP11 full access, before any code that may use the FPU. */
    PRV_SCB_CPACR |= (0xFu << 20);
    __asm__ __volatile__("dsb\n\tisb" ::: "memory");

    const uint32_t *src = _sidata;
    for (uint32_t *dst = _sdata; dst < _edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = _sbss; dst < _ebss;) {
        *dst++ = 0u;
    }
    rp_board_main();
    for (;;) {
        __asm__ __volatile__("wfi");
    }
}

/* A fault or an unexpected interrupt: stop where a debugger can see it. */
void rp_cm_default_handler(void)
{
    for (;;) {
        __asm__ __volatile__("bkpt 0");
    }
}

void rp_cm_semihost_exit(uint32_t code)
{
    /* SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit and the
     * status; only meaningful with a semihosting debugger or QEMU
     * -semihosting, elsewhere the bkpt halts the core. */
    uint32_t block[2] = {0x20026u, code};
    register uint32_t r0 __asm__("r0") = 0x20u;
    register uint32_t *r1 __asm__("r1") = block;
    __asm__ __volatile__("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {
    }
}
