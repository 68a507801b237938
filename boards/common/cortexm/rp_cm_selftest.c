/* rramprof-<board>-selftest: the EventBatch encoder's and the framing's
 * assembly against their C form, on the MCU itself (or the emulated one
 * in CI).
 *
 * rp_encoder.c and rp_frame.c take hand-written loops on Thumb-2 cores
 * (PRV_ENCODER_ASM, PRV_FRAME_ASM) that host tests cannot run, and a wrong
 * constancy decision there would decode as wrong values rather than as
 * lost frames. This image links both files twice: as the firmware has
 * them, and compiled again with RP_ENCODER_NO_ASM / RP_FRAME_NO_ASM and
 * their public names prefixed rp_ref_ (boards/common/cortexm.cmake). It
 * encodes pseudo-random batches with both, at several buffer sizes, and
 * with both sizing passes, frames each batch and pseudo-random payloads
 * (zeros sparse to dense, blocks that fill at 254 bytes) with both,
 * compares the results byte for byte, prints
 *   "SELFTEST batches <n> encoded <k> differences <d>"
 * on the link and exits through semihosting with status 0 if d is 0, else
 * 1 (tests/integration/qemu/test_qemu.cpp checks both). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "rp_cm_link.h"
#include "rp_cm_startup.h"
#include "rp_cm_text.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_hal_transport.h"

size_t rp_ref_encode_batch(rp_batch_state_t *st, const rp_record_t *recs, size_t n,
                           uint64_t dropped_total, uint8_t *out, size_t cap);
size_t rp_ref_encode_batch_fit(const rp_record_t *recs, size_t max, size_t cap);
size_t rp_ref_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t out_cap);

#define PRV_BATCHES 6000u
#define PRV_MAX_EVENTS 160u
#define PRV_OUT_CAP 2048u

/* xorshift32: the same sequence on every run, so a failure repeats. */
static uint32_t prv_state = 2463534242u;

static uint32_t prv_rand(void)
{
    uint32_t x = prv_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    prv_state = x;
    return x;
}

/* 0..n-1 (n > 0). */
static uint32_t prv_below(uint32_t n)
{
    return prv_rand() % n;
}

/* A batch shaped like a run of the recorder, with what decides the
 * encoder's choices drawn at random per batch: which ops appear (now and
 * then one outside the enum), whether durations are short or long and how
 * much they vary (up to the top bit: the shortest is an unsigned bound),
 * how long gaps are (now and then beyond 32 bits) and whether starts go
 * back (spans), and which members vary, per op, in their low or high
 * bytes. */
static size_t prv_make_batch(rp_record_t *recs)
{
    size_t n = 1u + prv_below(PRV_MAX_EVENTS);
    uint32_t ops = prv_rand() | 1u;     /* bit k: op k may appear */
    uint32_t mode = prv_rand();
    uint32_t varying = prv_rand();      /* which members vary, 2 bits per op */
    uint64_t t = (uint64_t)prv_rand() << prv_below(33u);
    for (size_t i = 0; i < n; i++) {
        rp_record_t *r = &recs[i];
        memset(r, 0, sizeof *r);
        unsigned op = prv_below(RP_OP_COUNT);
        if (((ops >> op) & 1u) == 0u) {
            op = 0u;
        }
        if ((mode & 7u) == 7u && prv_below(40u) == 0u) {
            op = RP_OP_COUNT + prv_below(248u);   /* unknown to this encoder */
        }
        r->op = (uint8_t)op;
        uint32_t base = (mode & 8u) != 0u ? 900u + 600u * (op & 7u) : 2u + (op & 7u);
        uint32_t spread = 0u;
        switch ((mode >> 4) & 3u) {
        case 1:
            spread = prv_below(100u);
            break;
        case 2:
            spread = prv_below(prv_below(4u) == 0u ? 300000u : 5000u);
            break;
        case 3:
            spread = prv_below(8u) == 0u ? prv_rand() : prv_below(3u);
            break;
        default:
            break;
        }
        r->duration = base + spread;
        uint64_t prev_end = t;
        t += (uint64_t)prv_below(4u) == 0u ? prv_below(prv_below(3u) == 0u ? 3000000u : 300u) : 3u;
        r->start = t;
        if (prv_below(16u) == 0u && r->start > 100u) {
            r->start -= prv_below(100u);   /* starts before the previous end */
        }
        if (prv_below(48u) == 0u) {
            /* Now and then a gap at the edge of 32 bits, either way, or
             * far beyond (the assembly's test that a gap fits a word). */
            static const int64_t edges[] = {
                INT32_MAX,      (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN,
                (int64_t)INT32_MIN - 1, (int64_t)UINT32_MAX, (int64_t)1 << 40,
                -((int64_t)1 << 33),
            };
            r->start = prev_end + (uint64_t)edges[prv_below(sizeof edges / sizeof edges[0])];
        }
        t = r->start + r->duration;
        unsigned v = (varying >> (2u * (op & 7u))) & 3u;
        uint32_t x = prv_rand();
        r->tile = (uint8_t)(v & 1u ? x & 3u : 1u);
        r->row = (uint16_t)(v & 2u ? (x >> 2) & 0x3FFu : 7u);
        r->rows = (uint16_t)(v == 3u ? 1u + ((x >> 12) & 0xFFu) : 64u);
        r->col = (uint16_t)(v == 1u ? (x >> 20) & 0x7FFu : 3u * (op & 7u));
        r->cols = (uint16_t)(v == 2u ? 1u + ((x >> 8) & 0x1FFu) : 64u);
        r->iterations = (uint8_t)(v == 3u || (mode & 64u) != 0u ? prv_below(256u) : 2u);
        r->status = (uint8_t)(prv_below(12u) == 0u ? prv_below(4u) : 0u);
        r->arg = (mode & 128u) != 0u ? prv_rand() >> prv_below(32u) : (op >= 5u ? 64u : 0u);
        if (prv_below(64u) == 0u) {
            /* Now and then a bit more in arg: for the ops that do not use
             * it, an unused member that is not 0 (unspecified on the
             * wire: the encoder may send anything there). */
            r->arg |= 1u << prv_below(32u);
        }
    }
    return n;
}

/* Frames payload[0..len) with both framings; true if they agree. */
static bool prv_frames_agree(const uint8_t *payload, size_t len)
{
    static uint8_t fa[RP_FRAME_ENCODED_MAX(PRV_OUT_CAP)], fb[sizeof fa];
    memset(fa, 0x5A, sizeof fa);
    memset(fb, 0x5A, sizeof fb);
    size_t la = rp_frame_encode(payload, len, fa, sizeof fa);
    size_t lb = rp_ref_frame_encode(payload, len, fb, sizeof fb);
    return la == lb && la != 0u && memcmp(fa, fb, sizeof fa) == 0;
}

/* A payload of up to PRV_OUT_CAP bytes: zeros one in 2 to one in 512
 * (none now and then, so that blocks fill at 254 bytes). */
static size_t prv_make_payload(uint8_t *p)
{
    size_t len = prv_below(PRV_OUT_CAP + 1u);
    uint32_t one_in = prv_below(8u) == 0u ? 0u : 2u << prv_below(9u);
    for (size_t i = 0; i < len; i++) {
        uint8_t b = (uint8_t)(prv_rand() >> 24);
        p[i] = one_in != 0u && prv_below(one_in) == 0u ? 0u : (b != 0u ? b : 1u);
    }
    return len;
}

static void prv_put(const char *s)
{
    (void)rp_hal_transport_write((const uint8_t *)s, strlen(s));
    while (!rp_cm_link_tx_idle()) {
    }
}

static void prv_put_u32(uint32_t v)
{
    char buf[RP_CM_U32_TEXT];
    prv_put(rp_cm_u32_text(buf, v));
}

void rp_cm_selftest_run(void) __attribute__((noreturn));
void rp_cm_selftest_run(void)
{
    static rp_record_t recs[PRV_MAX_EVENTS];
    static uint8_t a[PRV_OUT_CAP], b[PRV_OUT_CAP];
    uint32_t encoded = 0, differences = 0;
    for (uint32_t k = 0; k < PRV_BATCHES; k++) {
        size_t n = prv_make_batch(recs);
        const size_t caps[] = { PRV_OUT_CAP, 1024u, 300u, 64u + prv_below(900u), 20u };
        for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
            rp_batch_state_t sa = { k, 7ull * k }, sb = sa;
            memset(a, 0xA5, sizeof a);
            memset(b, 0xA5, sizeof b);
            size_t la = rp_encode_batch(&sa, recs, n, k % 3u, a, caps[c]);
            size_t lb = rp_ref_encode_batch(&sb, recs, n, k % 3u, b, caps[c]);
            if (la != lb || memcmp(a, b, sizeof a) != 0 || sa.sequence != sb.sequence ||
                sa.next_event != sb.next_event) {
                differences++;
            } else if (la != 0u) {
                encoded++;
                differences += !prv_frames_agree(a, la);
            }
            if (rp_encode_batch_fit(recs, n, caps[c]) != rp_ref_encode_batch_fit(recs, n, caps[c])) {
                differences++;
            }
        }
        size_t len = prv_make_payload(a);
        differences += !prv_frames_agree(a, len);
    }
    prv_put("\nSELFTEST batches ");
    prv_put_u32(PRV_BATCHES);
    prv_put(" encoded ");
    prv_put_u32(encoded);
    prv_put(" differences ");
    prv_put_u32(differences);
    prv_put("\n");
    rp_cm_semihost_exit(differences == 0u ? 0u : 1u);
}
