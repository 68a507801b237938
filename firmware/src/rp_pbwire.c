/* Bounded protobuf wire-format writer and reader (see rp_pbwire.h). */
#include "rramprof/rp_pbwire.h"

/* ---- writer ---- */

void rp_pb_put_byte(rp_pb_writer_t *w, uint8_t b)
{
    if (w->len < w->cap) {
        w->buf[w->len] = b;
    }
    w->len++;
}

void rp_pb_put_varint(rp_pb_writer_t *w, uint64_t v)
{
    while (v >= 0x80u) {
        rp_pb_put_byte(w, (uint8_t)(v | 0x80u));
        v >>= 7;
    }
    rp_pb_put_byte(w, (uint8_t)v);
}

/* ---- reader ---- */

void rp_pb_reader_init(rp_pb_reader_t *r, const uint8_t *buf, size_t len)
{
    r->p = buf;
    r->end = buf != NULL ? buf + len : buf;
}

bool rp_pb_get_varint(rp_pb_reader_t *r, uint64_t *v)
{
    /* Find the last byte first, then gather from it down: shifting the
     * whole value by 7 is cheaper on a 32-bit core than by a variable. */
    const uint8_t *p = r->p;
    const uint8_t *q = p;
    do {
        if (q == r->end || q - p == 10) {
            return false; /* truncated, or more than ten bytes */
        }
    } while (*q++ >= 0x80u);
    /* The tenth byte may only carry bit 63. */
    if (q - p == 10 && q[-1] > 1u) {
        return false;
    }
    uint64_t x = 0;
    r->p = q;
    while (q != p) {
        x = x << 7 | (*--q & 0x7Fu);
    }
    *v = x;
    return true;
}

bool rp_pb_get_tag(rp_pb_reader_t *r, uint32_t *field, unsigned *wiretype)
{
    uint64_t key;
    if (!rp_pb_get_varint(r, &key) || key > UINT32_MAX) {
        return false;
    }
    uint32_t k = (uint32_t)key;
    /* Field 0 does not exist (k < 8); of the wire types only 0, 1, 2 and
     * 5 exist in proto3 (the bits of 0x27): groups (3, 4) are not used. */
    if (k < 8u || ((0x27u >> (k & 7u)) & 1u) == 0) {
        return false;
    }
    *field = k >> 3;
    *wiretype = k & 7u;
    return true;
}

bool rp_pb_get_value(rp_pb_reader_t *r, unsigned wiretype, uint64_t *v, const uint8_t **data)
{
    const uint8_t *start = r->p;
    if (wiretype == RP_PB_VARINT) {
        return rp_pb_get_varint(r, v);
    }
    if (wiretype == RP_PB_LEN) {
        if (!rp_pb_get_varint(r, v)) {
            return false;
        }
    } else if ((wiretype | 4u) == RP_PB_I32) {   /* I64 (1) or I32 (5) */
        *v = wiretype == RP_PB_I64 ? 8u : 4u;
    } else {
        return false;
    }
    if (*v > (uint64_t)(r->end - r->p)) {
        r->p = start; /* r moves only on success */
        return false;
    }
    *data = r->p;
    r->p += *v;
    return true;
}

/* The two below are rp_pb_get_value for one use each; the firmware's
 * command parser calls that directly, so only one copy of the bounds
 * checks is linked there. */
bool rp_pb_get_len(rp_pb_reader_t *r, const uint8_t **data, size_t *len)
{
    uint64_t n;
    if (!rp_pb_get_value(r, RP_PB_LEN, &n, data)) {
        return false;
    }
    *len = (size_t)n;
    return true;
}

bool rp_pb_skip(rp_pb_reader_t *r, unsigned wiretype)
{
    uint64_t v;
    const uint8_t *data;
    return rp_pb_get_value(r, wiretype, &v, &data);
}
