/* DWT cycle counter; contract in rp_cm_dwt.h. */
#include "rp_cm_dwt.h"

#include "rp_port.h"

#define PRV_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define PRV_DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define PRV_DWT_LAR (*(volatile uint32_t *)0xE0001FB0u)

static uint32_t prv_last;
static uint32_t prv_high;

void rp_cm_dwt_init(void)
{
    PRV_DEMCR |= 1u << 24;         /* TRCENA */
    PRV_DWT_LAR = 0xC5ACCE55u;     /* unlock where a lock exists (M7) */
    RP_CM_DWT_CYCCNT = 0u;
    PRV_DWT_CTRL |= 1u;            /* CYCCNTENA */
    prv_last = 0u;
    prv_high = 0u;
}

uint64_t rp_cm_dwt_cycles64(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    uint32_t now = RP_CM_DWT_CYCCNT;
    if (now < prv_last) {
        prv_high++;
    }
    prv_last = now;
    uint64_t c = ((uint64_t)prv_high << 32) | now;
    rp_port_irq_restore(s);
    return c;
}
