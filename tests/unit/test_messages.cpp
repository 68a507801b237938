// The rare device-to-host messages (rp_messages.c): the table-driven
// walker writes exactly protobuf-c's own canonical encoding, returns 0 for
// every cap below the length and the length from there on, and never
// touches a byte past cap. The field-by-field value checks live in
// test_encoder_conformance.cpp.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "rramprof.pb-c.h"
#include "rramprof/rp_command.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_encoder.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

namespace {

using Bytes = std::vector<uint8_t>;
using Encode = std::function<size_t(uint8_t *, size_t)>;

Bytes encode(const Encode &enc)
{
    Bytes buf(1 << 16);
    size_t n = enc(buf.data(), buf.size());
    CHECK(n > 0);
    buf.resize(n);
    return buf;
}

// protobuf-c's serialisation of what it decoded from b.
Bytes repacked(const Bytes &b)
{
    Rramprof__V1__Frame *f = rramprof__v1__frame__unpack(nullptr, b.size(), b.data());
    CHECK(f != nullptr);
    Bytes out(rramprof__v1__frame__get_packed_size(f));
    rramprof__v1__frame__pack(f, out.data());
    rramprof__v1__frame__free_unpacked(f, nullptr);
    return out;
}

// The encoding is canonical, and its length is a sharp bound: every cap
// below it gives 0, every cap from it on the same bytes; nothing at or
// after cap is ever written.
void check_message(const Encode &enc)
{
    Bytes full = encode(enc);
    CHECK(repacked(full) == full);
    for (size_t cap = 0; cap <= full.size() + 3; cap++) {
        Bytes buf(cap + 32, 0xA5);
        size_t n = enc(buf.data(), cap);
        UNSIGNED_LONGS_EQUAL(cap >= full.size() ? full.size() : 0, n);
        for (size_t i = cap; i < buf.size(); i++) {
            BYTES_EQUAL(0xA5, buf[i]);
        }
        if (n > 0) {
            CHECK(Bytes(buf.begin(), buf.begin() + (long)n) == full);
        }
    }
}

const char *const kWorkloads[] = { "write_verify", "", nullptr, "mvm_sweep" };

rp_hello_t sample_hello()
{
    rp_hello_t h = {};
    h.board = "sim";
    h.firmware_version = "0.1.0";
    h.clock_hz = 1000000000ull;
    h.timer_bits = 32;
    h.array.tiles = 4;
    h.array.rows = 256;
    h.array.cols = 128;
    h.array.bits_per_cell = 2;
    h.array.adcs_per_tile = 16;
    h.array.adc_bits = 8;
    h.array.input_bits = 4;
    h.array.endurance_cycles = 1000000;
    h.array.model = "sim:testchip";
    h.array.write_pulse_ps = 50000;
    h.array.interface_bytes_per_s = 16000000;
    h.ring_capacity = 1024;
    h.max_frame_payload = RP_FRAME_MAX_PAYLOAD;
    h.boot_id = 0xFEEDFACEu;
    h.counters_available = 1;
    h.op_mask = 0x7E;
    h.threshold_ticks = 5;
    h.workloads = kWorkloads;
    h.workload_count = 4;
    return h;
}

Rramprof__V1__Frame *unpack(const Bytes &b)
{
    Rramprof__V1__Frame *f = rramprof__v1__frame__unpack(nullptr, b.size(), b.data());
    CHECK(f != nullptr);
    return f;
}

}  // namespace

TEST_GROUP(messages){};

TEST(messages, known_bytes_of_small_frames)
{
    uint8_t buf[32];
    // Frame.heartbeat (6) { timestamp 5, state 1 }: the shortest prefix.
    size_t n = rp_encode_heartbeat(5, 1, buf, sizeof buf);
    CHECK(Bytes(buf, buf + n) == Bytes({ 0x32, 0x04, 0x08, 0x05, 0x10, 0x01 }));
    // All defaults: the body is still there, empty.
    n = rp_encode_drops(0, 0, buf, sizeof buf);
    CHECK(Bytes(buf, buf + n) == Bytes({ 0x2A, 0x00 }));
    n = rp_encode_names(nullptr, nullptr, 0, buf, sizeof buf);
    CHECK(Bytes(buf, buf + n) == Bytes({ 0x1A, 0x00 }));
    // Empty strings are left out; false is left out; int64 -1 is ten bytes.
    n = rp_encode_workload_result("", 0, false, -1, 0, 0, "", buf, sizeof buf);
    CHECK(Bytes(buf, buf + n) == Bytes({ 0x42, 0x0B, 0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0xFF, 0xFF, 0xFF, 0x01 }));
    // Hello of a zeroed struct: the version and an empty ArrayInfo.
    rp_hello_t h = {};
    n = rp_encode_hello(&h, buf, sizeof buf);
    CHECK(Bytes(buf, buf + n) == Bytes({ 0x0A, 0x04, 0x08, RP_PROTOCOL_VERSION, 0x32, 0x00 }));
}

TEST(messages, every_message_canonical_with_sharp_cap)
{
    rp_hello_t h = sample_hello();
    check_message([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
    const uint32_t ids[] = { 7, 0, 300, 0xFFFFFFFFu };
    const char *const names[] = { "layer0", nullptr, "", "x" };
    check_message([&](uint8_t *o, size_t c) { return rp_encode_names(ids, names, 4, o, c); });
    rp_counters_t k = {};
    k.timestamp = 1;
    k.events_dropped = 0xFFFFFFFFFFull;
    k.ring_high_water = 77;
    k.hw_valid = 3;
    k.hw_fold = UINT64_MAX;
    check_message([&](uint8_t *o, size_t c) { return rp_encode_counters(&k, o, c); });
    check_message([](uint8_t *o, size_t c) { return rp_encode_drops(3, 1500, o, c); });
    check_message([](uint8_t *o, size_t c) { return rp_encode_heartbeat(UINT64_MAX, 0, o, c); });
    check_message([](uint8_t *o, size_t c) {
        return rp_encode_response(9, RP_RESULT_UNKNOWN_WORKLOAD, "no such workload", nullptr, o, c);
    });
    check_message([&](uint8_t *o, size_t c) { return rp_encode_response(1, 0, nullptr, &h, o, c); });
    check_message([](uint8_t *o, size_t c) {
        return rp_encode_workload_result("mlp", 2, true, -42, 100, 200, "ok", o, c);
    });
}

TEST(messages, repeated_strings_keep_empty_and_null_elements)
{
    rp_hello_t h = sample_hello();
    Bytes b = encode([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
    Rramprof__V1__Frame *f = unpack(b);
    UNSIGNED_LONGS_EQUAL(4, f->hello->n_workloads);
    STRCMP_EQUAL("write_verify", f->hello->workloads[0]);
    STRCMP_EQUAL("", f->hello->workloads[1]);
    STRCMP_EQUAL("", f->hello->workloads[2]);
    STRCMP_EQUAL("mvm_sweep", f->hello->workloads[3]);
    rramprof__v1__frame__free_unpacked(f, nullptr);

    // A NULL list is no workloads, whatever the count says.
    h.workloads = nullptr;
    b = encode([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
    f = unpack(b);
    UNSIGNED_LONGS_EQUAL(0, f->hello->n_workloads);
    rramprof__v1__frame__free_unpacked(f, nullptr);
}

TEST(messages, hello_that_fits_only_without_its_array)
{
    rp_hello_t h = sample_hello();
    Bytes full = encode([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
    rp_hello_t bare = h;
    bare.array = rp_array_info_t{};
    Bytes small = encode([&](uint8_t *o, size_t c) { return rp_encode_hello(&bare, o, c); });
    CHECK(small.size() + 20 < full.size());
    // Room for everything but the array's contents: refused, and nothing
    // written past cap.
    for (size_t cap = small.size(); cap < full.size(); cap++) {
        Bytes buf(full.size() + 8, 0x5A);
        UNSIGNED_LONGS_EQUAL(0, rp_encode_hello(&h, buf.data(), cap));
        for (size_t i = cap; i < buf.size(); i++) {
            BYTES_EQUAL(0x5A, buf[i]);
        }
    }
    Bytes buf(full.size());
    UNSIGNED_LONGS_EQUAL(full.size(), rp_encode_hello(&h, buf.data(), buf.size()));
    CHECK(buf == full);
}

TEST(messages, length_prefixes_around_one_and_two_bytes)
{
    // Grow a string one byte at a time so that the ArrayInfo, the Hello and
    // the Response bodies cross 127 and 128 bytes (and the frame 16383 and
    // 16384): the measuring pass must get every prefix right.
    std::string model;
    rp_hello_t h = sample_hello();
    for (size_t len = 80; len < 200; len++) {
        model.assign(len, 'm');
        h.array.model = model.c_str();
        Bytes b = encode([&](uint8_t *o, size_t c) { return rp_encode_response(5, 0, "m", &h, o, c); });
        CHECK(repacked(b) == b);
        Rramprof__V1__Frame *f = unpack(b);
        STRCMP_EQUAL(model.c_str(), f->response->hello->array->model);
        rramprof__v1__frame__free_unpacked(f, nullptr);
    }
    std::vector<std::string> strs;
    std::vector<const char *> ptrs;
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < 1300; i++) {
        strs.push_back("span_" + std::to_string(i));
        ids.push_back(i * 1000u);
    }
    for (auto &s : strs) {
        ptrs.push_back(s.c_str());
    }
    bool prefix[4] = {};
    for (size_t n = 1240; n <= 1260; n++) {
        Bytes b = encode([&](uint8_t *o, size_t c) {
            return rp_encode_names(ids.data(), ptrs.data(), n, o, c);
        });
        CHECK(repacked(b) == b);
        size_t width = 1;
        while (b[width] & 0x80u) {
            width++;
        }
        prefix[width] = true;
        Rramprof__V1__Frame *f = unpack(b);
        UNSIGNED_LONGS_EQUAL(n, f->names->n_id);
        UNSIGNED_LONGS_EQUAL(n, f->names->n_name);
        UNSIGNED_LONGS_EQUAL(ids[n - 1], f->names->id[n - 1]);
        STRCMP_EQUAL(ptrs[n - 1], f->names->name[n - 1]);
        rramprof__v1__frame__free_unpacked(f, nullptr);
    }
    CHECK(prefix[2] && prefix[3]);   // the frame's body crossed 16384 bytes
}

TEST(messages, refusals)
{
    uint8_t buf[64];
    const uint32_t ids[] = { 1 };
    const char *const names[] = { "a" };
    UNSIGNED_LONGS_EQUAL(0, rp_encode_hello(nullptr, buf, sizeof buf));
    UNSIGNED_LONGS_EQUAL(0, rp_encode_counters(nullptr, buf, sizeof buf));
    UNSIGNED_LONGS_EQUAL(0, rp_encode_names(ids, nullptr, 1, buf, sizeof buf));
    UNSIGNED_LONGS_EQUAL(0, rp_encode_names(nullptr, names, 1, buf, sizeof buf));
    // No buffer: nothing fits, whatever cap says.
    UNSIGNED_LONGS_EQUAL(0, rp_encode_heartbeat(1, 1, nullptr, 100));
    UNSIGNED_LONGS_EQUAL(0, rp_encode_response(1, 0, "x", nullptr, nullptr, 100));
}
