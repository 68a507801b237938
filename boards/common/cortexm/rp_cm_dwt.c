/* DWT hardware counters; contract in rp_cm_dwt.h. */
#include "rp_cm_dwt.h"

#include "rramprof/rp_encoder.h"

#define PRV_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define PRV_DWT_LAR (*(volatile uint32_t *)0xE0001FB0u)

#define PRV_DEMCR_TRCENA (1u << 24)
#define PRV_CTRL_CYCCNTENA (1u << 0)
/* CPIEVTENA, EXCEVTENA, SLEEPEVTENA, LSUEVTENA, FOLDEVTENA: setting one
 * zeroes its counter and starts it. */
#define PRV_CTRL_EVTENA (0x1Fu << 17)
#define PRV_CTRL_NOPRFCNT (1u << 24)
#define PRV_CTRL_NOCYCCNT (1u << 25)

static uint32_t prv_available;

uint32_t rp_cm_dwt_init(void)
{
    PRV_DEMCR |= PRV_DEMCR_TRCENA;
    PRV_DWT_LAR = 0xC5ACCE55u;   /* unlock where a lock exists (M7) */
    uint32_t ctrl = RP_CM_DWT_CTRL;
    uint32_t bits = 0u;
    if ((ctrl & PRV_CTRL_NOCYCCNT) == 0u) {
        RP_CM_DWT_CYCCNT = 0u;
        RP_CM_DWT_CTRL = ctrl | PRV_CTRL_CYCCNTENA;
        uint32_t c0 = RP_CM_DWT_CYCCNT;
        __asm__ __volatile__("nop\n\tnop\n\tnop\n\tnop");
        uint32_t c1 = RP_CM_DWT_CYCCNT;
        if ((RP_CM_DWT_CTRL & PRV_CTRL_CYCCNTENA) != 0u && c1 != c0) {
            bits |= RP_HW_CYCCNT;
        }
    }
    /* Without CYCCNT the other counters have nothing to be a share of. */
    if ((bits & RP_HW_CYCCNT) != 0u && (ctrl & PRV_CTRL_NOPRFCNT) == 0u) {
        RP_CM_DWT_CTRL |= PRV_CTRL_EVTENA;
        if ((RP_CM_DWT_CTRL & PRV_CTRL_EVTENA) == PRV_CTRL_EVTENA) {
            bits |= RP_HW_CPICNT | RP_HW_EXCCNT | RP_HW_SLEEPCNT | RP_HW_LSUCNT | RP_HW_FOLDCNT;
        }
    }
    prv_available = bits;
    return bits;
}

uint32_t rp_cm_dwt_available(void)
{
    return prv_available;
}

bool rp_cm_dwt_rearm(void)
{
    if ((prv_available & RP_HW_CYCCNT) == 0u) {
        return false;
    }
    PRV_DEMCR |= PRV_DEMCR_TRCENA;
    uint32_t want = PRV_CTRL_CYCCNTENA;
    if ((prv_available & RP_HW_CPICNT) != 0u) {
        want |= PRV_CTRL_EVTENA;
    }
    /* Only the enable bits that were lost: setting an event counter's bit
     * zeroes that counter. */
    uint32_t ctrl = RP_CM_DWT_CTRL;
    if ((ctrl & want) != want) {
        RP_CM_DWT_CTRL = ctrl | want;
    }
    return true;
}
