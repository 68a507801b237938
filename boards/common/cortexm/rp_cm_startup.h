/* Cortex-M startup shared by the boards (rp_cm_startup.c). */
#ifndef RP_CM_STARTUP_H
#define RP_CM_STARTUP_H

#include <stdint.h>

/* The board's entry after C runtime set-up; never returns. */
void rp_board_main(void);

void rp_cm_reset_handler(void);
void rp_cm_default_handler(void);
/* Ends the program under a semihosting host (QEMU -semihosting): exit
 * status `code`. Test builds only. */
void rp_cm_semihost_exit(uint32_t code) __attribute__((noreturn));

extern uint32_t _estack[];

/* Entries 0..15 of every Cortex-M vector table, SysTick -> `systick`. */
#define RP_CM_CORE_VECTORS(systick)                                                   \
    (void (*)(void))_estack, rp_cm_reset_handler, rp_cm_default_handler, /* NMI */     \
        rp_cm_default_handler, /* HardFault */                                        \
        rp_cm_default_handler, /* MemManage */                                        \
        rp_cm_default_handler, /* BusFault */                                         \
        rp_cm_default_handler, /* UsageFault */                                       \
        0, 0, 0, 0, rp_cm_default_handler, /* SVC */                                  \
        rp_cm_default_handler, /* DebugMon */                                         \
        0, rp_cm_default_handler, /* PendSV */                                        \
        systick                   /* SysTick */

#define RP_CM_NVIC_ISER(n) (*(volatile uint32_t *)(0xE000E100u + 4u * (n)))

static inline void rp_cm_irq_enable(uint32_t irq)
{
    RP_CM_NVIC_ISER(irq / 32u) = 1u << (irq % 32u);
}

#endif
