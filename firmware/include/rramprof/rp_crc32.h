/* CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and
 * final XOR 0xFFFFFFFF) as used by every rramprof frame.
 * rp_crc32(“123456789”, 9) == 0xCBF43926. */
#ifndef RP_CRC32_H
#define RP_CRC32_H

#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whole-buffer CRC. On x86-64 hosts whose CPU has PCLMULQDQ, buffers of
 * 16 bytes or more are folded with carry-less multiplication, checked once
 * at run time (rp_crc32.c); the result is the same on every path. */
uint32_t rp_crc32(const void *data, size_t len);

/* Incremental form: start with state = RP_CRC32_INIT, feed chunks, and
 * finish with rp_crc32_final(state). */
#define RP_CRC32_INIT 0xFFFFFFFFu
uint32_t rp_crc32_update(uint32_t state, const void *data, size_t len);
static inline uint32_t rp_crc32_final(uint32_t state) { return state ^ 0xFFFFFFFFu; }

#if RP_CONFIG_CRC_BITS != 4 && RP_CONFIG_CRC_BITS != 8
#error "RP_CONFIG_CRC_BITS must be 4 or 8"
#endif
#if !RP_CONFIG_SMALL && RP_CONFIG_CRC_BITS != 8
#error "RP_CONFIG_CRC_BITS 4 is for RP_CONFIG_SMALL builds; the others use the slicing tables"
#endif

/* rp_crc32_byte and rp_crc32_word: one byte, or four bytes of v in memory
 * order (the first in its low eight bits), into the register, inline for
 * callers that fuse the CRC into their own loop (the framing's COBS pass
 * loads each word once). */
#if RP_CONFIG_CRC_BITS == 8
/* The register after shifting byte i through: 1 KiB. */
extern const uint32_t rp_crc32_table[256];
static inline uint32_t rp_crc32_byte(uint32_t state, uint8_t b)
{
    return rp_crc32_table[(state ^ b) & 0xFFu] ^ (state >> 8);
}
#else
/* The register after shifting the four bits of i through: 64 bytes, two
 * lookups per byte (rp_crc32_nibble[i] is rp_crc32_table[i << 4]). */
extern const uint32_t rp_crc32_nibble[16];
static inline uint32_t rp_crc32_byte(uint32_t state, uint8_t b)
{
    uint32_t x = state ^ b;
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    return rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
}
#endif

#if RP_CONFIG_SMALL
/* Small builds: the four bytes enter the register at once; each step then
 * shifts four or eight bits out through the one table (three instructions
 * a step on a Cortex-M4). Forced inline: at -Os GCC otherwise makes it a
 * call per word in the framing. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint32_t rp_crc32_word(uint32_t state, uint32_t v)
{
    uint32_t x = state ^ v;
#if RP_CONFIG_CRC_BITS == 8
    x = rp_crc32_table[x & 0xFFu] ^ (x >> 8);
    x = rp_crc32_table[x & 0xFFu] ^ (x >> 8);
    x = rp_crc32_table[x & 0xFFu] ^ (x >> 8);
    return rp_crc32_table[x & 0xFFu] ^ (x >> 8);
#else
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    x = rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
    return rp_crc32_nibble[x & 0xFu] ^ (x >> 4);
#endif
}
#else
/* Slicing-by-4 tables: rp_crc32_slice[k][i] is the register after byte i
 * followed by k+1 zero bytes (rp_crc32_table is the same without them). */
extern const uint32_t rp_crc32_slice[3][256];

/* Four bytes in one step. */
static inline uint32_t rp_crc32_word(uint32_t state, uint32_t v)
{
    uint32_t x = state ^ v;
    return rp_crc32_slice[2][x & 0xFFu] ^ rp_crc32_slice[1][(x >> 8) & 0xFFu] ^
           rp_crc32_slice[0][(x >> 16) & 0xFFu] ^ rp_crc32_table[x >> 24];
}
#endif

#ifdef __cplusplus
}
#endif
#endif
