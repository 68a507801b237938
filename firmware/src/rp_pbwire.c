/* Bounded protobuf wire-format writer and reader (see rp_pbwire.h). */
#include "rramprof/rp_pbwire.h"

#include <string.h>

/* ---- writer ---- */

void rp_pb_writer_init(rp_pb_writer_t *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->len = 0;
    w->overflow = false;
}

/* Reserves n bytes, or marks the writer overflowed. */
static uint8_t *prv_reserve(rp_pb_writer_t *w, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return NULL;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

static size_t prv_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80u) {
        v >>= 7;
        n++;
    }
    return n;
}

void rp_pb_put_varint(rp_pb_writer_t *w, uint64_t v)
{
    uint8_t *p = prv_reserve(w, prv_varint_len(v));
    if (p == NULL) {
        return;
    }
    while (v >= 0x80u) {
        *p++ = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    *p = (uint8_t)v;
}

void rp_pb_put_tag(rp_pb_writer_t *w, uint32_t field, unsigned wiretype)
{
    rp_pb_put_varint(w, ((uint64_t)field << 3) | (wiretype & 7u));
}

void rp_pb_put_uint_field(rp_pb_writer_t *w, uint32_t field, uint64_t v)
{
    if (v != 0) {
        rp_pb_put_tag(w, field, RP_PB_VARINT);
        rp_pb_put_varint(w, v);
    }
}

void rp_pb_put_bool_field(rp_pb_writer_t *w, uint32_t field, bool v)
{
    rp_pb_put_uint_field(w, field, v ? 1u : 0u);
}

void rp_pb_put_bytes_field(rp_pb_writer_t *w, uint32_t field, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }
    rp_pb_put_tag(w, field, RP_PB_LEN);
    rp_pb_put_varint(w, len);
    uint8_t *p = prv_reserve(w, len);
    if (p != NULL) {
        memcpy(p, data, len);
    }
}

void rp_pb_put_string_field(rp_pb_writer_t *w, uint32_t field, const char *s)
{
    if (s != NULL) {
        rp_pb_put_bytes_field(w, field, s, strlen(s));
    }
}

size_t rp_pb_begin_len(rp_pb_writer_t *w, uint32_t field, unsigned width)
{
    rp_pb_put_tag(w, field, RP_PB_LEN);
    size_t handle = w->len;
    if (width < 1u || width > 5u) {
        w->overflow = true; /* caller bug: no such prefix */
        return handle;
    }
    (void)prv_reserve(w, width);
    return handle;
}

void rp_pb_end_len(rp_pb_writer_t *w, size_t handle, unsigned width)
{
    if (w->overflow) {
        return;
    }
    uint64_t body = w->len - handle - width;
    if (body >> (7u * width) != 0) {
        w->overflow = true; /* the body outgrew its prefix */
        return;
    }
    /* Padded varint: continuation bits on all but the last byte. */
    uint8_t *p = w->buf + handle;
    for (unsigned i = 0; i + 1u < width; i++) {
        p[i] = (uint8_t)(body | 0x80u);
        body >>= 7;
    }
    p[width - 1u] = (uint8_t)body;
}

/* ---- reader ---- */

void rp_pb_reader_init(rp_pb_reader_t *r, const uint8_t *buf, size_t len)
{
    r->p = buf;
    r->end = buf != NULL ? buf + len : buf;
}

bool rp_pb_get_varint(rp_pb_reader_t *r, uint64_t *v)
{
    uint64_t x = 0;
    const uint8_t *p = r->p;
    for (unsigned shift = 0; shift < 64u; shift += 7u) {
        if (p >= r->end) {
            return false; /* truncated */
        }
        uint8_t b = *p++;
        /* The tenth byte may only carry bit 63. */
        if (shift == 63u && b > 1u) {
            return false;
        }
        x |= (uint64_t)(b & 0x7Fu) << shift;
        if ((b & 0x80u) == 0) {
            r->p = p;
            *v = x;
            return true;
        }
    }
    return false; /* more than ten bytes */
}

bool rp_pb_get_tag(rp_pb_reader_t *r, uint32_t *field, unsigned *wiretype)
{
    uint64_t key;
    if (!rp_pb_get_varint(r, &key) || key > UINT32_MAX) {
        return false;
    }
    unsigned wt = (unsigned)(key & 7u);
    uint32_t f = (uint32_t)(key >> 3);
    /* Field 0 does not exist; groups (3, 4) are not used by proto3. */
    if (f == 0 || (wt != RP_PB_VARINT && wt != RP_PB_I64 && wt != RP_PB_LEN && wt != RP_PB_I32)) {
        return false;
    }
    *field = f;
    *wiretype = wt;
    return true;
}

bool rp_pb_get_len(rp_pb_reader_t *r, const uint8_t **data, size_t *len)
{
    rp_pb_reader_t save = *r;
    uint64_t n;
    if (!rp_pb_get_varint(r, &n) || n > (uint64_t)(r->end - r->p)) {
        *r = save;
        return false;
    }
    *data = r->p;
    *len = (size_t)n;
    r->p += n;
    return true;
}

static bool prv_skip_fixed(rp_pb_reader_t *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n) {
        return false;
    }
    r->p += n;
    return true;
}

bool rp_pb_skip(rp_pb_reader_t *r, unsigned wiretype)
{
    uint64_t v;
    const uint8_t *data;
    size_t len;
    switch (wiretype) {
    case RP_PB_VARINT: return rp_pb_get_varint(r, &v);
    case RP_PB_I64: return prv_skip_fixed(r, 8);
    case RP_PB_LEN: return rp_pb_get_len(r, &data, &len);
    case RP_PB_I32: return prv_skip_fixed(r, 4);
    default: return false;
    }
}
