/* Minimal protobuf wire-format primitives for the firmware: a bounded
 * writer (for rp_messages.c) and a bounded reader (for rp_command.c). No
 * heap, no stdio. Neither touches memory past its end. The host uses
 * protobuf-c instead; tests prove the two agree. */
#ifndef RP_PBWIRE_H
#define RP_PBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rp_pb_wiretype { RP_PB_VARINT = 0, RP_PB_I64 = 1, RP_PB_LEN = 2, RP_PB_I32 = 5 };

/* Bounded writer. len counts every byte put, also those past cap, which
 * are dropped (nothing is stored at or after buf + cap): a writer with
 * cap 0 (or a NULL buf) measures, and the output is complete exactly when
 * len <= cap. */
typedef struct rp_pb_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
} rp_pb_writer_t;

static inline void rp_pb_writer_init(rp_pb_writer_t *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->len = 0;
}
void rp_pb_put_byte(rp_pb_writer_t *w, uint8_t b);
/* Shortest form; a key is the varint (field << 3) | wiretype. */
void rp_pb_put_varint(rp_pb_writer_t *w, uint64_t v);

/* Bytes of the varint of v (1..10). */
static inline size_t rp_pb_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80u) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline uint64_t rp_pb_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t rp_pb_unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1u); }

typedef struct rp_pb_reader {
    const uint8_t *p;
    const uint8_t *end;
} rp_pb_reader_t;

void rp_pb_reader_init(rp_pb_reader_t *r, const uint8_t *buf, size_t len);
/* Each returns false on malformed or truncated input. */
bool rp_pb_get_varint(rp_pb_reader_t *r, uint64_t *v);
bool rp_pb_get_tag(rp_pb_reader_t *r, uint32_t *field, unsigned *wiretype);
/* Length-delimited value: *data and *len point into the input. */
bool rp_pb_get_len(rp_pb_reader_t *r, const uint8_t **data, size_t *len);
/* Skips a value of the given wire type (unknown fields). */
bool rp_pb_skip(rp_pb_reader_t *r, unsigned wiretype);
/* Reads the value of a field of the given wire type, whatever it is: a
 * varint into *v; any other value as its bytes, *data pointing into the
 * input and *v their count (8 for I64, 4 for I32). On failure r has not
 * moved, *data is unchanged and *v is unspecified. rp_pb_get_len and
 * rp_pb_skip are this for one wire type or for none. */
bool rp_pb_get_value(rp_pb_reader_t *r, unsigned wiretype, uint64_t *v, const uint8_t **data);
static inline bool rp_pb_at_end(const rp_pb_reader_t *r) { return r->p >= r->end; }

#ifdef __cplusplus
}
#endif
#endif
