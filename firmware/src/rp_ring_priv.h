/* Firmware-private parts of the ring: the inline push and the refused-push
 * bookkeeping the recorder's own push shares. */
#ifndef RP_RING_PRIV_H
#define RP_RING_PRIV_H

#include <stdatomic.h>

#include "rramprof/rp_ring.h"

/* -Os would otherwise call it; inlined, the push is a few instructions. */
#if defined(__GNUC__)
#define PRV_RING_INLINE static inline __attribute__((always_inline))
#else
#define PRV_RING_INLINE static inline
#endif

/* A refused push: counted, and the ring was as full as it gets. Out of
 * line, off the push's straight path. */
void rp_ring_note_full(rp_ring_t *r);

/* Contract of rp_ring_push: caller holds the critical section. The
 * slots pointer is read only once the ring is known to have room. (The
 * recorder has its own push: rp_recorder.c.) */
PRV_RING_INLINE bool prv_ring_push(rp_ring_t *r, const rp_record_t *rec)
{
    uint32_t head = r->head;
    uint32_t used = head - r->tail;
    if (used > r->mask) {
        rp_ring_note_full(r);
        return false;
    }
    r->slots[head & r->mask] = *rec;
    /* The record must be in its slot before the consumer can see it. */
    atomic_signal_fence(memory_order_release);
    r->head = head + 1u;
    return true;
}

#endif
