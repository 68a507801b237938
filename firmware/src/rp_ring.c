/* Fixed-capacity event ring; contract in rp_ring.h.
 *
 * head and tail are free-running counters: head - tail is the fill level
 * even after they wrap, and (index & mask) is the slot. The ring is meant
 * for one core: producers are serialised by the port's critical section,
 * and the signal fences below only stop the compiler from moving slot
 * accesses across the head / tail updates. */
#include "rramprof/rp_ring.h"

#include <stdatomic.h>

#include "rramprof/rp_status.h"
#include "rp_ring_priv.h"

int rp_ring_init(rp_ring_t *r, rp_record_t *slots, uint32_t capacity)
{
    if (r == NULL || slots == NULL || capacity < 2u || (capacity & (capacity - 1u)) != 0u) {
        return RP_ERR_ARG;
    }
    r->slots = slots;
    r->mask = capacity - 1u;
    rp_ring_reset(r);
    return RP_OK;
}

void rp_ring_reset(rp_ring_t *r)
{
    r->head = 0u;
    r->tail = 0u;
    r->high_water = 0u;
    r->dropped = 0u;
    r->released = 0u;
}

void rp_ring_note_full(rp_ring_t *r)
{
    r->dropped++;
    r->high_water = r->mask + 1u;
}

/* Backlog into high_water, returned too; the consumer calls it before
 * moving the tail. */
static uint32_t prv_observe(rp_ring_t *r, uint32_t tail)
{
    uint32_t used = r->head - tail;
    if (used > r->high_water) {
        r->high_water = used;
    }
    return used;
}

void rp_ring_observe(rp_ring_t *r)
{
    (void)prv_observe(r, r->tail);
}

uint64_t rp_ring_pushed(const rp_ring_t *r)
{
    /* The head counts pushes mod 2^32 and released supplies the high bits
     * (the backlog is below 2^32). Not head - tail: the consumer moves tail
     * and then released, and rp_salvage_read may see a reset between the
     * two; the head alone keeps the count exact then. */
    return r->released + (uint32_t)(r->head - (uint32_t)r->released);
}

bool rp_ring_push(rp_ring_t *r, const rp_record_t *rec)
{
    return prv_ring_push(r, rec);
}

uint32_t rp_ring_count(const rp_ring_t *r)
{
    return r->head - r->tail;
}

uint32_t rp_ring_peek(const rp_ring_t *r, const rp_record_t **out, uint32_t max)
{
    uint32_t tail = r->tail;
    uint32_t n = r->head - tail;
    /* Slots up to the new head are written (see rp_ring_push). */
    atomic_signal_fence(memory_order_acquire);
    uint32_t offset = tail & r->mask;
    if (n > max) {
        n = max;
    }
    uint32_t contiguous = r->mask + 1u - offset;
    if (n > contiguous) {
        n = contiguous;
    }
    *out = &r->slots[offset];
    return n;
}

void rp_ring_release(rp_ring_t *r, uint32_t n)
{
    uint32_t tail = r->tail;
    /* The backlog only grows until the tail moves: its peak is now. A push
     * landing between this read and the tail update is seen next time. */
    uint32_t used = prv_observe(r, tail);
    if (n > used) {
        n = used;
    }
    /* Finish reading the slots before producers may reuse them. */
    atomic_signal_fence(memory_order_release);
    r->tail = tail + n;
    r->released += n;
}
