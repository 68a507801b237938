/* Fixed-capacity ring of rp_record_t over caller-provided storage.
 *
 * Producers (thread code and interrupt handlers) push under the port's
 * critical section; the single consumer (the drain) peeks and releases
 * without one: it only reads `head` and writes `tail`. A push into a full
 * ring is refused and counted, never overwriting unsent events.
 *
 * The push does no bookkeeping beyond `head` (it is the recorder's hot
 * path): the high-water mark is taken by the consumer, at each release and
 * at rp_ring_observe, where the backlog peaks (it only grows between two
 * consumer steps), and by a refused push (a full ring). */
#ifndef RP_RING_H
#define RP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_record.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rp_ring {
    rp_record_t *slots;
    uint32_t mask;              /* capacity - 1, capacity a power of two */
    volatile uint32_t head;     /* next slot to write (producers) */
    volatile uint32_t tail;     /* next slot to read (consumer) */
    uint32_t high_water;        /* most records held, as observed (see top) */
    uint64_t dropped;           /* pushes refused because the ring was full */
    uint64_t released;          /* records released since reset (consumer) */
} rp_ring_t;

/* capacity must be a power of two >= 2; returns RP_ERR_ARG otherwise. */
int rp_ring_init(rp_ring_t *r, rp_record_t *slots, uint32_t capacity);
void rp_ring_reset(rp_ring_t *r);
/* Caller holds the critical section. false = full, drop counted. */
bool rp_ring_push(rp_ring_t *r, const rp_record_t *rec);
uint32_t rp_ring_count(const rp_ring_t *r);
/* Contiguous readable records from the tail, at most max; *out points at
 * the first. Release them with rp_ring_release once encoded. */
uint32_t rp_ring_peek(const rp_ring_t *r, const rp_record_t **out, uint32_t max);
void rp_ring_release(rp_ring_t *r, uint32_t n);
/* Consumer side: folds the current backlog into high_water. */
void rp_ring_observe(rp_ring_t *r);
/* Consumer side: records pushed since reset, as 64 bits (the 32-bit head
 * extended by released, so exact however often the head wrapped, and
 * even if read between the consumer's tail and released updates). */
uint64_t rp_ring_pushed(const rp_ring_t *r);

#ifdef __cplusplus
}
#endif
#endif
