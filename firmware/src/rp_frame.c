/* COBS framing with a CRC-32 trailer, shared by firmware and host.
 *
 * COBS (consistent overhead byte stuffing): the body is cut at every zero
 * into blocks; each block is sent as one code byte c (1..255) followed by
 * c-1 non-zero data bytes, and every block with c < 255 stands for its data
 * followed by one zero. The zero implied by the last block of a frame is not
 * data. Blocks of 254 data bytes (c = 255) imply no zero, which bounds the
 * overhead to one byte per 254. */
#include "rramprof/rp_frame.h"

#include <string.h>

#include "rramprof/rp_crc32.h"

/* ---- encoder ---- */

/* Encoder state: the open block's code byte and the next output byte.
 * Kept in locals by the callers: stores through uint8_t pointers may alias
 * anything, so state reached through a pointer is reloaded per byte. */
typedef struct prv_cobs {
    uint8_t *code; /* where the open block's code byte goes */
    uint8_t *o;    /* next output byte */
} prv_cobs_t;

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
 * so that the marks of prv_zero_bytes come out in memory order. */
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

/* Index of the lowest marked byte of a non-zero prv_zero_bytes result. */
static inline size_t prv_lowest_mark(uint64_t marks)
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

/* Word at a time: the eight bytes are copied as they are, zeros included,
 * and each zero copied becomes the open block's code byte placeholder once
 * the previous placeholder is given its distance. A word costs about as
 * much as two bytes of the byte path, and a zero a few instructions more.
 * A word is taken this way while the open block has room for all of it
 * (at most 245 data bytes so far, o - code <= 246); a block that might
 * reach 254 data bytes within the next word takes the byte path for that
 * word, which closes it at the right byte. */
static prv_cobs_t prv_cobs_bytes(prv_cobs_t c, const uint8_t *in, size_t len)
{
    const uint8_t *end = in + len;
    uint8_t *o = c.o;
    uint8_t *code = c.code;
    while ((size_t)(end - in) >= 8u) {
        const uint8_t *last = end - 8; /* the last word starts here */
        /* Where o stops the word path: from there the next word might fill
         * the block. An address, as it may lie past the buffer. */
        uintptr_t full = (uintptr_t)code + (0xFF - 8);
        while (in <= last && (uintptr_t)o < full) {
            uint64_t zeros = prv_zero_bytes(prv_load_le64(in));
            memcpy(o, in, 8);
            while (zeros != 0) {
                uint8_t *z = o + prv_lowest_mark(zeros);
                *code = (uint8_t)(z - code);
                code = z;
                full = (uintptr_t)z + (0xFF - 8);
                zeros &= zeros - 1u;
            }
            o += 8;
            in += 8;
        }
        if (in > last) {
            break;
        }
        /* The block might fill within the next word. */
        for (unsigned k = 0; k < 8u; k++) {
            prv_cobs_t t = prv_cobs_byte((prv_cobs_t){ .code = code, .o = o }, in[k]);
            code = t.code;
            o = t.o;
        }
        in += 8;
    }
    while (in < end) {
        prv_cobs_t t = prv_cobs_byte((prv_cobs_t){ .code = code, .o = o }, *in++);
        code = t.code;
        o = t.o;
    }
    return (prv_cobs_t){ .code = code, .o = o };
}

size_t rp_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t out_cap)
{
    if (out == NULL || (payload == NULL && len > 0) || out_cap < RP_FRAME_ENCODED_MAX(len)) {
        return 0;
    }
    /* Two fast passes (sliced CRC, word-wise COBS) take less than half the
     * instructions of one fused byte-at-a-time loop (callgrind, x86-64). */
    uint32_t crc = rp_crc32(payload, len);
    prv_cobs_t c = prv_cobs_bytes((prv_cobs_t){ .code = out, .o = out + 1 }, payload, len);
    for (unsigned k = 0; k < RP_FRAME_CRC_LEN; k++) {
        c = prv_cobs_byte(c, (uint8_t)(crc >> (8u * k))); /* little-endian */
    }
    *c.code = (uint8_t)(c.o - c.code);
    *c.o++ = 0x00; /* delimiter */
    return (size_t)(c.o - out);
}

/* ---- deframer ---- */

static void prv_reset(rp_deframer_t *d)
{
    d->len = 0;
    d->code = 0;
    d->remaining = 0;
    d->overflow = 0;
    d->started = 0;
    d->raw_len = 0;
}

void rp_deframer_init(rp_deframer_t *d, uint8_t *buf, size_t cap)
{
    d->buf = buf;
    d->cap = buf != NULL ? cap : 0;
    d->payload_len = 0;
    d->stats = (rp_deframer_stats_t){ 0 };
    prv_reset(d);
}

/* A delimiter closed the current frame: judge it. */
static rp_deframe_result_t prv_end_frame(rp_deframer_t *d)
{
    rp_deframe_result_t res;
    if (!d->started) {
        /* Back-to-back delimiters: an empty frame, not an error. The byte
         * still belongs to no good frame. */
        d->stats.discarded_bytes++;
        return RP_DEFRAME_NONE;
    }
    if (d->overflow) {
        d->stats.oversize++;
        res = RP_DEFRAME_ERR_OVERSIZE;
    } else if (d->remaining != 0) {
        /* The frame ended inside a block: a byte was lost or forged. */
        d->stats.cobs_errors++;
        res = RP_DEFRAME_ERR_COBS;
    } else if (d->len < RP_FRAME_CRC_LEN) {
        d->stats.short_frames++;
        res = RP_DEFRAME_ERR_SHORT;
    } else {
        size_t n = d->len - RP_FRAME_CRC_LEN;
        const uint8_t *t = d->buf + n;
        uint32_t want = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                        (uint32_t)t[3] << 24;
        if (rp_crc32(d->buf, n) == want) {
            d->stats.frames++;
            d->payload_len = n;
            prv_reset(d);
            return RP_DEFRAME_FRAME;
        }
        d->stats.crc_errors++;
        res = RP_DEFRAME_ERR_CRC;
    }
    d->stats.discarded_bytes += d->raw_len + 1u; /* + the delimiter */
    prv_reset(d);
    return res;
}

static inline void prv_store(rp_deframer_t *d, uint8_t b)
{
    if (d->len < d->cap) {
        d->buf[d->len++] = b;
    } else {
        d->overflow = 1;
    }
}

rp_deframe_result_t rp_deframer_feed(rp_deframer_t *d, uint8_t byte)
{
    d->stats.bytes++;
    if (byte == 0x00) {
        return prv_end_frame(d);
    }
    d->raw_len++;
    if (d->overflow) {
        return RP_DEFRAME_NONE; /* skip to the delimiter */
    }
    if (d->remaining == 0) {
        /* A code byte. The previous block's zero is data only now that we
         * know the frame goes on. */
        if (d->started && d->code != 0xFFu) {
            prv_store(d, 0x00);
        }
        d->started = 1;
        d->code = byte;
        d->remaining = (uint8_t)(byte - 1u);
    } else {
        prv_store(d, byte);
        d->remaining--;
    }
    return RP_DEFRAME_NONE;
}
