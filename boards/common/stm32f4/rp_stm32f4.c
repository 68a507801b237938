/* STM32F4 drivers; contracts in rp_stm32f4.h. */
#include "rp_stm32f4.h"

#define PRV_RCC_BASE 0x40023800u
#define PRV_REG(addr) (*(volatile uint32_t *)(addr))
#define PRV_RCC_CR PRV_REG(PRV_RCC_BASE + 0x00u)
#define PRV_RCC_PLLCFGR PRV_REG(PRV_RCC_BASE + 0x04u)
#define PRV_RCC_CFGR PRV_REG(PRV_RCC_BASE + 0x08u)
#define PRV_FLASH_ACR PRV_REG(0x40023C00u)
#define PRV_PWR_CR PRV_REG(0x40007000u)

#define PRV_SR_TXE (1u << 7)
#define PRV_SR_RXNE (1u << 5)
#define PRV_SR_ORE (1u << 3)
#define PRV_CR1_UE (1u << 13)
#define PRV_CR1_RXNEIE (1u << 5)
#define PRV_CR1_TE (1u << 3)
#define PRV_CR1_RE (1u << 2)

void rp_stm32_clock_enable(uint32_t en)
{
    volatile uint32_t *reg = (volatile uint32_t *)(PRV_RCC_BASE + (en >> 8));
    *reg |= 1u << (en & 0xFFu);
    (void)*reg;   /* the clock needs two cycles before the peripheral answers */
}

void rp_stm32_clock_168mhz(void)
{
    rp_stm32_clock_enable(RP_STM32_EN_PWR);
    PRV_PWR_CR |= 3u << 14;                 /* voltage scale 1 */
    PRV_RCC_CR |= 1u;                       /* HSION */
    while ((PRV_RCC_CR & (1u << 1)) == 0u) {
    }
    /* HSI 16 MHz / M 8 = 2 MHz; x N 168 = 336 MHz VCO; / P 2 = 168 MHz;
     * / Q 7 = 48 MHz for USB. PLLSRC = HSI (bit 22 clear). */
    PRV_RCC_PLLCFGR = 8u | (168u << 6) | (0u << 16) | (7u << 24);
    PRV_RCC_CR |= 1u << 24;                 /* PLLON */
    while ((PRV_RCC_CR & (1u << 25)) == 0u) {
    }
    /* 5 wait states at 168 MHz and 3.3 V; prefetch and caches on. */
    PRV_FLASH_ACR = 5u | (1u << 8) | (1u << 9) | (1u << 10);
    while ((PRV_FLASH_ACR & 0xFu) != 5u) {
    }
    /* AHB /1, APB1 /4 (42 MHz), APB2 /2 (84 MHz), then switch to the PLL. */
    PRV_RCC_CFGR = (PRV_RCC_CFGR & ~0xFCF3u) | (5u << 10) | (4u << 13) | 2u;
    while (((PRV_RCC_CFGR >> 2) & 3u) != 2u) {
    }
}

void rp_stm32_gpio_af(rp_stm32_gpio_t *gpio, uint32_t pin, uint32_t af)
{
    gpio->afr[pin / 8u] = (gpio->afr[pin / 8u] & ~(0xFu << (4u * (pin % 8u)))) |
                          (af << (4u * (pin % 8u)));
    gpio->ospeedr |= 3u << (2u * pin);
    gpio->moder = (gpio->moder & ~(3u << (2u * pin))) | (2u << (2u * pin));
}

void rp_stm32_usart_init(rp_stm32_usart_t *u, uint32_t pclk_hz, uint32_t baud, bool rx_irq)
{
    u->cr1 = 0u;
    /* Oversampling by 16: BRR holds pclk / baud as 12.4 fixed point,
     * which is the same number rounded to the nearest integer. */
    u->brr = (pclk_hz + baud / 2u) / baud;
    u->cr2 = 0u;
    u->cr3 = 0u;
    u->cr1 = PRV_CR1_UE | PRV_CR1_TE | PRV_CR1_RE | (rx_irq ? PRV_CR1_RXNEIE : 0u);
}

size_t rp_stm32_usart_write(rp_stm32_usart_t *u, const uint8_t *data, size_t len)
{
    /* One tight loop per frame, no call per byte (see rp_cm_link.h). */
    const uint8_t *p = data;
    const uint8_t *end = data + len;
    if (len == 0u) {
        return 0u;
    }
    do {
        if ((u->sr & PRV_SR_TXE) == 0u) {
            break;
        }
        u->dr = *p++;
    } while (p != end);
    return (size_t)(p - data);
}

bool rp_stm32_usart_getc(rp_stm32_usart_t *u, uint8_t *b)
{
    uint32_t sr = u->sr;
    if ((sr & (PRV_SR_RXNE | PRV_SR_ORE)) == 0u) {
        return false;
    }
    /* Reading SR then DR clears RXNE and ORE alike. */
    uint8_t v = (uint8_t)u->dr;
    if ((sr & PRV_SR_RXNE) == 0u) {
        return false;
    }
    *b = v;
    return true;
}

void rp_stm32_tim_free_run(rp_stm32_tim_t *t, uint32_t psc)
{
    t->cr1 = 0u;
    t->psc = psc;
    t->arr = 0xFFFFFFFFu;
    t->cnt = 0u;
    t->egr = 1u;      /* UG: load the prescaler now */
    t->sr = 0u;
    t->cr1 = 1u;      /* CEN */
}
