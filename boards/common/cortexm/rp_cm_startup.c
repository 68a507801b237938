/* Reset handler shared by the Cortex-M boards: point VTOR at this image's
 * vector table, enable the FPU (the model and libm use it), salvage what
 * the recorder of the boot before held (a warm reset keeps RAM), copy
 * .data from flash, zero .bss, then the board's rp_board_main. Each board
 * supplies the vector table and the linker script that defines the
 * symbols below. */
#include <stdint.h>

#include "rp_cm_startup.h"
#include "rramprof/rp_salvage.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
/* Start of .isr_vector (cortexm.ld, which also checks its alignment). */
extern const uint32_t _rp_cm_vectors[];

#define PRV_SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)
#define PRV_SCB_AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define PRV_SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define PRV_DHCSR (*(volatile const uint32_t *)0xE000EDF0u)

#define PRV_DHCSR_C_DEBUGEN (1u << 0)
#define PRV_AIRCR_VECTKEY (0x05FAu << 16)
#define PRV_AIRCR_PRIGROUP (7u << 8)
#define PRV_AIRCR_SYSRESETREQ (1u << 2)

rp_cm_fatal_info_t rp_cm_last_fatal __attribute__((section(".noinit")));

void rp_cm_reset_handler(void)
{
#if defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB >= 2
    /* ARMv7-M and later mainline cores have VTOR. Entered from the STM32
     * ROM bootloader's Go command, or from a debugger's jump, VTOR still
     * points at the previous table; a reset sets it to 0, which on the
     * STM32 aliases whatever BOOT0 selected, not necessarily this image. */
    PRV_SCB_VTOR = (uint32_t)_rp_cm_vectors;
#endif
    /* CP10 and CP11 full access, before any code that may use the FPU. */
    PRV_SCB_CPACR |= (0xFu << 20);
    __asm__ __volatile__("dsb\n\tisb" ::: "memory");

    /* Before .bss is cleared: the recorder's state is still the last
     * boot's after a warm reset (power-on RAM fails its check). */
    rp_salvage_read();

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

void rp_cm_fatal(uint32_t reason)
{
    __asm__ __volatile__("cpsid i" ::: "memory");
    bool may_reset = rp_cm_fatal_note(&rp_cm_last_fatal, reason);
#if defined(RP_CM_FAULT_RESET) && RP_CM_FAULT_RESET
    /* No debugger to stop for: a bkpt would escalate to HardFault and, in
     * a fault handler, lock the core up until a power cycle. Reset instead
     * (only on silicon: under QEMU a reset would rerun the image for
     * ever instead of ending a test), or park once resets did not help. */
    if ((PRV_DHCSR & PRV_DHCSR_C_DEBUGEN) == 0u) {
        __asm__ __volatile__("dsb" ::: "memory");
        if (may_reset) {
            PRV_SCB_AIRCR = PRV_AIRCR_VECTKEY | (PRV_SCB_AIRCR & PRV_AIRCR_PRIGROUP) |
                            PRV_AIRCR_SYSRESETREQ;
            __asm__ __volatile__("dsb" ::: "memory");
        }
        for (;;) {
            __asm__ __volatile__("wfi");
        }
    }
#else
    (void)may_reset;
#endif
    /* Stop where a debugger can see it. */
    for (;;) {
        __asm__ __volatile__("bkpt 0");
    }
}

/* A fault or an unexpected interrupt: the exception number is the reason. */
void rp_cm_default_handler(void)
{
    uint32_t ipsr;
    __asm__ __volatile__("mrs %0, ipsr" : "=r"(ipsr));
    rp_cm_fatal(ipsr & 0x1FFu);
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
