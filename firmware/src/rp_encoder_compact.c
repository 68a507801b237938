/* Compact EventBatch encoder (RP_CONFIG_COMPACT_ENCODER, for boards short
 * of flash).
 *
 * Same contract and wire format as rp_encoder.c (bytes per event within
 * 0.2% of it on the demo workloads) in about a third of its flash on a
 * Cortex-M4: 2.0 KB against 5.4 KB at -Os, for 22 to 90 more
 * instructions per drained event (docs/benchmarks.md). One generic loop
 * per column instead of the full encoder's specialised ones, 32-bit
 * statistics, and no sizing pass (rp_encode_batch_fit): the device
 * bisects a batch that does not fit instead.
 *
 *   - One pass over the records takes the op word (op, status, tile,
 *     iterations) and the durations: the OR and the AND of each member
 *     over the events whose op uses it (rp_op_fields; other events count
 *     as ones in the AND), the set of ops seen and the shortest duration
 *     per op. A member is constant among its users when OR and AND agree.
 *     A second pass does the same for the region (row|rows, col|cols) and
 *     arg words, without the per-op masks when every op seen uses the same
 *     of them.
 *   - Then one loop per column that is not constant: gaps (32-bit unless a
 *     gap needs more), durations as excesses over their op's shortest one
 *     (duration_base) when they take two bytes or more, members below 128
 *     as raw bytes.
 * Bounds: a column starts only with a byte left for each of its values;
 * longer values check that they leave as much for the values after them,
 * so the one-byte paths write unchecked and a batch that fits in cap is
 * never refused.
 *
 * Little-endian only: record words are read with memcpy and members taken
 * from them by shifts (every Cortex-M board and the host are). */
#include "rramprof/rp_encoder.h"

#include "rramprof/rp_config.h"

#if RP_CONFIG_COMPACT_ENCODER

#include <stddef.h>
#include <string.h>

#include "rramprof/rp_pbwire.h"
#include "rp_wire_fields_priv.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rp_encoder_compact.c reads record words little-endian"
#endif

/* The record words the statistics read, by byte offset. */
_Static_assert(offsetof(rp_record_t, duration) == 8 && offsetof(rp_record_t, arg) == 12 &&
                   offsetof(rp_record_t, op) == 16 && offsetof(rp_record_t, status) == 17 &&
                   offsetof(rp_record_t, tile) == 18 && offsetof(rp_record_t, iterations) == 19 &&
                   offsetof(rp_record_t, row) == 20 && offsetof(rp_record_t, rows) == 22 &&
                   offsetof(rp_record_t, col) == 24 && offsetof(rp_record_t, cols) == 26 &&
                   sizeof(rp_record_t) == 32,
               "rp_record_t layout");

/* Statistics words: W_OPS = op|status|tile|iterations, W_ROW = row|rows,
 * W_COL = col|cols, W_ARG = arg. */
enum { PRV_W_OPS, PRV_W_ROW, PRV_W_COL, PRV_W_ARG, PRV_WORDS };
static const uint8_t prv_word_offset[PRV_WORDS] = { 16, 20, 24, 12 };

/* Ops by index (op < 8; unknown ops take index 0, NONE: every member).
 * prv_use_ops: the bits of W_OPS each op's members occupy; the region
 * (W_ROW, W_COL) and arg words belong to the ops of these sets. */
static const uint32_t prv_use_ops[8] = {
    0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, /* NONE WRITE VERIFY READ */
    0x00FFFFFFu, 0x00FFFFFFu, 0x0000FFFFu, 0x0000FFFFu, /* MVM TRANSFER SPAN COMPUTE */
};
#define PRV_REGION_OPS 0x3Fu /* NONE .. TRANSFER */
#define PRV_ARG_OPS 0xE1u    /* NONE, TRANSFER, SPAN, COMPUTE */

/* The member columns after op and duration: field, statistics word, and
 * the member's position in it (shift, bits). */
typedef struct prv_member {
    uint8_t field, word, shift, bits;
} prv_member_t;
static const prv_member_t prv_members[] = {
    { PRV_B_TILE, PRV_W_OPS, 16, 8 },
    { PRV_B_ROW, PRV_W_ROW, 0, 16 },
    { PRV_B_ROWS, PRV_W_ROW, 16, 16 },
    { PRV_B_COL, PRV_W_COL, 0, 16 },
    { PRV_B_COLS, PRV_W_COL, 16, 16 },
    { PRV_B_ITERATIONS, PRV_W_OPS, 24, 8 },
    { PRV_B_STATUS, PRV_W_OPS, 8, 8 },
    { PRV_B_ARG, PRV_W_ARG, 0, 32 },
};

typedef struct prv_stats {
    uint32_t any[PRV_WORDS];  /* OR over the members' users */
    uint32_t all[PRV_WORDS];  /* AND over users (ones where nobody uses it) */
    uint32_t used[PRV_WORDS]; /* the bits some event's op uses */
    uint32_t dur_any, dur_all;
    uint32_t seen;            /* op indexes seen, a bit each */
    uint32_t base[8];         /* shortest duration per op index */
} prv_stats_t;

static inline unsigned prv_index(unsigned op)
{
    return op < 8u ? op : 0u;
}

/* The statistics: one pass for the op word and the durations, one for
 * the region (row|rows, col|cols) and arg words, which skips the per-op
 * masks when every op seen uses the same of those members. */
static void prv_gather(prv_stats_t *s, const rp_record_t *recs, size_t n)
{
    const rp_record_t *stop = recs + n;
    uint32_t any = 0u, all = 0xFFFFFFFFu, seen = 0u;
    uint32_t dur_any = 0u, dur_all = 0xFFFFFFFFu;
    memset(s->base, 0xFF, sizeof s->base);
    for (const rp_record_t *r = recs; r < stop; r++) {
        uint32_t w;
        memcpy(&w, &r->op, 4);
        unsigned k = prv_index(w & 0xFFu);
        uint32_t use = prv_use_ops[k];
        any |= w & use;
        all &= w | ~use;
        seen |= 1u << k;
        uint32_t d = r->duration;
        dur_any |= d;
        dur_all &= d;
        if (d < s->base[k]) {
            s->base[k] = d;
        }
    }
    uint32_t used = 0u;
    for (unsigned k = 0; k < 8u; k++) {
        used |= (seen >> k & 1u) != 0u ? prv_use_ops[k] : 0u;
    }
    s->any[PRV_W_OPS] = any;
    s->all[PRV_W_OPS] = all;
    s->used[PRV_W_OPS] = used;
    s->dur_any = dur_any;
    s->dur_all = dur_all;
    s->seen = seen;

    uint32_t region = seen & PRV_REGION_OPS, args = seen & PRV_ARG_OPS;
    uint32_t row_any = 0u, row_all = 0xFFFFFFFFu, col_any = 0u, col_all = 0xFFFFFFFFu;
    uint32_t arg_any = 0u, arg_all = 0xFFFFFFFFu;
    if (region == seen && args == 0u) {
        for (const rp_record_t *r = recs; r < stop; r++) {
            uint32_t rw, cw;
            memcpy(&rw, &r->row, 4);
            memcpy(&cw, &r->col, 4);
            row_any |= rw;
            row_all &= rw;
            col_any |= cw;
            col_all &= cw;
        }
    } else if (region != 0u || args != 0u) {
        for (const rp_record_t *r = recs; r < stop; r++) {
            unsigned k = prv_index(r->op);
            uint32_t ur = 0u - (PRV_REGION_OPS >> k & 1u), ua = 0u - (PRV_ARG_OPS >> k & 1u);
            uint32_t rw, cw;
            memcpy(&rw, &r->row, 4);
            memcpy(&cw, &r->col, 4);
            row_any |= rw & ur;
            row_all &= rw | ~ur;
            col_any |= cw & ur;
            col_all &= cw | ~ur;
            arg_any |= r->arg & ua;
            arg_all &= r->arg | ~ua;
        }
    }
    s->any[PRV_W_ROW] = row_any;
    s->all[PRV_W_ROW] = row_all;
    s->used[PRV_W_ROW] = region != 0u ? 0xFFFFFFFFu : 0u;
    s->any[PRV_W_COL] = col_any;
    s->all[PRV_W_COL] = col_all;
    s->used[PRV_W_COL] = s->used[PRV_W_ROW];
    s->any[PRV_W_ARG] = arg_any;
    s->all[PRV_W_ARG] = arg_all;
    s->used[PRV_W_ARG] = args != 0u ? 0xFFFFFFFFu : 0u;
}

static uint8_t *prv_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80u) {
        *p++ = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A varint if it fits before end, else NULL. */
static uint8_t *prv_varint_checked(uint8_t *p, const uint8_t *end, uint64_t v)
{
    if (p == NULL || (size_t)(end - p) < rp_pb_varint_len(v)) {
        return NULL;
    }
    return prv_varint(p, v);
}

/* A field with a non-zero varint value. */
static uint8_t *prv_uint(uint8_t *p, const uint8_t *end, uint32_t field, uint64_t v)
{
    if (v == 0u) {
        return p;
    }
    return prv_varint_checked(prv_varint_checked(p, end, field << 3 | RP_PB_VARINT), end, v);
}

/* Opens a packed column (or the batch itself): key, then a length prefix
 * of `width` bytes that prv_close fills in. */
static uint8_t *prv_open(uint8_t *p, const uint8_t *end, uint32_t field, unsigned width)
{
    p = prv_varint_checked(p, end, field << 3 | RP_PB_LEN);
    return p != NULL && (size_t)(end - p) >= width ? p + width : NULL;
}

static void prv_close(uint8_t *body, const uint8_t *p, unsigned width)
{
    size_t len = (size_t)(p - body);
    uint8_t *q = body - width;
    for (unsigned i = 0; i + 1u < width; i++) {
        q[i] = (uint8_t)(len | 0x80u);
        len >>= 7;
    }
    q[width - 1u] = (uint8_t)len;
}

/* A value of a column whose one-byte values take the fast path: if it
 * fits with one byte left for each of the `after` values still to come. */
static uint8_t *prv_long_value(uint8_t *q, const uint8_t *end, uint64_t v, size_t after)
{
    if ((size_t)(end - q) < rp_pb_varint_len(v) + after) {
        return NULL;
    }
    return prv_varint(q, v);
}

/* Ends a column whose values may all be 0: closes it, or, when every
 * value is 0 (`keep` false), takes it back with its one-byte key, since
 * an absent column decodes as zeros. Returns the new end. */
static uint8_t *prv_close_or_drop(uint8_t *body, uint8_t *q, unsigned width, bool keep)
{
    if (!keep) {
        return body - width - 1u;
    }
    prv_close(body, q, width);
    return q;
}

/* A value of a column that reserved one byte per value: one and two
 * bytes in line, longer ones checked against what the values still to
 * come need (`after`). NULL if it does not fit. */
static inline uint8_t *prv_value(uint8_t *q, const uint8_t *end, uint64_t v, size_t after)
{
    if (v < 0x80u) {
        *q = (uint8_t)v;
        return q + 1;
    }
    return prv_long_value(q, end, v, after);
}

/* A packed column of one-byte values: the byte at `off` in each record,
 * whose users' values are below 128 (a non-user's may be any). */
static uint8_t *prv_bytes_column(uint8_t *p, const uint8_t *end, const rp_record_t *recs,
                                 size_t n, uint32_t field, unsigned off, unsigned width)
{
    uint8_t *body = prv_open(p, end, field, width);
    if (body == NULL || (size_t)(end - body) < n) {
        return NULL;
    }
    const uint8_t *r = (const uint8_t *)recs + off;
    for (uint8_t *q = body; q < body + n; q++, r += sizeof(rp_record_t)) {
        *q = *r & 0x7Fu;
    }
    prv_close(body, body + n, width);
    return body + n;
}

/* The gap column: start[i] - end[i-1], end[-1] = recs[0].start; none
 * when every gap is 0. */
static uint8_t *prv_gaps(uint8_t *p, const uint8_t *end, const rp_record_t *recs, size_t n,
                         unsigned width)
{
    uint8_t *body = prv_open(p, end, PRV_B_GAP, width);
    if (body == NULL || (size_t)(end - body) < n) {
        /* No room to try: fine if the column would be left out. */
        for (size_t i = 1; i < n; i++) {
            if (recs[i].start != recs[i - 1].start + recs[i - 1].duration) {
                return NULL;
            }
        }
        return p;
    }
    uint8_t *q = body;
    uint64_t prev_end = recs[0].start;
    uint32_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t g = recs[i].start - prev_end;
        prev_end = recs[i].start + recs[i].duration;
        int32_t g32 = (int32_t)(uint32_t)g;
        uint32_t z = ((uint32_t)g32 << 1) ^ (uint32_t)(g32 >> 31);
        any |= z;
        if (z < 0x80u && (uint32_t)(g >> 32) == (uint32_t)(g32 >> 31)) {
            *q++ = (uint8_t)z;
            continue;
        }
        any = 1u;
        q = prv_long_value(q, end, rp_pb_zigzag((int64_t)g), n - i - 1u);
        if (q == NULL) {
            return NULL;
        }
    }
    return prv_close_or_drop(body, q, width, any != 0u); /* back to back: gaps default to 0 */
}

/* One member column: `*_all` when constant among its users (nothing when
 * 0 or unused), else packed. */
static uint8_t *prv_member(uint8_t *p, const uint8_t *end, const rp_record_t *recs, size_t n,
                           const prv_stats_t *s, const prv_member_t *m, unsigned width)
{
    uint32_t mask = m->bits == 32u ? 0xFFFFFFFFu : ((1u << m->bits) - 1u) << m->shift;
    uint32_t any = (s->any[m->word] & mask) >> m->shift;
    if ((s->used[m->word] & mask) == 0u ||
        ((s->any[m->word] ^ s->all[m->word]) & mask) == 0u) {
        return prv_uint(p, end, m->field + 1u, any);
    }
    unsigned off = prv_word_offset[m->word] + m->shift / 8u;
    if (any < 0x80u) {
        return prv_bytes_column(p, end, recs, n, m->field, off, width);
    }
    uint8_t *body = prv_open(p, end, m->field, width);
    p = body;
    const uint8_t *r = (const uint8_t *)recs + prv_word_offset[m->word];
    for (size_t i = 0; i < n && p != NULL; i++, r += sizeof(rp_record_t)) {
        uint32_t w;
        memcpy(&w, r, 4);
        p = prv_varint_checked(p, end, (w & mask) >> m->shift);
    }
    if (p != NULL) {
        prv_close(body, p, width);
    }
    return p;
}

/* The op column, then the durations: duration_all when they are all
 * equal; else, for ops < 8 and durations of two bytes or more, the
 * excesses over each op's shortest duration (duration_base), a column of
 * zeros left out; else the plain durations. */
static uint8_t *prv_ops_and_durations(uint8_t *p, const uint8_t *end, const rp_record_t *recs,
                                      size_t n, const prv_stats_t *s, unsigned width)
{
    static const prv_member_t op = { PRV_B_OP, PRV_W_OPS, 0, 8 };
    uint32_t ops_any = s->any[PRV_W_OPS] & 0xFFu;
    p = prv_member(p, end, recs, n, s, &op, width);
    if (p == NULL || s->dur_any == s->dur_all) {
        return p != NULL ? prv_uint(p, end, PRV_B_DURATION + 1u, s->dur_any) : NULL;
    }
    bool based = s->dur_any >= 0x80u && ops_any < 8u;
    if (based) {
        /* Bases up to the highest op seen; ops not seen: 0. */
        unsigned top = 31u - (unsigned)__builtin_clz(s->seen);
        uint8_t *body = prv_open(p, end, PRV_B_DURATION_BASE, width);
        p = body;
        for (unsigned op = 0; op <= top && p != NULL; op++) {
            p = prv_varint_checked(p, end, (s->seen >> op & 1u) != 0u ? s->base[op] : 0u);
        }
        if (p == NULL) {
            return NULL;
        }
        prv_close(body, p, width);
    }
    uint8_t *body = prv_open(p, end, PRV_B_DURATION, width);
    if (body == NULL || (size_t)(end - body) < n) {
        /* No room to try: fine if the column would be left out. */
        for (size_t i = 0; i < n; i++) {
            if (!based || recs[i].duration != s->base[recs[i].op]) {
                return NULL;
            }
        }
        return p;
    }
    uint8_t *q = body;
    uint32_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = recs[i].duration;
        if (based) {
            v -= s->base[recs[i].op]; /* ops < 8 here */
        }
        any |= v;
        q = prv_value(q, end, v, n - i - 1u);
        if (q == NULL) {
            return NULL;
        }
    }
    return prv_close_or_drop(body, q, width, any != 0u); /* each duration its op's base */
}

size_t rp_encode_batch(rp_batch_state_t *st, const rp_record_t *recs, size_t n,
                       uint64_t dropped_total, uint8_t *out, size_t cap)
{
    if (st == NULL || out == NULL || (recs == NULL && n > 0) || n > UINT32_MAX) {
        return 0;
    }
    const uint8_t *end = out + cap;
    unsigned width = rp_wire_len_width(cap);
    uint8_t *batch = prv_open(out, end, PRV_FRAME_BATCH, width);
    uint8_t *p = batch;
    p = prv_uint(p, end, PRV_B_SEQUENCE, st->sequence);
    p = prv_uint(p, end, PRV_B_FIRST_EVENT, st->next_event);
    p = prv_uint(p, end, PRV_B_BASE, n > 0u ? recs[0].start : 0u);
    p = prv_uint(p, end, PRV_B_COUNT, n);
    p = prv_uint(p, end, PRV_B_DROPPED, dropped_total);
    if (n > 0u && p != NULL) {
        prv_stats_t s;
        prv_gather(&s, recs, n);
        p = prv_ops_and_durations(p, end, recs, n, &s, width);
        p = p != NULL ? prv_gaps(p, end, recs, n, width) : NULL;
        for (unsigned k = 0; k < sizeof prv_members / sizeof prv_members[0] && p != NULL; k++) {
            p = prv_member(p, end, recs, n, &s, &prv_members[k], width);
        }
    }
    if (p == NULL) {
        return 0;
    }
    prv_close(batch, p, width);
    st->sequence++;
    st->next_event += n;
    return (size_t)(p - out);
}

#endif /* RP_CONFIG_COMPACT_ENCODER */
