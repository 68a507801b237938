/* MPS2+ AN386 (Cortex-M4) under QEMU: vector table, UART0 link, TIMER0
 * timestamps, the simulated crossbar, board identity.
 *
 * Memory map (AN386 application note, QEMU hw/arm/mps2.c): code in ZBT
 * SSRAM1 at 0x00000000, data in SSRAM2/3 at 0x20000000, CMSDK TIMER0 at
 * 0x40000000, UART0 at 0x40004000 (RX interrupt IRQ 0, TX IRQ 1), all APB
 * peripherals on the 25 MHz clock.
 *
 * Crossbar waits spin on TIMER0 (no rp_board_wait_ticks) in every image
 * but -bench. Sleeping in WFI until a TIMER1 one-shot fires is what a
 * real board should do, but QEMU 7.2 under `-icount shift=0,sleep=off`
 * does not always resume from a WFI at the same instruction count when
 * the host is loaded: 4 of 120 runs of one test image (no host input,
 * UART to a file) differed by a tick from the others with three busy
 * loops and eight QEMUs on two CPUs, and 0 of 272 once the wait spun.
 * Spinning costs about 30% more host time. The -bench image records
 * 400,000 crossbar operations and measures instruction counts inside
 * timed regions that no wait is part of: it sleeps, which keeps
 * bench/qemu_bench.sh to minutes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsdk/rp_cmsdk.h"
#include "rp_cm_board.h"
#include "rp_cm_link.h"
#include "rp_cm_main.h"
#include "rp_cm_startup.h"
#include "rp_cm_xbar.h"
#include "rramprof/rp_hal_board.h"

#define PRV_APB_HZ 25000000u
#define PRV_BAUD 115200u
#define PRV_UART0 ((rp_cmsdk_uart_t *)0x40004000u)
#define PRV_TIMER0 ((rp_cmsdk_timer_t *)0x40000000u)
#define PRV_UART0_RX_IRQ 0u
#define PRV_UART0_TX_IRQ 1u
#if defined(RP_BOARD_BENCH)
#define PRV_TIMER1 ((rp_cmsdk_timer_t *)0x40001000u)
#define PRV_TIMER1_IRQ 9u
#endif
#define PRV_IRQ_COUNT 32u

static void prv_uart0_rx_irq(void)
{
    rp_cm_link_rx_isr();
}

static void prv_uart0_tx_irq(void)
{
    rp_cmsdk_uart_tx_irq_clear(PRV_UART0);   /* before the link writes more */
    rp_cm_link_tx_isr();
}

#if defined(RP_BOARD_BENCH)
static volatile bool prv_wait_done;

static void prv_timer1_irq(void)
{
    PRV_TIMER1->intclr = 1u;
    PRV_TIMER1->ctrl = 0u;
    prv_wait_done = true;
}

/* TIMER1 runs on the same 25 MHz clock as the timestamps: one-shot down
 * count with its interrupt, WFI until it fires (other interrupts may wake
 * the core earlier; then it sleeps again). */
void rp_board_wait_ticks(uint32_t ticks)
{
    uint32_t primask;
    __asm__ __volatile__("mrs %0, primask" : "=r"(primask));
    if (ticks < 2u || (primask & 1u) != 0u) {
        return;   /* masked: the timer interrupt could not end the wait */
    }
    prv_wait_done = false;
    PRV_TIMER1->ctrl = 0u;
    PRV_TIMER1->intclr = 1u;
    PRV_TIMER1->reload = 0u;   /* stop after reaching zero once */
    PRV_TIMER1->value = ticks - 1u;
    PRV_TIMER1->ctrl = 0x9u;   /* enable + interrupt enable */
    while (!prv_wait_done) {
        __asm__ __volatile__("wfi");
    }
}
#endif

__attribute__((section(".isr_vector"), used)) static void (*const prv_vectors[16 + PRV_IRQ_COUNT])(
    void) = {
    RP_CM_CORE_VECTORS(rp_cm_default_handler),
    [16 + PRV_UART0_RX_IRQ] = prv_uart0_rx_irq,
    [16 + PRV_UART0_TX_IRQ] = prv_uart0_tx_irq,
#if defined(RP_BOARD_BENCH)
    [16 + PRV_UART0_TX_IRQ + 1 ... 16 + PRV_TIMER1_IRQ - 1] = rp_cm_default_handler,
    [16 + PRV_TIMER1_IRQ] = prv_timer1_irq,
    [16 + PRV_TIMER1_IRQ + 1 ... 16 + PRV_IRQ_COUNT - 1] = rp_cm_default_handler,
#else
    [16 + PRV_UART0_TX_IRQ + 1 ... 16 + PRV_IRQ_COUNT - 1] = rp_cm_default_handler,
#endif
};

size_t rp_board_uart_write(const uint8_t *data, size_t len)
{
    return rp_cmsdk_uart_write(PRV_UART0, data, len);
}

unsigned rp_board_uart_getc(uint8_t *b)
{
    return rp_cmsdk_uart_getc(PRV_UART0, b);
}

bool rp_board_uart_tx_irq(bool on)
{
    rp_cmsdk_uart_tx_irq(PRV_UART0, on);
    return true;
}

const char *rp_hal_board_name(void)
{
    return "qemu-mps2-an386";
}

uint32_t rp_hal_board_counters_available(void)
{
    return 0u;   /* QEMU models no DWT counters */
}

void rp_board_main(void)
{
    rp_cmsdk_timer_start(PRV_TIMER0);
    rp_cmsdk_uart_init(PRV_UART0, PRV_APB_HZ, PRV_BAUD, true);
    rp_cm_irq_enable(PRV_UART0_RX_IRQ);
    rp_cm_irq_enable(PRV_UART0_TX_IRQ);
#if defined(RP_BOARD_BENCH)
    rp_cm_irq_enable(PRV_TIMER1_IRQ);
#endif
    rp_cm_board_boot(0x0386u, RP_RESET_UNKNOWN);   /* no reset-cause register */
    /* Without the model the device still runs and answers; Hello then
     * shows no array and workloads fail with their error. */
    (void)rp_cm_xbar_init("testchip", 0u, rp_cm_seed());
    rp_cm_device_loop();
}
