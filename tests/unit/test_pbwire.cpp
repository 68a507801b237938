// Protobuf wire primitives: bounded writer and reader.
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "rramprof/rp_pbwire.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

namespace {

using Bytes = std::vector<uint8_t>;

Bytes written(const rp_pb_writer_t &w)
{
    return Bytes(w.buf, w.buf + w.len);
}

Bytes varint_bytes(uint64_t v)
{
    uint8_t buf[16];
    rp_pb_writer_t w;
    rp_pb_writer_init(&w, buf, sizeof(buf));
    rp_pb_put_varint(&w, v);
    CHECK(w.len <= w.cap);
    return written(w);
}

// A mix of everything the writer puts: 23 bytes in all.
void put_sample(rp_pb_writer_t *w)
{
    rp_pb_put_varint(w, (16u << 3) | RP_PB_I32);  // first two-byte key
    rp_pb_put_varint(w, UINT64_MAX);               // ten bytes
    rp_pb_put_byte(w, 0x00);
    rp_pb_put_byte(w, 0xFF);
    rp_pb_put_varint(w, 0);
    rp_pb_put_varint(w, 300);
    for (const char *s = "abcdef"; *s != '\0'; s++) {
        rp_pb_put_byte(w, (uint8_t)*s);
    }
}

const Bytes kSample = { 0x85, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                        0x00, 0xFF, 0x00, 0xAC, 0x02, 'a',  'b',  'c',  'd',  'e',  'f' };

}  // namespace

TEST_GROUP(pb_writer){};

TEST(pb_writer, varint_known_encodings)
{
    CHECK(varint_bytes(0) == Bytes({ 0x00 }));
    CHECK(varint_bytes(1) == Bytes({ 0x01 }));
    CHECK(varint_bytes(127) == Bytes({ 0x7F }));
    CHECK(varint_bytes(128) == Bytes({ 0x80, 0x01 }));
    CHECK(varint_bytes(300) == Bytes({ 0xAC, 0x02 }));
    CHECK(varint_bytes(0xFFFFFFFFu) == Bytes({ 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }));
    CHECK(varint_bytes(1ull << 63) ==
          Bytes({ 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }));
    CHECK(varint_bytes(UINT64_MAX) ==
          Bytes({ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }));
}

TEST(pb_writer, bytes_and_keys)
{
    uint8_t buf[64];
    rp_pb_writer_t w;
    rp_pb_writer_init(&w, buf, sizeof(buf));
    put_sample(&w);
    CHECK(written(w) == kSample);
}

TEST(pb_writer, counts_past_cap_and_never_stores_there)
{
    // Whatever the cap, len is the full size; the bytes below cap are the
    // output's first bytes and nothing at or after cap changes.
    for (size_t cap = 0; cap <= kSample.size() + 2; cap++) {
        uint8_t buf[64];
        memset(buf, 0xEE, sizeof(buf));
        rp_pb_writer_t w;
        rp_pb_writer_init(&w, buf, cap);
        put_sample(&w);
        UNSIGNED_LONGS_EQUAL(kSample.size(), w.len);
        CHECK_EQUAL(cap >= kSample.size(), w.len <= w.cap);
        for (size_t i = 0; i < sizeof(buf); i++) {
            BYTES_EQUAL(i < cap && i < kSample.size() ? kSample[i] : 0xEE, buf[i]);
        }
    }
}

TEST(pb_writer, null_buffer_only_measures)
{
    rp_pb_writer_t w;
    rp_pb_writer_init(&w, nullptr, 100);
    UNSIGNED_LONGS_EQUAL(0, w.cap);
    put_sample(&w);
    UNSIGNED_LONGS_EQUAL(kSample.size(), w.len);
}

TEST_GROUP(pb_reader){};

TEST(pb_reader, varint_round_trip_random_and_edges)
{
    std::mt19937_64 rng(77);
    std::vector<uint64_t> vals = { 0, 1, 127, 128, 16383, 16384, 0xFFFFFFFFu, 1ull << 63, UINT64_MAX };
    for (int i = 0; i < 5000; i++) {
        vals.push_back(rng() >> (rng() % 64));
    }
    for (uint64_t v : vals) {
        Bytes b = varint_bytes(v);
        rp_pb_reader_t r;
        rp_pb_reader_init(&r, b.data(), b.size());
        uint64_t got = 0;
        CHECK(rp_pb_get_varint(&r, &got));
        UNSIGNED_LONGLONGS_EQUAL(v, got);
        CHECK(rp_pb_at_end(&r));
        // Every proper prefix is truncated.
        for (size_t n = 0; n < b.size(); n++) {
            rp_pb_reader_init(&r, b.data(), n);
            CHECK_FALSE(rp_pb_get_varint(&r, &got));
        }
    }
}

TEST(pb_reader, rejects_overlong_varints)
{
    uint64_t v;
    rp_pb_reader_t r;
    const uint8_t eleven[11] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
    rp_pb_reader_init(&r, eleven, sizeof(eleven));
    CHECK_FALSE(rp_pb_get_varint(&r, &v));
    // Ten bytes whose last carries bits beyond 64.
    const uint8_t too_big[10] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 };
    rp_pb_reader_init(&r, too_big, sizeof(too_big));
    CHECK_FALSE(rp_pb_get_varint(&r, &v));
    // Padded but in range is fine.
    const uint8_t padded[4] = { 0x85, 0x80, 0x80, 0x00 };
    rp_pb_reader_init(&r, padded, sizeof(padded));
    CHECK(rp_pb_get_varint(&r, &v));
    UNSIGNED_LONGLONGS_EQUAL(5, v);
}

TEST(pb_reader, tags)
{
    uint32_t f;
    unsigned wt;
    rp_pb_reader_t r;
    const uint8_t ok[] = { 0x08, 0x11, 0x1A, 0x85, 0x01, 0xF8, 0xFF, 0xFF, 0xFF, 0x0F };
    rp_pb_reader_init(&r, ok, sizeof(ok));
    CHECK(rp_pb_get_tag(&r, &f, &wt));
    UNSIGNED_LONGS_EQUAL(1, f);
    UNSIGNED_LONGS_EQUAL(RP_PB_VARINT, wt);
    CHECK(rp_pb_get_tag(&r, &f, &wt));
    UNSIGNED_LONGS_EQUAL(2, f);
    UNSIGNED_LONGS_EQUAL(RP_PB_I64, wt);
    CHECK(rp_pb_get_tag(&r, &f, &wt));
    UNSIGNED_LONGS_EQUAL(3, f);
    UNSIGNED_LONGS_EQUAL(RP_PB_LEN, wt);
    CHECK(rp_pb_get_tag(&r, &f, &wt));
    UNSIGNED_LONGS_EQUAL(16, f);
    UNSIGNED_LONGS_EQUAL(RP_PB_I32, wt);
    CHECK(rp_pb_get_tag(&r, &f, &wt));
    UNSIGNED_LONGS_EQUAL((1u << 29) - 1, f);  // largest field number
    CHECK(rp_pb_at_end(&r));

    const uint8_t bad[][6] = {
        { 0x00 },                                // field 0
        { 0x03 },                                // wire type 3 (group start)
        { 0x0C },                                // wire type 4 (group end)
        { 0x0E },                                // wire type 6
        { 0x0F },                                // wire type 7
        { 0x80, 0x80, 0x80, 0x80, 0x10 },        // key above 32 bits
        { 0x88 },                                // truncated key
    };
    const size_t lens[] = { 1, 1, 1, 1, 1, 5, 1 };
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        rp_pb_reader_init(&r, bad[i], lens[i]);
        CHECK_FALSE(rp_pb_get_tag(&r, &f, &wt));
    }
}

TEST(pb_reader, length_delimited_bounds)
{
    const uint8_t buf[] = { 0x03, 'a', 'b', 'c', 0x04, 'x', 'y', 'z' };
    rp_pb_reader_t r;
    rp_pb_reader_init(&r, buf, sizeof(buf));
    const uint8_t *data;
    size_t len;
    CHECK(rp_pb_get_len(&r, &data, &len));
    UNSIGNED_LONGS_EQUAL(3, len);
    MEMCMP_EQUAL("abc", data, 3);
    const uint8_t *before = r.p;
    CHECK_FALSE(rp_pb_get_len(&r, &data, &len));  // says 4, has 3
    POINTERS_EQUAL(before, r.p);
    // A huge length must not wrap the pointer.
    const uint8_t huge[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 'q' };
    rp_pb_reader_init(&r, huge, sizeof(huge));
    CHECK_FALSE(rp_pb_get_len(&r, &data, &len));
}

TEST(pb_reader, padded_length_prefix)
{
    // A length as a padded varint of every width up to five bytes.
    for (unsigned width = 1; width <= 5; width++) {
        Bytes b;
        for (unsigned i = 0; i + 1 < width; i++) {
            b.push_back(i == 0 ? 0x82 : 0x80);
        }
        b.push_back(width == 1 ? 0x02 : 0x00);
        b.push_back('o');
        b.push_back('k');
        rp_pb_reader_t r;
        rp_pb_reader_init(&r, b.data(), b.size());
        const uint8_t *data;
        size_t len;
        CHECK(rp_pb_get_len(&r, &data, &len));
        UNSIGNED_LONGS_EQUAL(2, len);
        POINTERS_EQUAL(b.data() + width, data);
        CHECK(rp_pb_at_end(&r));
    }
}

TEST(pb_reader, skip_each_wire_type)
{
    const uint8_t buf[] = {
        0x96, 0x01,                                      // varint
        1, 2, 3, 4, 5, 6, 7, 8,                          // fixed64
        0x02, 'h', 'i',                                  // len
        9, 9, 9, 9,                                      // fixed32
    };
    rp_pb_reader_t r;
    rp_pb_reader_init(&r, buf, sizeof(buf));
    CHECK(rp_pb_skip(&r, RP_PB_VARINT));
    CHECK(rp_pb_skip(&r, RP_PB_I64));
    CHECK(rp_pb_skip(&r, RP_PB_LEN));
    CHECK(rp_pb_skip(&r, RP_PB_I32));
    CHECK(rp_pb_at_end(&r));
    CHECK_FALSE(rp_pb_skip(&r, RP_PB_VARINT));
    CHECK_FALSE(rp_pb_skip(&r, 3));

    rp_pb_reader_init(&r, buf, 7);
    CHECK(rp_pb_skip(&r, RP_PB_VARINT));
    CHECK_FALSE(rp_pb_skip(&r, RP_PB_I64));  // 5 of 8 bytes
    rp_pb_reader_init(&r, buf, 3);
    CHECK_FALSE(rp_pb_skip(&r, RP_PB_I32));
}

// The one reader the command parser uses for every value: a varint's
// value, the bytes and count of the others; r does not move on failure.
TEST(pb_reader, get_value_each_wire_type)
{
    const uint8_t buf[] = {
        0x96, 0x01,                                      // varint 150
        1, 2, 3, 4, 5, 6, 7, 8,                          // fixed64
        0x02, 'h', 'i',                                  // len
        9, 9, 9, 9,                                      // fixed32
    };
    rp_pb_reader_t r;
    rp_pb_reader_init(&r, buf, sizeof(buf));
    uint64_t v = 0;
    const uint8_t *data = nullptr;
    CHECK(rp_pb_get_value(&r, RP_PB_VARINT, &v, &data));
    UNSIGNED_LONGLONGS_EQUAL(150, v);
    POINTERS_EQUAL(nullptr, data);  // a varint has no bytes to point at
    CHECK(rp_pb_get_value(&r, RP_PB_I64, &v, &data));
    UNSIGNED_LONGLONGS_EQUAL(8, v);
    POINTERS_EQUAL(buf + 2, data);
    CHECK(rp_pb_get_value(&r, RP_PB_LEN, &v, &data));
    UNSIGNED_LONGLONGS_EQUAL(2, v);
    POINTERS_EQUAL(buf + 11, data);
    CHECK(rp_pb_get_value(&r, RP_PB_I32, &v, &data));
    UNSIGNED_LONGLONGS_EQUAL(4, v);
    POINTERS_EQUAL(buf + 13, data);
    CHECK(rp_pb_at_end(&r));

    // Groups (3, 4) and unassigned wire types are refused in place.
    for (unsigned wt : { 3u, 4u, 6u, 7u }) {
        rp_pb_reader_init(&r, buf, sizeof(buf));
        CHECK_FALSE(rp_pb_get_value(&r, wt, &v, &data));
        POINTERS_EQUAL(buf, r.p);
    }
    // Short values: r stays where it was, data is left alone.
    const uint8_t *const before_data = data;
    for (unsigned wt : { (unsigned)RP_PB_I64, (unsigned)RP_PB_I32, (unsigned)RP_PB_LEN }) {
        const uint8_t len_says_3[] = { 0x03, 'a', 'b' };
        rp_pb_reader_init(&r, wt == RP_PB_LEN ? len_says_3 : buf, 3);
        const uint8_t *start = r.p;
        CHECK_FALSE(rp_pb_get_value(&r, wt, &v, &data));
        POINTERS_EQUAL(start, r.p);
        POINTERS_EQUAL(before_data, data);
    }
    rp_pb_reader_init(&r, buf, 1);  // a varint cut after its first byte
    CHECK_FALSE(rp_pb_get_value(&r, RP_PB_VARINT, &v, &data));
    POINTERS_EQUAL(buf, r.p);
}

TEST(pb_reader, zigzag)
{
    UNSIGNED_LONGLONGS_EQUAL(0, rp_pb_zigzag(0));
    UNSIGNED_LONGLONGS_EQUAL(1, rp_pb_zigzag(-1));
    UNSIGNED_LONGLONGS_EQUAL(2, rp_pb_zigzag(1));
    UNSIGNED_LONGLONGS_EQUAL(3, rp_pb_zigzag(-2));
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX - 1, rp_pb_zigzag(INT64_MAX));
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX, rp_pb_zigzag(INT64_MIN));
    std::mt19937_64 rng(5);
    for (int i = 0; i < 10000; i++) {
        int64_t v = (int64_t)rng();
        LONGLONGS_EQUAL(v, rp_pb_unzigzag(rp_pb_zigzag(v)));
    }
}
