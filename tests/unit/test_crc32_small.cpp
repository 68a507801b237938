// CRC-32 of RP_CONFIG_SMALL builds (byte table only), against a bitwise
// reference: the same values as the sliced build, so frames do not change.
#include <cstdint>
#include <random>
#include <vector>

#include "rramprof/rp_crc32.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

#if !RP_CONFIG_SMALL
#error "this suite is built with RP_CONFIG_SMALL=1"
#endif

namespace {

uint32_t bitwise_crc(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) {
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
    }
    return c ^ 0xFFFFFFFFu;
}

}  // namespace

TEST_GROUP(crc32_small){};

TEST(crc32_small, check_value)
{
    UNSIGNED_LONGS_EQUAL(0xCBF43926u, rp_crc32("123456789", 9));
}

TEST(crc32_small, word_step_equals_four_byte_steps)
{
    std::mt19937 rng(7);
    for (int i = 0; i < 1000; i++) {
        uint32_t state = rng();
        uint32_t v = rng();
        uint32_t bytewise = state;
        for (int b = 0; b < 4; b++) {
            bytewise = rp_crc32_byte(bytewise, (uint8_t)(v >> (8 * b)));
        }
        UNSIGNED_LONGS_EQUAL(bytewise, rp_crc32_word(state, v));
    }
}

TEST(crc32_small, every_length_and_alignment_matches_reference)
{
    std::mt19937 rng(11);
    std::vector<uint8_t> buf(300);
    for (auto &b : buf) {
        b = (uint8_t)rng();
    }
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len + off <= buf.size(); len += 1 + len / 16) {
            UNSIGNED_LONGS_EQUAL(bitwise_crc(&buf[off], len), rp_crc32(&buf[off], len));
        }
    }
}

TEST(crc32_small, incremental_equals_whole)
{
    std::vector<uint8_t> buf(97);
    for (size_t i = 0; i < buf.size(); i++) {
        buf[i] = (uint8_t)(i * 37u);
    }
    uint32_t st = RP_CRC32_INIT;
    st = rp_crc32_update(st, buf.data(), 13);
    st = rp_crc32_update(st, buf.data() + 13, buf.size() - 13);
    UNSIGNED_LONGS_EQUAL(rp_crc32(buf.data(), buf.size()), rp_crc32_final(st));
}
