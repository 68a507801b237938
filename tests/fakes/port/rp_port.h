/* Fake port for unit tests (contract: hal/include/rramprof/rp_hal_board.h).
 *
 * The critical section only counts: it tracks the nesting depth so tests
 * can prove every save is matched by a restore of the same state. The cycle
 * counter is a variable the test sets; like the sim board's virtual clock it
 * advances only through rp_port_model_cost, so a test knows exactly what
 * the recorder should have measured. State lives in tests/fakes/fake_hal.c. */
#ifndef RP_PORT_H
#define RP_PORT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t rp_port_irq_t;

typedef struct rp_fake_port {
    uint32_t irq_depth;        /* current nesting of irq_save */
    uint32_t irq_max_depth;    /* deepest nesting seen */
    uint32_t irq_saves;        /* irq_save calls */
    uint32_t irq_bad_restores; /* restores that did not match the last save */
    uint32_t cycles;           /* what rp_port_cycles32 returns */
    uint64_t model_cost;       /* ticks charged through rp_port_model_cost */
    uint64_t *timer;           /* when set, model cost advances it too: one
                                  clock for recorder and HAL, as on the sim board */
    uint32_t hw[6];            /* hardware counters as rp_port_hw_read sees
                                  them (HwCounter bit i <-> hw[i]); the 8-bit
                                  ones are read modulo 256, as on a DWT */
    uint32_t hw_reads;         /* rp_port_hw_read calls */
} rp_fake_port_t;

extern rp_fake_port_t rp_fake_port;

/* Modelled costs, non-zero so tests see them in record_ticks / drain_ticks. */
#define RP_PORT_RECORD_COST_TICKS 7u
#define RP_PORT_DRAIN_COST_TICKS_PER_EVENT 3u

/* Every hardware counter can be read; which ones the core samples is
 * fake_hal.counters_available, as on a board that detects them. */
#define RP_PORT_HW_COUNTERS 0x3Fu

static inline void rp_port_hw_read(uint32_t raw[6])
{
    rp_fake_port.hw_reads++;
    raw[0] = rp_fake_port.hw[0];
    for (int i = 1; i < 6; i++) {
        raw[i] = rp_fake_port.hw[i] & 0xFFu;
    }
}

static inline rp_port_irq_t rp_port_irq_save(void)
{
    rp_port_irq_t old = rp_fake_port.irq_depth++;
    rp_fake_port.irq_saves++;
    if (rp_fake_port.irq_depth > rp_fake_port.irq_max_depth) {
        rp_fake_port.irq_max_depth = rp_fake_port.irq_depth;
    }
    return old;
}

static inline void rp_port_irq_restore(rp_port_irq_t state)
{
    if (rp_fake_port.irq_depth == 0u || state != rp_fake_port.irq_depth - 1u) {
        rp_fake_port.irq_bad_restores++;
    }
    rp_fake_port.irq_depth = state;
}

static inline uint32_t rp_port_cycles32(void)
{
    return rp_fake_port.cycles;
}

static inline void rp_port_model_cost(uint32_t ticks)
{
    rp_fake_port.cycles += ticks;
    rp_fake_port.model_cost += ticks;
    if (rp_fake_port.timer != 0) {
        *rp_fake_port.timer += ticks;
    }
}

#ifdef __cplusplus
}
#endif
#endif
