// CRC-32 of RP_CONFIG_SMALL builds, with the table RP_CONFIG_CRC_BITS
// picks (small_config.cmake builds this suite once per setting), against a
// bitwise reference: the same values as the sliced build, so frames do not
// change.
#include <cstdint>
#include <random>
#include <vector>

#include "rramprof/rp_crc32.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

#if !RP_CONFIG_SMALL
#error "this suite is built with RP_CONFIG_SMALL=1"
#endif
// The setting small_config.cmake asked for must be the one compiled in
// (and the library's table, named per setting below, must link).
#if !defined(RP_TEST_CRC_BITS) || RP_CONFIG_CRC_BITS != RP_TEST_CRC_BITS
#error "RP_CONFIG_CRC_BITS is not the setting this suite was built for"
#endif

namespace {

// The register after shifting `bits` bits of v through, no initial value.
uint32_t bitwise_steps(uint32_t v, unsigned bits)
{
    for (unsigned k = 0; k < bits; k++) {
        v = (v & 1u) ? (v >> 1) ^ 0xEDB88320u : v >> 1;
    }
    return v;
}

uint32_t bitwise_crc(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c = bitwise_steps(c ^ p[i], 8);
    }
    return c ^ 0xFFFFFFFFu;
}

std::vector<uint8_t> random_buffer(std::mt19937 &rng, size_t n)
{
    std::vector<uint8_t> b(n);
    for (auto &x : b) {
        x = (uint8_t)rng();
    }
    return b;
}

}  // namespace

TEST_GROUP(crc32_small){};

TEST(crc32_small, table_matches_bitwise_reference)
{
#if RP_CONFIG_CRC_BITS == 4
    for (uint32_t i = 0; i < 16; i++) {
        UNSIGNED_LONGS_EQUAL(bitwise_steps(i, 4), rp_crc32_nibble[i]);
    }
#else
    for (uint32_t i = 0; i < 256; i++) {
        UNSIGNED_LONGS_EQUAL(bitwise_steps(i, 8), rp_crc32_table[i]);
    }
#endif
}

TEST(crc32_small, check_value)
{
    UNSIGNED_LONGS_EQUAL(0xCBF43926u, rp_crc32("123456789", 9));
    UNSIGNED_LONGS_EQUAL(0u, rp_crc32("", 0));
    UNSIGNED_LONGS_EQUAL(0x414FA339u, rp_crc32("The quick brown fox jumps over the lazy dog", 43));
}

TEST(crc32_small, byte_step_matches_bitwise_reference)
{
    std::mt19937 rng(3);
    for (int i = 0; i < 20000; i++) {
        uint32_t state = rng();
        uint8_t b = (uint8_t)rng();
        UNSIGNED_LONGS_EQUAL(bitwise_steps(state ^ b, 8), rp_crc32_byte(state, b));
    }
}

TEST(crc32_small, word_step_equals_four_byte_steps)
{
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; i++) {
        uint32_t state = rng();
        uint32_t v = rng();
        if (i % 4 == 1) {
            v &= 0x00FF00FFu;  // zero bytes too
        }
        UNSIGNED_LONGS_EQUAL(bitwise_steps(state ^ v, 32), rp_crc32_word(state, v));
        uint32_t bytewise = state;
        for (int b = 0; b < 4; b++) {
            bytewise = rp_crc32_byte(bytewise, (uint8_t)(v >> (8 * b)));
        }
        UNSIGNED_LONGS_EQUAL(bytewise, rp_crc32_word(state, v));
    }
}

TEST(crc32_small, every_length_and_alignment_matches_reference)
{
    // The word loop and its byte tail: every length to past a full frame
    // (frames carry 100-1000 bytes) at every start alignment of a word.
    std::mt19937 rng(11);
    std::vector<uint8_t> buf = random_buffer(rng, 1100 + 8);
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len <= 1100; len++) {
            UNSIGNED_LONGS_EQUAL(bitwise_crc(&buf[off], len), rp_crc32(&buf[off], len));
        }
    }
}

TEST(crc32_small, uniform_buffers_match_reference)
{
    // All-zero and all-one data, where a wrong table entry or a nibble
    // taken in the wrong order cannot hide behind random bytes.
    for (uint8_t fill : { 0x00, 0xFF, 0x01, 0x80, 0x0F, 0xF0 }) {
        std::vector<uint8_t> buf(300, fill);
        for (size_t len = 0; len <= buf.size(); len++) {
            UNSIGNED_LONGS_EQUAL(bitwise_crc(buf.data(), len), rp_crc32(buf.data(), len));
        }
    }
}

TEST(crc32_small, incremental_equals_whole)
{
    std::mt19937 rng(99);
    std::vector<uint8_t> buf = random_buffer(rng, 700);
    uint32_t whole = bitwise_crc(buf.data(), buf.size());
    for (int round = 0; round < 100; round++) {
        uint32_t st = RP_CRC32_INIT;
        size_t pos = 0;
        while (pos < buf.size()) {
            size_t chunk = rng() % 64;
            if (chunk > buf.size() - pos) {
                chunk = buf.size() - pos;
            }
            st = rp_crc32_update(st, buf.data() + pos, chunk);
            pos += chunk;
        }
        UNSIGNED_LONGS_EQUAL(whole, rp_crc32_final(st));
    }
}

TEST(crc32_small, detects_every_single_bit_flip)
{
    uint8_t buf[64];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 37u + 11u);
    }
    uint32_t good = rp_crc32(buf, sizeof(buf));
    for (size_t bit = 0; bit < sizeof(buf) * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(rp_crc32(buf, sizeof(buf)) != good);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}
