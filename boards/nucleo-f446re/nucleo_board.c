/* NUCLEO-F446RE: STM32F446RE at 168 MHz through the PLL from the 8 MHz
 * the ST-LINK's MCO feeds into OSC_IN (HSE bypass; the 16 MHz HSI, +-1%,
 * if that clock is missing), USART2 on PA2/PA3 (AF7) wired to the ST-LINK
 * virtual COM port (TX from its TXE interrupt), DWT CYCCNT timestamps (restarted when a detaching
 * probe stops them), the DWT counters as hardware counters (sampled by the
 * core through port/rp_port.h), board identity, and the
 * simulated crossbar (one tile, so the model fits in 128 KB of SRAM with
 * the ring). No RRAM is attached to this board: docs/porting.md describes
 * binding rp_hal_xbar.h to a real array instead of
 * boards/common/xbar/rp_cm_xbar.c. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rp_cm_board.h"
#include "rp_cm_clock.h"
#include "rp_cm_dwt.h"
#include "rp_cm_link.h"
#include "rp_cm_main.h"
#include "rp_cm_startup.h"
#include "rp_cm_xbar.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_hal_board.h"
#include "stm32f4/rp_stm32f4.h"

#define PRV_APB1_HZ 42000000u
#define PRV_BAUD 115200u
#define PRV_IRQ_COUNT 97u

/* One interrupt for both directions: RXNE (and overrun), and TXE while
 * the link has bytes queued. */
static void prv_usart2_irq(void)
{
    rp_cm_link_rx_isr();
    rp_cm_link_tx_isr();
}

__attribute__((section(".isr_vector"), used)) static void (*const prv_vectors[16 + PRV_IRQ_COUNT])(
    void) = {
    RP_CM_CORE_VECTORS(rp_cm_default_handler),
    [16 ... 16 + RP_STM32_IRQ_USART2 - 1] = rp_cm_default_handler,
    [16 + RP_STM32_IRQ_USART2] = prv_usart2_irq,
    [16 + RP_STM32_IRQ_USART2 + 1 ... 16 + PRV_IRQ_COUNT - 1] = rp_cm_default_handler,
};

size_t rp_board_uart_write(const uint8_t *data, size_t len)
{
    return rp_stm32_usart_write(RP_STM32_USART2, data, len);
}

unsigned rp_board_uart_getc(uint8_t *b)
{
    return rp_stm32_usart_getc(RP_STM32_USART2, b);
}

bool rp_board_uart_tx_irq(bool on)
{
    rp_stm32_usart_tx_irq(RP_STM32_USART2, on);
    return true;
}

const char *rp_hal_board_name(void)
{
    return "nucleo-f446re";
}

/* The F446's Cortex-M4 has CYCCNT and all five profiling counters;
 * rp_cm_dwt_init checks rather than assumes. */
uint32_t rp_hal_board_counters_available(void)
{
    return rp_cm_dwt_available();
}

/* CYCCNT is the only timebase; see rp_cm_clock.h. */
bool rp_board_timer_rearm(void)
{
    return rp_cm_dwt_rearm();
}

void rp_board_main(void)
{
    /* Without 168 MHz every timestamp and the baud rate would be wrong:
     * stop (reset, without a debugger) rather than run on the HSI. */
    if (rp_stm32_clock_168mhz(RP_STM32_CLK_HSE_BYPASS_8MHZ | RP_STM32_CLK_F446) ==
        RP_STM32_CLOCK_FAILED) {
        rp_cm_fatal(RP_CM_FATAL_CLOCK);
    }
    if ((rp_cm_dwt_init() & RP_HW_CYCCNT) == 0u) {
        rp_cm_fatal(RP_CM_FATAL_TIMEBASE);
    }
    rp_stm32_clock_enable(RP_STM32_EN_GPIOA);
    rp_stm32_clock_enable(RP_STM32_EN_USART2);
    rp_stm32_gpio_af(RP_STM32_GPIOA, 2u, 7u);
    rp_stm32_gpio_af(RP_STM32_GPIOA, 3u, 7u);
    rp_stm32_usart_init(RP_STM32_USART2, PRV_APB1_HZ, PRV_BAUD, true);
    rp_cm_irq_enable(RP_STM32_IRQ_USART2);
    /* Word 0 of the 96-bit unique device id salts the boot id. */
    rp_cm_board_boot(*(volatile const uint32_t *)0x1FFF7A10u, rp_stm32_reset_cause());
    (void)rp_cm_xbar_init("testchip", 1u, rp_cm_seed());
    rp_cm_device_loop();
}
