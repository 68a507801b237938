/* EventBatch -> absolute rp_record_t events, two ways.
 *
 * The generic path works on the struct protobuf-c unpacked and is the
 * reference. The fast path reads the wire bytes directly: protobuf-c's
 * unpack allocates one array per column and walks a descriptor per field,
 * which costs several times more than the work itself. The fast path
 * accepts only what it can decode exactly like protobuf-c (see
 * rp_decode_internal.h); tests and the decode fuzz target compare the two
 * on every input. */
#include "rp_decode_internal.h"

#include <string.h>

/* Limits of the record fields (rp_record.h); larger values are malformed.
 * Ops fit in 4 bits on the wire (proto/rramprof.proto). */
#define PRV_OP_MAX 15u
#define PRV_U8_MAX 0xFFu
#define PRV_U16_MAX 0xFFFFu

/* start = end + gap and end' = start + duration must stay inside the
 * uint64 tick range; returns false if they leave it. */
static inline bool prv_advance(uint64_t *end, int64_t gap, uint32_t duration, uint64_t *start)
{
    uint64_t s = *end + (uint64_t)gap;
    bool ok = (gap >= 0) ? (s >= *end) : (s < *end);
    uint64_t e = s + duration;
    ok = ok && (e >= s);
    *start = s;
    *end = e;
    return ok;
}

/* ---- generic path ---- */

static bool prv_col_ok(size_t n, uint32_t count) { return n == 0 || n == count; }

rp_decode_fault_t rp_decode_batch_generic(const Rramprof__V1__EventBatch *eb,
                                          rp_record_t *events, rp_batch_t *b)
{
    uint32_t n = eb->count;
    if (n > RP_DECODE_MAX_EVENTS) {
        return RP_DECODE_FAULT_COUNT;
    }
    if (!prv_col_ok(eb->n_op, n) || !prv_col_ok(eb->n_gap, n) ||
        !prv_col_ok(eb->n_duration, n) || !prv_col_ok(eb->n_tile, n) ||
        !prv_col_ok(eb->n_row, n) || !prv_col_ok(eb->n_rows, n) ||
        !prv_col_ok(eb->n_col, n) || !prv_col_ok(eb->n_cols, n) ||
        !prv_col_ok(eb->n_iterations, n) || !prv_col_ok(eb->n_status, n) ||
        !prv_col_ok(eb->n_arg, n)) {
        return RP_DECODE_FAULT_COLUMN;
    }
    /* The op folded into the duration column: no op column of its own. */
    uint32_t op_bits = eb->op_bits;
    if (op_bits > 31u) {
        return RP_DECODE_FAULT_VALUE;
    }
    if (op_bits != 0 && (eb->n_op != 0 || eb->op_all != 0)) {
        return RP_DECODE_FAULT_COLUMN;
    }
    uint64_t end = eb->base_timestamp;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = eb->n_duration ? eb->duration[i] : eb->duration_all;
        uint32_t op = eb->n_op ? eb->op[i] : eb->op_all;
        if (op_bits != 0) {
            op = v & ((1u << op_bits) - 1u);
            v >>= op_bits;
        }
        /* Per-op duration bases: the column holds the excess over them. */
        uint64_t dur64 = (uint64_t)v + (op < eb->n_duration_base ? eb->duration_base[op] : 0u);
        uint32_t tile = eb->n_tile ? eb->tile[i] : eb->tile_all;
        uint32_t row = eb->n_row ? eb->row[i] : eb->row_all;
        uint32_t rows = eb->n_rows ? eb->rows[i] : eb->rows_all;
        uint32_t col = eb->n_col ? eb->col[i] : eb->col_all;
        uint32_t cols = eb->n_cols ? eb->cols[i] : eb->cols_all;
        uint32_t iter = eb->n_iterations ? eb->iterations[i] : eb->iterations_all;
        uint32_t status = eb->n_status ? eb->status[i] : eb->status_all;
        uint32_t dur = (uint32_t)dur64;
        int64_t gap = eb->n_gap ? eb->gap[i] : 0;
        if (op > PRV_OP_MAX || tile > PRV_U8_MAX || iter > PRV_U8_MAX || status > PRV_U8_MAX ||
            row > PRV_U16_MAX || rows > PRV_U16_MAX || col > PRV_U16_MAX || cols > PRV_U16_MAX ||
            dur64 > UINT32_MAX) {
            return RP_DECODE_FAULT_VALUE;
        }
        rp_record_t *r = &events[i];
        memset(r, 0, sizeof *r);
        if (!prv_advance(&end, gap, dur, &r->start)) {
            return RP_DECODE_FAULT_VALUE;
        }
        r->duration = dur;
        r->arg = eb->n_arg ? eb->arg[i] : eb->arg_all;
        r->op = (uint8_t)op;
        r->status = (uint8_t)status;
        r->tile = (uint8_t)tile;
        r->iterations = (uint8_t)iter;
        r->row = (uint16_t)row;
        r->rows = (uint16_t)rows;
        r->col = (uint16_t)col;
        r->cols = (uint16_t)cols;
        rp_record_clear_unused(r);   /* members the op does not use are unspecified */
    }
    b->sequence = eb->sequence;
    b->first_event = eb->first_event;
    b->base_timestamp = eb->base_timestamp;
    b->dropped_total = eb->dropped_total;
    b->count = n;
    b->events = events;
    return RP_DECODE_FAULT_NONE;
}

/* ---- fast path ---- */

/* Reads one varint of at most 10 bytes, with protobuf-c's semantics
 * (bits beyond 64 dropped). Returns false if it runs off the end or is
 * longer than 10 bytes. */
static inline bool prv_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80u) {
        *v = *p;
        *pp = p + 1;
        return true;
    }
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70u; shift += 7u) {
        if (p >= end) {
            return false;
        }
        uint8_t c = *p++;
        x |= (uint64_t)(c & 0x7Fu) << shift;
        if (c < 0x80u) {
            *v = x;
            *pp = p;
            return true;
        }
    }
    return false;
}

/* Field numbers of EventBatch columns (repeated) in proto/rramprof.proto. */
enum {
    PRV_F_OP = 6, PRV_F_GAP = 8, PRV_F_DURATION = 9, PRV_F_TILE = 11, PRV_F_ROW = 13,
    PRV_F_ROWS = 15, PRV_F_COL = 17, PRV_F_COLS = 19, PRV_F_ITER = 21, PRV_F_STATUS = 23,
    PRV_F_ARG = 25, PRV_F_DURATION_BASE = 27, PRV_F_OP_BITS = 28, PRV_F_LAST = 28
};

/* Slots of the columns in prv_fast_batch_t.col (kept small: the struct is
 * cleared for every batch). */
enum {
    PRV_C_OP, PRV_C_GAP, PRV_C_DURATION, PRV_C_TILE, PRV_C_ROW, PRV_C_ROWS, PRV_C_COL,
    PRV_C_COLS, PRV_C_ITER, PRV_C_STATUS, PRV_C_ARG, PRV_C_DURATION_BASE, PRV_C_COUNT
};

typedef struct prv_col {
    const uint8_t *p;     /* NULL until the column is seen */
    const uint8_t *end;
} prv_col_t;

typedef struct prv_fast_batch {
    uint64_t scalar[PRV_F_LAST + 1];    /* last value of each scalar field */
    prv_col_t col[PRV_C_COUNT];
} prv_fast_batch_t;

/* Column slot of a field number, or -1 for a scalar field. */
static int prv_column_slot(uint32_t field)
{
    switch (field) {
    case PRV_F_OP: return PRV_C_OP;
    case PRV_F_GAP: return PRV_C_GAP;
    case PRV_F_DURATION: return PRV_C_DURATION;
    case PRV_F_TILE: return PRV_C_TILE;
    case PRV_F_ROW: return PRV_C_ROW;
    case PRV_F_ROWS: return PRV_C_ROWS;
    case PRV_F_COL: return PRV_C_COL;
    case PRV_F_COLS: return PRV_C_COLS;
    case PRV_F_ITER: return PRV_C_ITER;
    case PRV_F_STATUS: return PRV_C_STATUS;
    case PRV_F_ARG: return PRV_C_ARG;
    case PRV_F_DURATION_BASE: return PRV_C_DURATION_BASE;
    default: return -1;
    }
}

/* Tags and length prefixes: protobuf-c reads at most 5 bytes for them, so
 * a longer (padded) encoding goes to the generic path to be judged. */
static inline bool prv_varint32(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *start = *pp;
    return prv_varint(pp, end, v) && (*pp - start) <= 5 && *v <= 0xFFFFFFFFu;
}

/* Skips an unknown field; false for wire types protobuf-c would reject or
 * that we leave to it (groups). */
static bool prv_skip(const uint8_t **pp, const uint8_t *end, unsigned wt)
{
    uint64_t v;
    switch (wt) {
    case 0:
        return prv_varint(pp, end, &v);
    case 1:
        if ((size_t)(end - *pp) < 8u) return false;
        *pp += 8;
        return true;
    case 2:
        if (!prv_varint32(pp, end, &v) || v > (uint64_t)(end - *pp)) return false;
        *pp += v;
        return true;
    case 5:
        if ((size_t)(end - *pp) < 4u) return false;
        *pp += 4;
        return true;
    default:
        return false;
    }
}

static bool prv_parse_fields(const uint8_t *p, const uint8_t *end, prv_fast_batch_t *fb)
{
    while (p < end) {
        uint64_t tag;
        if (!prv_varint32(&p, end, &tag)) {
            return false;
        }
        uint32_t field = (uint32_t)(tag >> 3);
        unsigned wt = (unsigned)(tag & 7u);
        if (field == 0) {
            return false;
        }
        if (field > PRV_F_LAST) {
            if (!prv_skip(&p, end, wt)) return false;
            continue;
        }
        int slot = prv_column_slot(field);
        if (slot >= 0) {
            uint64_t n;
            /* Unpacked repeated values or a column split in two pieces are
             * legal but rare: the generic path handles them. */
            if (wt != 2 || fb->col[slot].p != NULL || !prv_varint32(&p, end, &n) ||
                n > (uint64_t)(end - p)) {
                return false;
            }
            fb->col[slot].p = p;
            fb->col[slot].end = p + n;
            p += n;
        } else {
            if (wt != 0 || !prv_varint(&p, end, &fb->scalar[field])) {
                return false;
            }
        }
    }
    return true;
}

/* GCC and clang leave the fixed eight-step loops below rolled at -O2 (one
 * index update and branch per value); these helpers are written out and
 * forced inline so each step is a load and a store. */
#if defined(__GNUC__)
#define PRV_INLINE static inline __attribute__((always_inline))
#define PRV_NOINLINE static __attribute__((noinline))
#else
#define PRV_INLINE static inline
#define PRV_NOINLINE static
#endif

/* OR of the 8 bytes of w: the OR of 8 one-byte values. */
PRV_INLINE uint64_t prv_fold(uint64_t w)
{
    w |= w >> 32;
    w |= w >> 16;
    w |= w >> 8;
    return w & 0xFFu;
}

/* Stores v into the member at (off, size) of *r; off and size are
 * constants wherever this is inlined. */
PRV_INLINE void prv_store(rp_record_t *r, size_t off, size_t size, uint64_t v)
{
    uint8_t *m = (uint8_t *)r + off;
    if (size == 1) {
        *m = (uint8_t)v;
    } else if (size == 2) {
        uint16_t h = (uint16_t)v;
        memcpy(m, &h, 2);
    } else if (size == 4) {
        uint32_t x = (uint32_t)v;
        memcpy(m, &x, 4);
    } else {
        memcpy(m, &v, 8);
    }
}

/* Eight one-byte values p[0..7] into member (off, size) of ev[0..7]. */
PRV_INLINE void prv_bytes8(const uint8_t *p, rp_record_t *ev, size_t off, size_t size)
{
    prv_store(ev + 0, off, size, p[0]);
    prv_store(ev + 1, off, size, p[1]);
    prv_store(ev + 2, off, size, p[2]);
    prv_store(ev + 3, off, size, p[3]);
    prv_store(ev + 4, off, size, p[4]);
    prv_store(ev + 5, off, size, p[5]);
    prv_store(ev + 6, off, size, p[6]);
    prv_store(ev + 7, off, size, p[7]);
}

/* Eight column bytes w (byte k in bits 8k..8k+7) that hold only varints
 * of one and two bytes: no two neighbouring bytes both continue (so byte 0
 * or byte 1 ends a value). Their values are then read without the load
 * chain of one varint after the other (folded durations mix one- and
 * two-byte values at random; read one at a time, the replay of such a
 * capture ran about 10 % slower). Little-endian hosts only; elsewhere the
 * one-at-a-time path reads them. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PRV_CONT(w) ((w) & 0x8080808080808080ull)
#define PRV_MIXED_OK(w) ((PRV_CONT(w) & (PRV_CONT(w) << 8)) == 0)

/* Every byte of x (little-endian) pair (b, b + 1), read as a varint
 * starting at b: its low 7 bits, and the next byte's above them if b
 * continues. Four 16-bit lanes at once, for b = 0, 2, 4, 6. */
PRV_INLINE uint64_t prv_lanes(uint64_t x)
{
    uint64_t cont = (x >> 7) & 0x0001000100010001ull;
    return (x & 0x007F007F007F007Full) | ((x >> 1) & (cont * 0x3F80u));
}

/* One byte b of prv_mixed: the value that starts there goes to ev[*k];
 * *k moves on only at a start. A byte that does not start a value (the
 * second of two) writes a meaningless value to the next event's slot,
 * which the next value overwrites (or the next window's, after the
 * last byte). */
PRV_INLINE void prv_mixed_byte(uint64_t lanes, unsigned b, uint64_t starts, uint32_t *k,
                               rp_record_t *ev, size_t off, size_t size)
{
    prv_store(ev + *k, off, size, (lanes >> (16u * (b / 2u))) & 0xFFFFu);
    *k += (uint32_t)(starts >> (8u * b)) & 1u;
}

/* The whole varints in w into member (off, size) of ev[0..), their OR into
 * *acc; *took = how many; returns the bytes they take. No branch on the
 * data (the lengths are random): every byte is read as a value start at
 * once (prv_lanes), and a byte starts a value where the byte before does
 * not continue. */
PRV_INLINE size_t prv_mixed(uint64_t w, uint64_t *acc, uint32_t *took, rp_record_t *ev,
                            size_t off, size_t size)
{
    uint64_t even = prv_lanes(w);
    uint64_t odd = prv_lanes(w >> 8);
    uint64_t starts = ~((w >> 7) << 8) & 0x0101010101010101ull;
    uint32_t k = 0;
    prv_mixed_byte(even, 0, starts, &k, ev, off, size);
    prv_mixed_byte(odd, 1, starts, &k, ev, off, size);
    prv_mixed_byte(even, 2, starts, &k, ev, off, size);
    prv_mixed_byte(odd, 3, starts, &k, ev, off, size);
    prv_mixed_byte(even, 4, starts, &k, ev, off, size);
    prv_mixed_byte(odd, 5, starts, &k, ev, off, size);
    prv_mixed_byte(even, 6, starts, &k, ev, off, size);
    prv_mixed_byte(odd, 7, starts, &k, ev, off, size);
    /* The OR of every lane: the starts' values, and below 128 the others
     * (a byte that does not continue), so the range checks see no more
     * than the values allow (a u8 column's values fit 8 bits either way). */
    uint64_t a = even | odd;
    a |= a >> 32;
    a |= a >> 16;
    *acc |= a & 0xFFFFu;
    uint32_t last_cont = (uint32_t)(w >> 63); /* byte 7 starts a value it cannot end */
    *took = k - last_cont;
    return 8u - last_cont;
}
#else
#define PRV_MIXED_OK(w) 0
PRV_INLINE size_t prv_mixed(uint64_t w, uint64_t *acc, uint32_t *took, rp_record_t *ev,
                            size_t off, size_t size)
{
    (void)w, (void)acc, (void)ev, (void)off, (void)size;
    *took = 0;
    return 0;
}
#endif

/* A packed column, read into one member of every event.
 *
 * Walking varints one by one is a serial chain: where value i+1 starts
 * depends on the length of value i, so each value costs a full load
 * latency. Most columns hold 1-byte values (ops, rows, steps, small gaps)
 * and durations mostly 2-byte ones, so the loop first tries 8 one-byte
 * values or 4 two-byte values at once - their positions are known without
 * a chain - then 8 bytes of one- and two-byte values mixed (prv_mixed),
 * and falls back to one varint at a time otherwise. Exactly count values
 * must fill the column. The OR of all values (kept to 32 bits for uint32
 * fields, like protobuf-c) goes to *acc for one range check at the end. */
#define PRV_DEFINE_COLUMN(NAME, MEMBER, TYPE, MASK)                                         \
    PRV_NOINLINE bool NAME(const prv_col_t *c, rp_record_t *ev, uint32_t n, uint64_t *acc)        \
    {                                                                                       \
        const uint8_t *p = c->p;                                                            \
        const uint8_t *end = c->end;                                                        \
        uint64_t a = 0;                                                                     \
        uint64_t bytes = 0; /* OR of the 8-byte groups of one-byte values */              \
        uint32_t i = 0;                                                                     \
        while (i < n) {                                                                     \
            if (n - i >= 8u && end - p >= 8) {                                              \
                uint64_t w;                                                                 \
                memcpy(&w, p, 8);                                                           \
                if ((w & 0x8080808080808080ull) == 0) {                                     \
                    prv_bytes8(p, ev + i, offsetof(rp_record_t, MEMBER), sizeof ev[0].MEMBER); \
                    bytes |= w;                                                             \
                    p += 8;                                                                 \
                    i += 8;                                                                 \
                    continue;                                                               \
                }                                                                           \
                if ((p[0] & p[2] & p[4] & p[6] & 0x80u) && !((p[1] | p[3] | p[5] | p[7]) & 0x80u)) { \
                    for (unsigned k = 0; k < 4u; k++) {                                     \
                        uint64_t v = (uint64_t)(p[2 * k] & 0x7Fu) | (uint64_t)p[2 * k + 1] << 7; \
                        ev[i + k].MEMBER = (TYPE)v;                                         \
                        a |= v;                                                             \
                    }                                                                       \
                    p += 8;                                                                 \
                    i += 4;                                                                 \
                    continue;                                                               \
                }                                                                           \
                if (PRV_MIXED_OK(w)) {                                                      \
                    uint32_t took = 0;                                                      \
                    p += prv_mixed(w, &a, &took, ev + i, offsetof(rp_record_t, MEMBER),     \
                                   sizeof ev[0].MEMBER);                                    \
                    i += took;                                                              \
                    continue;                                                               \
                }                                                                           \
            }                                                                               \
            /* Values of mixed lengths (folded durations: one and two      \
             * bytes): a run of up to 8 one at a time before the groups     \
             * are tried again, so a failed group test is paid once per     \
             * run, not per value; a value of one or two bytes without a    \
             * branch on its length (random lengths mispredict). */         \
            for (uint32_t run = i + 8u < n ? i + 8u : n; i < run; i++) {                   \
                uint64_t v;                                                                 \
                uint32_t w = end - p >= 2 ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : 0x8080u; \
                uint32_t two = (w >> 7) & 1u;                                               \
                if ((w & (two << 15)) == 0u && (end - p >= 2)) {                            \
                    v = (w & 0x7Fu) | ((w >> 1) & 0x3F80u & (0u - two));                    \
                    p += 1u + two;                                                          \
                } else if (!prv_varint(&p, end, &v)) {                                      \
                    return false;                                                           \
                }                                                                           \
                v &= (MASK);                                                                \
                ev[i].MEMBER = (TYPE)v;                                                     \
                a |= v;                                                                     \
            }                                                                               \
        }                                                                                   \
        *acc = a | prv_fold(bytes);                                                         \
        return p == end;                                                                    \
    }

#define PRV_U32 0xFFFFFFFFull
PRV_DEFINE_COLUMN(prv_col_op, op, uint8_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_duration, duration, uint32_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_tile, tile, uint8_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_row, row, uint16_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_rows, rows, uint16_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_col, col, uint16_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_cols, cols, uint16_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_iter, iterations, uint8_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_status, status, uint8_t, PRV_U32)
PRV_DEFINE_COLUMN(prv_col_arg, arg, uint32_t, PRV_U32)
/* Gaps (zigzag sint64) are parked in start, then turned into times. */
PRV_DEFINE_COLUMN(prv_col_gap, start, uint64_t, ~0ull)

/* Masks that keep the members an op uses (rp_op_fields), as the words of
 * an rp_record_t they are applied to: arg; the four bytes op, status,
 * tile, iterations; the four 16-bit region members. Taken from a record
 * whose kept members are all ones, so they fit the host's byte order. */
typedef struct prv_keep {
    uint32_t arg;
    uint32_t small;    /* op .. iterations */
    uint64_t region;   /* row .. cols */
} prv_keep_t;

#define PRV_SMALL_AT offsetof(rp_record_t, op)
#define PRV_REGION_AT offsetof(rp_record_t, row)
_Static_assert(offsetof(rp_record_t, iterations) == PRV_SMALL_AT + 3u, "op..iterations: one word");
_Static_assert(offsetof(rp_record_t, cols) == PRV_REGION_AT + 6u, "row..cols: one word");

static void prv_keep_build(prv_keep_t keep[PRV_OP_MAX + 1u])
{
    for (unsigned op = 0; op <= PRV_OP_MAX; op++) {
        uint32_t f = rp_op_fields(op);
        rp_record_t r;
        memset(&r, 0, sizeof r);
        r.arg = (f & RP_FIELD_ARG) ? 0xFFFFFFFFu : 0u;
        r.op = 0xFFu;
        r.status = 0xFFu;
        r.tile = (f & RP_FIELD_TILE) ? 0xFFu : 0u;
        r.iterations = (f & RP_FIELD_ITERATIONS) ? 0xFFu : 0u;
        r.row = (f & RP_FIELD_ROW) ? 0xFFFFu : 0u;
        r.rows = (f & RP_FIELD_ROWS) ? 0xFFFFu : 0u;
        r.col = (f & RP_FIELD_COL) ? 0xFFFFu : 0u;
        r.cols = (f & RP_FIELD_COLS) ? 0xFFFFu : 0u;
        keep[op].arg = r.arg;
        memcpy(&keep[op].small, (const uint8_t *)&r + PRV_SMALL_AT, 4);
        memcpy(&keep[op].region, (const uint8_t *)&r + PRV_REGION_AT, 8);
    }
}

/* What the last pass needs besides the events. */
typedef struct prv_finish {
    uint64_t t_end;                   /* the batch's base timestamp */
    uint32_t op_bits;                 /* 0: the ops are in the op member */
    uint32_t base[PRV_OP_MAX + 1u];   /* per-op duration bases (0 if none) */
    prv_keep_t keep[PRV_OP_MAX + 1u];
} prv_finish_t;

/* The last pass over the events, one loop without branches: the folded op
 * is split off the duration and the op's base added; the zigzag gap parked
 * in start becomes the start time (start = end + gap, end = start +
 * duration); the members the op does not use are set to 0, as
 * rp_record_clear_unused() does (they are unspecified on the wire). The
 * time chain waits on each end time, which hides the rest.
 *
 * An absent gap column left start 0 (gap 0). Without op_bits the op member
 * holds the op and the mask below is 0; with op_bits the op member is 0
 * (no op column, op_all 0) and the op fits in op_bits <= 4 bits: the
 * caller checks both, so every op is at most PRV_OP_MAX. Returns false if
 * a time leaves the uint64 range or a duration 32 bits. Kept out of line:
 * inlined, it shares the registers of the column readers and the end time
 * goes through the stack. */
PRV_NOINLINE bool prv_finish(rp_record_t *ev, uint32_t n, const prv_finish_t *f)
{
    uint32_t shift = f->op_bits;
    uint32_t mask = (1u << shift) - 1u;
    uint64_t t = f->t_end;
    uint64_t bad = 0;    /* a time left the range */
    uint64_t sums = 0;   /* OR of the durations with their bases */
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *r = (uint8_t *)&ev[i];
        uint32_t v = ev[i].duration;
        uint32_t op = (v & mask) | ev[i].op;
        const prv_keep_t *k = &f->keep[op];
        uint64_t d = (uint64_t)(v >> shift) + f->base[op];
        uint64_t z = ev[i].start;
        uint64_t s = t + ((z >> 1) ^ (0u - (z & 1u)));
        uint64_t e = s + (uint32_t)d;
        bad |= ((uint64_t)(s < t) ^ (z & 1u)) | (uint64_t)(e < s); /* a negative gap (z odd) goes back */
        t = e;
        sums |= d;
        uint32_t small;
        uint64_t region;
        memcpy(&small, r + PRV_SMALL_AT, 4);
        memcpy(&region, r + PRV_REGION_AT, 8);
        small &= k->small;
        region &= k->region;
        memcpy(r + PRV_SMALL_AT, &small, 4);
        memcpy(r + PRV_REGION_AT, &region, 8);
        ev[i].start = s;
        ev[i].duration = (uint32_t)d;
        ev[i].arg &= k->arg;
        ev[i].op = (uint8_t)op;
    }
    return bad == 0 && sums <= UINT32_MAX;
}

bool rp_decode_batch_fast(const uint8_t *payload, size_t len, rp_record_t *events, rp_batch_t *b)
{
    const uint8_t *p = payload;
    const uint8_t *end = payload + len;
    uint64_t v;
    /* Frame: exactly one field, 2 (batch), spanning the whole payload. */
    if (len < 2 || p[0] != 0x12u) {
        return false;
    }
    p++;
    if (!prv_varint32(&p, end, &v) || v != (uint64_t)(end - p)) {
        return false;
    }

    prv_fast_batch_t fb;
    memset(&fb, 0, sizeof fb);
    if (!prv_parse_fields(p, end, &fb)) {
        return false;
    }
    uint32_t n = (uint32_t)fb.scalar[4];
    if (n > RP_DECODE_MAX_EVENTS) {
        return false;
    }
    /* Absent columns: every event takes the *_all constant (field number of
     * the column plus one). One template is copied to every event, then the
     * present columns overwrite their member. */
    rp_record_t tpl;
    memset(&tpl, 0, sizeof tpl);
    tpl.duration = (uint32_t)fb.scalar[PRV_F_DURATION + 1];
    tpl.arg = (uint32_t)fb.scalar[PRV_F_ARG + 1];
    uint32_t op_all = (uint32_t)fb.scalar[PRV_F_OP + 1];
    uint32_t tile_all = (uint32_t)fb.scalar[PRV_F_TILE + 1];
    uint32_t iter_all = (uint32_t)fb.scalar[PRV_F_ITER + 1];
    uint32_t status_all = (uint32_t)fb.scalar[PRV_F_STATUS + 1];
    uint32_t row_all = (uint32_t)fb.scalar[PRV_F_ROW + 1];
    uint32_t rows_all = (uint32_t)fb.scalar[PRV_F_ROWS + 1];
    uint32_t col_all = (uint32_t)fb.scalar[PRV_F_COL + 1];
    uint32_t cols_all = (uint32_t)fb.scalar[PRV_F_COLS + 1];
    tpl.op = (uint8_t)op_all;
    tpl.tile = (uint8_t)tile_all;
    tpl.iterations = (uint8_t)iter_all;
    tpl.status = (uint8_t)status_all;
    tpl.row = (uint16_t)row_all;
    tpl.rows = (uint16_t)rows_all;
    tpl.col = (uint16_t)col_all;
    tpl.cols = (uint16_t)cols_all;
    for (uint32_t i = 0; i < n; i++) {
        events[i] = tpl;
    }

    /* Range checks, on the constants that are used and on every value. */
    uint64_t op_acc = 0, u8_acc = 0, u16_acc = 0, a = 0;
#define PRV_ON(C) (fb.col[C].p != fb.col[C].end)
#define PRV_COL(F, FN, ACC, ALL)                             \
    do {                                                     \
        if (PRV_ON(F)) {                                     \
            if (!FN(&fb.col[F], events, n, &a)) return false; \
            ACC |= a;                                        \
        } else if (n > 0) {                                  \
            ACC |= (ALL);                                    \
        }                                                    \
    } while (0)
    PRV_COL(PRV_C_OP, prv_col_op, op_acc, op_all);
    PRV_COL(PRV_C_TILE, prv_col_tile, u8_acc, tile_all);
    PRV_COL(PRV_C_ITER, prv_col_iter, u8_acc, iter_all);
    PRV_COL(PRV_C_STATUS, prv_col_status, u8_acc, status_all);
    PRV_COL(PRV_C_ROW, prv_col_row, u16_acc, row_all);
    PRV_COL(PRV_C_ROWS, prv_col_rows, u16_acc, rows_all);
    PRV_COL(PRV_C_COL, prv_col_col, u16_acc, col_all);
    PRV_COL(PRV_C_COLS, prv_col_cols, u16_acc, cols_all);
    uint64_t unused = 0;
    PRV_COL(PRV_C_DURATION, prv_col_duration, unused, 0u);
    PRV_COL(PRV_C_ARG, prv_col_arg, unused, 0u);
    (void)unused;
    /* Per-op duration bases (a longer list than the ops, or a sum beyond
     * 32 bits, goes to the generic path to be judged). */
    prv_finish_t fin;
    memset(fin.base, 0, sizeof fin.base);
    if (PRV_ON(PRV_C_DURATION_BASE)) {
        const uint8_t *q = fb.col[PRV_C_DURATION_BASE].p;
        const uint8_t *qend = fb.col[PRV_C_DURATION_BASE].end;
        for (unsigned k = 0; q < qend; k++) {
            if (k > PRV_OP_MAX || !prv_varint(&q, qend, &v)) {
                return false;
            }
            fin.base[k] = (uint32_t)v;
        }
    }
    /* The op folded into the duration column (op_bits). With an op column
     * or op_all beside it, or more bits than an op has (a value that may
     * not fit an op), the generic path judges. */
    uint32_t op_bits = (uint32_t)fb.scalar[PRV_F_OP_BITS];
    if (op_bits != 0 && (op_bits > 4u || PRV_ON(PRV_C_OP) || op_all != 0)) {
        return false;
    }
    /* An op column's values, before they were cut to the op member. */
    if (op_bits == 0 && op_acc > PRV_OP_MAX) {
        return false;
    }
    if (u8_acc > PRV_U8_MAX || u16_acc > PRV_U16_MAX) {
        return false;
    }
    if (PRV_ON(PRV_C_GAP) && !prv_col_gap(&fb.col[PRV_C_GAP], events, n, &a)) {
        return false;
    }
#undef PRV_COL
#undef PRV_ON
    fin.t_end = fb.scalar[3];
    fin.op_bits = op_bits;
    prv_keep_build(fin.keep);
    if (!prv_finish(events, n, &fin)) {
        return false;
    }
    b->sequence = (uint32_t)fb.scalar[1];
    b->first_event = fb.scalar[2];
    b->base_timestamp = fb.scalar[3];
    b->count = n;
    b->dropped_total = fb.scalar[5];
    b->events = events;
    return true;
}
