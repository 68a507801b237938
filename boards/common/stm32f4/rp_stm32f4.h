/* STM32F4 peripherals shared by the nucleo-f446re and netduinoplus2
 * boards: RCC clock tree, GPIO alternate functions, USART, general-purpose
 * 32-bit timers (TIM2/TIM5) and 16-bit ones (TIM3/TIM4). Register layouts
 * from the STM32F4 reference manuals (RM0090 for F405, RM0390 for F446). */
#ifndef RP_STM32F4_H
#define RP_STM32F4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_hal_board.h"

typedef struct rp_stm32_usart {
    volatile uint32_t sr;    /* 0x00: TXE bit7, RXNE bit5, ORE bit3 */
    volatile uint32_t dr;    /* 0x04 */
    volatile uint32_t brr;   /* 0x08 */
    volatile uint32_t cr1;   /* 0x0C: UE bit13, TXEIE bit7, RXNEIE bit5, TE bit3, RE bit2 */
    volatile uint32_t cr2;
    volatile uint32_t cr3;
    volatile uint32_t gtpr;
} rp_stm32_usart_t;

typedef struct rp_stm32_tim {
    volatile uint32_t cr1;   /* 0x00: CEN bit0, OPM bit3 */
    volatile uint32_t cr2;
    volatile uint32_t smcr;
    volatile uint32_t dier;  /* 0x0C: UIE bit0 */
    volatile uint32_t sr;    /* 0x10: UIF bit0 */
    volatile uint32_t egr;   /* 0x14: UG bit0 */
    volatile uint32_t ccmr1, ccmr2, ccer;
    volatile uint32_t cnt;   /* 0x24 */
    volatile uint32_t psc;   /* 0x28 */
    volatile uint32_t arr;   /* 0x2C */
} rp_stm32_tim_t;

typedef struct rp_stm32_gpio {
    volatile uint32_t moder, otyper, ospeedr, pupdr, idr, odr, bsrr, lckr;
    volatile uint32_t afr[2];
} rp_stm32_gpio_t;

#define RP_STM32_USART1 ((rp_stm32_usart_t *)0x40011000u)
#define RP_STM32_USART2 ((rp_stm32_usart_t *)0x40004400u)
#define RP_STM32_TIM2 ((rp_stm32_tim_t *)0x40000000u)
#define RP_STM32_TIM3 ((rp_stm32_tim_t *)0x40000400u)
#define RP_STM32_GPIOA ((rp_stm32_gpio_t *)0x40020000u)
#define RP_STM32_GPIOB ((rp_stm32_gpio_t *)0x40020400u)

/* Interrupt numbers (same on F405 and F446). */
#define RP_STM32_IRQ_TIM2 28u
#define RP_STM32_IRQ_TIM3 29u
#define RP_STM32_IRQ_USART1 37u
#define RP_STM32_IRQ_USART2 38u

/* RCC enable bits: register offset from RCC base and bit. */
#define RP_STM32_RCC_AHB1ENR 0x30u
#define RP_STM32_RCC_APB1ENR 0x40u
#define RP_STM32_RCC_APB2ENR 0x44u
#define RP_STM32_EN_GPIOA (RP_STM32_RCC_AHB1ENR << 8 | 0u)
#define RP_STM32_EN_GPIOB (RP_STM32_RCC_AHB1ENR << 8 | 1u)
#define RP_STM32_EN_TIM2 (RP_STM32_RCC_APB1ENR << 8 | 0u)
#define RP_STM32_EN_TIM3 (RP_STM32_RCC_APB1ENR << 8 | 1u)
#define RP_STM32_EN_USART2 (RP_STM32_RCC_APB1ENR << 8 | 17u)
#define RP_STM32_EN_PWR (RP_STM32_RCC_APB1ENR << 8 | 28u)
#define RP_STM32_EN_USART1 (RP_STM32_RCC_APB2ENR << 8 | 4u)

/* Reset flags of RCC_CSR (same bits on the F405 and the F446); RMVF
 * clears them all. */
#define RP_STM32_CSR_LPWRRSTF (1u << 31)
#define RP_STM32_CSR_WWDGRSTF (1u << 30)
#define RP_STM32_CSR_IWDGRSTF (1u << 29)
#define RP_STM32_CSR_SFTRSTF (1u << 28)
#define RP_STM32_CSR_PORRSTF (1u << 27)
#define RP_STM32_CSR_PINRSTF (1u << 26)
#define RP_STM32_CSR_BORRSTF (1u << 25)
#define RP_STM32_CSR_RMVF (1u << 24)

/* The reset cause RCC_CSR's flags give: the most specific one, since
 * several are set together (a power-on also sets BORRSTF and PINRSTF;
 * every internal reset drives NRST, so PINRSTF comes with each).
 * RP_RESET_UNKNOWN without a flag (QEMU models no RCC). Pure, for the
 * host tests. */
static inline rp_reset_cause_t rp_stm32_reset_cause_of(uint32_t csr)
{
    if (csr & RP_STM32_CSR_LPWRRSTF) {
        return RP_RESET_LOW_POWER;
    }
    if (csr & (RP_STM32_CSR_WWDGRSTF | RP_STM32_CSR_IWDGRSTF)) {
        return RP_RESET_WATCHDOG;
    }
    if (csr & RP_STM32_CSR_SFTRSTF) {
        return RP_RESET_SOFTWARE;
    }
    if (csr & RP_STM32_CSR_PORRSTF) {
        return RP_RESET_POWER_ON;
    }
    if (csr & RP_STM32_CSR_BORRSTF) {
        return RP_RESET_BROWN_OUT;
    }
    if (csr & RP_STM32_CSR_PINRSTF) {
        return RP_RESET_PIN;
    }
    return RP_RESET_UNKNOWN;
}

/* Reads the reset flags and clears them, so that the next boot sees only
 * the flags of its own reset. Call once, at boot. */
rp_reset_cause_t rp_stm32_reset_cause(void);

/* Turns on a peripheral clock (RP_STM32_EN_*). */
void rp_stm32_clock_enable(uint32_t en);

/* rp_stm32_clock_168mhz flags. */
#define RP_STM32_CLK_HSE_BYPASS_8MHZ (1u << 0)   /* PLL from an 8 MHz clock on
                                                  * OSC_IN (HSE bypass), the HSI
                                                  * if that does not start */
#define RP_STM32_CLK_F446 (1u << 1)   /* STM32F446: PLLR, 2-bit VOS, VOSRDY */

typedef enum rp_stm32_clock_src {
    RP_STM32_CLOCK_FAILED = 0,   /* a ready flag timed out; SYSCLK may be the HSI */
    RP_STM32_CLOCK_HSI = 1,      /* PLL from the 16 MHz HSI (+-1%) */
    RP_STM32_CLOCK_HSE = 2,      /* PLL from the HSE */
} rp_stm32_clock_src_t;

/* Runs the core at 168 MHz through the PLL (AHB 168, APB1 42, APB2
 * 84 MHz; timers on APB1 see 84 MHz), with the flash wait states and
 * voltage scale that needs, from whatever clock state it finds (reset,
 * or the PLL already running after the ROM bootloader). Every wait on a
 * ready flag is bounded; returns the PLL's source, or FAILED. Only for
 * silicon (QEMU's STM32F4 models no RCC). */
rp_stm32_clock_src_t rp_stm32_clock_168mhz(uint32_t flags);

/* Pin `pin` of `gpio` to alternate function `af`, very high speed. */
void rp_stm32_gpio_af(rp_stm32_gpio_t *gpio, uint32_t pin, uint32_t af);

/* 8N1 at baud from a kernel clock of pclk_hz, TX and RX enabled, with the
 * RX-not-empty interrupt if rx_irq. */
void rp_stm32_usart_init(rp_stm32_usart_t *u, uint32_t pclk_hz, uint32_t baud, bool rx_irq);
/* Writes data[0..len) while TXE says the data register is free; returns
 * the bytes taken. */
size_t rp_stm32_usart_write(rp_stm32_usart_t *u, const uint8_t *data, size_t len);
/* rp_board_uart_getc (rp_cm_link.h) for this USART: the received byte,
 * and an overrun (cleared here; the byte lost to it is gone) as
 * RP_CM_RX_OVERRUN. */
unsigned rp_stm32_usart_getc(rp_stm32_usart_t *u, uint8_t *b);
/* Enables or disables the TX-empty interrupt (TXEIE): level-triggered,
 * raised for as long as the data register is free. */
void rp_stm32_usart_tx_irq(rp_stm32_usart_t *u, bool on);

/* Starts a 32-bit timer (TIM2/TIM5) free-running at clock / (psc + 1). */
void rp_stm32_tim_free_run(rp_stm32_tim_t *t, uint32_t psc);
#endif
