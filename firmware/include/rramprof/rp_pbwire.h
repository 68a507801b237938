/* Minimal protobuf wire-format primitives for the firmware: a bounded
 * writer and a bounded reader. No heap, no stdio. The writer sets an error
 * flag instead of overrunning; the reader never reads past its end.
 * The host uses protobuf-c instead; tests prove the two agree. */
#ifndef RP_PBWIRE_H
#define RP_PBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rp_pb_wiretype { RP_PB_VARINT = 0, RP_PB_I64 = 1, RP_PB_LEN = 2, RP_PB_I32 = 5 };

typedef struct rp_pb_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow;   /* set once anything did not fit; len stays <= cap */
} rp_pb_writer_t;

void rp_pb_writer_init(rp_pb_writer_t *w, uint8_t *buf, size_t cap);
void rp_pb_put_varint(rp_pb_writer_t *w, uint64_t v);
void rp_pb_put_tag(rp_pb_writer_t *w, uint32_t field, unsigned wiretype);
/* Field helpers; proto3 semantics: the *_field forms skip zero values. */
void rp_pb_put_uint_field(rp_pb_writer_t *w, uint32_t field, uint64_t v);
void rp_pb_put_bool_field(rp_pb_writer_t *w, uint32_t field, bool v);
void rp_pb_put_bytes_field(rp_pb_writer_t *w, uint32_t field, const void *data, size_t len);
void rp_pb_put_string_field(rp_pb_writer_t *w, uint32_t field, const char *s);
/* Nested message / packed field: reserve a length prefix of `width` bytes
 * (1..5, a padded varint protobuf decoders accept), write the body, then
 * close it. Returns a handle for rp_pb_end_len. */
size_t rp_pb_begin_len(rp_pb_writer_t *w, uint32_t field, unsigned width);
void rp_pb_end_len(rp_pb_writer_t *w, size_t handle, unsigned width);

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
static inline bool rp_pb_at_end(const rp_pb_reader_t *r) { return r->p >= r->end; }

#ifdef __cplusplus
}
#endif
#endif
