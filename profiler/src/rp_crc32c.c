/* CRC-32C (Castagnoli) for capture files.
 *
 * Why not the link's CRC-32 (rp_crc32.h): replaying a capture checks every
 * byte once, and at ~2 GB/s the table-driven CRC-32 was a fifth of the
 * replay time. x86-64 (SSE 4.2) and AArch64 (CRC extension) compute
 * CRC-32C in hardware, several times faster; other hosts use tables. The
 * link keeps CRC-32: small MCUs have neither instruction. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <string.h>

#include "rramprof/rp_capture.h"

#define PRV_POLY 0x82F63B78u   /* reflected Castagnoli polynomial */

static uint32_t prv_table[8][256];
static uint32_t (*prv_impl)(uint32_t crc, const uint8_t *p, size_t n);
static pthread_once_t prv_once = PTHREAD_ONCE_INIT;

/* Slicing-by-8 in software: eight bytes per step through eight tables. */
static uint32_t prv_sw(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint32_t lo = ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                       (uint32_t)p[3] << 24) ^ crc;
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                      (uint32_t)p[7] << 24;
        crc = prv_table[7][lo & 0xFFu] ^ prv_table[6][(lo >> 8) & 0xFFu] ^
              prv_table[5][(lo >> 16) & 0xFFu] ^ prv_table[4][lo >> 24] ^
              prv_table[3][hi & 0xFFu] ^ prv_table[2][(hi >> 8) & 0xFFu] ^
              prv_table[1][(hi >> 16) & 0xFFu] ^ prv_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n-- > 0) {
        crc = prv_table[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    }
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define PRV_HAVE_HW 1
__attribute__((target("sse4.2"))) static uint32_t prv_hw(uint32_t crc, const uint8_t *p, size_t n)
{
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);   /* x86 is little-endian, as the CRC wants */
        c = _mm_crc32_u64(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n-- > 0) {
        c32 = _mm_crc32_u8(c32, *p++);
    }
    return c32;
}
static int prv_hw_ok(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#define PRV_HAVE_HW 1
static uint32_t prv_hw(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        crc = __crc32cd(crc, v);
        p += 8;
        n -= 8;
    }
    while (n-- > 0) {
        crc = __crc32cb(crc, *p++);
    }
    return crc;
}
static int prv_hw_ok(void) { return 1; }   /* the compiler was told the CPU has it */
#endif

static void prv_init(void)
{
    for (uint32_t i = 0; i < 256u; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (PRV_POLY & (0u - (c & 1u)));
        }
        prv_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256u; i++) {
        for (int t = 1; t < 8; t++) {
            uint32_t c = prv_table[t - 1][i];
            prv_table[t][i] = prv_table[0][c & 0xFFu] ^ (c >> 8);
        }
    }
    prv_impl = prv_sw;
#ifdef PRV_HAVE_HW
    if (prv_hw_ok()) {
        prv_impl = prv_hw;
    }
#endif
}

uint32_t rp_capture_crc32c(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&prv_once, prv_init);
    return ~prv_impl(~crc, (const uint8_t *)data, len);
}

uint32_t rp_capture_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&prv_once, prv_init);
    return ~prv_sw(~crc, (const uint8_t *)data, len);
}
