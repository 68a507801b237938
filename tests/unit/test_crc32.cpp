// CRC-32: the generated table and the byte-wise algorithm against a plain
// bit-at-a-time reference, plus the published check value.
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "rramprof/rp_crc32.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_record.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

namespace {

// Bitwise CRC-32 IEEE, straight from the definition.
uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
    }
    return c ^ 0xFFFFFFFFu;
}

}  // namespace

TEST_GROUP(crc32){};

TEST(crc32, table_matches_bitwise_reference)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
        UNSIGNED_LONGS_EQUAL(c, rp_crc32_table[i]);
    }
}

TEST(crc32, slice_tables_match_bitwise_reference)
{
    // rp_crc32_slice[k][i]: the register after byte i and k + 1 zero bytes,
    // with no initial value: 8 * (k + 2) rounds from i.
    for (uint32_t k = 0; k < 3; k++) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (uint32_t round = 0; round < 8 * (k + 2); round++) {
                c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
            }
            UNSIGNED_LONGS_EQUAL(c, rp_crc32_slice[k][i]);
        }
    }
}

TEST(crc32, word_step_equals_four_byte_steps)
{
    std::mt19937 rng(5);
    for (int round = 0; round < 20000; round++) {
        uint32_t state = (uint32_t)rng();
        uint32_t v = (uint32_t)rng();
        if (round % 4 == 1) {
            v &= 0x00FF00FFu;  // zero bytes too
        }
        uint32_t bytewise = state;
        for (unsigned b = 0; b < 4; b++) {
            bytewise = rp_crc32_byte(bytewise, (uint8_t)(v >> (8 * b)));
        }
        UNSIGNED_LONGS_EQUAL(bytewise, rp_crc32_word(state, v));
    }
}

TEST(crc32, check_value)
{
    UNSIGNED_LONGS_EQUAL(0xCBF43926u, rp_crc32("123456789", 9));
}

TEST(crc32, empty_is_zero)
{
    UNSIGNED_LONGS_EQUAL(0u, rp_crc32("", 0));
    UNSIGNED_LONGS_EQUAL(0u, rp_crc32_final(rp_crc32_update(RP_CRC32_INIT, nullptr, 0)));
}

TEST(crc32, known_vectors)
{
    const uint8_t zeros[4] = { 0, 0, 0, 0 };
    UNSIGNED_LONGS_EQUAL(0x2144DF1Cu, rp_crc32(zeros, 4));
    UNSIGNED_LONGS_EQUAL(0x414FA339u, rp_crc32("The quick brown fox jumps over the lazy dog", 43));
}

TEST(crc32, random_buffers_match_reference)
{
    std::mt19937 rng(1234);
    std::vector<uint8_t> buf(2000);
    for (int round = 0; round < 200; round++) {
        size_t n = rng() % buf.size();
        for (size_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)rng();
        }
        UNSIGNED_LONGS_EQUAL(ref_crc32(buf.data(), n), rp_crc32(buf.data(), n));
    }
}

TEST(crc32, every_length_and_alignment_matches_reference)
{
    // The sliced loop takes eight bytes per turn and the tail byte by byte:
    // cover every tail length at every start alignment.
    uint8_t buf[96];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 151u + 7u);
    }
    for (size_t off = 0; off < 8; off++) {
        for (size_t n = 0; n + off <= sizeof(buf); n++) {
            UNSIGNED_LONGS_EQUAL(ref_crc32(buf + off, n), rp_crc32(buf + off, n));
        }
    }
}

TEST(crc32, incremental_equals_whole)
{
    std::mt19937 rng(99);
    std::vector<uint8_t> buf(700);
    for (auto &b : buf) {
        b = (uint8_t)rng();
    }
    uint32_t whole = rp_crc32(buf.data(), buf.size());
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
    // The single-byte helper is the same step.
    uint32_t st = RP_CRC32_INIT;
    for (uint8_t b : buf) {
        st = rp_crc32_byte(st, b);
    }
    UNSIGNED_LONGS_EQUAL(whole, rp_crc32_final(st));
}

TEST(crc32, detects_every_single_bit_flip)
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

// rp_status.c lives in the same small library; its two lookups are tested
// here rather than in a suite of their own.
TEST_GROUP(status){};

TEST(status, every_error_has_its_own_string)
{
    STRCMP_EQUAL("ok", rp_err_str(RP_OK));
    STRCMP_EQUAL("malformed input", rp_err_str(RP_ERR_MALFORMED));
    STRCMP_EQUAL("checksum mismatch", rp_err_str(RP_ERR_CRC));
    STRCMP_EQUAL("unknown error", rp_err_str(42));
    STRCMP_EQUAL("unknown error", rp_err_str(-12));
    const char *seen[12];
    for (int e = 0; e >= RP_ERR_UNSUPPORTED; e--) {
        const char *s = rp_err_str(e);
        CHECK(s != nullptr);
        CHECK(strcmp(s, "unknown error") != 0);
        for (int k = 0; k < -e; k++) {
            CHECK(strcmp(seen[k], s) != 0);
        }
        seen[-e] = s;
    }
}

TEST(status, op_names)
{
    STRCMP_EQUAL("NONE", rp_op_name(RP_OP_NONE));
    STRCMP_EQUAL("WRITE", rp_op_name(RP_OP_WRITE));
    STRCMP_EQUAL("VERIFY", rp_op_name(RP_OP_VERIFY));
    STRCMP_EQUAL("READ", rp_op_name(RP_OP_READ));
    STRCMP_EQUAL("MVM", rp_op_name(RP_OP_MVM));
    STRCMP_EQUAL("TRANSFER", rp_op_name(RP_OP_TRANSFER));
    STRCMP_EQUAL("SPAN", rp_op_name(RP_OP_SPAN));
    STRCMP_EQUAL("COMPUTE", rp_op_name(RP_OP_COMPUTE));
    STRCMP_EQUAL("?", rp_op_name(RP_OP_COUNT));
    STRCMP_EQUAL("?", rp_op_name(0xFFFFFFFFu));
}
