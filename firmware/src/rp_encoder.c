/* Allocation-free encoder for the device-to-host Frame messages.
 *
 * Nested messages and packed columns get a length prefix of fixed width
 * (a padded varint, legal protobuf) reserved before their body and filled
 * in after it, so nothing is sized twice. The width is the smallest that
 * can hold `cap`, so a body that fits the buffer always fits its prefix.
 *
 * EventBatch is the hot path and is written with raw pointers; the other
 * messages are rare and live in rp_messages.c. */
#include "rramprof/rp_encoder.h"

#include <stdbool.h>
#include <string.h>

#include "rramprof/rp_config.h"
#include "rramprof/rp_pbwire.h"
#include "rp_wire_fields_priv.h"

/* Where GCC's own choice costs instructions: PRV_INLINE for the column
 * writers, called with constant member offsets and sizes (inlined, each
 * call becomes a loop specialised for its member; GCC stops inlining them
 * on its own once the batch encoder grows), and for small helpers that
 * -Os would otherwise call. */
#if defined(__GNUC__)
#define PRV_NOINLINE __attribute__((noinline))
#define PRV_INLINE inline __attribute__((always_inline))
#else
#define PRV_NOINLINE
#define PRV_INLINE inline
#endif

#if !RP_CONFIG_COMPACT_ENCODER /* the batch encoder's */
/* rp_pb_varint_len for 32-bit values: on a 32-bit core, its 64-bit shifts
 * take several instructions each (and the code room). */
static PRV_INLINE size_t prv_varint_len32(uint32_t v)
{
    size_t n = 1;
    while (v >= 0x80u) {
        v >>= 7;
        n++;
    }
    return n;
}
#endif

#if !RP_CONFIG_COMPACT_ENCODER /* else rp_encoder_compact.c */
/* ---- EventBatch: the hot path ---- */

/* Choices that differ between 64-bit cores (registers to spare; measured
 * with callgrind on x86-64) and 32-bit ones (Cortex-M4: few registers,
 * code size counts; bench/qemu_bench.sh). A test build sets
 * RP_ENCODER_FUSED_QUICK=0 to run the 32-bit way on the host.
 *
 * PRV_FUSED_QUICK: the gaps loop gathers the quick summary (or the per-op
 * statistics) too. A 32-bit core has too few registers for both: there
 * the summary and the statistics take a loop of their own, out of line
 * so that each keeps its state in registers; fewer instructions than the
 * spills.
 *
 * PRV_PAIRS: the varint column loops take two events per turn, half the
 * loop overhead; on a 32-bit core one per turn, a third of their code.
 * There, PRV_UNROLL asks the compiler to unroll those loops by four
 * instead, which -O2 does and -Os ignores: at -O2 on the Cortex-M4, 2
 * (scan) to 16 (mlp) instructions per event fewer for 1.6 KB of code.
 * Rolled, GCC's -O2 spent more on the duration excesses than -Os; by
 * two, half the gain; by eight, one more instruction for 1.8 KB more
 * (docs/benchmarks.md). Two events per turn written out, as on 64-bit
 * cores, cost -Os 0.3 to 2.7 instructions per event more.
 *
 * The same test picks how the duration-excess loop writes varints (see
 * prv_varint32_wide): whole in line on 64-bit cores, up to two bytes in
 * line and the rest through a call on 32-bit ones. */
#if defined(RP_ENCODER_FUSED_QUICK)
#define PRV_FUSED_QUICK RP_ENCODER_FUSED_QUICK
#elif UINTPTR_MAX > UINT32_MAX
#define PRV_FUSED_QUICK 1
#else
#define PRV_FUSED_QUICK 0
#endif
#define PRV_PAIRS PRV_FUSED_QUICK
#if !PRV_PAIRS && defined(__GNUC__)
#define PRV_UNROLL _Pragma("GCC unroll 4")
#else
#define PRV_UNROLL
#endif

/* PRV_ENCODER_ASM: the statistics, gap, duration and packed-member loops
 * in Thumb-2 assembly, on little-endian cores that have it
 * (Cortex-M3/M4/M7/M33...). GCC gives each read-modify-write of the
 * statistics a load and a store of its own, about 39 instructions per
 * record at -Os; LDM/STM move four of them in one instruction each, 24
 * per record here. The column loops are shorter for post-indexed loads
 * and stores, two records per turn and a varint written in line at any
 * length, where -Os calls a writer (see each). RP_ENCODER_NO_ASM
 * keeps the C loops: the on-target self-test
 * (boards/common/cortexm/rp_cm_selftest.c) builds this file both ways and
 * compares their frames. */
#if defined(__GNUC__) && defined(__thumb2__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(RP_ENCODER_NO_ASM)
#define PRV_ENCODER_ASM 1
#else
#define PRV_ENCODER_ASM 0
#endif

/* recs + n rounded down to a whole number of pairs (recs if !PRV_PAIRS). */
static inline const rp_record_t *prv_pairs_end(const rp_record_t *recs, size_t n)
{
    return recs + (PRV_PAIRS ? n & ~(size_t)1 : 0u);
}

/* The summary pass reads the ten column members as three words; this is
 * the layout it relies on (bytes 8..27 of the record, no padding). The
 * duration is a word of its own: the per-op statistics track it as a
 * bound (shortest) rather than an AND, and the rest fits two words. */
_Static_assert(offsetof(rp_record_t, duration) == 8, "record layout");
_Static_assert(offsetof(rp_record_t, arg) == 12, "record layout");
_Static_assert(offsetof(rp_record_t, op) == 16, "record layout");
_Static_assert(offsetof(rp_record_t, status) == 17, "record layout");
_Static_assert(offsetof(rp_record_t, tile) == 18, "record layout");
_Static_assert(offsetof(rp_record_t, iterations) == 19, "record layout");
_Static_assert(offsetof(rp_record_t, row) == 20, "record layout");
_Static_assert(offsetof(rp_record_t, rows) == 22, "record layout");
_Static_assert(offsetof(rp_record_t, col) == 24, "record layout");
_Static_assert(offsetof(rp_record_t, cols) == 26, "record layout");
#define PRV_COLS_OFF 8u

/* a: bytes 12..19 (arg, op, status, tile, iterations); b: bytes 20..27
 * (row, rows, col, cols); c: bytes 8..11 (duration). */
typedef struct prv_words {
    uint64_t a, b;
    uint32_t c;
} prv_words_t;

static inline prv_words_t prv_words(const rp_record_t *r)
{
    const uint8_t *m = (const uint8_t *)r + PRV_COLS_OFF;
    prv_words_t w;
    memcpy(&w.c, m, 4);
    memcpy(&w.a, m + 4, 8);
    memcpy(&w.b, m + 12, 8);
    return w;
}

/* The op column folded into the duration column (op_bits): each value is
 * the duration (or its excess over the op's base) shifted up by
 * PRV_OP_BITS with the op in the bits below. A value takes at most one
 * byte more than the duration alone (3 bits against 7 per byte), and the
 * op's own byte goes, so whenever the op column would be packed this is
 * never longer and usually a byte per event shorter: on the workloads'
 * batches 0.75 to 1.0 bytes per event, which the framing charges about
 * six instructions each (docs/benchmarks.md). Not for unknown ops (they
 * need more bits), nor for durations of 2^29 ticks or more (the value
 * must stay within 32 bits). */
#define PRV_OP_BITS 3u
#define PRV_FOLD_LIMIT (UINT32_C(1) << (32u - PRV_OP_BITS))
_Static_assert(RP_OP_COUNT == 1u << PRV_OP_BITS, "a known op fills the folded bits");

/* Members each op uses, as all-ones (rp_op_fields in rp_record.h; a test
 * checks the two agree). Index 0 stands for NONE and unknown ops. */
#define PRV_ALWAYS .duration = UINT32_MAX, .op = 0xFFu, .status = 0xFFu
#define PRV_REGION .tile = 0xFFu, .row = 0xFFFFu, .rows = 0xFFFFu, .col = 0xFFFFu, .cols = 0xFFFFu
static const rp_record_t prv_use[RP_OP_COUNT] = {
    [RP_OP_NONE] = { PRV_ALWAYS, PRV_REGION, .iterations = 0xFFu, .arg = UINT32_MAX },
    [RP_OP_WRITE] = { PRV_ALWAYS, PRV_REGION, .iterations = 0xFFu },
    [RP_OP_VERIFY] = { PRV_ALWAYS, PRV_REGION, .iterations = 0xFFu },
    [RP_OP_READ] = { PRV_ALWAYS, PRV_REGION, .iterations = 0xFFu },
    [RP_OP_MVM] = { PRV_ALWAYS, PRV_REGION },
    [RP_OP_TRANSFER] = { PRV_ALWAYS, PRV_REGION, .arg = UINT32_MAX },
    [RP_OP_SPAN] = { PRV_ALWAYS, .arg = UINT32_MAX },
    [RP_OP_COMPUTE] = { PRV_ALWAYS, .arg = UINT32_MAX },
};

static inline prv_words_t prv_use_words(unsigned op)
{
    return prv_words(&prv_use[op < RP_OP_COUNT ? op : RP_OP_NONE]);
}

/* What the encoder needs to know about each column of a run of records,
 * when ops differ in the members they use or durations are long: per op
 * (ops outside the enum go with NONE, which uses every member), the OR and
 * the AND of each member but the duration, the OR and the shortest of the
 * durations, and the count. From these, per member, whether the events
 * that use it agree (rp_op_fields: other events' values there are
 * unspecified on the wire), their common value, and the OR of every
 * event's value, which bounds the size of each value's varint. Gathered
 * with the gaps in one pass on 64-bit cores, in a pass of their own on
 * 32-bit ones (see prv_gaps_pass), indexed read-modify-writes cost less
 * than the two extra passes over the records that unused members and
 * duration bases otherwise take.
 *
 * Durations need no AND: an op's durations are all equal iff their OR
 * equals the shortest (each is at least the shortest and has no bit
 * outside the OR), so the shortest stands in for the AND, and the OR
 * bounds the longest for the size of the excesses over a base (a bound
 * only: see prv_duration_bases). The gaps and statistics loop takes 30
 * instructions per record so, 36 with an AND and a longest (callgrind,
 * x86-64 -O2). */
typedef struct prv_op_stats {
    uint64_t or_a, and_a;
    uint64_t or_b, and_b;
    uint32_t or_c, lo;
    uint32_t count;
    uint32_t pad[5];
} prv_op_stats_t;

/* One op's statistics in a 64-byte stride, so the per-record update
 * indexes them with a single shift. No two neighbours are updated the
 * same way (each OR beside an AND or a bound): GCC gathers neighbours
 * updated alike into vector read-modify-writes, which take more
 * instructions than the scalar ones (x86-64 memory operands). */
_Static_assert(sizeof(prv_op_stats_t) == 64, "op stats stride");
typedef struct prv_stats {
    prv_op_stats_t op[RP_OP_COUNT];
} prv_stats_t;

/* Makes any.op & ~(RP_OP_COUNT - 1) an exact test for unknown ops. */
_Static_assert((RP_OP_COUNT & (RP_OP_COUNT - 1)) == 0, "op count a power of two");

/* Member by member: built whole, the mostly-zero value became a memset of
 * the array (64 instructions under callgrind) and then the other stores. */
static inline void prv_stats_init(prv_stats_t *st)
{
    for (unsigned k = 0; k < RP_OP_COUNT; k++) {
        prv_op_stats_t *o = &st->op[k];
        o->or_a = 0;
        o->and_a = UINT64_MAX;
        o->or_b = 0;
        o->and_b = UINT64_MAX;
        o->or_c = 0;
        o->lo = UINT32_MAX;
        o->count = 0;
    }
}

/* Adds a record's words w to the statistics of op k. */
static PRV_INLINE void prv_stats_add_words(prv_stats_t *st, prv_words_t w, unsigned k)
{
    prv_op_stats_t *o = &st->op[k];
    o->or_a |= w.a;
    o->and_a &= w.a;
    o->or_b |= w.b;
    o->and_b &= w.b;
    o->or_c |= w.c;
    o->count++;
    /* A conditional store, not a min: after an op's first few events it
     * is rarely taken, so a compare and a branch cost less than loading,
     * selecting and storing every time. */
    if (w.c < o->lo) {
        o->lo = w.c;
    }
}

/* Adds r to the statistics of op k. */
static inline void prv_stats_add_to(prv_stats_t *st, const rp_record_t *r, unsigned k)
{
    prv_stats_add_words(st, prv_words(r), k);
}

/* Adds r under its op; ops outside the enum go with NONE (as prv_use_words). */
static inline void prv_stats_add(prv_stats_t *st, const rp_record_t *r)
{
    prv_stats_add_to(st, r, r->op < RP_OP_COUNT ? r->op : RP_OP_NONE);
}

/* Adds r under its op's low bits: two instructions per record fewer than
 * prv_stats_add, and the same unless an op outside the enum is present,
 * which the summary tells afterwards (the OR of every or_b holds its
 * bits); then the caller gathers the statistics again. */
static inline void prv_stats_add_fast(prv_stats_t *st, const rp_record_t *r)
{
    prv_stats_add_to(st, r, r->op & (RP_OP_COUNT - 1u));
}

/* The summary the column writers use: per member, `diff` is non-zero iff
 * the events that use it disagree, `ref` is their common value when they
 * agree (if no event uses it, any value would do: 0 from the per-op
 * statistics, which is omitted, or the first event's), and
 * `any` the OR of all events' values (packed columns carry every event's
 * value, used or not). `unknown`: an op outside the enum is present (its
 * events share NONE's statistics, so no duration bases). */
typedef struct prv_summary {
    rp_record_t any, diff, ref;
    bool unknown;
} prv_summary_t;

/* Puts words back where they came from in a record, so the members read
 * out right on any byte order. */
static void prv_put_words(rp_record_t *r, prv_words_t w)
{
    uint8_t *m = (uint8_t *)r + PRV_COLS_OFF;
    memcpy(m, &w.c, 4);
    memcpy(m + 4, &w.a, 8);
    memcpy(m + 12, &w.b, 8);
}

static void prv_summary_set(prv_summary_t *s, prv_words_t any, prv_words_t diff, prv_words_t ref)
{
    prv_put_words(&s->any, any);
    prv_put_words(&s->diff, diff);
    prv_put_words(&s->ref, ref);
    s->unknown = (s->any.op & ~(unsigned)(RP_OP_COUNT - 1u)) != 0;
}

static void prv_summary_of(const prv_stats_t *st, prv_summary_t *s)
{
    prv_words_t any = { 0, 0, 0 }; /* absent ops' ORs are 0: skipped below */
    prv_words_t uor = { 0, 0, 0 }, uand = { UINT64_MAX, UINT64_MAX, UINT32_MAX };
    prv_words_t users = { 0, 0, 0 };
    for (unsigned k = 0; k < RP_OP_COUNT; k++) {
        const prv_op_stats_t *o = &st->op[k];
        if (o->count == 0) {
            continue;
        }
        any.a |= o->or_a;
        any.b |= o->or_b;
        any.c |= o->or_c;
        prv_words_t m = prv_use_words(k);
        uor.a |= o->or_a & m.a;
        uor.b |= o->or_b & m.b;
        uor.c |= o->or_c & m.c;
        uand.a &= o->and_a | ~m.a;
        uand.b &= o->and_b | ~m.b;
        uand.c &= o->lo | ~m.c; /* the shortest as the AND (see prv_op_stats_t) */
        users.a |= m.a;
        users.b |= m.b;
        users.c |= m.c;
    }
    /* Users that all hold v give OR == AND == v; any bit where two differ
     * is in the OR and not in the AND. */
    prv_words_t diff = { (uor.a ^ uand.a) & users.a, (uor.b ^ uand.b) & users.b,
                         (uor.c ^ uand.c) & users.c };
    prv_summary_set(s, any, diff, uor);
}

static inline uint8_t *prv_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80u) {
        *p++ = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Same for values known to fit 32 bits: cheaper shifts on 32-bit cores. */
static inline uint8_t *prv_varint32(uint8_t *p, uint32_t v)
{
    while (v >= 0x80u) {
        *p++ = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A varint of a value known to be below 2^14: at most two bytes, no loop. */
static PRV_INLINE uint8_t *prv_varint14(uint8_t *p, uint32_t v)
{
    if (v >= 0x80u) {
        *p++ = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Varints of three bytes or more, out of line: rare in any column. */
static PRV_NOINLINE uint8_t *prv_varint32_long(uint8_t *p, uint32_t v)
{
    return prv_varint32(p, v);
}

/* A varint of a 32-bit value in a column loop. On 32-bit cores one or two
 * bytes in line and longer ones through a call: at -Os prv_varint32 alone
 * becomes a call per value there, with the loop's state on the stack
 * around it (solver, whose spans take up to four bytes: 1.7 instructions
 * per event fewer on the Cortex-M4). x86-64 inlines prv_varint32 whole,
 * and the call would cost it 1.2 (callgrind). */
static PRV_INLINE uint8_t *prv_varint32_wide(uint8_t *p, uint32_t v)
{
    if (PRV_FUSED_QUICK) {
        return prv_varint32(p, v);
    }
    return v < 0x4000u ? prv_varint14(p, v) : prv_varint32_long(p, v);
}

static inline bool prv_fits(const uint8_t *p, const uint8_t *end, uint32_t v)
{
    return prv_varint_len32(v) <= (size_t)(end - p);
}

/* The record member `size` bytes wide (1, 2 or 4) at byte `off` of r. */
static inline uint32_t prv_member(const rp_record_t *r, size_t off, size_t size)
{
    return rp_wire_record_member(r, off, size);
}

/* Every field number the encoder writes is below 2^11 (the largest is
 * op_bits): a key takes at most two bytes, written in line (prv_varint32
 * is a call at -Os, and a batch writes a dozen keys or more). */
_Static_assert(PRV_B_OP_BITS < 2048u, "keys below 2^14");

/* Packed column (or nested message): key, then a length prefix of `width`
 * bytes reserved before the values and filled in after them. Returns the
 * first value byte, or NULL if not even the key and prefix fit. */
static uint8_t *prv_column_open(uint8_t *p, const uint8_t *end, uint32_t field, unsigned width)
{
    uint32_t key = field << 3 | RP_PB_LEN;
    if ((size_t)(end - p) < prv_varint_len32(key) + width) {
        return NULL;
    }
    return prv_varint14(p, key) + width;
}

static void prv_column_close_any(uint8_t *body, uint8_t *p, unsigned width)
{
    size_t len = (size_t)(p - body);
    uint8_t *q = body - width;
    for (unsigned i = 0; i + 1u < width; i++) {
        q[i] = (uint8_t)(len | 0x80u);
        len >>= 7;
    }
    q[width - 1u] = (uint8_t)len;
}

/* Every buffer from 128 bytes to 16 KiB has a two-byte prefix: the usual
 * case in line, the others through a call. */
static PRV_INLINE void prv_column_close(uint8_t *body, uint8_t *p, unsigned width)
{
    if (width == 2u) {
        size_t len = (size_t)(p - body);
        body[-2] = (uint8_t)(len | 0x80u);
        body[-1] = (uint8_t)(len >> 7);
    } else {
        prv_column_close_any(body, p, width);
    }
}

/* Offset of the least significant byte of a `size`-byte member at `off`. */
static inline size_t prv_low_byte(size_t off, size_t size)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1); /* folded to a constant by the compiler */
    return first == 1 ? off : off + size - 1u;
}

/* The values value(r, x, y) of the records r of recs[0..n), unchecked,
 * each written by `put`: pairs, then one at a time (see PRV_PAIRS). The
 * column loops of members (prv_member) and of durations (prv_excess). */
#define PRV_PUT_EACH(put, p, recs, n, value, x, y)                            \
    do {                                                                      \
        const rp_record_t *r_ = (recs), *pairs_ = prv_pairs_end((recs), (n)); \
        for (; r_ < pairs_; r_ += 2) {                                        \
            (p) = put((p), value(r_, (x), (y)));                              \
            (p) = put((p), value(r_ + 1, (x), (y)));                          \
        }                                                                     \
        PRV_UNROLL                                                            \
        for (; r_ < (recs) + (n); r_++) {                                     \
            (p) = put((p), value(r_, (x), (y)));                              \
        }                                                                     \
    } while (0)

#if PRV_ENCODER_ASM
/* The assembly column loops (prv_members_thumb2, prv_excesses_thumb2):
 * `step` loads a record's value into r4 and moves %[m] on to the next
 * record; the loop takes two records per turn (one test of %[m] against
 * %[stop] for both; the first turn enters at the second if their number
 * is odd). The PUT steps write r4 at %[p] as a varint in line:
 * PRV_VARINT14_PUT_ASM values below 2^14 only (no second test),
 * PRV_VARINT_PUT_ASM any. Scratch: r4, r6. */
#define PRV_COLUMN_LOOP_ASM(step)                                             \
    "sub    r6, %[stop], %[m]\n\t"                                            \
    "tst    r6, #32\n\t"                                                      \
    "bne    4f\n\t"                                                           \
    "1:\n\t" step                                                             \
    "4:\n\t" step                                                             \
    "cmp    %[m], %[stop]\n\t"                                                \
    "blo    1b"
#define PRV_VARINT14_PUT_ASM                                                  \
    "cmp    r4, #0x80\n\t"                                                    \
    "blo    3f\n\t"                                                           \
    "orr    r6, r4, #0x80\n\t"                                                \
    "lsr    r4, r4, #7\n\t"                                                   \
    "strb   r6, [%[p]], #1\n\t"                                               \
    "3:\n\t"                                                                  \
    "strb   r4, [%[p]], #1\n\t"
#define PRV_VARINT_PUT_ASM                                                    \
    "cmp    r4, #0x80\n\t"                                                    \
    "blo    3f\n\t"                                                           \
    "2:\n\t"                                                                  \
    "orr    r6, r4, #0x80\n\t"                                                \
    "lsr    r4, r4, #7\n\t"                                                   \
    "strb   r6, [%[p]], #1\n\t"                                               \
    "cmp    r4, #0x80\n\t"                                                    \
    "bhs    2b\n\t"                                                           \
    "3:\n\t"                                                                  \
    "strb   r4, [%[p]], #1\n\t"

/* prv_put_varints in assembly: m walks the member, loaded zero-extended
 * with post-increment. 5 instructions a one-byte value, 8 a two-byte one,
 * where GCC's -Os took 10 for either (4-byte members below 2^14) or a
 * call per value (the others). */
static PRV_INLINE uint8_t *prv_members_thumb2(uint8_t *p, const rp_record_t *recs, size_t n,
                                              size_t off, size_t size, bool wide)
{
    const uint8_t *m = (const uint8_t *)recs + off;
    const uint8_t *stop = m + n * sizeof(rp_record_t);
#define PRV_MEMBER_LOOP(load, put)                                            \
    __asm__ volatile(PRV_COLUMN_LOOP_ASM(load " r4, [%[m]], #32\n\t" put)     \
                     : [p] "+r"(p), [m] "+r"(m)                               \
                     : [stop] "r"(stop)                                       \
                     : "r4", "r6", "cc", "memory")
    if (size == 1) {
        PRV_MEMBER_LOOP("ldrb", PRV_VARINT14_PUT_ASM);
    } else if (size == 2) {
        PRV_MEMBER_LOOP("ldrh", PRV_VARINT_PUT_ASM);
    } else if (!wide) {
        PRV_MEMBER_LOOP("ldr", PRV_VARINT14_PUT_ASM);
    } else {
        PRV_MEMBER_LOOP("ldr", PRV_VARINT_PUT_ASM);
    }
#undef PRV_MEMBER_LOOP
    return p;
}
#endif

static PRV_INLINE uint8_t *prv_put_varints(uint8_t *p, const rp_record_t *recs, size_t n,
                                            size_t off, size_t size, uint32_t any)
{
#if PRV_ENCODER_ASM
    if (n != 0u) {
        p = prv_members_thumb2(p, recs, n, off, size, any >= 0x4000u);
    }
#else
    /* Values below 2^14 take at most two bytes: no loop. Only for 4-byte
     * members (arg: byte counts and name ids, mostly one or two bytes),
     * which saves the code of two more loops on 32-bit cores. */
    if (size == 4 && any < 0x4000u) {
        PRV_PUT_EACH(prv_varint14, p, recs, n, prv_member, off, size);
    } else {
        PRV_PUT_EACH(prv_varint32, p, recs, n, prv_member, off, size);
    }
#endif
    return p;
}

/* Writes member (off, size) of recs[0..n) with no bounds checks; the hot
 * loop of the whole encoder. When `any` (the OR of all values) is below
 * 128 every varint is the value's low byte, so the column is a byte copy,
 * unrolled by eight: the common case for small values. */
static uint8_t *prv_put_members(uint8_t *p, const rp_record_t *recs, size_t n, size_t off,
                                size_t size, uint32_t any)
{
    if (any < 0x80u) {
        const uint8_t *src = (const uint8_t *)recs + prv_low_byte(off, size);
        const size_t step = sizeof(rp_record_t);
        size_t i = 0;
        for (; i + 8u <= n; i += 8u) {
            const uint8_t *s = src + i * step;
            p[i] = s[0];
            p[i + 1u] = s[step];
            p[i + 2u] = s[2u * step];
            p[i + 3u] = s[3u * step];
            p[i + 4u] = s[4u * step];
            p[i + 5u] = s[5u * step];
            p[i + 6u] = s[6u * step];
            p[i + 7u] = s[7u * step];
        }
        for (; i < n; i++) {
            p[i] = src[i * step];
        }
        return p + n;
    }
    switch (size) { /* a loop per member size, each with a constant size */
    case 1:
        return prv_put_varints(p, recs, n, off, 1, any);
    case 2:
        return prv_put_varints(p, recs, n, off, 2, any);
    default:
        return prv_put_varints(p, recs, n, off, 4, any);
    }
}

/* Writes a varying column as a packed field. `any` bounds every value's
 * size, so values go unchecked while the worst case of all those left
 * fits; only a nearly full buffer takes the checked tail. Returns the new
 * end, or NULL if the column does not fit. */
static uint8_t *prv_packed(uint8_t *p, const uint8_t *end, unsigned width, uint32_t field,
                           const rp_record_t *recs, size_t n, size_t off, size_t size,
                           uint32_t any)
{
    uint8_t *body = prv_column_open(p, end, field, width);
    if (body == NULL) {
        return NULL;
    }
    size_t room = (size_t)(end - body) / prv_varint_len32(any);
    size_t fast = n < room ? n : room;
    p = prv_put_members(body, recs, fast, off, size, any);
    for (size_t i = fast; i < n; i++) {
        uint32_t v = prv_member(&recs[i], off, size);
        if (!prv_fits(p, end, v)) {
            return NULL;
        }
        p = prv_varint32(p, v);
    }
    prv_column_close(body, p, width);
    return p;
}

/* A constant column: its `*_all` field, omitted when 0. */
static uint8_t *prv_all(uint8_t *p, const uint8_t *end, uint32_t field, uint32_t v)
{
    if (v == 0) {
        return p;
    }
    uint32_t key = (field + 1u) << 3 | RP_PB_VARINT;
    if ((size_t)(end - p) < prv_varint_len32(key) + prv_varint_len32(v)) {
        return NULL;
    }
    return prv_varint32(prv_varint14(p, key), v);
}

/* One uint32 column: packed if its values differ among the events that
 * use it, else `*_all` with their common value (`ref`). */
static PRV_INLINE uint8_t *prv_column(uint8_t *p, const uint8_t *end, unsigned width, uint32_t field,
                           const rp_record_t *recs, size_t n, const rp_record_t *diff,
                           const rp_record_t *any, const rp_record_t *ref, size_t off,
                           size_t size)
{
    if (p == NULL) {
        return NULL;
    }
    if (prv_member(diff, off, size) != 0) {
        return prv_packed(p, end, width, field, recs, n, off, size, prv_member(any, off, size));
    }
    return prv_all(p, end, field, prv_member(ref, off, size));
}

/* The quick summary: the first record's words and `diff`, the OR of
 * (record ^ first). A zero member of diff means the column is constant,
 * and first | diff is the OR of all values. Enough, at 6 instructions per
 * record, when every op present uses every varying member and no duration
 * bases are wanted, as in a uniform run of writes and verifies. */
typedef struct prv_quick {
    prv_words_t first, diff;
} prv_quick_t;

static inline void prv_quick_add(prv_quick_t *q, const rp_record_t *r)
{
    prv_words_t w = prv_words(r);
    q->diff.a |= w.a ^ q->first.a;
    q->diff.b |= w.b ^ q->first.b;
    q->diff.c |= w.c ^ q->first.c;
}

#if !PRV_FUSED_QUICK
/* The quick summary over recs[1..n), q->first already set. */
static PRV_NOINLINE void prv_quick_rest(prv_quick_t *q, const rp_record_t *recs, size_t n)
{
    prv_words_t f = q->first, d = { 0, 0, 0 };
    const rp_record_t *r = recs + 1, *stop = recs + n;
    if (r < stop) {
        do { /* the test at the bottom: a branch per record fewer at -Os */
            prv_words_t w = prv_words(r);
            d.a |= w.a ^ f.a;
            d.b |= w.b ^ f.b;
            d.c |= w.c ^ f.c;
        } while (++r < stop);
    }
    q->diff = d;
}
#endif

/* Whether the quick summary of a batch falls short: some op that may be
 * present (one matching first.op outside the bits of diff.op) leaves a
 * varying member unused, or durations would want per-op bases (long and
 * varying). Unknown ops: short whenever anything varies. Out of line on
 * purpose: with the summary's address taken, GCC keeps it in vector
 * registers through the gaps loop, 3 instructions per record fewer
 * (callgrind, x86-64 -O2). */
static PRV_NOINLINE bool prv_quick_short(const prv_quick_t *q)
{
    rp_record_t f, d;
    prv_put_words(&f, q->first);
    prv_put_words(&d, q->diff);
    /* Folded (when ops differ), a duration of 16 ticks or more takes a
     * second byte: from there bases may pay. */
    uint32_t long_duration = d.op != 0 ? 0x80u >> PRV_OP_BITS : 0x80u;
    if (d.duration != 0 && (f.duration | d.duration) >= long_duration) {
        return true;
    }
    prv_words_t unused = { 0, 0, 0 };
    if (((f.op | d.op) & ~(unsigned)(RP_OP_COUNT - 1u)) != 0) {
        unused = (prv_words_t){ UINT64_MAX, UINT64_MAX, UINT32_MAX };
    } else {
        /* Every submask of d.op, over the bits of f.op outside it. */
        unsigned sub = d.op;
        for (;;) {
            prv_words_t u = prv_use_words((f.op & ~d.op) | sub);
            unused.a |= ~u.a;
            unused.b |= ~u.b;
            unused.c |= ~u.c;
            if (sub == 0) {
                break;
            }
            sub = (sub - 1u) & d.op;
        }
    }
    return ((unused.a & q->diff.a) | (unused.b & q->diff.b) | (unused.c & q->diff.c)) != 0;
}

/* The varint of a gap of three bytes or more (zigzag >= 2^14), out of
 * line: the gaps loop rarely needs it. Up to three bytes (gaps within a
 * million ticks) without a loop. Returns the bytes written. Two-byte gaps
 * take the loop's own path (solver: one gap in four; 4.5 instructions per
 * event fewer on the Cortex-M4 than through a call; x86-64 unchanged). */
static PRV_NOINLINE size_t prv_varint_long(uint8_t *q, uint64_t g)
{
    if (g < 0x200000u) {
        q[0] = (uint8_t)(g | 0x80u);
        q[1] = (uint8_t)(g >> 7 | 0x80u);
        q[2] = (uint8_t)(g >> 14);
        return 3;
    }
    return (size_t)(prv_varint(q, g) - q);
}

/* Gaps 1..n-1 of recs[0..n) from q, with the summary of `per_op` (see
 * prv_gaps_pass). Returns the new end, or NULL if they do not fit. */
static PRV_INLINE uint8_t *prv_gap_loop(uint8_t *q, const uint8_t *end, const rp_record_t *recs,
                                        size_t n, bool per_op, prv_stats_t *ops,
                                        prv_quick_t *quick)
{
    uint64_t prev_end = recs[0].start + recs[0].duration;
    const rp_record_t *stop = recs + n;
    /* The room beyond a byte for each gap still to write (the caller
     * checked there is that byte): a one-byte gap leaves it as it is. */
    size_t slack = (size_t)(end - q) - (n - 1u);
    const rp_record_t *r = recs + 1;
    if (r == stop) {
        return q;
    }
    do { /* the test at the bottom: one branch per gap fewer at -Os */
        if (per_op) {
            prv_stats_add_fast(ops, r);
        } else if (PRV_FUSED_QUICK) {
            prv_quick_add(quick, r);
        }
        uint64_t g = rp_pb_zigzag((int64_t)(r->start - prev_end));
        prev_end = r->start + r->duration;
        if (g < 0x80u) { /* the usual gap, spelled out for the compiler */
            *q++ = (uint8_t)g;
        } else if (g < 0x4000u && slack != 0u) {
            /* Two bytes, spelled out: prv_varint14 here keeps its own
             * test of g >= 128 at -Os (0.2-0.4 instructions per event). */
            q[0] = (uint8_t)(g | 0x80u);
            q[1] = (uint8_t)(g >> 7);
            q += 2;
            slack--;
        } else {
            /* The exact length only when the slack is tight. */
            if (slack < 9u && rp_pb_varint_len(g) - 1u > slack) {
                return NULL;
            }
            size_t len = prv_varint_long(q, g);
            q += len;
            slack -= len - 1u;
        }
    } while (++r < stop);
    return q;
}

#if !PRV_FUSED_QUICK
#if PRV_ENCODER_ASM
/* The layout the loop relies on, in 32-bit words: or_a, and_a, or_b and
 * and_b low word first (little-endian), then or_c, lo and count. */
_Static_assert(offsetof(prv_op_stats_t, and_a) == 8, "op stats layout");
_Static_assert(offsetof(prv_op_stats_t, or_b) == 16, "op stats layout");
_Static_assert(offsetof(prv_op_stats_t, and_b) == 24, "op stats layout");
_Static_assert(offsetof(prv_op_stats_t, or_c) == 32, "op stats layout");
_Static_assert(offsetof(prv_op_stats_t, lo) == 36, "op stats layout");
_Static_assert(offsetof(prv_op_stats_t, count) == 40, "op stats layout");
_Static_assert(sizeof(rp_record_t) == 32, "record stride");
_Static_assert(RP_OP_COUNT == 8, "the loop takes the op's low bits with #7");

/* prv_stats_add_fast for the record whose member bytes 8..27 start at m:
 * one LDM of its five member words (duration, arg, op..iterations,
 * row/rows, col/cols); the op's low bits pick the 64-byte block; then each
 * four-word group of the block (OR and AND of the arg..iterations pair,
 * the same for the row..cols pair) is loaded, updated and stored with one
 * LDM and one STM, and the duration's OR, shortest and the count
 * likewise. */
#define PRV_STATS_RECORD_ASM                                                  \
    "ldmia  %[m], {r3, r4, r5, r6, r7}\n\t"                                   \
    "and    r8, r5, #7\n\t"                                                   \
    "add    r8, %[st], r8, lsl #6\n\t"                                        \
    "ldmia  r8, {r9, r10, r11, r12}\n\t"                                      \
    "orr    r9, r9, r4\n\t"                                                   \
    "orr    r10, r10, r5\n\t"                                                 \
    "and    r11, r11, r4\n\t"                                                 \
    "and    r12, r12, r5\n\t"                                                 \
    "stmia  r8!, {r9, r10, r11, r12}\n\t"                                     \
    "ldmia  r8, {r9, r10, r11, r12}\n\t"                                      \
    "orr    r9, r9, r6\n\t"                                                   \
    "orr    r10, r10, r7\n\t"                                                 \
    "and    r11, r11, r6\n\t"                                                 \
    "and    r12, r12, r7\n\t"                                                 \
    "stmia  r8!, {r9, r10, r11, r12}\n\t"                                     \
    "ldmia  r8, {r9, r10, r11}\n\t"                                           \
    "orr    r9, r9, r3\n\t"                                                   \
    "cmp    r3, r10\n\t" /* shortest: unsigned */                             \
    "it     lo\n\t"                                                           \
    "movlo  r10, r3\n\t"                                                      \
    "add    r11, r11, #1\n\t"                                                 \
    "stmia  r8, {r9, r10, r11}\n\t"                                           \
    "add    %[m], %[m], #32\n\t"

/* The records whose member bytes start at m, m + 32, ... before m_end
 * (m < m_end): one alone if their number is odd, then two per turn (one
 * loop test per pair: a record costs 24 instructions rather than 25). */
static void prv_stats_rest_thumb2(prv_stats_t *st, const uint8_t *m, const uint8_t *m_end)
{
    __asm__ volatile("sub    r3, %[end], %[m]\n\t"
                     "tst    r3, #32\n\t"
                     "beq    1f\n\t"
                     PRV_STATS_RECORD_ASM
                     "cmp    %[m], %[end]\n\t"
                     "bhs    2f\n\t"
                     "1:\n\t"
                     PRV_STATS_RECORD_ASM
                     PRV_STATS_RECORD_ASM
                     "cmp    %[m], %[end]\n\t"
                     "blo    1b\n\t"
                     "2:"
                     : [m] "+r"(m)
                     : [end] "r"(m_end), [st] "r"(st)
                     : "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "cc",
                       "memory");
}
#endif

/* The per-op statistics of recs[1..n), recs[0] already added: a loop of
 * its own on 32-bit cores, as the quick summary's. Fused into the gaps
 * loop, the statistics were a call per record and the loop's state went
 * to the stack: 66 instructions per record there, about 20 + 40 apart
 * (mps2-an386, -Os; bench/qemu_profile.sh). */
static PRV_NOINLINE void prv_stats_rest(prv_stats_t *st, const rp_record_t *recs, size_t n)
{
    const rp_record_t *r = recs + 1, *stop = recs + n;
    if (r >= stop) {
        return;
    }
#if PRV_ENCODER_ASM
    prv_stats_rest_thumb2(st, (const uint8_t *)r + PRV_COLS_OFF,
                          (const uint8_t *)stop + PRV_COLS_OFF);
#else
    do { /* the test at the bottom, as in prv_quick_rest */
        prv_words_t w = prv_words(r);
        /* As prv_stats_add_fast, but the op's low bits come from the word
         * just loaded (op is the byte after arg: bits 32..39 of w.a on a
         * little-endian core), not from a load of their own. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        unsigned k = (unsigned)(w.a >> 32) & (RP_OP_COUNT - 1u);
#else
        unsigned k = r->op & (RP_OP_COUNT - 1u);
#endif
        prv_stats_add_words(st, w, k);
    } while (++r < stop);
#endif
}

#if PRV_ENCODER_ASM
_Static_assert(offsetof(rp_record_t, start) == 0, "record layout");

/* prv_gap_loop in assembly, from record r on, two records per turn (as
 * PRV_COLUMN_LOOP_ASM). A step: the record's start (two words) and
 * duration in one LDM, the gap's high word tested against its low word's
 * sign (the gap fits 32 bits) and the zigzag value's bits above 7 in one
 * ORRS; a one-byte gap is written there, a longer one in the turn's cold
 * code after the loop (bits above 14: the slack allows two bytes; else up
 * to five if the slack surely allows them). Returns at stop or at the
 * first record whose gap it leaves to the caller (wider than 32 bits, or
 * longer than the slack surely allows), with *prev_end that of the record
 * before it: 13 instructions a one-byte gap where GCC's -Os gave 18, 21 a
 * two-byte one where it gave 28, and longer ones in line rather than
 * through a call. Labels: join and cold code, per step. */
#define PRV_GAP_STEP_ASM(join, cold)                                          \
    "ldmia  %[r], {r4, r5, r6}\n\t" /* start low, high; duration */           \
    "subs   r7, r4, %[lo]\n\t"                                                \
    "sbc    r9, r5, %[hi]\n\t"                                                \
    "eor    r9, r9, r7, asr #31\n\t" /* 0: the gap fits 32 bits */           \
    "lsl    r8, r7, #1\n\t"                                                   \
    "eor    r8, r8, r7, asr #31\n\t" /* zigzag */                             \
    "orrs   r7, r9, r8, lsr #7\n\t"                                           \
    "bne    " cold "f\n\t"                                                    \
    "strb   r8, [%[q]], #1\n\t"                                               \
    join ":\n\t"                                                              \
    "adds   %[lo], r4, r6\n\t" /* prev_end: start + duration */               \
    "adc    %[hi], r5, #0\n\t"                                                \
    "add    %[r], %[r], #32\n\t"
#define PRV_GAP_COLD_ASM(join, cold, varint)                                  \
    cold ":\n\t"                                                              \
    "orrs   r7, r9, r8, lsr #14\n\t"                                          \
    "bne    " varint "f\n\t"                                                  \
    "subs   %[slack], %[slack], #1\n\t" /* two bytes */                       \
    "bcc    10f\n\t" /* none left: the caller's */                           \
    "orr    r7, r8, #0x80\n\t"                                                \
    "lsr    r8, r8, #7\n\t"                                                   \
    "strb   r7, [%[q]], #1\n\t"                                               \
    "strb   r8, [%[q]], #1\n\t"                                               \
    "b      " join "b\n\t"                                                    \
    varint ":\n\t"                                                            \
    "cmp    r9, #0\n\t" /* wider than a word: the caller's */                 \
    "bne    9f\n\t"                                                           \
    "cmp    %[slack], #4\n\t" /* room for five bytes, else the caller's */    \
    "blo    9f\n\t"                                                           \
    "1" varint ":\n\t"                                                        \
    "orr    r7, r8, #0x80\n\t"                                                \
    "lsr    r8, r8, #7\n\t"                                                   \
    "strb   r7, [%[q]], #1\n\t"                                               \
    "sub    %[slack], %[slack], #1\n\t"                                       \
    "cmp    r8, #0x80\n\t"                                                    \
    "bhs    1" varint "b\n\t"                                                 \
    "strb   r8, [%[q]], #1\n\t"                                               \
    "b      " join "b\n\t"

static inline const rp_record_t *prv_gaps_thumb2(const rp_record_t *r, const rp_record_t *stop,
                                                 uint8_t **qp, size_t *slack_p,
                                                 uint64_t *prev_end)
{
    uint8_t *q = *qp;
    size_t slack = *slack_p;
    uint32_t lo = (uint32_t)*prev_end, hi = (uint32_t)(*prev_end >> 32);
    __asm__ volatile("sub    r7, %[stop], %[r]\n\t"
                     "tst    r7, #32\n\t"
                     "bne    8f\n\t"
                     "1:\n\t"
                     PRV_GAP_STEP_ASM("2", "3")
                     "8:\n\t"
                     PRV_GAP_STEP_ASM("5", "6")
                     "cmp    %[r], %[stop]\n\t"
                     "blo    1b\n\t"
                     "b      9f\n\t"
                     PRV_GAP_COLD_ASM("2", "3", "4")
                     PRV_GAP_COLD_ASM("5", "6", "7")
                     "10:\n\t"
                     "add    %[slack], %[slack], #1\n\t"
                     "9:"
                     : [r] "+r"(r), [q] "+r"(q), [lo] "+r"(lo), [hi] "+r"(hi),
                       [slack] "+r"(slack)
                     : [stop] "r"(stop)
                     : "r4", "r5", "r6", "r7", "r8", "r9", "cc", "memory");
    *qp = q;
    *slack_p = slack;
    *prev_end = (uint64_t)hi << 32 | lo;
    return r;
}
#endif

/* The gaps alone, out of line for the same reason as prv_quick_rest. With
 * PRV_ENCODER_ASM the usual gaps go through prv_gaps_thumb2 and each other
 * one here, as prv_gap_loop writes it. */
static PRV_NOINLINE uint8_t *prv_gaps_alone(uint8_t *q, const uint8_t *end,
                                            const rp_record_t *recs, size_t n)
{
#if PRV_ENCODER_ASM
    const rp_record_t *r = recs + 1, *stop = recs + n;
    uint64_t prev_end = recs[0].start + recs[0].duration;
    size_t slack = (size_t)(end - q) - (n - 1u); /* as in prv_gap_loop */
    while (r < stop) {
        r = prv_gaps_thumb2(r, stop, &q, &slack, &prev_end);
        if (r == stop) {
            break;
        }
        uint64_t g = rp_pb_zigzag((int64_t)(r->start - prev_end));
        size_t len = rp_pb_varint_len(g);
        if (len - 1u > slack) {
            return NULL;
        }
        q = prv_varint(q, g);
        slack -= len - 1u;
        prev_end = r->start + r->duration;
        r++;
    }
    return q;
#else
    return prv_gap_loop(q, end, recs, n, false, NULL, NULL);
#endif
}
#endif

/* The gap column, fused with the summary pass so every record is read
 * once: gap[i] = start[i] - end[i-1] as sint64, with end[-1] = base =
 * start[0]. An all-zero column is rolled back (absent means every gap is
 * 0). Field order does not matter to protobuf, so it goes first. The
 * summary is the per-op statistics if `per_op` (a constant: inlined, each
 * caller gets a loop for its summary), else the quick one. */
static PRV_INLINE uint8_t *prv_gaps_pass(uint8_t *p, const uint8_t *end, unsigned width,
                                         const rp_record_t *recs, size_t n, bool per_op,
                                         prv_stats_t *ops, prv_quick_t *quick)
{
    if (per_op) {
        prv_stats_init(ops);
        prv_stats_add_fast(ops, &recs[0]);
    } else {
        quick->first = prv_words(&recs[0]);
        quick->diff = (prv_words_t){ 0, 0, 0 };
    }
    uint8_t *body = prv_column_open(p, end, PRV_B_GAP, width);
    /* Every gap takes a byte at least: with room for n checked here, a
     * one-byte gap needs no check; a longer one checks that it leaves a
     * byte for each gap after it. */
    if (body == NULL || (size_t)(end - body) < n) {
        return NULL;
    }
    uint8_t *q = body;
    *q++ = 0; /* gap[0] */
#if !PRV_FUSED_QUICK
    q = prv_gaps_alone(q, end, recs, n);
    if (q == NULL) {
        return NULL;
    }
    if (per_op) {
        prv_stats_rest(ops, recs, n);
    } else {
        prv_quick_rest(quick, recs, n);
    }
#else
    q = prv_gap_loop(q, end, recs, n, per_op, ops, quick);
    if (q == NULL) {
        return NULL;
    }
#endif
    /* All gaps 0: one byte each, every byte 0. Checked afterwards rather
     * than ORing every gap: the search stops at the first non-zero gap. */
    if ((size_t)(q - body) == n) {
        const uint8_t *z = body;
        while (z < q && *z == 0) {
            z++;
        }
        if (z == q) {
            return p;
        }
    }
    prv_column_close(body, q, width);
    return q;
}

/* Gaps and the batch's summary. Whether the per-op statistics will be
 * needed is guessed from the first durations (long ones mean bases are
 * likely worth it): if so they are gathered with the gaps; else the quick
 * summary is, and a second pass gathers them only if it falls short.
 * *have_ops: `ops` is filled. */
static uint8_t *prv_gaps_and_summary(uint8_t *p, const uint8_t *end, unsigned width,
                                     const rp_record_t *recs, size_t n, prv_stats_t *ops,
                                     prv_summary_t *s, bool *have_ops)
{
    uint32_t durations = recs[0].duration;
    if (n >= 4u) {
        durations |= recs[1].duration | recs[2].duration | recs[3].duration;
    } else {
        for (size_t i = 1; i < n; i++) {
            durations |= recs[i].duration;
        }
    }
    if (durations >= 0x80u) {
        p = prv_gaps_pass(p, end, width, recs, n, true, ops, NULL);
        *have_ops = true;
        prv_summary_of(ops, s);
        if (p != NULL && s->unknown) {
            /* prv_stats_add_fast put unknown ops under their low bits:
             * gather again, with them under NONE. */
            prv_stats_init(ops);
            for (const rp_record_t *r = recs; r < recs + n; r++) {
                prv_stats_add(ops, r);
            }
            prv_summary_of(ops, s);
        }
        return p;
    } else {
        prv_quick_t quick;
        p = prv_gaps_pass(p, end, width, recs, n, false, NULL, &quick);
        if (p != NULL && !prv_quick_short(&quick)) {
            *have_ops = false;
            prv_words_t any = { quick.first.a | quick.diff.a, quick.first.b | quick.diff.b,
                                quick.first.c | quick.diff.c };
            prv_summary_set(s, any, quick.diff, quick.first);
            return p;
        }
        prv_stats_init(ops);
        for (const rp_record_t *r = recs; r < recs + n; r++) {
            prv_stats_add(ops, r);
        }
    }
    *have_ops = true;
    prv_summary_of(ops, s);
    return p;
}

#define PRV_MEMBER(m) offsetof(rp_record_t, m), sizeof(((rp_record_t *)0)->m)

/* The duration column with per-op bases: each op's shortest duration goes
 * once into duration_base and events carry only the excess. An op's
 * durations often differ by less than 128 ticks while being far longer
 * (hardware timing plus jitter), so this halves the column. Worth a pass
 * only when values take two bytes or more (the caller checks) and it saves
 * more than the bases cost; never for unknown ops. Fills lo[] (0 for
 * absent ops), *ops (list length) and *spans (at least every excess,
 * 0 iff all are); false: use the plain column. Without the fold,
 * prv_bases_avoid_zero then lowers the bases by one where that keeps
 * excesses off 0. */
typedef struct prv_bases {
    uint32_t lo[RP_OP_COUNT];
    unsigned ops;
    uint32_t spans;
} prv_bases_t;

/* The length of a duration value v (shifted up by `shift`, the op's bits
 * below it, when folded). */
static PRV_INLINE size_t prv_value_len(uint32_t v, unsigned shift)
{
    return prv_varint_len32(v << shift | ((1u << shift) - 1u));
}

/* prv_duration_bases when the OR's bound leaves the choice open: each
 * op's longest duration from a pass over the records, then whether the
 * bases save more than `cost` with it. Out of line: rarely called, and
 * inlined it costs the batch encoder registers. */
static PRV_NOINLINE bool prv_bases_pay_exactly(const prv_stats_t *st, const rp_record_t *recs,
                                               size_t n, size_t cost, unsigned shift,
                                               prv_bases_t *b)
{
    uint32_t longest[RP_OP_COUNT] = { 0 };
    for (const rp_record_t *r = recs; r < recs + n; r++) {
        if (r->duration > longest[r->op]) {
            longest[r->op] = r->duration;
        }
    }
    size_t saved = 0;
    b->spans = 0;
    for (unsigned k = 0; k < b->ops; k++) {
        const prv_op_stats_t *o = &st->op[k];
        size_t now = prv_value_len(o->lo, shift);
        size_t then = prv_value_len(longest[k] - o->lo, shift);
        saved += o->count != 0 && now > then ? (size_t)o->count * (now - then) : 0u;
        b->spans |= o->count != 0 ? longest[k] - o->lo : 0u;
    }
    return saved > cost;
}

static PRV_NOINLINE bool prv_duration_bases(const prv_stats_t *st, bool unknown, unsigned width,
                                            const rp_record_t *recs, size_t n, unsigned shift,
                                            prv_bases_t *b)
{
    if (unknown) {
        return false;
    }
    /* What the bases save: an event of op k takes no fewer than len(lo)
     * bytes now and no more than len(longest - lo) then (an excess is
     * never longer than its duration). The statistics hold no longest, but
     * or_c - lo bounds longest - lo: if the bases save more than they cost
     * even with that, or not even with one-byte excesses, that settles it.
     * Else (rare: durations straddling a power of two, say 1000..1100),
     * one pass finds each op's longest, and the choice is the one the
     * longest gives. Lengths are those of the values as written (folded:
     * shifted, with the op below). */
    size_t sure = 0, best = 0, cost = 2u + width;
    unsigned present = 0;
    b->spans = 0;
    b->ops = 0;
    for (unsigned k = 0; k < RP_OP_COUNT; k++) {
        const prv_op_stats_t *o = &st->op[k];
        if (o->count == 0) {
            b->lo[k] = 0; /* op absent: base 0 */
            continue;
        }
        b->lo[k] = o->lo;
        size_t now = prv_value_len(o->lo, shift), then = prv_value_len(o->or_c - o->lo, shift);
        sure += now > then ? (size_t)o->count * (now - then) : 0u;
        cost += prv_varint_len32(o->lo); /* its base */
        present++;
        b->spans |= o->or_c - o->lo;
        b->ops = k + 1u;
    }
    cost += b->ops - present; /* a one-byte 0 for each absent op listed */
    if (sure > cost) {
        return true;
    }
    for (unsigned k = 0; k < b->ops; k++) { /* every excess one byte */
        best += (size_t)st->op[k].count * (prv_value_len(b->lo[k], shift) - 1u);
    }
    return best > cost && prv_bases_pay_exactly(st, recs, n, cost, shift, b);
}

/* When there is a column of excesses, each base one below its op's
 * shortest duration (if that is not 0), so that no excess is 0: a zero
 * byte ends a COBS block and costs the framing about 10 instructions more
 * than any other byte (mps2-an386: 2 to 5 per event on the workloads).
 * An excess grows by 1 and stays within 32 bits (the duration is at most
 * UINT32_MAX and the base at least 0), so the saturated bound holds. Not
 * with the fold: the op keeps its values off 0 (but NONE's). */
static void prv_bases_avoid_zero(prv_bases_t *b)
{
    if (b->spans == 0) {
        return; /* every excess 0: no column, bases as they are */
    }
    for (unsigned k = 0; k < b->ops; k++) {
        b->lo[k] -= b->lo[k] != 0u;
    }
    if (b->spans != UINT32_MAX) {
        b->spans++;
    }
}

/* The value of r in the duration column: its excess over its op's base,
 * folded: shifted up with the op below. */
static PRV_INLINE uint32_t prv_excess(const rp_record_t *r, const prv_bases_t *b, bool fold)
{
    unsigned k = r->op;
    uint32_t v = r->duration - b->lo[k];
    return fold ? v << PRV_OP_BITS | k : v;
}

static inline uint8_t *prv_put_byte(uint8_t *p, uint32_t v)
{
    *p = (uint8_t)v;
    return p + 1;
}

#if PRV_ENCODER_ASM
_Static_assert(offsetof(rp_record_t, op) - offsetof(rp_record_t, duration) == 8,
               "the excess loops read the duration at the op byte - 8");
_Static_assert(PRV_OP_BITS == 3, "the fold below shifts by 3");

/* prv_excesses' loops for values of two bytes or more in assembly: m walks
 * the op bytes; each value is the duration less lo[op] (folded: shifted
 * up with the op below), as a varint written in line: up to two bytes
 * when every value is below 2^14, else of any length. 8 instructions a
 * one-byte value and 11 a two-byte one (13 in the loop of any length),
 * folded or not, where GCC's -Os took 14 for either (unfolded 13) and, of
 * any length, 16 (15) and a call from three bytes on. */
#define PRV_EXCESS_LOAD_ASM                                                   \
    "ldr    r4, [%[m], #-8]\n\t" /* duration */                               \
    "ldrb   r5, [%[m]], #32\n\t" /* op */                                     \
    "ldr    r6, [%[lo], r5, lsl #2]\n\t" /* its base */
#define PRV_EXCESS_SUB_ASM "sub    r4, r4, r6\n\t"
/* Folded, with lo[k] replaced by adj[k] = (lo[k] << 3) - k: the value
 * (duration - lo[k]) << 3 | k is (duration << 3) - adj[k] (mod 2^32; the
 * op below the shifted excess adds without carry), one RSB instead of a
 * SUB and an ORR. */
#define PRV_EXCESS_FOLD_ASM "rsb    r4, r6, r4, lsl #3\n\t"

/* The values of recs[0..n) (n > 0), `wide`: some reach 2^14. */
static PRV_INLINE uint8_t *prv_excesses_thumb2(uint8_t *p, const rp_record_t *recs, size_t n,
                                               const uint32_t *lo, bool fold, bool wide)
{
    const uint8_t *m = (const uint8_t *)recs + offsetof(rp_record_t, op);
    const uint8_t *stop = m + n * sizeof(rp_record_t);
    uint32_t adj[RP_OP_COUNT];
    if (fold) {
        for (unsigned k = 0; k < RP_OP_COUNT; k++) {
            adj[k] = (lo[k] << PRV_OP_BITS) - k;
        }
        lo = adj;
    }
#define PRV_EXCESS_LOOP(step)                                                 \
    __asm__ volatile(PRV_COLUMN_LOOP_ASM(step)                                \
                     : [p] "+r"(p), [m] "+r"(m)                               \
                     : [stop] "r"(stop), [lo] "r"(lo)                         \
                     : "r4", "r5", "r6", "cc", "memory")
    if (fold && wide) {
        PRV_EXCESS_LOOP(PRV_EXCESS_LOAD_ASM PRV_EXCESS_FOLD_ASM PRV_VARINT_PUT_ASM);
    } else if (fold) {
        PRV_EXCESS_LOOP(PRV_EXCESS_LOAD_ASM PRV_EXCESS_FOLD_ASM PRV_VARINT14_PUT_ASM);
    } else if (wide) {
        PRV_EXCESS_LOOP(PRV_EXCESS_LOAD_ASM PRV_EXCESS_SUB_ASM PRV_VARINT_PUT_ASM);
    } else {
        PRV_EXCESS_LOOP(PRV_EXCESS_LOAD_ASM PRV_EXCESS_SUB_ASM PRV_VARINT14_PUT_ASM);
    }
#undef PRV_EXCESS_LOOP
    return p;
}
#endif

/* The duration values of recs[0..n), unchecked (the caller made room for
 * n of at most `bound` each), through PRV_PUT_EACH. `fold` is a constant
 * in each caller: a loop for each form. */
static PRV_INLINE uint8_t *prv_excesses(uint8_t *p, const rp_record_t *recs, size_t n,
                                        const prv_bases_t *b, uint32_t bound, bool fold)
{
    if (bound < 0x80u) { /* one byte each: no varint test */
        PRV_PUT_EACH(prv_put_byte, p, recs, n, prv_excess, b, fold);
#if PRV_ENCODER_ASM
    } else if (n != 0u) {
        p = prv_excesses_thumb2(p, recs, n, b->lo, fold, bound >= 0x4000u);
#endif
    } else if (bound < 0x4000u) {
        PRV_PUT_EACH(prv_varint14, p, recs, n, prv_excess, b, fold);
    } else {
        PRV_PUT_EACH(prv_varint32_wide, p, recs, n, prv_excess, b, fold);
    }
    return p;
}

/* duration_base (when b->ops), op_bits when folded, then the duration
 * column: omitted when every value is 0, which the fold never leaves (the
 * caller folds only when ops differ). */
static PRV_NOINLINE uint8_t *prv_based_durations(uint8_t *p, const uint8_t *end,
                                                 unsigned width, const rp_record_t *recs,
                                                 size_t n, const prv_bases_t *b, bool fold)
{
    if (b->ops != 0u) {
        uint8_t *body = prv_column_open(p, end, PRV_B_DURATION_BASE, width);
        if (body == NULL || (size_t)(end - body) < 5u * b->ops) {
            return NULL;
        }
        p = body;
        for (unsigned k = 0; k < b->ops; k++) {
            p = prv_varint32(p, b->lo[k]);
        }
        prv_column_close(body, p, width);
    }
    if (fold) {
        /* op_bits: a two-byte key (field 28), then the value. */
        if ((size_t)(end - p) < 3u) {
            return NULL;
        }
        p[0] = (uint8_t)(PRV_B_OP_BITS << 3 | RP_PB_VARINT | 0x80u);
        p[1] = (uint8_t)(PRV_B_OP_BITS >> 4);
        p[2] = (uint8_t)PRV_OP_BITS;
        p += 3;
        if (b->spans == 0) {
            /* Every excess 0: each value is its op, a byte copy (the op
             * column's own loop, under the duration's field number). */
            return prv_packed(p, end, width, PRV_B_DURATION, recs, n, PRV_MEMBER(op),
                              RP_OP_COUNT - 1u);
        }
    } else if (b->spans == 0) { /* every excess 0: no column */
        return p;
    }
    uint8_t *body = prv_column_open(p, end, PRV_B_DURATION, width);
    if (body == NULL) {
        return NULL;
    }
    /* Every value is at most `bound`: unchecked if n of those fit. */
    uint32_t bound = fold ? b->spans << PRV_OP_BITS | (RP_OP_COUNT - 1u) : b->spans;
    if ((size_t)(end - body) / prv_varint_len32(bound) >= n) {
        p = fold ? prv_excesses(body, recs, n, b, bound, true)
                 : prv_excesses(body, recs, n, b, bound, false);
    } else {
        p = body;
        for (const rp_record_t *r = recs; r < recs + n; r++) {
            uint32_t v = prv_excess(r, b, fold);
            if (!prv_fits(p, end, v)) {
                return NULL;
            }
            p = prv_varint32(p, v);
        }
    }
    prv_column_close(body, p, width);
    return p;
}

/* The batch header's five uint fields at their longest: a one-byte key
 * (fields 1..5) and a ten-byte varint each. */
#define PRV_HEADER_MAX (5u * 11u)

/* A header field known to fit; inlined, the key is a constant byte. */
static PRV_INLINE uint8_t *prv_uint_unchecked(uint8_t *p, uint32_t field, uint64_t v)
{
    if (v == 0) {
        return p;
    }
    *p++ = (uint8_t)(field << 3 | RP_PB_VARINT);
    return prv_varint(p, v);
}

size_t rp_encode_batch(rp_batch_state_t *st, const rp_record_t *recs, size_t n,
                       uint64_t dropped_total, uint8_t *out, size_t cap)
{
    if (st == NULL || out == NULL || (recs == NULL && n > 0) || n > UINT32_MAX) {
        return 0;
    }
    const uint8_t *end = out + cap;
    unsigned width = rp_wire_len_width(cap);
    uint8_t *batch = prv_column_open(out, end, PRV_FRAME_BATCH, width);
    if (batch == NULL) {
        return 0;
    }
    /* The header goes straight to the buffer when its longest form fits,
     * else through a local copy: one copy of the field writers. */
    uint8_t small[PRV_HEADER_MAX];
    bool roomy = (size_t)(end - batch) >= PRV_HEADER_MAX;
    uint8_t *p = roomy ? batch : small;
    p = prv_uint_unchecked(p, PRV_B_SEQUENCE, st->sequence);
    p = prv_uint_unchecked(p, PRV_B_FIRST_EVENT, st->next_event);
    p = prv_uint_unchecked(p, PRV_B_BASE, n > 0 ? recs[0].start : 0);
    p = prv_uint_unchecked(p, PRV_B_COUNT, n);
    p = prv_uint_unchecked(p, PRV_B_DROPPED, dropped_total);
    if (!roomy) {
        size_t len = (size_t)(p - small);
        if (len > (size_t)(end - batch)) {
            return 0;
        }
        memcpy(batch, small, len);
        p = batch + len;
    }
    if (n > 0) {
        prv_stats_t ops;
        prv_summary_t s;
        bool have_ops = false;
        p = prv_gaps_and_summary(p, end, width, recs, n, &ops, &s, &have_ops);
        const rp_record_t *a = &s.any, *d = &s.diff, *f = &s.ref;
        /* The op column folded into the durations wherever it would be
         * packed (see PRV_OP_BITS). */
        bool fold = d->op != 0 && !s.unknown && a->duration < PRV_FOLD_LIMIT;
        unsigned shift = fold ? PRV_OP_BITS : 0u;
        prv_bases_t bases;
        /* Only once the gaps fit: else the statistics may cover a part of
         * the records only (an unknown op unseen). */
        bool based = p != NULL && have_ops && d->duration != 0 &&
                     a->duration << shift >= 0x80u &&
                     prv_duration_bases(&ops, s.unknown, width, recs, n, shift, &bases);
        if (based && !fold) {
            prv_bases_avoid_zero(&bases);
        } else if (!based && fold) {
            /* Folded without bases: every base 0, none listed. */
            memset(bases.lo, 0, sizeof bases.lo);
            bases.ops = 0;
            bases.spans = a->duration;
        }
        if (!fold) {
            p = prv_column(p, end, width, PRV_B_OP, recs, n, d, a, f, PRV_MEMBER(op));
        }
        if (based || fold) {
            p = p != NULL ? prv_based_durations(p, end, width, recs, n, &bases, fold) : NULL;
        } else {
            p = prv_column(p, end, width, PRV_B_DURATION, recs, n, d, a, f,
                           PRV_MEMBER(duration));
        }
        p = prv_column(p, end, width, PRV_B_TILE, recs, n, d, a, f,
                       PRV_MEMBER(tile));
        p = prv_column(p, end, width, PRV_B_ROW, recs, n, d, a, f,
                       PRV_MEMBER(row));
        p = prv_column(p, end, width, PRV_B_ROWS, recs, n, d, a, f,
                       PRV_MEMBER(rows));
        p = prv_column(p, end, width, PRV_B_COL, recs, n, d, a, f,
                       PRV_MEMBER(col));
        p = prv_column(p, end, width, PRV_B_COLS, recs, n, d, a, f,
                       PRV_MEMBER(cols));
        p = prv_column(p, end, width, PRV_B_ITERATIONS, recs, n, d, a, f,
                       PRV_MEMBER(iterations));
        p = prv_column(p, end, width, PRV_B_STATUS, recs, n, d, a, f,
                       PRV_MEMBER(status));
        p = prv_column(p, end, width, PRV_B_ARG, recs, n, d, a, f,
                       PRV_MEMBER(arg));
    }
    if (p == NULL) {
        return 0;
    }
    prv_column_close(batch, p, width);
    st->sequence++;
    st->next_event += n;
    return (size_t)(p - out);
}

/* Upper bound of one column's bytes for any prefix of the summarised
 * records, split into a fixed part (returned) and a part per event (added
 * to *per_event). Key at most 2 bytes; a varying column is packed (prefix
 * of `width`) unless the prefix happens to be constant, then it takes the
 * `*_all` form like a constant column (a value no longer than `any`). */
static size_t prv_column_bound(uint32_t diff, uint32_t any, unsigned width, size_t *per_event)
{
    size_t value = prv_varint_len32(any);
    if (diff != 0) {
        *per_event += value;
        return 2u + (width > value ? width : value);
    }
    return 2u + value;
}

size_t rp_encode_batch_fit(const rp_record_t *recs, size_t max, size_t cap)
{
    if (recs == NULL || max == 0) {
        return 0;
    }
    /* Same summary as the encoder, plus the OR of all zigzagged gaps. Every
     * bound holds for any prefix of recs[0..max), as the drain needs. */
    prv_stats_t st;
    prv_stats_init(&st);
    prv_stats_add(&st, &recs[0]);
    uint64_t gaps = 0;
    uint64_t prev_end = recs[0].start + recs[0].duration;
    for (const rp_record_t *r = recs + 1; r < recs + max; r++) {
        prv_stats_add(&st, r);
        gaps |= rp_pb_zigzag((int64_t)(r->start - prev_end));
        prev_end = r->start + r->duration;
    }
    /* A member constant among its users over recs[0..max) is so over any
     * prefix, and the encoder finds it so (it uses the quick summary only
     * where that agrees with these statistics); its `*_all` value is one
     * of the values, or 0. */
    prv_summary_t s;
    prv_summary_of(&st, &s);
    const rp_record_t *a = &s.any, *d = &s.diff;
    unsigned width = rp_wire_len_width(cap);

    /* Frame key + prefix; sequence, first_event and dropped_total at their
     * widest; base_timestamp and count as they can be. */
    size_t fixed = 1u + width + 6u + 11u + 1u + rp_pb_varint_len(recs[0].start) + 1u +
                   rp_pb_varint_len(max) + 11u;
    size_t per_event = 0;
    fixed += prv_column_bound(d->op, a->op, width, &per_event);
    fixed += prv_column_bound(d->duration, a->duration, width, &per_event);
    if (d->duration != 0 && a->duration >= 0x80u >> PRV_OP_BITS) {
        /* duration_base: key, prefix, a base (at most `any`) per op. The
         * column of excesses is no longer than the plain one; folded, its
         * values take at most a byte more than the durations, and the op
         * column they replace is counted above (with op_bits's three
         * bytes in its fixed part). */
        fixed += 2u + width + RP_OP_COUNT * prv_varint_len32(a->duration);
    }
    fixed += prv_column_bound(d->tile, a->tile, width, &per_event);
    fixed += prv_column_bound(d->row, a->row, width, &per_event);
    fixed += prv_column_bound(d->rows, a->rows, width, &per_event);
    fixed += prv_column_bound(d->col, a->col, width, &per_event);
    fixed += prv_column_bound(d->cols, a->cols, width, &per_event);
    fixed += prv_column_bound(d->iterations, a->iterations, width, &per_event);
    fixed += prv_column_bound(d->status, a->status, width, &per_event);
    fixed += prv_column_bound(d->arg, a->arg, width, &per_event);
    if (gaps != 0) {
        fixed += 2u + width;
        per_event += rp_pb_varint_len(gaps);
    }
    if (fixed >= cap) {
        return 0;
    }
    if (per_event == 0) {
        return max; /* every column constant: size does not grow with n */
    }
    size_t n = (cap - fixed) / per_event;
    return n < max ? n : max;
}

#endif /* !RP_CONFIG_COMPACT_ENCODER */
