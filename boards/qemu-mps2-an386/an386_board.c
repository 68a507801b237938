/* MPS2+ AN386 (Cortex-M4) under QEMU: vector table, UART0 link, TIMER0
 * timestamps, the simulated crossbar, board identity.
 *
 * Memory map (AN386 application note, QEMU hw/arm/mps2.c): code in ZBT
 * SSRAM1 at 0x00000000, data in SSRAM2/3 at 0x20000000, CMSDK TIMER0 at
 * 0x40000000, UART0 at 0x40004000 (RX interrupt = IRQ 0), all APB
 * peripherals on the 25 MHz clock.
 *
 * No rp_board_wait_ticks: crossbar waits spin on TIMER0. They used to
 * sleep in WFI until a TIMER1 one-shot fired, but QEMU 7.2 under
 * `-icount shift=0,sleep=off` does not always resume from a WFI at the
 * same instruction count when the host is loaded: 4 of 120 runs of one
 * test image (no host input, UART to a file) differed by a tick from the
 * others with three busy loops and eight QEMUs on two CPUs, and 0 of 160
 * once the wait spun. Spinning costs about 30% more host time. */
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
#define PRV_IRQ_COUNT 32u

static void prv_uart0_rx_irq(void)
{
    rp_cm_link_rx_isr();
}

__attribute__((section(".isr_vector"), used)) static void (*const prv_vectors[16 + PRV_IRQ_COUNT])(
    void) = {
    RP_CM_CORE_VECTORS(rp_cm_default_handler),
    [16 + PRV_UART0_RX_IRQ] = prv_uart0_rx_irq,
    [16 + PRV_UART0_RX_IRQ + 1 ... 16 + PRV_IRQ_COUNT - 1] = rp_cm_default_handler,
};

size_t rp_board_uart_write(const uint8_t *data, size_t len)
{
    return rp_cmsdk_uart_write(PRV_UART0, data, len);
}

bool rp_board_uart_getc(uint8_t *b)
{
    return rp_cmsdk_uart_getc(PRV_UART0, b);
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
    rp_cm_board_boot(0x0386u);
    /* Without the model the device still runs and answers; Hello then
     * shows no array and workloads fail with their error. */
    (void)rp_cm_xbar_init("testchip", 0u, rp_cm_seed());
    rp_cm_device_loop();
}
