/* Compact EventBatch encoder (RP_CONFIG_COMPACT_ENCODER), for boards short
 * of flash: the contract and wire format of rp_encoder.c in the least
 * code, under 1 KB against 5.4 KB on a Cortex-M4 at -Os, for several
 * times its instructions per event (docs/benchmarks.md). With the nibble
 * CRC table it keeps the recorder core within 4 KB.
 *
 * Every column but the gaps goes through one routine driven by a table
 * (member, width, the ops that use it, as rp_op_fields says): a pass over
 * the records finds whether the events that use the member agree; then
 * the column is its `*_all` value or packed. Durations that vary go as
 * excesses over each op's shortest one (duration_base) whenever one takes
 * two bytes or more and every op is in the enum; the full encoder also
 * weighs what the bases save. Output goes through the bounded protobuf
 * writer of rp_pbwire.c, which drops what falls past cap and counts it:
 * no size checks here, the batch is refused at the end if it did not
 * fit. There is no sizing pass (rp_encode_batch_fit): the device bisects
 * a batch that does not fit instead. */
#include "rramprof/rp_encoder.h"

#include "rramprof/rp_config.h"

#if RP_CONFIG_COMPACT_ENCODER

#include <stddef.h>
#include <string.h>

#include "rramprof/rp_pbwire.h"
#include "rp_wire_fields_priv.h"

/* Out of line where the calls take less code than the copies. */
#if defined(__GNUC__)
#define PRV_NOINLINE __attribute__((noinline))
#else
#define PRV_NOINLINE
#endif

/* Ops by index: an op in the enum is its own, others go with NONE (0),
 * which uses every member. */
static unsigned prv_index(unsigned op)
{
    return op < RP_OP_COUNT ? op : RP_OP_NONE;
}

/* The op indexes that use a member, a bit each (rp_op_fields). */
enum {
    PRV_EVERY = 0xFF,
    PRV_REGION = 0x3F, /* NONE .. TRANSFER: tile, row, rows, col, cols */
    PRV_ITERS = 0x0F,  /* NONE .. READ: iterations */
    PRV_ARGS = 0xE1    /* NONE, TRANSFER, SPAN, COMPUTE: arg */
};

typedef struct prv_column {
    uint8_t field, off, size, users;
} prv_column_t;

#define PRV_COLUMN(field, m, users) \
    { field, offsetof(rp_record_t, m), sizeof(((rp_record_t *)0)->m), users }

/* The columns besides the gaps. */
static const prv_column_t prv_columns[] = {
    PRV_COLUMN(PRV_B_DURATION, duration, PRV_EVERY),
    PRV_COLUMN(PRV_B_OP, op, PRV_EVERY),
    PRV_COLUMN(PRV_B_TILE, tile, PRV_REGION),
    PRV_COLUMN(PRV_B_ROW, row, PRV_REGION),
    PRV_COLUMN(PRV_B_ROWS, rows, PRV_REGION),
    PRV_COLUMN(PRV_B_COL, col, PRV_REGION),
    PRV_COLUMN(PRV_B_COLS, cols, PRV_REGION),
    PRV_COLUMN(PRV_B_ITERATIONS, iterations, PRV_ITERS),
    PRV_COLUMN(PRV_B_STATUS, status, PRV_EVERY),
    PRV_COLUMN(PRV_B_ARG, arg, PRV_ARGS),
};

/* The member of r a column reads (out of line: one copy for every
 * column). */
PRV_NOINLINE static uint32_t prv_member(const rp_record_t *r, const prv_column_t *c)
{
    return rp_wire_record_member(r, c->off, c->size);
}

/* A varint field; left out when 0, its default. */
static void prv_field(rp_pb_writer_t *w, uint32_t field, uint64_t v)
{
    if (v != 0u) {
        rp_pb_put_varint(w, field << 3 | RP_PB_VARINT);
        rp_pb_put_varint(w, v);
    }
}

/* A packed column or the batch: key, then `width` bytes left for the
 * length, which prv_close fills in. Returns where the body starts. */
PRV_NOINLINE static size_t prv_open(rp_pb_writer_t *w, uint32_t field, unsigned width)
{
    rp_pb_put_varint(w, field << 3 | RP_PB_LEN);
    w->len += width;
    return w->len;
}

/* The length of the body since `body` as a varint padded to `width` bytes
 * (legal protobuf), where there is room for it. */
static void prv_close(rp_pb_writer_t *w, size_t body, unsigned width)
{
    size_t len = w->len - body;
    for (size_t at = body - width; at < body; at++) {
        if (at < w->cap) {
            w->buf[at] = (uint8_t)(at + 1u < body ? len | 0x80u : len);
        }
        len >>= 7;
    }
}

/* One column: `*_all` when the events whose op uses the member agree
 * (nothing when that value is 0 or no event uses the member), else every
 * event's value packed. Durations that vary and take two bytes or more
 * go as excesses over each op's shortest one (duration_base, when every
 * op is in the enum), a column left out when every excess is 0. */
PRV_NOINLINE static void prv_column(rp_pb_writer_t *w, const rp_record_t *recs, size_t n,
                                    const prv_column_t *c, unsigned width)
{
    uint32_t any = 0u, all = UINT32_MAX, seen = 0u, base[RP_OP_COUNT];
    memset(base, 0xFF, sizeof base);
    for (const rp_record_t *r = recs; r < recs + n; r++) {
        unsigned k = prv_index(r->op);
        uint32_t v = prv_member(r, c);
        if ((c->users >> k & 1u) != 0u) {
            any |= v;
            all &= v;
        }
        if (c->field == PRV_B_DURATION) {
            seen |= 1u << (r->op < RP_OP_COUNT ? r->op : RP_OP_COUNT);
            if (v < base[k]) {
                base[k] = v;
            }
        }
    }
    if (c->field == PRV_B_DURATION && any >= 0x80u && any != all && seen < (1u << RP_OP_COUNT)) {
        /* Bases up to the highest op present; 0 for those absent. */
        size_t body = prv_open(w, PRV_B_DURATION_BASE, width);
        for (unsigned k = 0; seen >> k != 0u; k++) {
            rp_pb_put_varint(w, (seen >> k & 1u) != 0u ? base[k] : 0u);
        }
        prv_close(w, body, width);
    } else if (any == all || any == 0u) {
        prv_field(w, c->field + 1u, any);
        return;
    } else {
        memset(base, 0, sizeof base);
    }
    size_t key = w->len, body = prv_open(w, c->field, width);
    uint32_t sent = 0u;
    for (const rp_record_t *r = recs; r < recs + n; r++) {
        uint32_t v = prv_member(r, c) - base[prv_index(r->op)];
        sent |= v;
        rp_pb_put_varint(w, v);
    }
    if (sent == 0u) {
        w->len = key; /* every excess 0 */
    } else {
        prv_close(w, body, width);
    }
}

/* gap[i] = start[i] - end[i-1] as sint64, end[-1] = start[0]; the column
 * is left out when every gap is 0. */
static void prv_gaps(rp_pb_writer_t *w, const rp_record_t *recs, size_t n, unsigned width)
{
    size_t key = w->len;
    size_t body = prv_open(w, PRV_B_GAP, width);
    uint64_t prev_end = recs[0].start, any = 0u;
    for (const rp_record_t *r = recs; r < recs + n; r++) {
        uint64_t g = rp_pb_zigzag((int64_t)(r->start - prev_end));
        prev_end = r->start + r->duration;
        any |= g;
        rp_pb_put_varint(w, g);
    }
    if (any == 0u) {
        w->len = key;
    } else {
        prv_close(w, body, width);
    }
}

size_t rp_encode_batch(rp_batch_state_t *st, const rp_record_t *recs, size_t n,
                       uint64_t dropped_total, uint8_t *out, size_t cap)
{
    if (st == NULL || out == NULL || (recs == NULL && n > 0) || n > UINT32_MAX) {
        return 0;
    }
    unsigned width = rp_wire_len_width(cap);
    rp_pb_writer_t w;
    rp_pb_writer_init(&w, out, cap);
    size_t batch = prv_open(&w, PRV_FRAME_BATCH, width);
    prv_field(&w, PRV_B_SEQUENCE, st->sequence);
    prv_field(&w, PRV_B_FIRST_EVENT, st->next_event);
    prv_field(&w, PRV_B_BASE, n > 0u ? recs[0].start : 0u);
    prv_field(&w, PRV_B_COUNT, n);
    prv_field(&w, PRV_B_DROPPED, dropped_total);
    if (n > 0u) {
        prv_gaps(&w, recs, n, width);
        for (size_t c = 0; c < sizeof prv_columns / sizeof prv_columns[0]; c++) {
            prv_column(&w, recs, n, &prv_columns[c], width);
        }
    }
    prv_close(&w, batch, width);
    if (w.len > cap) {
        return 0;
    }
    st->sequence++;
    st->next_event += n;
    return w.len;
}

#endif /* RP_CONFIG_COMPACT_ENCODER */
