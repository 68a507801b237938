/* The Cortex-M3/M4/M7 DWT cycle counter as a 64-bit hardware counter for
 * the Counters message (HW_CYCCNT). Not on M0/M0+, and not modelled by
 * QEMU: boards under QEMU must not call these.
 *
 * The other DWT profiling counters (CPICNT, EXCCNT, SLEEPCNT, LSUCNT,
 * FOLDCNT) are 8 bits wide and wrap every 256 events; without a trace
 * port catching their overflow packets, software sampling cannot give
 * exact totals, so they are not reported (see docs/porting.md). */
#ifndef RP_CM_DWT_H
#define RP_CM_DWT_H

#include <stdint.h>

#define RP_CM_DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

/* Enables the trace block and starts CYCCNT from 0. */
void rp_cm_dwt_init(void);
/* CYCCNT extended to 64 bits; call at least once per 2^32 cycles. */
uint64_t rp_cm_dwt_cycles64(void);

#endif
