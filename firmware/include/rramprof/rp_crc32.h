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

/* Table lookup for callers that fuse the CRC into another byte loop. */
extern const uint32_t rp_crc32_table[256];
static inline uint32_t rp_crc32_byte(uint32_t state, uint8_t b)
{
    return rp_crc32_table[(state ^ b) & 0xFFu] ^ (state >> 8);
}

#if RP_CONFIG_SMALL
/* Small builds: a word is four byte steps through the one table. Forced
 * inline: at -Os GCC otherwise makes it a call per word in the framing. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint32_t rp_crc32_word(uint32_t state, uint32_t v)
{
    /* The four bytes enter the register at once; each step then shifts one
     * out through the table (three instructions a byte on a Cortex-M4). */
    uint32_t x = state ^ v;
    x = rp_crc32_table[x & 0xFFu] ^ (x >> 8);
    x = rp_crc32_table[x & 0xFFu] ^ (x >> 8);
    x = rp_crc32_table[x & 0xFFu] ^ (x >> 8);
    return rp_crc32_table[x & 0xFFu] ^ (x >> 8);
}
#else
/* Slicing-by-4 tables: rp_crc32_slice[k][i] is the register after byte i
 * followed by k+1 zero bytes (rp_crc32_table is the same without them). */
extern const uint32_t rp_crc32_slice[3][256];

/* Four bytes in one step; v holds them in memory order, the first byte in
 * its low eight bits. Inline for callers that fuse the CRC into their own
 * word loop (the framing's COBS pass): each word is loaded once. */
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
