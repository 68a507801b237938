// CRC-32: the generated table and the byte-wise algorithm against a plain
// bit-at-a-time reference, plus the published check value; on x86-64 the
// carry-less multiply path against the tables, its constants recomputed,
// and its dispatch.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "rramprof/rp_crc32.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_record.h"
#include "../../firmware/src/rp_crc32_priv.h"

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

// x^n mod P, bit-reflected into 32 bits (bit 31 holds x^0, as in the CRC
// register): the reflected 1 multiplied by x n times, each x^32 that
// appears replaced by P - x^32 (0xEDB88320 reflected).
uint32_t xn_mod_p(unsigned n)
{
    uint32_t r = 0x80000000u;
    for (unsigned i = 0; i < n; i++) {
        r = (r & 1u) ? (r >> 1) ^ 0xEDB88320u : r >> 1;
    }
    return r;
}

// The low `bits` bits of v in reverse order.
uint64_t reflect(uint64_t v, unsigned bits)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; i++) {
        r |= ((v >> i) & 1u) << (bits - 1 - i);
    }
    return r;
}

// floor(x^64 / P) by long division, bit k holding x^k (degree 32).
uint64_t x64_div_p()
{
    const unsigned __int128 p = 0x104C11DB7u;
    unsigned __int128 rem = (unsigned __int128)1 << 64;
    uint64_t q = 0;
    for (int d = 64; d >= 32; d--) {
        if ((rem >> d) & 1u) {
            q |= 1ull << (d - 32);
            rem ^= p << (d - 32);
        }
    }
    return q;
}

// What the dispatch must find, asked of the CPU directly (not through
// __builtin_cpu_supports, which the code under test uses).
bool cpu_can_fold()
{
#if RP_CRC32_CLMUL
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d) == 0) {
        return false;
    }
    return (c & bit_PCLMUL) != 0 && (c & bit_SSE4_1) != 0;
#else
    return false;
#endif
}

// The register state after buf from state, through the tables only.
uint32_t table_update(uint32_t state, const uint8_t *p, size_t n)
{
    rp_crc32_force_portable(true);
    uint32_t r = rp_crc32_update(state, p, n);
    rp_crc32_force_portable(false);
    return r;
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

// The carry-less multiply path (x86-64 with PCLMULQDQ); on other builds
// and CPUs these tests check that the tables are used and still right.
TEST_GROUP(crc32_clmul)
{
    void teardown() override { rp_crc32_force_portable(false); }
};

TEST(crc32_clmul, folding_constants_are_x_to_the_n_mod_p)
{
    // The generator of the constants in rp_crc32_priv.h.
    UNSIGNED_LONGS_EQUAL(xn_mod_p(575), RP_CRC32_X575);
    UNSIGNED_LONGS_EQUAL(xn_mod_p(511), RP_CRC32_X511);
    UNSIGNED_LONGS_EQUAL(xn_mod_p(191), RP_CRC32_X191);
    UNSIGNED_LONGS_EQUAL(xn_mod_p(127), RP_CRC32_X127);
    UNSIGNED_LONGS_EQUAL(xn_mod_p(95), RP_CRC32_X95);
    UNSIGNED_LONGS_EQUAL(xn_mod_p(63), RP_CRC32_X63);
    // The stepping itself: x^32 mod P is P without its top bit, and the
    // table entry for 0x01 is x^(7+32) mod P.
    UNSIGNED_LONGS_EQUAL(0xEDB88320u, xn_mod_p(32));
    UNSIGNED_LONGS_EQUAL(rp_crc32_table[0x80], xn_mod_p(32));
    UNSIGNED_LONGS_EQUAL(rp_crc32_table[0x01], xn_mod_p(39));
}

TEST(crc32_clmul, barrett_constants)
{
    // mu * P = x^64 + a remainder of degree < 32 (carry-less product).
    uint64_t mu = x64_div_p();
    unsigned __int128 prod = 0;
    for (unsigned i = 0; i <= 32; i++) {
        if ((mu >> i) & 1u) {
            prod ^= (unsigned __int128)0x104C11DB7u << i;
        }
    }
    CHECK(((prod ^ ((unsigned __int128)1 << 64)) >> 32) == 0);
    CHECK(reflect(mu, 33) == RP_CRC32_MU);
    CHECK(reflect(0x104C11DB7ull, 33) == RP_CRC32_P33);
}

TEST(crc32_clmul, dispatch_takes_the_folding_where_the_cpu_has_it)
{
    // Fails if the dispatch fell back to the tables on a CPU that can fold
    // (or folded on one that cannot).
    bool can = cpu_can_fold();
    CHECK_EQUAL(can, rp_crc32_fast(RP_CRC32_CLMUL_MIN));
    CHECK_EQUAL(can, rp_crc32_fast(1100));
    CHECK_FALSE(rp_crc32_fast(RP_CRC32_CLMUL_MIN - 1));
    rp_crc32_force_portable(true);
    CHECK_FALSE(rp_crc32_fast(1100));
    rp_crc32_force_portable(false);
    CHECK_EQUAL(can, rp_crc32_fast(1100));
}

TEST(crc32_clmul, equals_tables_every_length_and_alignment)
{
    std::mt19937 rng(31);
    std::vector<uint8_t> buf = random_buffer(rng, 1100 + 16);
    for (size_t off = 0; off < 16; off++) {
        for (size_t n = 0; n <= 1100; n++) {
            uint32_t state = (uint32_t)rng();
            uint32_t want = table_update(state, buf.data() + off, n);
            UNSIGNED_LONGS_EQUAL(want, rp_crc32_update(state, buf.data() + off, n));
            if (rp_crc32_fast(n)) {
                UNSIGNED_LONGS_EQUAL(want, rp_crc32_clmul_update(state, buf.data() + off, n));
            }
        }
    }
    // And against the bitwise definition, at one alignment.
    for (size_t n = 0; n <= 1100; n += 7) {
        UNSIGNED_LONGS_EQUAL(ref_crc32(buf.data() + 3, n), rp_crc32(buf.data() + 3, n));
    }
}

TEST(crc32_clmul, zeros_and_ones_buffers)
{
    // All-zero and all-one blocks, where a folding slip (a constant in the
    // wrong half, a lane folded twice) cannot hide behind random data.
    for (uint8_t fill : { 0x00, 0xFF, 0x01, 0x80 }) {
        std::vector<uint8_t> buf(1100, fill);
        for (size_t n = 0; n <= buf.size(); n++) {
            UNSIGNED_LONGS_EQUAL(table_update(RP_CRC32_INIT, buf.data(), n),
                                 rp_crc32_update(RP_CRC32_INIT, buf.data(), n));
        }
    }
}

TEST(crc32_clmul, chained_pieces_equal_the_whole)
{
    // Pieces below and above RP_CRC32_CLMUL_MIN mix both paths in one
    // running state.
    std::mt19937 rng(77);
    std::vector<uint8_t> buf = random_buffer(rng, 3000);
    uint32_t whole = ref_crc32(buf.data(), buf.size());
    for (int round = 0; round < 300; round++) {
        uint32_t st = RP_CRC32_INIT;
        size_t pos = 0;
        while (pos < buf.size()) {
            size_t piece = rng() % (round % 2 ? 40 : 300);
            if (piece > buf.size() - pos) {
                piece = buf.size() - pos;
            }
            st = rp_crc32_update(st, buf.data() + pos, piece);
            pos += piece;
        }
        UNSIGNED_LONGS_EQUAL(whole, rp_crc32_final(st));
    }
}

TEST(crc32_clmul, dispatch_decided_by_many_threads_at_once)
{
    // The first use decides the path; threads racing on it must all get
    // right CRCs and leave the dispatch as the CPU allows.
    std::mt19937 rng(5);
    std::vector<uint8_t> buf = random_buffer(rng, 2048);
    std::vector<uint32_t> want(buf.size() + 1);
    for (size_t n = 0; n <= buf.size(); n += 61) {
        want[n] = ref_crc32(buf.data(), n);
    }
    rp_crc32_force_portable(false);  // back to "not decided yet"
    std::atomic<int> wrong{ 0 };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++) {
        threads.emplace_back([&buf, &want, &wrong]() {
            for (int round = 0; round < 20; round++) {
                for (size_t n = 0; n <= buf.size(); n += 61) {
                    if (rp_crc32(buf.data(), n) != want[n]) {
                        wrong++;
                    }
                }
            }
        });
    }
    for (auto &th : threads) {
        th.join();
    }
    LONGS_EQUAL(0, wrong.load());
    CHECK_EQUAL(cpu_can_fold(), rp_crc32_fast(1100));
}
