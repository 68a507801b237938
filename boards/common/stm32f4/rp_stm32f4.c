/* STM32F4 drivers; contracts in rp_stm32f4.h. */
#include "rp_stm32f4.h"

#include "rp_cm_link.h"

#define PRV_RCC_BASE 0x40023800u
#define PRV_REG(addr) (*(volatile uint32_t *)(addr))
#define PRV_RCC_CR PRV_REG(PRV_RCC_BASE + 0x00u)
#define PRV_RCC_PLLCFGR PRV_REG(PRV_RCC_BASE + 0x04u)
#define PRV_RCC_CFGR PRV_REG(PRV_RCC_BASE + 0x08u)
#define PRV_RCC_CSR PRV_REG(PRV_RCC_BASE + 0x74u)
#define PRV_FLASH_ACR PRV_REG(0x40023C00u)
#define PRV_PWR_CR PRV_REG(0x40007000u)
#define PRV_PWR_CSR PRV_REG(0x40007004u)

#define PRV_CR_HSION (1u << 0)
#define PRV_CR_HSIRDY (1u << 1)
#define PRV_CR_HSEON (1u << 16)
#define PRV_CR_HSERDY (1u << 17)
#define PRV_CR_HSEBYP (1u << 18)
#define PRV_CR_PLLON (1u << 24)
#define PRV_CR_PLLRDY (1u << 25)
#define PRV_CFGR_SW (3u << 0)
#define PRV_CFGR_SWS (3u << 2)
#define PRV_CFGR_SW_PLL 2u
#define PRV_CFGR_SWS_PLL (2u << 2)
#define PRV_CFGR_DIVIDERS 0xFCF0u   /* HPRE 7:4, PPRE1 12:10, PPRE2 15:13 */
/* PLLCFGR fields: M 5:0, N 14:6, P 17:16, SRC 22, Q 27:24, R 30:28 (F446
 * only; reserved on the F405, where bit 29 resets to 1). */
#define PRV_PLL_FIELDS 0x0F437FFFu
#define PRV_PLL_R_FIELD (7u << 28)
#define PRV_PLL_SRC_HSE (1u << 22)
/* VCO input 2 MHz (RM0390 recommends 2 MHz for the least jitter), x 168 =
 * 336 MHz VCO; / P 2 = 168 MHz SYSCLK (P field 0); / Q 7 = 48 MHz for USB;
 * / R 2 on the F446 (I2S, SAI, SPDIF-Rx). */
#define PRV_PLL_NQ ((168u << 6) | (7u << 24))
#define PRV_PLL_HSI 8u                         /* M 8: 16 MHz HSI / 8 */
#define PRV_PLL_HSE8 (4u | PRV_PLL_SRC_HSE)    /* M 4: 8 MHz HSE / 4 */
#define PRV_PLL_R2 (2u << 28)
#define PRV_PWR_VOS1_F405 (1u << 14)   /* 1 bit on the F405 (bit 15 reserved) */
#define PRV_PWR_VOS1_F446 (3u << 14)   /* 2 bits on the F446 */
#define PRV_PWR_CSR_VOSRDY (1u << 14)
/* 5 wait states at 168 MHz and 2.7-3.6 V; prefetch and caches on. */
#define PRV_FLASH_ACR_168 (5u | (1u << 8) | (1u << 9) | (1u << 10))

/* Polls per wait. About 8 cycles a poll: 200,000 polls last 100 ms at the
 * 16 MHz HSI (ST's HSE start-up timeout), far longer than a PLL lock or a
 * clock switch takes, and a clock that never comes up ends in a defined
 * failure instead of a hang. */
#define PRV_POLLS 200000u

#define PRV_SR_TXE (1u << 7)
#define PRV_SR_RXNE (1u << 5)
#define PRV_SR_ORE (1u << 3)
#define PRV_CR1_UE (1u << 13)
#define PRV_CR1_TXEIE (1u << 7)
#define PRV_CR1_RXNEIE (1u << 5)
#define PRV_CR1_TE (1u << 3)
#define PRV_CR1_RE (1u << 2)

rp_reset_cause_t rp_stm32_reset_cause(void)
{
    rp_reset_cause_t cause = rp_stm32_reset_cause_of(PRV_RCC_CSR);
    PRV_RCC_CSR |= RP_STM32_CSR_RMVF;
    return cause;
}

void rp_stm32_clock_enable(uint32_t en)
{
    volatile uint32_t *reg = (volatile uint32_t *)(PRV_RCC_BASE + (en >> 8));
    *reg |= 1u << (en & 0xFFu);
    (void)*reg;   /* the clock needs two cycles before the peripheral answers */
}

/* True once (*reg & mask) == want, false after PRV_POLLS polls. */
static bool prv_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (uint32_t n = 0; n < PRV_POLLS; n++) {
        if ((*reg & mask) == want) {
            return true;
        }
    }
    return false;
}

/* The HSE in bypass mode: an external clock on OSC_IN, no crystal. */
static bool prv_hse_bypass_start(void)
{
    if ((PRV_RCC_CR & PRV_CR_HSEBYP) == 0u) {
        /* HSEBYP may change only with the HSE off (the ROM bootloader may
         * have started it as a crystal oscillator). */
        PRV_RCC_CR &= ~PRV_CR_HSEON;
        if (!prv_wait(&PRV_RCC_CR, PRV_CR_HSERDY, 0u)) {
            return false;
        }
        PRV_RCC_CR |= PRV_CR_HSEBYP;
    }
    PRV_RCC_CR |= PRV_CR_HSEON;
    if (prv_wait(&PRV_RCC_CR, PRV_CR_HSERDY, PRV_CR_HSERDY)) {
        return true;
    }
    /* Nothing on OSC_IN: stop the HSE again. */
    PRV_RCC_CR &= ~PRV_CR_HSEON;
    if (prv_wait(&PRV_RCC_CR, PRV_CR_HSERDY, 0u)) {
        PRV_RCC_CR &= ~PRV_CR_HSEBYP;
    }
    return false;
}

/* Programs the PLL (off, and not SYSCLK) with `cfg` and starts it. Only
 * the fields set here change: the F405 keeps its reserved bits. */
static bool prv_pll_start(uint32_t cfg, uint32_t fields)
{
    PRV_RCC_PLLCFGR = (PRV_RCC_PLLCFGR & ~fields) | cfg;
    PRV_RCC_CR |= PRV_CR_PLLON;
    if (prv_wait(&PRV_RCC_CR, PRV_CR_PLLRDY, PRV_CR_PLLRDY)) {
        return true;
    }
    PRV_RCC_CR &= ~PRV_CR_PLLON;
    (void)prv_wait(&PRV_RCC_CR, PRV_CR_PLLRDY, 0u);
    return false;
}

rp_stm32_clock_src_t rp_stm32_clock_168mhz(uint32_t flags)
{
    bool f446 = (flags & RP_STM32_CLK_F446) != 0u;
    uint32_t fields = PRV_PLL_FIELDS | (f446 ? PRV_PLL_R_FIELD : 0u);
    uint32_t r = f446 ? PRV_PLL_R2 : 0u;

    rp_stm32_clock_enable(RP_STM32_EN_PWR);
    PRV_RCC_CR |= PRV_CR_HSION;
    if (!prv_wait(&PRV_RCC_CR, PRV_CR_HSIRDY, PRV_CR_HSIRDY)) {
        return RP_STM32_CLOCK_FAILED;
    }
    /* Do not assume the reset state: after the ROM bootloader's Go command
     * or a debugger's warm start the PLL may run and drive SYSCLK. The PLL
     * may be reconfigured only when off, and turned off only when SYSCLK
     * runs from something else: switch to the HSI first. */
    PRV_RCC_CFGR &= ~PRV_CFGR_SW;
    if (!prv_wait(&PRV_RCC_CFGR, PRV_CFGR_SWS, 0u)) {
        return RP_STM32_CLOCK_FAILED;
    }
    PRV_RCC_CR &= ~PRV_CR_PLLON;
    if (!prv_wait(&PRV_RCC_CR, PRV_CR_PLLRDY, 0u)) {
        return RP_STM32_CLOCK_FAILED;
    }
    /* Voltage scale 1 (its reset value; the F446 takes a change only with
     * the PLL off). 168 MHz needs no over-drive: that is for 180 MHz. */
    PRV_PWR_CR |= f446 ? PRV_PWR_VOS1_F446 : PRV_PWR_VOS1_F405;

    rp_stm32_clock_src_t src = RP_STM32_CLOCK_HSI;
    if ((flags & RP_STM32_CLK_HSE_BYPASS_8MHZ) != 0u && prv_hse_bypass_start()) {
        if (prv_pll_start(PRV_PLL_HSE8 | PRV_PLL_NQ | r, fields)) {
            src = RP_STM32_CLOCK_HSE;
        } else {
            PRV_RCC_CR &= ~PRV_CR_HSEON;   /* a clock the PLL cannot lock to */
        }
    }
    if (src == RP_STM32_CLOCK_HSI && !prv_pll_start(PRV_PLL_HSI | PRV_PLL_NQ | r, fields)) {
        return RP_STM32_CLOCK_FAILED;
    }
    /* The F446 regulator reaches scale 1 only once the PLL runs (scale 3
     * while it is off). */
    if (f446 && !prv_wait(&PRV_PWR_CSR, PRV_PWR_CSR_VOSRDY, PRV_PWR_CSR_VOSRDY)) {
        return RP_STM32_CLOCK_FAILED;
    }
    PRV_FLASH_ACR = PRV_FLASH_ACR_168;
    if (!prv_wait(&PRV_FLASH_ACR, 0xFu, PRV_FLASH_ACR_168 & 0xFu)) {
        return RP_STM32_CLOCK_FAILED;
    }
    /* AHB /1, APB1 /4 (42 MHz), APB2 /2 (84 MHz) while still on the
     * 16 MHz HSI, then switch to the PLL. */
    PRV_RCC_CFGR = (PRV_RCC_CFGR & ~PRV_CFGR_DIVIDERS) | (5u << 10) | (4u << 13);
    PRV_RCC_CFGR = (PRV_RCC_CFGR & ~PRV_CFGR_SW) | PRV_CFGR_SW_PLL;
    if (!prv_wait(&PRV_RCC_CFGR, PRV_CFGR_SWS, PRV_CFGR_SWS_PLL)) {
        return RP_STM32_CLOCK_FAILED;
    }
    return src;
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

unsigned rp_stm32_usart_getc(rp_stm32_usart_t *u, uint8_t *b)
{
    uint32_t sr = u->sr;
    if ((sr & (PRV_SR_RXNE | PRV_SR_ORE)) == 0u) {
        return 0u;
    }
    /* Reading SR then DR clears RXNE and ORE alike. */
    uint8_t v = (uint8_t)u->dr;
    unsigned got = (sr & PRV_SR_ORE) != 0u ? RP_CM_RX_OVERRUN : 0u;
    if ((sr & PRV_SR_RXNE) != 0u) {
        *b = v;
        got |= RP_CM_RX_BYTE;
    }
    return got;
}

void rp_stm32_usart_tx_irq(rp_stm32_usart_t *u, bool on)
{
    uint32_t cr1 = u->cr1;
    u->cr1 = on ? cr1 | PRV_CR1_TXEIE : cr1 & ~PRV_CR1_TXEIE;
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
