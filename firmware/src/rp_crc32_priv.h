/* CRC-32 internals shared by rp_crc32.c, the framing (rp_frame.c) and the
 * tests: the carry-less multiply path of x86-64 hosts and its constants.
 *
 * On x86-64 (GCC or clang, not RP_CONFIG_SMALL) rp_crc32_update folds
 * buffers of RP_CRC32_CLMUL_MIN bytes or more with PCLMULQDQ when the CPU
 * has it and SSE4.1 (checked once, at first use); every other build, and
 * CPUs without them, keep the table path alone. Both give the same CRC. */
#ifndef RP_CRC32_PRIV_H
#define RP_CRC32_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !RP_CONFIG_SMALL
#define RP_CRC32_CLMUL 1
#else
#define RP_CRC32_CLMUL 0
#endif

/* Shortest buffer folded with PCLMULQDQ: the folding reads whole 16-byte
 * blocks (the last one overlapping the one before), and from 16 bytes on
 * it already takes fewer instructions than the tables (rp_crc32.c). */
#define RP_CRC32_CLMUL_MIN 16u

/* Folding and reduction constants, P being the CRC polynomial
 * x^32 + x^26 + ... + 1 (0x104C11DB7): x^n mod P bit-reflected into 32
 * bits (bit 31 holds x^0, as the CRC register does). rp_crc32.c says what
 * each one multiplies; tests/unit/test_crc32.cpp recomputes every one by
 * polynomial arithmetic (that test is their generator). */
#define RP_CRC32_X575 0x653D9822u /* fold by 512 bits, a lane's first qword */
#define RP_CRC32_X511 0xCAD38E8Fu /* fold by 512 bits, a lane's second qword */
#define RP_CRC32_X191 0x65673B46u /* fold by 128 bits, first qword */
#define RP_CRC32_X127 0x9BA54C6Fu /* fold by 128 bits, second qword */
#define RP_CRC32_X95 0xCCAA009Eu  /* 128 -> 96 bits, times x^32 */
#define RP_CRC32_X63 0xB8BC6765u  /* 96 -> 64 bits */
/* Barrett reduction from 64 to 32 bits, reflected into 33 bits (bit 32
 * holds x^0): floor(x^64 / P), and P itself. */
#define RP_CRC32_MU 0x1F7011641ull
#define RP_CRC32_P33 0x1DB710641ull

#if RP_CRC32_CLMUL
/* True when rp_crc32_update folds a buffer of len bytes with PCLMULQDQ:
 * len >= RP_CRC32_CLMUL_MIN, the CPU has PCLMULQDQ and SSE4.1, and the
 * test hook below has not forced the tables. The framing asks it to choose
 * between a CRC pass then a COBS pass, and its fused CRC + COBS pass. */
bool rp_crc32_fast(size_t len);

/* Test hook: true forces the table path everywhere (rp_crc32_fast then
 * says false), false returns to the CPU check. Not for use while other
 * threads compute CRCs. */
void rp_crc32_force_portable(bool on);

/* The folding itself: the register state after data[0..len) from state,
 * as rp_crc32_update. len >= RP_CRC32_CLMUL_MIN, and only when
 * rp_crc32_fast(len) said true (the CPU has the instructions). */
uint32_t rp_crc32_clmul_update(uint32_t state, const uint8_t *data, size_t len);
#else
static inline bool rp_crc32_fast(size_t len)
{
    (void)len;
    return false;
}

static inline void rp_crc32_force_portable(bool on) { (void)on; }
#endif

#ifdef __cplusplus
}
#endif
#endif
