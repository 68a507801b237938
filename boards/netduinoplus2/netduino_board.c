/* Netduino Plus 2 (STM32F405RG) under QEMU: vector table, USART1 link
 * (QEMU's first -serial), TIM2 timestamps, the
 * simulated crossbar (one tile: the model must fit in 128 KB of SRAM
 * next to the ring), board identity.
 *
 * QEMU 7.2's STM32F405 models USART1-6, TIM2-5, SYSCFG, EXTI, ADC and SPI;
 * RCC and GPIO are unimplemented (writes ignored, reads 0), so the clock
 * set-up that waits on RCC flags runs only on silicon
 * (RP_NETDUINO_SILICON=1). USART1's TX/RX pins are PB6/PB7 (AF7) there. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rp_cm_board.h"
#include "rp_cm_link.h"
#include "rp_cm_main.h"
#include "rp_cm_startup.h"
#include "rp_cm_xbar.h"
#include "rp_port.h"
#include "rramprof/rp_hal_board.h"
#include "stm32f4/rp_stm32f4.h"

#define PRV_BAUD 115200u
#define PRV_IRQ_COUNT 82u

#if defined(RP_NETDUINO_SILICON) && RP_NETDUINO_SILICON
#define PRV_APB2_HZ 84000000u
#else
#define PRV_APB2_HZ 16000000u   /* ignored by QEMU's USART model */
#endif

/* QEMU 7.2's USART raises its interrupt for RXNE only, never for TXE
 * (later versions model TXEIE), so under QEMU the link sends from thread
 * mode; on silicon TX runs from the TXE interrupt like the NUCLEO's. */
#if defined(RP_NETDUINO_SILICON) && RP_NETDUINO_SILICON
#define PRV_TX_IRQ true
#else
#define PRV_TX_IRQ false
#endif

static void prv_usart1_irq(void)
{
    rp_cm_link_rx_isr();
    if (PRV_TX_IRQ) {
        rp_cm_link_tx_isr();
    }
}

/* No rp_board_wait_ticks: crossbar waits spin on TIM2. A TIM one-shot
 * cannot end a sleep under QEMU 7.2 (its STM32 timer model arms the update
 * alarm at "now + absolute time" rather than "now + ticks left"), and a
 * SysTick sleep overshot the deadline by a tick or two, so recorded
 * durations would no longer match the model's to within one tick. */
__attribute__((section(".isr_vector"), used)) static void (*const prv_vectors[16 + PRV_IRQ_COUNT])(
    void) = {
    RP_CM_CORE_VECTORS(rp_cm_default_handler),
    [16 ... 16 + RP_STM32_IRQ_USART1 - 1] = rp_cm_default_handler,
    [16 + RP_STM32_IRQ_USART1] = prv_usart1_irq,
    [16 + RP_STM32_IRQ_USART1 + 1 ... 16 + PRV_IRQ_COUNT - 1] = rp_cm_default_handler,
};

size_t rp_board_uart_write(const uint8_t *data, size_t len)
{
    return rp_stm32_usart_write(RP_STM32_USART1, data, len);
}

unsigned rp_board_uart_getc(uint8_t *b)
{
    return rp_stm32_usart_getc(RP_STM32_USART1, b);
}

bool rp_board_uart_tx_irq(bool on)
{
    if (PRV_TX_IRQ) {
        rp_stm32_usart_tx_irq(RP_STM32_USART1, on);
    }
    return PRV_TX_IRQ;
}

const char *rp_hal_board_name(void)
{
    return "netduinoplus2";
}

uint32_t rp_hal_board_counters_available(void)
{
    return 0u;   /* the F405 has a DWT, but QEMU does not model it */
}

void rp_board_main(void)
{
#if defined(RP_NETDUINO_SILICON) && RP_NETDUINO_SILICON
    /* From the HSI, as before (the board's 25 MHz crystal is unused). */
    if (rp_stm32_clock_168mhz(0u) == RP_STM32_CLOCK_FAILED) {
        rp_cm_fatal(RP_CM_FATAL_CLOCK);
    }
    rp_stm32_clock_enable(RP_STM32_EN_GPIOB);
    rp_stm32_gpio_af(RP_STM32_GPIOB, 6u, 7u);
    rp_stm32_gpio_af(RP_STM32_GPIOB, 7u, 7u);
#endif
    rp_stm32_clock_enable(RP_STM32_EN_TIM2);
    rp_stm32_clock_enable(RP_STM32_EN_USART1);
    rp_stm32_tim_free_run(RP_STM32_TIM2, RP_NETDUINO_TIM_PSC);
    rp_stm32_usart_init(RP_STM32_USART1, PRV_APB2_HZ, PRV_BAUD, true);
    rp_cm_irq_enable(RP_STM32_IRQ_USART1);
    rp_cm_board_boot(0x0405u, rp_stm32_reset_cause());
    (void)rp_cm_xbar_init("testchip", 1u, rp_cm_seed());
    rp_cm_device_loop();
}
