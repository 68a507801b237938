// Helpers shared by the profiler suites (decode, session, capture): build
// frame payloads with the firmware encoder, wrap them for the link, make
// random but realistic events, and compare records.
#ifndef RP_TEST_PROFILER_UTIL_H
#define RP_TEST_PROFILER_UTIL_H

#include <CppUTest/TestHarness.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "rramprof/rp_encoder.h"
#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_record.h"

namespace rpt {

using Bytes = std::vector<uint8_t>;

inline Bytes payload_of(size_t n, const uint8_t *buf)
{
    CHECK(n > 0);
    return Bytes(buf, buf + n);
}

inline Bytes enc_batch(rp_batch_state_t *st, const std::vector<rp_record_t> &recs,
                       uint64_t dropped = 0)
{
    static uint8_t buf[1 << 20];
    size_t n = rp_encode_batch(st, recs.data(), recs.size(), dropped, buf, sizeof buf);
    return payload_of(n, buf);
}

inline rp_hello_t hello_of(uint64_t boot_id, uint64_t clock_hz = 1000000, const char *board = "sim",
                           uint32_t reset_cause = RP_RESET_POWER_ON, uint32_t fatal_reason = 0)
{
    static const char *const wl[] = {"mvm_bench", "write_sweep"};
    rp_hello_t h = {};
    h.board = board;
    h.firmware_version = "1.2.3";
    h.clock_hz = clock_hz;
    h.timer_bits = 32;
    h.array.tiles = 4;
    h.array.rows = 128;
    h.array.cols = 64;
    h.array.bits_per_cell = 2;
    h.array.adcs_per_tile = 8;
    h.array.adc_bits = 6;
    h.array.input_bits = 8;
    h.array.endurance_cycles = 1000000;
    h.array.model = "sim:testchip";
    h.ring_capacity = 1024;
    h.max_frame_payload = 1024;
    h.boot_id = boot_id;
    h.counters_available = 1;
    h.op_mask = 0xFF;
    h.threshold_ticks = 3;
    h.workloads = wl;
    h.workload_count = 2;
    h.reset_cause = reset_cause;
    h.fatal_reason = fatal_reason;
    return h;
}

inline Bytes enc_hello(const rp_hello_t &h)
{
    uint8_t buf[1024];
    return payload_of(rp_encode_hello(&h, buf, sizeof buf), buf);
}

inline Bytes enc_hello(uint64_t boot_id, uint64_t clock_hz = 1000000, const char *board = "sim",
                       uint32_t reset_cause = RP_RESET_POWER_ON, uint32_t fatal_reason = 0)
{
    return enc_hello(hello_of(boot_id, clock_hz, board, reset_cause, fatal_reason));
}

// A watchdog reset's Hello that reports the counts of the boot before.
inline Bytes enc_hello_after(uint64_t boot_id, uint64_t clock_hz, uint64_t previous_boot_id,
                             uint64_t recorded, uint64_t sent, uint64_t dropped)
{
    rp_hello_t h = hello_of(boot_id, clock_hz, "sim", RP_RESET_WATCHDOG);
    h.previous_boot_id = previous_boot_id;
    h.previous_events_recorded = recorded;
    h.previous_events_sent = sent;
    h.previous_events_dropped = dropped;
    return enc_hello(h);
}

inline Bytes enc_drops(uint64_t total, uint64_t ts = 0)
{
    uint8_t buf[64];
    return payload_of(rp_encode_drops(total, ts, buf, sizeof buf), buf);
}

// Counters as a device sends them; recorded defaults to sent (the final
// Counters of a session, after the ring drained; dropped events never
// entered the ring), more means events still waiting in the ring.
inline Bytes enc_counters(uint64_t sent, uint64_t dropped, uint64_t recorded = UINT64_MAX)
{
    rp_counters_t c = {};
    c.timestamp = 99;
    c.events_recorded = recorded == UINT64_MAX ? sent : recorded;
    c.events_dropped = dropped;
    c.events_sent = sent;
    uint8_t buf[256];
    return payload_of(rp_encode_counters(&c, buf, sizeof buf), buf);
}

// One COBS frame (with CRC) as the link carries it.
inline Bytes link_frame(const Bytes &payload)
{
    Bytes out(RP_FRAME_ENCODED_MAX(payload.size()));
    size_t n = rp_frame_encode(payload.data(), payload.size(), out.data(), out.size());
    CHECK(n > 0);
    out.resize(n);
    return out;
}

// COBS-encodes body (no CRC added) plus the delimiter, written here
// independently so tests can forge frames: wrong CRC, short bodies.
inline Bytes cobs_raw(const Bytes &body)
{
    Bytes out;
    size_t code_pos = 0;
    out.push_back(0);
    uint8_t code = 1;
    for (uint8_t b : body) {
        if (b == 0) {
            out[code_pos] = code;
            code_pos = out.size();
            out.push_back(0);
            code = 1;
            continue;
        }
        out.push_back(b);
        if (++code == 0xFF) {
            out[code_pos] = code;
            code_pos = out.size();
            out.push_back(0);
            code = 1;
        }
    }
    out[code_pos] = code;
    out.push_back(0);
    return out;
}

// Events that look like a write-verify / read / MVM workload: increasing
// starts with small gaps and some nesting, durations of a few hundred
// ticks. `wide` adds extreme values in every field.
inline std::vector<rp_record_t> make_events(std::mt19937_64 &rng, size_t n, uint64_t start,
                                            bool wide = false)
{
    std::vector<rp_record_t> v(n);
    uint64_t t = start;
    for (size_t i = 0; i < n; i++) {
        rp_record_t r = {};
        r.op = (uint8_t)(1 + rng() % 7);
        r.status = (uint8_t)(rng() % 8 == 0 ? 1 : 0);
        r.tile = (uint8_t)(rng() % 4);
        r.iterations = (uint8_t)(r.op == RP_OP_VERIFY ? rng() % 16 : 0);
        r.row = (uint16_t)(rng() % 128);
        r.rows = 1;
        r.col = 0;
        r.cols = 64;
        r.duration = (uint32_t)(50 + rng() % 400);
        r.arg = (uint32_t)(r.op == RP_OP_TRANSFER ? 64 : 0);
        if (wide) {
            r.op = (uint8_t)(rng() % 16);
            r.status = (uint8_t)rng();
            r.tile = (uint8_t)rng();
            r.iterations = (uint8_t)rng();
            r.row = (uint16_t)rng();
            r.rows = (uint16_t)rng();
            r.col = (uint16_t)rng();
            r.cols = (uint16_t)rng();
            r.duration = (uint32_t)rng();
            r.arg = (uint32_t)rng();
        }
        // Mostly forward, sometimes overlapping the previous event.
        t += (rng() % 5 == 0) ? 0 : rng() % 100;
        r.start = t;
        if (rng() % 7 == 0 && t > 30) {
            r.start = t - 30;
        }
        t = r.start + r.duration;
        v[i] = r;
    }
    return v;
}

// Members an op does not use are unspecified on the wire and decode as 0,
// so they compare as 0 (rp_record_clear_unused).
inline void check_record(const rp_record_t &a_in, const rp_record_t &b_in)
{
    rp_record_t a = a_in, b = b_in;
    rp_record_clear_unused(&a);
    rp_record_clear_unused(&b);
    UNSIGNED_LONGS_EQUAL(a.start, b.start);
    UNSIGNED_LONGS_EQUAL(a.duration, b.duration);
    UNSIGNED_LONGS_EQUAL(a.arg, b.arg);
    UNSIGNED_LONGS_EQUAL(a.op, b.op);
    UNSIGNED_LONGS_EQUAL(a.status, b.status);
    UNSIGNED_LONGS_EQUAL(a.tile, b.tile);
    UNSIGNED_LONGS_EQUAL(a.iterations, b.iterations);
    UNSIGNED_LONGS_EQUAL(a.row, b.row);
    UNSIGNED_LONGS_EQUAL(a.rows, b.rows);
    UNSIGNED_LONGS_EQUAL(a.col, b.col);
    UNSIGNED_LONGS_EQUAL(a.cols, b.cols);
}

// A temporary file name, removed by the destructor.
struct TempPath {
    std::string path;
    TempPath()
    {
        char tmpl[] = "/tmp/rp_prof_test_XXXXXX";
        int fd = mkstemp(tmpl);
        CHECK(fd >= 0);
        close(fd);
        path = tmpl;
    }
    ~TempPath() { unlink(path.c_str()); }
    const char *c_str() const { return path.c_str(); }
};

inline void write_file(const char *path, const Bytes &b)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != nullptr);
    if (!b.empty()) {
        CHECK_EQUAL(b.size(), fwrite(b.data(), 1, b.size(), f));
    }
    fclose(f);
}

inline Bytes read_file(const char *path)
{
    Bytes b;
    FILE *f = fopen(path, "rb");
    CHECK(f != nullptr);
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        b.insert(b.end(), buf, buf + n);
    }
    fclose(f);
    return b;
}

}  // namespace rpt

#endif
