/* Shared between rp_decode.c and rp_decode_batch.c; not a public API. */
#ifndef RP_DECODE_INTERNAL_H
#define RP_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof.pb-c.h"
#include "rramprof/rp_decode.h"

/* Fast path for the one message that carries nearly all the bytes: a
 * payload that is exactly Frame{batch = EventBatch{...}} in the canonical
 * encoding (packed columns, each field at most once). Parses the columns
 * straight into events[] with no allocation. Returns true with *b filled
 * only if the batch is well-formed; returns false for anything else
 * (another kind, an unusual but legal encoding, or a bad batch), and the
 * caller then runs the generic protobuf-c path, which is the reference
 * for every result, faults included. */
bool rp_decode_batch_fast(const uint8_t *payload, size_t len, rp_record_t *events,
                          rp_batch_t *b);

/* Generic path: rebuilds events from an EventBatch unpacked by protobuf-c.
 * Returns RP_DECODE_FAULT_NONE and fills *b, or the first fault found,
 * checked in this order: count, column lengths, values. */
rp_decode_fault_t rp_decode_batch_generic(const Rramprof__V1__EventBatch *eb,
                                          rp_record_t *events, rp_batch_t *b);

#endif
