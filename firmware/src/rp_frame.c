/* COBS framing with a CRC-32 trailer, shared by firmware and host.
 *
 * COBS (consistent overhead byte stuffing): the body is cut at every zero
 * into blocks; each block is sent as one code byte c (1..255) followed by
 * c-1 non-zero data bytes, and every block with c < 255 stands for its data
 * followed by one zero. The zero implied by the last block of a frame is not
 * data. Blocks of 254 data bytes (c = 255) imply no zero, which bounds the
 * overhead to one byte per 254. */
#include "rramprof/rp_frame.h"

#include <stdbool.h>
#include <string.h>

#include "rramprof/rp_config.h"
#include "rramprof/rp_crc32.h"
#include "rp_crc32_priv.h"

/* ---- encoder ---- */

#if !RP_CONFIG_SMALL
/* ---- hosts and other large builds: word loops with a 2 KiB link table,
 * and a CRC pass then 16-byte SSE2 COBS on x86-64 with PCLMULQDQ ---- */

/* Encoder state: the open block's code byte, the next output byte and the
 * CRC register of the payload so far. Kept in locals by the callers:
 * stores through uint8_t pointers may alias anything, so state reached
 * through a pointer is reloaded per byte. */
typedef struct prv_cobs {
    uint8_t *code; /* where the open block's code byte goes */
    uint8_t *o;    /* next output byte */
    uint32_t crc;
} prv_cobs_t;

/* One byte into the open block (the CRC is the caller's business). */
static inline prv_cobs_t prv_cobs_byte(prv_cobs_t c, uint8_t b)
{
    if (b == 0) {
        *c.code = (uint8_t)(c.o - c.code);
        c.code = c.o++;
        return c;
    }
    *c.o++ = b;
    if (c.o - c.code == 0xFF) { /* 254 data bytes: close without a zero */
        *c.code = 0xFFu;
        c.code = c.o++;
    }
    return c;
}

/* 0x80 in every byte of w that is zero, 0x00 in the others (exact, unlike
 * the shorter test that can flag a 0x01 next to a zero). */
static inline uint64_t prv_zero_bytes(uint64_t w)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    return ~(((w & low7) + low7) | w | low7);
}

/* Eight bytes with byte i of memory in bits 8i..8i+7, on any byte order,
 * so that the marks of prv_zero_bytes come out in memory order and the CRC
 * takes the bytes in order. */
static inline uint64_t prv_load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
#else
    uint64_t w = 0;
    for (unsigned k = 0; k < 8u; k++) {
        w |= (uint64_t)p[k] << (8u * k);
    }
    return w;
#endif
}

/* The inverse of prv_load_le64. */
static inline void prv_store_le64(uint8_t *p, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &w, 8);
#else
    for (unsigned k = 0; k < 8u; k++) {
        p[k] = (uint8_t)(w >> (8u * k));
    }
#endif
}

/* The marks of prv_zero_bytes as eight bits, bit i for byte i: the
 * multiplication moves bit 8i + 7 to bit 56 + i; every other product is a
 * bit above 63 or a distinct bit below 56, so no carry reaches the top
 * byte. */
static inline unsigned prv_zero_mask(uint64_t marks)
{
    return (unsigned)(((marks >> 7) * 0x0102040810204080ull) >> 56);
}

/* Index of the first and of the last zero byte that the non-zero marks
 * of prv_zero_bytes flag. */
static inline size_t prv_first_zero(uint64_t marks)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(marks) >> 3;
#else
    size_t k = 0;
    while ((marks & 0x80u) == 0) {
        marks >>= 8;
        k++;
    }
    return k;
#endif
}

static inline size_t prv_last_zero(uint64_t marks)
{
#if defined(__GNUC__)
    return ((unsigned)__builtin_clzll(marks) ^ 63u) >> 3; /* 63 - clz, as GCC spots it */
#else
    size_t k = 0;
    while (marks > 0xFFu) {
        marks >>= 8;
        k++;
    }
    return k;
#endif
}

/* prv_links[m]: for a word whose zero bytes are the set bits of m, the COBS
 * code of every zero but the last, in its byte: the distance to the next
 * zero. ORed into the copied word (its zeros are 0) it encodes the links
 * inside the word at once, where a loop over the zeros costs about ten
 * instructions each, and real batches average more than two zeros per
 * word that has any (callgrind, x86-64). 2 KiB of constants, built by the
 * preprocessor: PRV_NEXT is the distance from bit k of m to the next set
 * bit above it (0 if none). */
#define PRV_BIT(m, k) (((m) >> (k)) & 1u)
#define PRV_NEXT(m, k)                                                                     \
    (PRV_BIT(m, (k) + 1) ? 1u : PRV_BIT(m, (k) + 2) ? 2u : PRV_BIT(m, (k) + 3) ? 3u :      \
     PRV_BIT(m, (k) + 4) ? 4u : PRV_BIT(m, (k) + 5) ? 5u : PRV_BIT(m, (k) + 6) ? 6u :      \
     PRV_BIT(m, (k) + 7) ? 7u : 0u)
#define PRV_LINK(m, k) ((uint64_t)(PRV_BIT(m, k) ? PRV_NEXT(m, k) : 0u) << (8u * (k)))
#define PRV_LINKS(m)                                                                       \
    (PRV_LINK(m, 0) | PRV_LINK(m, 1) | PRV_LINK(m, 2) | PRV_LINK(m, 3) | PRV_LINK(m, 4) |  \
     PRV_LINK(m, 5) | PRV_LINK(m, 6) | PRV_LINK(m, 7))
#define PRV_LINKS4(m) PRV_LINKS(m), PRV_LINKS((m) + 1u), PRV_LINKS((m) + 2u), PRV_LINKS((m) + 3u)
#define PRV_LINKS16(m) \
    PRV_LINKS4(m), PRV_LINKS4((m) + 4u), PRV_LINKS4((m) + 8u), PRV_LINKS4((m) + 12u)
#define PRV_LINKS64(m) \
    PRV_LINKS16(m), PRV_LINKS16((m) + 16u), PRV_LINKS16((m) + 32u), PRV_LINKS16((m) + 48u)
static const uint64_t prv_links[256] = { PRV_LINKS64(0u), PRV_LINKS64(64u), PRV_LINKS64(128u),
                                         PRV_LINKS64(192u) };

/* Stores the eight bytes of w (zeros at the set bits of m, m != 0) at o
 * with the links filled in. */
static inline void prv_store_linked(uint8_t *o, uint64_t w, unsigned m)
{
    prv_store_le64(o, w | prv_links[m]);
}

/* COBS, and with_crc the CRC too, in one pass, a word at a time: each
 * word is loaded once, fed to the CRC and copied with its zeros replaced by
 * their codes (prv_store_linked); the open block's code byte gets the
 * distance to the word's first zero, and its last zero becomes the new
 * placeholder. One pass instead of a CRC pass and a COBS pass saves a load
 * and a loop per word where the CRC goes through tables. A block that
 * might reach 254 data bytes within the next word takes the byte path for
 * that word, which closes it at the right byte. with_crc is a constant in
 * each caller: where there are two (x86-64, the fast path below) inlining
 * is forced, so the loop is compiled once with the CRC and once without;
 * elsewhere the compiler is left to it (the code is then the same as
 * before the flag existed). */
#if RP_CRC32_CLMUL
__attribute__((always_inline)) /* instantiated twice (GCC/clang only here) */
#endif
static inline prv_cobs_t prv_cobs_words(prv_cobs_t c, const uint8_t *in, size_t len, bool with_crc)
{
    const uint8_t *end = in + len;
    uint8_t *o = c.o;
    uint8_t *code = c.code;
    uint32_t crc = c.crc;
    while ((size_t)(end - in) >= 8u) {
        /* Words the open block has room for whatever they hold: while
         * o - code <= 246 (at most 245 data bytes), a word cannot fill it.
         * A zero only moves code forward, so the count stays safe. */
        size_t open = (size_t)(o - code);
        size_t words = open <= 246u ? (246u - open) / 8u + 1u : 0u;
        size_t left = (size_t)(end - in) / 8u;
        if (words > left) {
            words = left;
        }
        const uint8_t *stop = in + 8u * words;
        while (in < stop) {
            uint64_t w = prv_load_le64(in);
            uint64_t zeros = prv_zero_bytes(w);
            if (with_crc) {
                crc = rp_crc32_word(crc, (uint32_t)w);
                crc = rp_crc32_word(crc, (uint32_t)(w >> 32));
            }
            if (zeros != 0) {
                prv_store_linked(o, w, prv_zero_mask(zeros));
                *code = (uint8_t)(o + prv_first_zero(zeros) - code);
                code = o + prv_last_zero(zeros);
            } else {
                prv_store_le64(o, w);
            }
            o += 8;
            in += 8;
        }
        if (words == 0u) {
            /* The block might fill within the next word: byte by byte. */
            if (with_crc) {
                uint64_t w = prv_load_le64(in);
                crc = rp_crc32_word(crc, (uint32_t)w);
                crc = rp_crc32_word(crc, (uint32_t)(w >> 32));
            }
            for (unsigned k = 0; k < 8u; k++) {
                prv_cobs_t t = prv_cobs_byte((prv_cobs_t){ .code = code, .o = o }, in[k]);
                code = t.code;
                o = t.o;
            }
            in += 8;
        }
    }
    while (in < end) {
        if (with_crc) {
            crc = rp_crc32_byte(crc, *in);
        }
        prv_cobs_t t = prv_cobs_byte((prv_cobs_t){ .code = code, .o = o }, *in++);
        code = t.code;
        o = t.o;
    }
    return (prv_cobs_t){ .code = code, .o = o, .crc = crc };
}

/* COBS with the CRC fused in: every build but the small ones, and short
 * payloads or CPUs without PCLMULQDQ on x86-64. */
static prv_cobs_t prv_cobs_crc(prv_cobs_t c, const uint8_t *in, size_t len)
{
    return prv_cobs_words(c, in, len, true);
}

#if RP_CRC32_CLMUL
/* ---- x86-64 hosts whose CPU has PCLMULQDQ (rp_crc32_fast) ----
 *
 * The CRC folds the whole payload first at under half an instruction per
 * byte (rp_crc32.c), then COBS runs alone, 16 bytes at a time with SSE2
 * (always there on x86-64): a compare and a PMOVMSKB give a chunk's zeros
 * as a 16-bit mask where the word loop spends eight instructions per eight
 * bytes. The links inside each 8-byte half come from prv_links as in the
 * word loop; then the low half's last zero is linked to the high half's
 * first, the chunk's first zero to the open block, and the chunk's last
 * zero becomes the open block's code byte. Chunks with no zero (about
 * half of them in real batches) are a load, a compare and a store. */
#include <emmintrin.h>

/* The COBS word loop without the CRC: the rare chunks where a block fills
 * before the payload's end. */
static prv_cobs_t prv_cobs(prv_cobs_t c, const uint8_t *in, size_t len)
{
    return prv_cobs_words(c, in, len, false);
}

static inline __m128i prv_load16(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline void prv_store16(uint8_t *p, __m128i x)
{
    _mm_storeu_si128((__m128i *)(void *)p, x);
}

/* Bit i set when byte i of x is zero. */
static inline unsigned prv_zero_mask16(__m128i x)
{
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128()));
}

/* x with the links inside each half ORed into its zeros (the set bits of
 * m); the last zero of each half stays 0 for prv_link_chunk. */
static inline __m128i prv_chunk_links(__m128i x, unsigned m)
{
    return _mm_or_si128(x, _mm_set_epi64x((long long)prv_links[m >> 8],
                                          (long long)prv_links[m & 0xFFu]));
}

/* The links between blocks for a chunk stored at q with zeros m != 0;
 * after the store, since the open block's code byte may be in it. */
static inline uint8_t *prv_link_chunk(uint8_t *code, uint8_t *q, unsigned m)
{
    unsigned lo = m & 0xFFu;
    if (lo != 0) {
        /* The low half's last zero links to the high half's first (if
         * there is none, to the chunk's end: it is then the chunk's last
         * zero, whose byte is rewritten when its block closes). */
        unsigned a = (unsigned)__builtin_clz(lo) ^ 31u;
        q[a] = (uint8_t)(8u + (unsigned)__builtin_ctz((m >> 8) | 0x100u) - a);
    }
    *code = (uint8_t)(q - code + __builtin_ctz(m));
    return q + (__builtin_clz(m) ^ 31);
}

/* Lanes from 16 - r on, for the last r bytes: 16 bytes at prv_tail + r. */
static const uint8_t prv_tail[32] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

/* COBS of a payload of len >= 16 bytes (the tail reads back 16). */
_Static_assert(RP_CRC32_CLMUL_MIN >= 16u, "prv_cobs_wide needs 16 bytes");
static prv_cobs_t prv_cobs_wide(prv_cobs_t c, const uint8_t *in, size_t len)
{
    const uint8_t *end = in + len;
    uint8_t *o = c.o;
    uint8_t *code = c.code;
    while ((size_t)(end - in) >= 16u) {
        size_t open = (size_t)(o - code);
        size_t chunks = 1u;
        if (open <= 238u) {
            /* While o - code <= 238 (at most 237 data bytes) no chunk can
             * fill the open block. */
            chunks = (238u - open) / 16u + 1u;
            size_t left = (size_t)(end - in) / 16u;
            if (chunks > left) {
                chunks = left;
            }
        } else {
            /* The block fills within this chunk unless a zero comes
             * first: then it is closed after its 254th byte. The chunk is
             * stored whole; the bytes past the block are rewritten next
             * (the frame goes on for at least 21 more bytes). */
            unsigned room = 255u - (unsigned)open; /* 1..16 */
            __m128i x = prv_load16(in);
            if ((prv_zero_mask16(x) & ((1u << room) - 1u)) == 0u) {
                prv_store16(o, x);
                *code = 0xFFu;
                code = o + room;
                o += room + 1u;
                in += room;
                continue;
            }
        }
        for (size_t i = 0; i < 16u * chunks; i += 16u) {
            __m128i x = prv_load16(in + i);
            unsigned m = prv_zero_mask16(x);
            if (m == 0) {
                prv_store16(o + i, x);
            } else {
                prv_store16(o + i, prv_chunk_links(x, m));
                code = prv_link_chunk(code, o + i, m);
            }
        }
        in += 16u * chunks;
        o += 16u * chunks;
    }
    size_t r = (size_t)(end - in);
    if (r == 0) {
        return (prv_cobs_t){ .code = code, .o = o };
    }
    /* The last r = 1..15 bytes: the 16 ending at end, of which only the
     * last r lanes count, stored over the 16 - r output bytes before o
     * too (at least 17 - r are there), reloaded and blended back. */
    unsigned room = 255u - (unsigned)(o - code);
    __m128i x = prv_load16(end - 16);
    unsigned m = prv_zero_mask16(x) & (0xFFFFu << (16u - r));
    if (room <= r && ((m >> (16u - r)) & ((1u << room) - 1u)) == 0u) {
        /* The block fills within the last bytes: the word loop. */
        return prv_cobs((prv_cobs_t){ .code = code, .o = o }, in, r);
    }
    uint8_t *q = o - (16u - r);
    __m128i keep = prv_load16(prv_tail + r);
    if (m != 0) {
        x = prv_chunk_links(x, m);
    }
    prv_store16(q, _mm_or_si128(_mm_and_si128(keep, x), _mm_andnot_si128(keep, prv_load16(q))));
    if (m != 0) {
        code = prv_link_chunk(code, q, m);
    }
    return (prv_cobs_t){ .code = code, .o = o + r };
}
#endif

size_t rp_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t out_cap)
{
    if (out == NULL || (payload == NULL && len > 0) || out_cap < RP_FRAME_ENCODED_MAX(len)) {
        return 0;
    }
    if (payload == NULL) {
        payload = out;   /* len is 0: no byte is read, but NULL + 0 is undefined */
    }
    prv_cobs_t c;
    uint32_t crc;
#if RP_CRC32_CLMUL
    if (rp_crc32_fast(len)) {
        /* A CRC pass, then a COBS pass (see prv_cobs_wide). */
        crc = rp_crc32_final(rp_crc32_clmul_update(RP_CRC32_INIT, payload, len));
        c = prv_cobs_wide((prv_cobs_t){ .code = out, .o = out + 1 }, payload, len);
    } else
#endif
    {
        c = prv_cobs_crc((prv_cobs_t){ .code = out, .o = out + 1, .crc = RP_CRC32_INIT },
                         payload, len);
        crc = rp_crc32_final(c.crc);
    }
    if (c.o - c.code <= 250) {
        /* The four CRC bytes (little-endian) as one word, as in the word
         * path: with at most 249 data bytes open they cannot fill the
         * block. Marks in the top half are impossible (all ones there). */
        uint64_t w = (uint64_t)crc | 0xFFFFFFFF00000000ull;
        uint64_t zeros = prv_zero_bytes(w);
        uint8_t t[8];
        if (zeros != 0) {
            prv_store_linked(t, w, prv_zero_mask(zeros));
            *c.code = (uint8_t)(c.o + prv_first_zero(zeros) - c.code);
            c.code = c.o + prv_last_zero(zeros);
        } else {
            prv_store_le64(t, w);
        }
        memcpy(c.o, t, RP_FRAME_CRC_LEN);
        c.o += RP_FRAME_CRC_LEN;
    } else {
        for (unsigned k = 0; k < RP_FRAME_CRC_LEN; k++) {
            c = prv_cobs_byte(c, (uint8_t)(crc >> (8u * k))); /* little-endian */
        }
    }
    *c.code = (uint8_t)(c.o - c.code);
    *c.o++ = 0x00; /* delimiter */
    return (size_t)(c.o - out);
}
#else
/* ---- small builds (RP_CONFIG_SMALL): 32-bit cores, flash first ----
 *
 * One COBS loop four bytes at a time, without tables: each word is loaded
 * and copied as it is; then each of its zeros, found by a bit scan, closes
 * the open block (the block's code byte gets the distance to it) and
 * becomes the next code byte. On a Cortex-M4 at -Os that is 9
 * instructions per word (12 without the SIMD32 zero test below) plus 10
 * per zero. Bytes go one at a time where fewer than four are left or the
 * open block might fill within the word.
 * The CRC bytes follow the payload through the same loop.
 *
 * With the byte table (RP_CONFIG_CRC_BITS 8) the CRC is fused into that
 * loop: its word step is 13 instructions and 44 bytes of code. The nibble
 * table's is 25 instructions and 100 bytes: that build takes the CRC in a
 * pass of its own through rp_crc32_update (linked anyway, for the
 * deframer), 10 instructions a byte, and keeps rp_frame.c within 450
 * bytes of flash. */
#define PRV_CRC_FUSED (RP_CONFIG_CRC_BITS == 8)

/* 0x80 in every byte of w that is zero, 0x00 in the others (exact, unlike
 * the shorter test that can flag a 0x01 next to a zero). Cores with the
 * SIMD32 instructions (Cortex-M4, M7, M33 with the DSP extension) take
 * two instructions, the portable form five: UADD8 of 0xFF to each byte
 * carries out of exactly the non-zero ones, setting their GE flags, and
 * SEL takes 0x80 where a flag is clear. */
#if defined(__ARM_FEATURE_SIMD32) && defined(__GNUC__)
#include <arm_acle.h>
static inline uint32_t prv_zero_bytes32(uint32_t w)
{
    (void)__uadd8(w, 0xFFFFFFFFu);
    return __sel(0u, 0x80808080u);
}
#else
static inline uint32_t prv_zero_bytes32(uint32_t w)
{
    const uint32_t low7 = 0x7F7F7F7Fu;
    return ~(((w & low7) + low7) | w | low7);
}
#endif

/* Four bytes, byte i of memory in bits 8i..8i+7 on any byte order, so
 * that the marks above come out in memory order and the CRC takes the
 * bytes in order. */
static inline uint32_t prv_load_le32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

/* Index of the lowest set bit of m != 0. */
static inline unsigned prv_ctz(uint32_t m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned k = 0;
    while (((m >> k) & 1u) == 0u) {
        k++;
    }
    return k;
#endif
}

/* PRV_FRAME_ASM: the word loop below in Thumb-2 assembly, where the CRC is
 * fused in and the core has the SIMD32 instructions (Cortex-M4, M7, M33
 * with the DSP extension). GCC spends 22 instructions on a word at -O2, of
 * which five update the pointers and test the loop; with post-indexed
 * loads and stores and two words per turn, 19. RP_FRAME_NO_ASM keeps the
 * C loop (the on-target self-test builds this file both ways and
 * compares their frames). */
#if PRV_CRC_FUSED && defined(__GNUC__) && defined(__thumb2__) &&            \
    defined(__ARM_FEATURE_SIMD32) && defined(__BYTE_ORDER__) &&             \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(RP_FRAME_NO_ASM)
#define PRV_FRAME_ASM 1
#else
#define PRV_FRAME_ASM 0
#endif

#if PRV_FRAME_ASM
/* One byte step of the CRC through the byte table at tab (its low byte). */
#define PRV_CRC_BYTE_ASM                                                     \
    "uxtb   r5, %[crc]\n\t"                                                  \
    "ldr    r5, [%[tab], r5, lsl #2]\n\t"                                    \
    "eor    %[crc], r5, %[crc], lsr #8\n\t"

/* One word at [in], as the C loop's body: copied to [o], fed to the CRC
 * (byte table at tab) and, for each of its zero bytes, the open block
 * closed there. r10 = 0, r11 = 0xFFFFFFFF, r12 = 0x80808080; r4-r7
 * scratch. */
#define PRV_WORD_ASM                                                         \
    "ldr    r4, [%[in]], #4\n\t"                                             \
    "str    r4, [%[o]], #4\n\t"                                              \
    "eor    %[crc], %[crc], r4\n\t"                                          \
    "uadd8  r5, r4, r11\n\t" /* GE set in the non-zero bytes */              \
    PRV_CRC_BYTE_ASM PRV_CRC_BYTE_ASM PRV_CRC_BYTE_ASM PRV_CRC_BYTE_ASM         \
    "sel    r6, r10, r12\n\t" /* 0x80 in each zero byte */                   \
    "cbz    r6, 4f\n\t"                                                      \
    "sub    r4, %[o], #4\n\t" /* the word's first output byte */             \
    "3:\n\t"                                                                 \
    "rbit   r5, r6\n\t"                                                      \
    "clz    r5, r5\n\t"                                                      \
    "add    r5, r4, r5, lsr #3\n\t" /* the zero's place */                   \
    "sub    r7, r5, %[code]\n\t"                                             \
    "strb   r7, [%[code]]\n\t"                                               \
    "mov    %[code], r5\n\t"                                                 \
    "sub    r7, r6, #1\n\t"                                                  \
    "ands   r6, r6, r7\n\t"                                                  \
    "bne    3b\n\t"                                                          \
    "4:\n\t"

/* The words [*in, stop) (at least one, the open block with room for all
 * of them): one alone if their number is odd, then two per turn. */
static inline void prv_words_thumb2(const uint8_t **inp, const uint8_t *stop, uint8_t **op,
                                    uint8_t **codep, uint32_t *crcp)
{
    const uint8_t *in = *inp;
    uint8_t *o = *op;
    uint8_t *code = *codep;
    uint32_t crc = *crcp;
    __asm__ volatile("mov    r10, #0\n\t"
                     "mvn    r11, #0\n\t"
                     "mov    r12, #0x80808080\n\t"
                     "sub    r4, %[stop], %[in]\n\t"
                     "tst    r4, #4\n\t"
                     "beq    1f\n\t"
                     PRV_WORD_ASM
                     "cmp    %[in], %[stop]\n\t"
                     "beq    2f\n\t"
                     "1:\n\t"
                     PRV_WORD_ASM
                     PRV_WORD_ASM
                     "cmp    %[in], %[stop]\n\t"
                     "bne    1b\n\t"
                     "2:"
                     : [in] "+r"(in), [o] "+r"(o), [code] "+r"(code), [crc] "+r"(crc)
                     : [stop] "r"(stop), [tab] "r"(rp_crc32_table)
                     : "r4", "r5", "r6", "r7", "r10", "r11", "r12", "cc", "memory");
    *inp = in;
    *op = o;
    *codep = code;
    *crcp = crc;
}
#endif

size_t rp_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t out_cap)
{
    if (out == NULL || (payload == NULL && len > 0) || out_cap < RP_FRAME_ENCODED_MAX(len)) {
        return 0;
    }
    uint8_t *code = out; /* the open block's code byte */
    uint8_t *o = out + 1;
    uint32_t crc = PRV_CRC_FUSED ? RP_CRC32_INIT : rp_crc32_update(RP_CRC32_INIT, payload, len);
    uint8_t trailer[RP_FRAME_CRC_LEN];
    const uint8_t *in = payload;
    const uint8_t *end = len > 0 ? payload + len : payload; /* payload may be NULL */
    for (;;) {
        while (in != end) {
            /* The open block holds o - code - 1 data bytes and fills at
             * 254: whole words while that many bytes are left and it has
             * room for them whatever they hold. A zero only moves code
             * forward, so the count stays safe. */
            size_t room = 254u - (size_t)(o - code);
            size_t left = (size_t)(end - in);
            size_t words = (left < room ? left : room) / 4u;
            if (words == 0u) {
                uint8_t b = *in++;
                if (PRV_CRC_FUSED) {
                    crc = rp_crc32_byte(crc, b);
                }
                if (b != 0u) {
                    *o++ = b;
                    if (o - code < 0xFF) {
                        continue;
                    }
                }
                /* A zero, or 254 data bytes: close the block (its code is
                 * the distance to here) and open the next one here. */
                *code = (uint8_t)(o - code);
                code = o++;
                continue;
            }
            const uint8_t *stop = in + 4u * words;
#if PRV_FRAME_ASM
            prv_words_thumb2(&in, stop, &o, &code, &crc);
#else
            do {
                uint32_t w = prv_load_le32(in);
                if (PRV_CRC_FUSED) {
                    crc = rp_crc32_word(crc, w);
                }
                memcpy(o, in, 4);
                for (uint32_t zeros = prv_zero_bytes32(w); zeros != 0u; zeros &= zeros - 1u) {
                    uint8_t *z = o + (prv_ctz(zeros) >> 3);
                    *code = (uint8_t)(z - code);
                    code = z;
                }
                in += 4;
                o += 4;
            } while (in != stop);
#endif
        }
        if (end == trailer + RP_FRAME_CRC_LEN) {
            break;
        }
        /* The payload is done: its CRC, little-endian, goes next. */
        crc = rp_crc32_final(crc);
        for (unsigned k = 0; k < RP_FRAME_CRC_LEN; k++) {
            trailer[k] = (uint8_t)(crc >> (8u * k));
        }
        in = trailer;
        end = trailer + RP_FRAME_CRC_LEN;
    }
    *code = (uint8_t)(o - code);
    *o++ = 0x00; /* delimiter */
    return (size_t)(o - out);
}
#endif

/* ---- deframer ---- */

/* Ready for the next frame, which starts after the byte just counted. */
static void prv_reset(rp_deframer_t *d)
{
    d->len = 0;
    d->remaining = 0;
    d->zero_pending = 0;
    d->frame_start = d->stats.bytes;
}

void rp_deframer_init(rp_deframer_t *d, uint8_t *buf, size_t cap)
{
    *d = (rp_deframer_t){ .buf = buf, .cap = buf != NULL ? cap : 0 };
}

/* The count in stats of a result other than RP_DEFRAME_NONE: the first five
 * counts are in the order of the results they count. */
_Static_assert(offsetof(rp_deframer_stats_t, frames) == 0 &&
                   offsetof(rp_deframer_stats_t, crc_errors) == 1 * sizeof(rp_deframer_count_t) &&
                   offsetof(rp_deframer_stats_t, cobs_errors) == 2 * sizeof(rp_deframer_count_t) &&
                   offsetof(rp_deframer_stats_t, oversize) == 3 * sizeof(rp_deframer_count_t) &&
                   offsetof(rp_deframer_stats_t, short_frames) == 4 * sizeof(rp_deframer_count_t) &&
                   RP_DEFRAME_FRAME == 1 && RP_DEFRAME_ERR_CRC == 2 && RP_DEFRAME_ERR_COBS == 3 &&
                   RP_DEFRAME_ERR_OVERSIZE == 4 && RP_DEFRAME_ERR_SHORT == 5,
               "stats counts follow the result codes");
#define prv_count(stats, res)                                                      \
    (*(rp_deframer_count_t *)(void *)((uint8_t *)(stats) +                         \
                                      ((res) - 1u) * sizeof(rp_deframer_count_t)))

/* A delimiter closed the current frame: judge it. Out of line on hosts,
 * which deframe the whole capture stream: rp_deframer_feed then saves no
 * registers for it on every other byte (a third fewer instructions per
 * byte). Small builds only deframe the host's few commands: inline there,
 * 20 bytes less flash. */
#if defined(__GNUC__) && !RP_CONFIG_SMALL
__attribute__((noinline))
#endif
static rp_deframe_result_t prv_end_frame(rp_deframer_t *d)
{
    rp_deframe_result_t res;
    if (d->len > d->cap) {
        res = RP_DEFRAME_ERR_OVERSIZE;
    } else if (d->remaining != 0) {
        /* The frame ended inside a block: a byte was lost or forged. */
        res = RP_DEFRAME_ERR_COBS;
    } else if (d->len < RP_FRAME_CRC_LEN) {
        res = RP_DEFRAME_ERR_SHORT;
    } else {
        size_t n = d->len - RP_FRAME_CRC_LEN;
        const uint8_t *t = d->buf + n;
        uint32_t want = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                        (uint32_t)t[3] << 24;
        res = RP_DEFRAME_ERR_CRC;
        /* Not rp_crc32: the firmware then links no copy of that wrapper. */
        if (rp_crc32_final(rp_crc32_update(RP_CRC32_INIT, d->buf, n)) == want) {
            res = RP_DEFRAME_FRAME;
            d->payload_len = n;
        }
    }
    rp_deframer_count_t bytes = d->stats.bytes - d->frame_start; /* with the delimiter */
    if (bytes == 1u) {
        /* A lone delimiter (a boot's first byte, or back-to-back ones): an
         * empty frame, neither an error nor garbage. */
        res = RP_DEFRAME_NONE;
        d->stats.empty_frames++;
    } else {
        /* The count of each result: the result's place among the stats. */
        prv_count(&d->stats, res)++;
        if (res != RP_DEFRAME_FRAME) {
            d->stats.discarded_bytes += bytes;
        }
    }
    prv_reset(d);
    return res;
}

rp_deframe_result_t rp_deframer_feed(rp_deframer_t *d, uint8_t byte)
{
    d->stats.bytes++;
    if (byte == 0x00) {
        return prv_end_frame(d);
    }
    size_t stored = 1; /* decoded bytes this one stands for */
    unsigned remaining = d->remaining;
    if (remaining == 0) {
        /* A code byte: byte - 1 data bytes follow. The previous block's
         * zero is data only now that the frame goes on: it is stored in
         * this byte's place, or nothing is. */
        stored = d->zero_pending;
        d->zero_pending = byte != 0xFFu;
        remaining = byte;
        byte = 0x00;
    }
    d->remaining = (uint8_t)(remaining - 1u);
    /* Past the buffer the bytes are only counted: len > cap marks the
     * frame oversize until its delimiter. */
    if (d->len < d->cap) {
        d->buf[d->len] = byte;
    }
    d->len += stored;
    return RP_DEFRAME_NONE;
}
