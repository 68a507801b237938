/* Inline ring push shared by rp_ring.c and the recorder's hot path, where
 * an extern call would cost more than the push itself. Firmware-private. */
#ifndef RP_RING_PRIV_H
#define RP_RING_PRIV_H

#include <stdatomic.h>

#include "rramprof/rp_ring.h"

/* Contract of rp_ring_push: caller holds the critical section. slots and
 * mask are r->slots and r->mask; the recorder passes them as constants
 * (its own storage, a compile-time capacity), which saves two loads and
 * lets the compiler fold the mask into the instructions. */
static inline bool prv_ring_push_to(rp_ring_t *r, rp_record_t *slots, uint32_t mask,
                                    const rp_record_t *rec)
{
    uint32_t head = r->head;
    uint32_t used = head - r->tail;
    if (used > mask) {
        r->dropped++;
        return false;
    }
    slots[head & mask] = *rec;
    /* The record must be in its slot before the consumer can see it. */
    atomic_signal_fence(memory_order_release);
    r->head = head + 1u;
    if (used >= r->high_water) {
        r->high_water = used + 1u;
    }
    return true;
}

/* The same through the ring's own fields, read only once the ring is
 * known to have room: written out rather than calling prv_ring_push_to,
 * whose slots argument GCC loads before the check (one instruction more
 * per push on x86-64). */
static inline bool prv_ring_push(rp_ring_t *r, const rp_record_t *rec)
{
    uint32_t head = r->head;
    uint32_t used = head - r->tail;
    if (used > r->mask) {
        r->dropped++;
        return false;
    }
    r->slots[head & r->mask] = *rec;
    atomic_signal_fence(memory_order_release); /* as in prv_ring_push_to */
    r->head = head + 1u;
    if (used >= r->high_water) {
        r->high_water = used + 1u;
    }
    return true;
}

#endif
