// Encoder conformance: every rp_encode_* output is unpacked with the
// protobuf-c code generated from proto/rramprof.proto and every field is
// compared with what was encoded. EventBatch gets randomised property tests
// over thousands of record sets, the constant-column rule, the fit bound
// and the wire-size target.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "rramprof.pb-c.h"
#include "rramprof/rp_command.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_frame.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

namespace {

using Bytes = std::vector<uint8_t>;
using Encode = std::function<size_t(uint8_t *, size_t)>;

// Owns an unpacked Frame.
struct Decoded {
    Rramprof__V1__Frame *f = nullptr;
    Decoded(const uint8_t *p, size_t n) : f(rramprof__v1__frame__unpack(nullptr, n, p)) {}
    explicit Decoded(const Bytes &b) : Decoded(b.data(), b.size()) {}
    ~Decoded()
    {
        if (f != nullptr) {
            rramprof__v1__frame__free_unpacked(f, nullptr);
        }
    }
    Decoded(const Decoded &) = delete;
    Decoded &operator=(const Decoded &) = delete;
};

Bytes encode_big(const Encode &enc)
{
    Bytes buf(8192);
    size_t n = enc(buf.data(), buf.size());
    CHECK(n > 0);
    buf.resize(n);
    return buf;
}

// protobuf-c's own serialisation of what it decoded: two encodings carry
// the same values exactly when their canonical forms match.
Bytes canonical(const Bytes &b)
{
    Decoded d(b);
    CHECK(d.f != nullptr);
    Bytes out(rramprof__v1__frame__get_packed_size(d.f));
    rramprof__v1__frame__pack(d.f, out.data());
    return out;
}

// Every cap from 0 up: the encoder either refuses (returns 0) or writes a
// complete, equivalent message within cap; it never touches bytes past cap,
// and it succeeds once cap reaches the size it needed with a large buffer.
void check_all_caps(const Encode &enc)
{
    Bytes full = encode_big(enc);
    Bytes want = canonical(full);
    for (size_t cap = 0; cap <= full.size() + 2; cap++) {
        Bytes buf(cap + 16, 0xC3);
        size_t n = enc(buf.data(), cap);
        for (size_t i = cap; i < buf.size(); i++) {
            BYTES_EQUAL(0xC3, buf[i]);
        }
        if (cap >= full.size()) {
            CHECK(n > 0);
        }
        if (n > 0) {
            CHECK(n <= cap);
            CHECK(canonical(Bytes(buf.begin(), buf.begin() + (long)n)) == want);
        }
    }
}

const char *const kWorkloads[] = { "write_verify", "", "mvm_sweep" };

rp_hello_t full_hello()
{
    rp_hello_t h = {};
    h.board = "sim";
    h.firmware_version = "0.1.0-test";
    h.clock_hz = 1000000000ull;
    h.timer_bits = 32;
    h.array.tiles = 4;
    h.array.rows = 256;
    h.array.cols = 128;
    h.array.bits_per_cell = 2;
    h.array.adcs_per_tile = 16;
    h.array.adc_bits = 8;
    h.array.input_bits = 4;
    h.array.endurance_cycles = 1000000000000ull;
    h.array.model = "sim:testchip";
    // Distinct values, some past 32 bits, so a swapped or truncated field shows.
    h.array.write_pulse_ps = 500000;
    h.array.write_setup_ps = 2000001;
    h.array.write_parallel_cols = 8;
    h.array.read_latency_ps = 1000002;
    h.array.adc_conversion_ps = 0x1234567890ull;
    h.array.dac_settle_ps = 500003;
    h.array.interface_overhead_ps = 4000004;
    h.array.interface_bytes_per_s = 1600000000000ull;
    h.ring_capacity = RP_CONFIG_RING_CAPACITY;
    h.max_frame_payload = RP_FRAME_MAX_PAYLOAD;
    h.boot_id = 0xFEEDFACECAFEBEEFull;
    h.counters_available = 1 | 2 | 32;
    h.op_mask = 0x7E;
    h.threshold_ticks = 12345678901ull;
    h.workloads = kWorkloads;
    h.workload_count = 3;
    h.reset_cause = RP_RESET_FATAL;
    h.fatal_reason = 0x1001u;
    return h;
}

std::string str(const char *s)
{
    return s != nullptr ? s : "";
}

void check_hello(const rp_hello_t &h, const Rramprof__V1__Hello *d)
{
    CHECK(d != nullptr);
    UNSIGNED_LONGS_EQUAL(RP_PROTOCOL_VERSION, d->protocol_version);
    CHECK(str(h.board) == d->board);
    CHECK(str(h.firmware_version) == d->firmware_version);
    UNSIGNED_LONGLONGS_EQUAL(h.clock_hz, d->clock_hz);
    UNSIGNED_LONGS_EQUAL(h.timer_bits, d->timer_bits);
    CHECK(d->array != nullptr);
    UNSIGNED_LONGS_EQUAL(h.array.tiles, d->array->tiles);
    UNSIGNED_LONGS_EQUAL(h.array.rows, d->array->rows);
    UNSIGNED_LONGS_EQUAL(h.array.cols, d->array->cols);
    UNSIGNED_LONGS_EQUAL(h.array.bits_per_cell, d->array->bits_per_cell);
    UNSIGNED_LONGS_EQUAL(h.array.adcs_per_tile, d->array->adcs_per_tile);
    UNSIGNED_LONGS_EQUAL(h.array.adc_bits, d->array->adc_bits);
    UNSIGNED_LONGS_EQUAL(h.array.input_bits, d->array->input_bits);
    UNSIGNED_LONGLONGS_EQUAL(h.array.endurance_cycles, d->array->endurance_cycles);
    CHECK(str(h.array.model) == d->array->model);
    UNSIGNED_LONGLONGS_EQUAL(h.array.write_pulse_ps, d->array->write_pulse_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.write_setup_ps, d->array->write_setup_ps);
    UNSIGNED_LONGS_EQUAL(h.array.write_parallel_cols, d->array->write_parallel_cols);
    UNSIGNED_LONGLONGS_EQUAL(h.array.read_latency_ps, d->array->read_latency_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.adc_conversion_ps, d->array->adc_conversion_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.dac_settle_ps, d->array->dac_settle_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.interface_overhead_ps, d->array->interface_overhead_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.interface_bytes_per_s, d->array->interface_bytes_per_s);
    UNSIGNED_LONGS_EQUAL(h.ring_capacity, d->ring_capacity);
    UNSIGNED_LONGS_EQUAL(h.max_frame_payload, d->max_frame_payload);
    UNSIGNED_LONGLONGS_EQUAL(h.boot_id, d->boot_id);
    UNSIGNED_LONGS_EQUAL(h.counters_available, d->counters_available);
    UNSIGNED_LONGS_EQUAL(h.op_mask, d->op_mask);
    UNSIGNED_LONGLONGS_EQUAL(h.threshold_ticks, d->threshold_ticks);
    UNSIGNED_LONGS_EQUAL(h.reset_cause, (uint32_t)d->reset_cause);
    UNSIGNED_LONGS_EQUAL(h.fatal_reason, d->fatal_reason);
    UNSIGNED_LONGS_EQUAL(h.workloads != nullptr ? h.workload_count : 0, d->n_workloads);
    for (size_t i = 0; i < d->n_workloads; i++) {
        CHECK(str(h.workloads[i]) == d->workloads[i]);
    }
}

}  // namespace

TEST_GROUP(encode_messages){};

TEST(encode_messages, hello_every_field)
{
    rp_hello_t h = full_hello();
    Bytes b = encode_big([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
    Decoded d(b);
    CHECK(d.f != nullptr);
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_HELLO, d.f->body_case);
    check_hello(h, d.f->hello);
    check_all_caps([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
}

TEST(encode_messages, hello_defaults_and_nulls)
{
    rp_hello_t h = {};
    Bytes b = encode_big([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
    Decoded d(b);
    CHECK(d.f != nullptr);
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_HELLO, d.f->body_case);
    check_hello(h, d.f->hello);
    UNSIGNED_LONGS_EQUAL(0, rp_encode_hello(nullptr, b.data(), b.size()));
}

TEST(encode_messages, hello_with_long_workload_list)
{
    // More than 127 bytes of body forces multi-byte prefixes everywhere.
    std::vector<std::string> names;
    std::vector<const char *> ptrs;
    for (int i = 0; i < 40; i++) {
        names.push_back("workload_number_" + std::to_string(i));
    }
    for (auto &n : names) {
        ptrs.push_back(n.c_str());
    }
    rp_hello_t h = full_hello();
    h.workloads = ptrs.data();
    h.workload_count = (uint32_t)ptrs.size();
    Bytes b = encode_big([&](uint8_t *o, size_t c) { return rp_encode_hello(&h, o, c); });
    CHECK(b.size() > 800);
    Decoded d(b);
    check_hello(h, d.f->hello);
}

TEST(encode_messages, names)
{
    const uint32_t ids[] = { 0, 1, 300, 0xFFFFFFFFu };
    const char *const names[] = { "layer0", "", "a_rather_long_span_name_of_31ch", "x" };
    auto enc = [&](uint8_t *o, size_t c) { return rp_encode_names(ids, names, 4, o, c); };
    Decoded d(encode_big(enc));
    CHECK(d.f != nullptr);
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_NAMES, d.f->body_case);
    UNSIGNED_LONGS_EQUAL(4, d.f->names->n_id);
    UNSIGNED_LONGS_EQUAL(4, d.f->names->n_name);
    for (size_t i = 0; i < 4; i++) {
        UNSIGNED_LONGS_EQUAL(ids[i], d.f->names->id[i]);
        STRCMP_EQUAL(names[i], d.f->names->name[i]);
    }
    check_all_caps(enc);

    Decoded empty(encode_big([&](uint8_t *o, size_t c) { return rp_encode_names(nullptr, nullptr, 0, o, c); }));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_NAMES, empty.f->body_case);
    UNSIGNED_LONGS_EQUAL(0, empty.f->names->n_id);
    UNSIGNED_LONGS_EQUAL(0, empty.f->names->n_name);
    uint8_t buf[64];
    UNSIGNED_LONGS_EQUAL(0, rp_encode_names(nullptr, names, 2, buf, sizeof(buf)));
}

TEST(encode_messages, counters_every_field)
{
    rp_counters_t c;
    uint64_t *fields64[] = { &c.timestamp, &c.events_recorded, &c.events_filtered, &c.events_dropped,
                             &c.events_sent, &c.record_ticks, &c.drain_ticks, &c.bytes_sent,
                             &c.frames_sent, &c.tx_stall_ticks, &c.hw_cycles, &c.hw_cpi,
                             &c.hw_exc, &c.hw_sleep, &c.hw_lsu, &c.hw_fold, &c.link_rx_lost };
    uint64_t v = 0x0123456789ABCDEFull;
    for (auto *f : fields64) {
        *f = v;
        v = v * 6364136223846793005ull + 1442695040888963407ull;
    }
    c.ring_high_water = 1023;
    c.hw_valid = 0x3F;
    auto enc = [&](uint8_t *o, size_t cap) { return rp_encode_counters(&c, o, cap); };
    Decoded d(encode_big(enc));
    CHECK(d.f != nullptr);
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_COUNTERS, d.f->body_case);
    const Rramprof__V1__Counters *x = d.f->counters;
    UNSIGNED_LONGLONGS_EQUAL(c.timestamp, x->timestamp);
    UNSIGNED_LONGLONGS_EQUAL(c.events_recorded, x->events_recorded);
    UNSIGNED_LONGLONGS_EQUAL(c.events_filtered, x->events_filtered);
    UNSIGNED_LONGLONGS_EQUAL(c.events_dropped, x->events_dropped);
    UNSIGNED_LONGLONGS_EQUAL(c.events_sent, x->events_sent);
    UNSIGNED_LONGLONGS_EQUAL(c.record_ticks, x->record_ticks);
    UNSIGNED_LONGLONGS_EQUAL(c.drain_ticks, x->drain_ticks);
    UNSIGNED_LONGLONGS_EQUAL(c.bytes_sent, x->bytes_sent);
    UNSIGNED_LONGLONGS_EQUAL(c.frames_sent, x->frames_sent);
    UNSIGNED_LONGS_EQUAL(c.ring_high_water, x->ring_high_water);
    UNSIGNED_LONGLONGS_EQUAL(c.tx_stall_ticks, x->tx_stall_ticks);
    UNSIGNED_LONGS_EQUAL(c.hw_valid, x->hw_valid);
    UNSIGNED_LONGLONGS_EQUAL(c.hw_cycles, x->hw_cycles);
    UNSIGNED_LONGLONGS_EQUAL(c.hw_cpi, x->hw_cpi);
    UNSIGNED_LONGLONGS_EQUAL(c.hw_exc, x->hw_exc);
    UNSIGNED_LONGLONGS_EQUAL(c.hw_sleep, x->hw_sleep);
    UNSIGNED_LONGLONGS_EQUAL(c.hw_lsu, x->hw_lsu);
    UNSIGNED_LONGLONGS_EQUAL(c.hw_fold, x->hw_fold);
    UNSIGNED_LONGLONGS_EQUAL(c.link_rx_lost, x->link_rx_lost);
    check_all_caps(enc);
}

TEST(encode_messages, drops_and_heartbeat)
{
    auto drops = [](uint8_t *o, size_t c) { return rp_encode_drops(123456789012ull, UINT64_MAX, o, c); };
    Decoded d(encode_big(drops));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_DROPS, d.f->body_case);
    UNSIGNED_LONGLONGS_EQUAL(123456789012ull, d.f->drops->dropped_total);
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX, d.f->drops->first_drop_timestamp);
    check_all_caps(drops);

    auto hb = [](uint8_t *o, size_t c) { return rp_encode_heartbeat(0xABCDEF0123ull, 1, o, c); };
    Decoded h(encode_big(hb));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_HEARTBEAT, h.f->body_case);
    UNSIGNED_LONGLONGS_EQUAL(0xABCDEF0123ull, h.f->heartbeat->timestamp);
    UNSIGNED_LONGS_EQUAL(1, h.f->heartbeat->state);
    check_all_caps(hb);

    // All-default bodies still select their oneof case.
    Decoded hz(encode_big([](uint8_t *o, size_t c) { return rp_encode_heartbeat(0, 0, o, c); }));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_HEARTBEAT, hz.f->body_case);
    UNSIGNED_LONGLONGS_EQUAL(0, hz.f->heartbeat->timestamp);
    Decoded dz(encode_big([](uint8_t *o, size_t c) { return rp_encode_drops(0, 0, o, c); }));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_DROPS, dz.f->body_case);
}

TEST(encode_messages, response_plain_and_with_hello)
{
    auto plain = [](uint8_t *o, size_t c) {
        return rp_encode_response(77, RP_RESULT_UNKNOWN_WORKLOAD, "no workload 'x'", nullptr, o, c);
    };
    Decoded d(encode_big(plain));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_RESPONSE, d.f->body_case);
    UNSIGNED_LONGS_EQUAL(77, d.f->response->request_id);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_UNKNOWN_WORKLOAD, d.f->response->result);
    STRCMP_EQUAL("no workload 'x'", d.f->response->message);
    POINTERS_EQUAL(nullptr, d.f->response->hello);
    check_all_caps(plain);

    rp_hello_t h = full_hello();
    auto with_hello = [&](uint8_t *o, size_t c) { return rp_encode_response(0xFFFFFFFFu, RP_RESULT_OK, nullptr, &h, o, c); };
    Decoded e(encode_big(with_hello));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_RESPONSE, e.f->body_case);
    UNSIGNED_LONGS_EQUAL(0xFFFFFFFFu, e.f->response->request_id);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, e.f->response->result);
    STRCMP_EQUAL("", e.f->response->message);
    check_hello(h, e.f->response->hello);
    check_all_caps(with_hello);
}

TEST(encode_messages, workload_result)
{
    auto enc = [](uint8_t *o, size_t c) {
        return rp_encode_workload_result("mvm_sweep", 7, true, -1234567, 1000, UINT64_MAX - 1, "err 1.2%", o, c);
    };
    Decoded d(encode_big(enc));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_WORKLOAD, d.f->body_case);
    const Rramprof__V1__WorkloadResult *w = d.f->workload;
    STRCMP_EQUAL("mvm_sweep", w->name);
    UNSIGNED_LONGS_EQUAL(7, w->run);
    CHECK(w->passed);
    LONGLONGS_EQUAL(-1234567, w->error_ppm);
    UNSIGNED_LONGLONGS_EQUAL(1000, w->start);
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX - 1, w->end);
    STRCMP_EQUAL("err 1.2%", w->detail);
    check_all_caps(enc);

    Decoded z(encode_big([](uint8_t *o, size_t c) {
        return rp_encode_workload_result(nullptr, 0, false, INT64_MIN, 0, 0, nullptr, o, c);
    }));
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_WORKLOAD, z.f->body_case);
    CHECK_FALSE(z.f->workload->passed);
    LONGLONGS_EQUAL(INT64_MIN, z.f->workload->error_ppm);
    STRCMP_EQUAL("", z.f->workload->name);
}

// ---- EventBatch ----

namespace {

using Records = std::vector<rp_record_t>;

// Rebuilds the records a batch describes, applying the constant-column rule
// and the gap chain exactly as docs/protocol.md tells a decoder to.
Records rebuild(const Rramprof__V1__EventBatch *b)
{
    size_t n = b->count;
    auto col = [&](size_t nv, const uint32_t *v, uint32_t all, size_t i) {
        CHECK(nv == 0 || nv == n);
        return nv != 0 ? v[i] : all;
    };
    CHECK(b->n_gap == 0 || b->n_gap == n);
    Records out(n);
    uint64_t prev_end = b->base_timestamp;
    for (size_t i = 0; i < n; i++) {
        rp_record_t &r = out[i];
        r.op = (uint8_t)col(b->n_op, b->op, b->op_all, i);
        r.duration = col(b->n_duration, b->duration, b->duration_all, i);
        if (b->op_bits != 0) {  // the op folded into the duration column
            CHECK(b->n_op == 0 && b->op_all == 0);
            r.op = (uint8_t)(r.duration & ((1u << b->op_bits) - 1u));
            r.duration >>= b->op_bits;
        }
        if (r.op < b->n_duration_base) {  // per-op base: the column holds the excess
            r.duration += b->duration_base[r.op];
        }
        r.tile = (uint8_t)col(b->n_tile, b->tile, b->tile_all, i);
        r.row = (uint16_t)col(b->n_row, b->row, b->row_all, i);
        r.rows = (uint16_t)col(b->n_rows, b->rows, b->rows_all, i);
        r.col = (uint16_t)col(b->n_col, b->col, b->col_all, i);
        r.cols = (uint16_t)col(b->n_cols, b->cols, b->cols_all, i);
        r.iterations = (uint8_t)col(b->n_iterations, b->iterations, b->iterations_all, i);
        r.status = (uint8_t)col(b->n_status, b->status, b->status_all, i);
        r.arg = col(b->n_arg, b->arg, b->arg_all, i);
        int64_t gap = b->n_gap != 0 ? b->gap[i] : 0;
        r.start = prev_end + (uint64_t)gap;
        prev_end = r.start + r.duration;
        rp_record_clear_unused(&r);  // members the op does not use decode as 0
    }
    return out;
}

void check_same(const rp_record_t &a, const rp_record_t &b)
{
    UNSIGNED_LONGLONGS_EQUAL(a.start, b.start);
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

// A column must be sent packed exactly when its values differ among the
// events whose op uses the member (`field`, an RP_FIELD_* bit; 0 for the
// members every op uses). With no such event its `*_all` is unspecified.
template <typename Get>
void check_column_form(const Records &r, size_t n_packed, uint32_t all, uint32_t field, Get get)
{
    bool constant = true, used = false;
    uint32_t value = 0;
    for (const auto &x : r) {
        if (field != 0 && (rp_op_fields(x.op) & field) == 0) {
            continue;
        }
        if (!used) {
            value = get(x);
            used = true;
        }
        constant = constant && get(x) == value;
    }
    if (constant) {
        UNSIGNED_LONGS_EQUAL(0, n_packed);
        if (used) {
            UNSIGNED_LONGS_EQUAL(value, all);
        }
    } else {
        UNSIGNED_LONGS_EQUAL(r.size(), n_packed);
        UNSIGNED_LONGS_EQUAL(0, all);
    }
}

// With per-op duration bases, each base is its op's shortest duration (0
// for an absent op), the list ends at the highest op present, and the
// excess column is sent exactly when some op's durations differ. The full
// encoder then takes one below each shortest that is not 0, so that no
// excess is a zero byte (cheaper to frame); the compact one keeps them.
size_t g_based_batches = 0;  // batches check_batch saw with duration bases
size_t g_folded_batches = 0;  // and with the op folded into the durations
const uint32_t kBaseBelowShortest = RP_CONFIG_COMPACT_ENCODER ? 0u : 1u;

// How far below each op's shortest duration the bases of batch b are: with
// the op folded into the durations (op_bits) its values are never 0 anyway.
uint32_t base_below(const Rramprof__V1__EventBatch *b)
{
    return b->op_bits != 0 ? 0u : kBaseBelowShortest;
}

// Value i of b's duration column without the op folded into it, if it is.
uint32_t excess_at(const Rramprof__V1__EventBatch *b, size_t i)
{
    return b->duration[i] >> b->op_bits;
}

void check_duration_bases(const Records &r, const Rramprof__V1__EventBatch *b, bool folded)
{
    size_t ops = b->n_duration_base;
    std::vector<uint32_t> lo(ops, UINT32_MAX), hi(ops, 0);
    std::vector<bool> seen(ops, false);
    for (const auto &x : r) {
        CHECK(x.op < ops);
        lo[x.op] = std::min(lo[x.op], x.duration);
        hi[x.op] = std::max(hi[x.op], x.duration);
        seen[x.op] = true;
    }
    CHECK(seen.back());
    bool varies = false;
    for (size_t k = 0; k < ops; k++) {
        varies = varies || (seen[k] && hi[k] != lo[k]);
    }
    for (size_t k = 0; k < ops; k++) {
        uint32_t below = varies && lo[k] != 0 && !folded ? kBaseBelowShortest : 0u;
        UNSIGNED_LONGS_EQUAL(seen[k] ? lo[k] - below : 0, b->duration_base[k]);
    }
    UNSIGNED_LONGS_EQUAL(varies || folded ? r.size() : 0, b->n_duration);
    UNSIGNED_LONGS_EQUAL(0, b->duration_all);
}

// Encodes recs as one batch, decodes it, compares every field; returns the
// payload size.
size_t check_batch(const Records &recs, uint64_t dropped, rp_batch_state_t st = { 0, 0 },
                   size_t cap = RP_FRAME_MAX_PAYLOAD * 8)
{
    Bytes buf(cap + 8, 0x5A);
    rp_batch_state_t before = st;
    size_t len = rp_encode_batch(&st, recs.data(), recs.size(), dropped, buf.data(), cap);
    CHECK(len > 0);
    for (size_t i = cap; i < buf.size(); i++) {
        BYTES_EQUAL(0x5A, buf[i]);
    }
    UNSIGNED_LONGS_EQUAL(before.sequence + 1, st.sequence);
    UNSIGNED_LONGLONGS_EQUAL(before.next_event + recs.size(), st.next_event);

    Decoded d(buf.data(), len);
    CHECK(d.f != nullptr);
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_BATCH, d.f->body_case);
    const Rramprof__V1__EventBatch *b = d.f->batch;
    UNSIGNED_LONGS_EQUAL(before.sequence, b->sequence);
    UNSIGNED_LONGLONGS_EQUAL(before.next_event, b->first_event);
    UNSIGNED_LONGS_EQUAL(recs.size(), b->count);
    UNSIGNED_LONGLONGS_EQUAL(dropped, b->dropped_total);
    if (recs.empty()) {
        return len;
    }
    UNSIGNED_LONGLONGS_EQUAL(recs[0].start, b->base_timestamp);
    Records got = rebuild(b);
    UNSIGNED_LONGS_EQUAL(recs.size(), got.size());
    for (size_t i = 0; i < recs.size(); i++) {
        rp_record_t want = recs[i];
        rp_record_clear_unused(&want);
        check_same(want, got[i]);
    }
    // The full encoder folds the op into the durations exactly when the op
    // column would be packed, every op is known and every duration is below
    // 2^29 (docs/protocol.md).
    bool ops_vary = false, known = true;
    uint32_t durations = 0;
    for (const auto &x : recs) {
        ops_vary = ops_vary || x.op != recs[0].op;
        known = known && x.op < RP_OP_COUNT;
        durations |= x.duration;
    }
    bool folded = !RP_CONFIG_COMPACT_ENCODER && ops_vary && known && durations < (1u << 29);
    g_folded_batches += folded;
    if (folded) {
        UNSIGNED_LONGS_EQUAL(3, b->op_bits);
    } else {
        UNSIGNED_LONGS_EQUAL(0, b->op_bits);
        check_column_form(recs, b->n_op, b->op_all, 0, [](const rp_record_t &x) -> uint32_t { return x.op; });
    }
    g_based_batches += b->n_duration_base != 0;
    if (b->n_duration_base != 0) {
        check_duration_bases(recs, b, folded);
    } else if (folded) {
        UNSIGNED_LONGS_EQUAL(recs.size(), b->n_duration);  // it carries the ops
        UNSIGNED_LONGS_EQUAL(0, b->duration_all);
    } else {
        check_column_form(recs, b->n_duration, b->duration_all, 0, [](const rp_record_t &x) -> uint32_t { return x.duration; });
    }
    check_column_form(recs, b->n_tile, b->tile_all, RP_FIELD_TILE, [](const rp_record_t &x) -> uint32_t { return x.tile; });
    check_column_form(recs, b->n_row, b->row_all, RP_FIELD_ROW, [](const rp_record_t &x) -> uint32_t { return x.row; });
    check_column_form(recs, b->n_rows, b->rows_all, RP_FIELD_ROWS, [](const rp_record_t &x) -> uint32_t { return x.rows; });
    check_column_form(recs, b->n_col, b->col_all, RP_FIELD_COL, [](const rp_record_t &x) -> uint32_t { return x.col; });
    check_column_form(recs, b->n_cols, b->cols_all, RP_FIELD_COLS, [](const rp_record_t &x) -> uint32_t { return x.cols; });
    check_column_form(recs, b->n_iterations, b->iterations_all, RP_FIELD_ITERATIONS, [](const rp_record_t &x) -> uint32_t { return x.iterations; });
    check_column_form(recs, b->n_status, b->status_all, 0, [](const rp_record_t &x) -> uint32_t { return x.status; });
    check_column_form(recs, b->n_arg, b->arg_all, RP_FIELD_ARG, [](const rp_record_t &x) -> uint32_t { return x.arg; });
    bool gaps_zero = true;
    for (size_t i = 1; i < recs.size(); i++) {
        gaps_zero = gaps_zero && recs[i].start == recs[i - 1].start + recs[i - 1].duration;
    }
    UNSIGNED_LONGS_EQUAL(gaps_zero ? 0 : recs.size(), b->n_gap);
    return len;
}

// Random record sets. Each column is independently constant or varying and
// draws from edge values as often as from random ones; starts follow one of
// several timelines, including nested spans (negative gaps) and arbitrary
// 64-bit jumps.
struct Gen {
    std::mt19937_64 rng;
    explicit Gen(uint64_t seed) : rng(seed) {}

    uint64_t pick(uint64_t max)
    {
        switch (rng() % 6) {
        case 0: return 0;
        case 1: return max;
        case 2: return 127 < max ? 127 + rng() % 3 : max;  // 127, 128, 129
        case 3: return rng() % 16 < max ? rng() % 16 : max;
        default: return rng() % (max + 1 == 0 ? UINT64_MAX : max + 1);
        }
    }

    template <typename T>
    void column(Records &r, T rp_record_t::*m, uint64_t max)
    {
        bool constant = rng() % 3 == 0;
        T c = (T)pick(max);
        for (auto &x : r) {
            x.*m = constant ? c : (T)pick(max);
        }
    }

    Records make(size_t n)
    {
        Records r(n);
        memset(r.data(), 0, n * sizeof(rp_record_t));
        // Half the sets hold only known ops, so the per-op member rule
        // (rp_op_fields) is exercised as much as unknown ops are.
        column(r, &rp_record_t::op, rng() % 2 ? 255 : RP_OP_COUNT - 1);
        column(r, &rp_record_t::status, 255);
        column(r, &rp_record_t::tile, 255);
        column(r, &rp_record_t::iterations, 255);
        column(r, &rp_record_t::row, 0xFFFF);
        column(r, &rp_record_t::rows, 0xFFFF);
        column(r, &rp_record_t::col, 0xFFFF);
        column(r, &rp_record_t::cols, 0xFFFF);
        column(r, &rp_record_t::duration, 0xFFFFFFFFu);
        column(r, &rp_record_t::arg, 0xFFFFFFFFu);
        if (rng() % 3 == 0) {  // long durations, narrow per op: per-op bases pay
            uint32_t spread = (uint32_t)pick(300);
            for (auto &x : r) {
                x.duration = 200u + 1000u * (x.op % 16u) + (uint32_t)(rng() % (spread + 1));
            }
        }
        uint64_t t = pick(UINT64_MAX);
        int timeline = (int)(rng() % 5);
        for (size_t i = 0; i < n; i++) {
            switch (timeline) {
            case 0:  // back to back: every gap 0
                break;
            case 1:  // small positive gaps
                t += rng() % 200;
                break;
            case 2:  // nested / overlapping: may start before the last end
                t -= rng() % 300;
                break;
            case 3:  // wild 64-bit jumps, wrapping included
                t = rng();
                break;
            default:
                t += (rng() % 2) ? rng() % 100000 : 0;
                break;
            }
            r[i].start = t;
            t += r[i].duration;
        }
        return r;
    }
};

// A typical write-verify workload on a 1 GHz virtual clock: each row is
// programmed with one to four WRITE+VERIFY pulses, and now and then read
// back. The last verify of a row fails (NOT_CONVERGED) with probability
// fail_per_mille / 1000.
Records typical(std::mt19937_64 &rng, size_t n, uint64_t &t, unsigned fail_per_mille = 0)
{
    Records r;
    uint16_t row = (uint16_t)(rng() % 128);
    while (r.size() < n) {
        rp_record_t e = {};
        e.tile = 1;
        e.rows = 1;
        e.cols = 64;
        unsigned kind = (unsigned)(rng() % 10);
        if (kind < 7) {  // one write-verify sequence on the next row
            row = (uint16_t)((row + 1) % 128);
            unsigned pulses = 1 + (unsigned)(rng() % 4);
            for (unsigned k = 1; k <= pulses && r.size() < n; k++) {
                e.row = row;
                e.iterations = (uint8_t)k;
                e.op = RP_OP_WRITE;
                e.start = t += 2 + rng() % 6;
                e.duration = 50 + (uint32_t)(rng() % 20);
                t += e.duration;
                r.push_back(e);
                if (r.size() == n) {
                    break;
                }
                e.op = RP_OP_VERIFY;
                e.start = t += 2 + rng() % 6;
                e.duration = 20 + (uint32_t)(rng() % 10);
                e.status = (k == pulses && rng() % 1000 < fail_per_mille) ? RP_STATUS_NOT_CONVERGED
                                                                         : RP_STATUS_OK;
                t += e.duration;
                r.push_back(e);
                e.status = RP_STATUS_OK;
            }
        } else {  // a read of the row just programmed
            e.op = RP_OP_READ;
            e.row = row;
            e.start = t += 2 + rng() % 6;
            e.duration = 20 + (uint32_t)(rng() % 10);
            t += e.duration;
            r.push_back(e);
        }
    }
    return r;
}

}  // namespace

TEST_GROUP(encode_batch){};

TEST(encode_batch, single_event_is_all_constant_columns)
{
    rp_record_t r = {};
    r.start = 0x123456789ull;
    r.duration = 300;
    r.arg = 9;
    r.op = RP_OP_MVM;
    r.status = RP_STATUS_HAL_ERROR;
    r.tile = 3;
    r.iterations = 0;
    r.row = 100;
    r.rows = 16;
    r.col = 0;
    r.cols = 64;
    check_batch(Records{ r }, 5);
}

TEST(encode_batch, empty_batch)
{
    rp_batch_state_t st = { 4, 1000 };
    uint8_t buf[64];
    size_t len = rp_encode_batch(&st, nullptr, 0, 17, buf, sizeof(buf));
    CHECK(len > 0);
    Decoded d(buf, len);
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_BATCH, d.f->body_case);
    UNSIGNED_LONGS_EQUAL(0, d.f->batch->count);
    UNSIGNED_LONGS_EQUAL(4, d.f->batch->sequence);
    UNSIGNED_LONGLONGS_EQUAL(1000, d.f->batch->first_event);
    UNSIGNED_LONGLONGS_EQUAL(17, d.f->batch->dropped_total);
    UNSIGNED_LONGS_EQUAL(5, st.sequence);
    UNSIGNED_LONGLONGS_EQUAL(1000, st.next_event);
}

TEST(encode_batch, extremes_in_every_column)
{
    Records r(3);
    memset(r.data(), 0, r.size() * sizeof(rp_record_t));
    r[0] = { UINT64_MAX, 0xFFFFFFFFu, 0xFFFFFFFFu, 255, 255, 255, 255, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF };
    r[1] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    r[2] = { 1ull << 63, 1, 128, 15, 3, 1, 128, 128, 1, 16384, 127 };
    check_batch(r, UINT64_MAX, { 0xFFFFFFFFu, UINT64_MAX - 3 });
}

TEST(encode_batch, sequence_and_first_event_chain)
{
    std::mt19937_64 rng(1);
    uint64_t t = 1000;
    rp_batch_state_t st = { 0, 0 };
    for (int i = 0; i < 20; i++) {
        Records r = typical(rng, 1 + rng() % RP_CONFIG_BATCH_MAX_EVENTS, t);
        rp_batch_state_t before = st;
        check_batch(r, (uint64_t)i * 3, st);
        st.sequence = before.sequence + 1;
        st.next_event = before.next_event + r.size();
    }
}

TEST(encode_batch, randomised_property_thousands_of_sets)
{
    Gen g(0xC0FFEE);
    for (int round = 0; round < 4000; round++) {
        size_t n;
        switch (round % 5) {
        case 0: n = 1; break;
        case 1: n = RP_CONFIG_BATCH_MAX_EVENTS; break;
        case 2: n = 2; break;
        default: n = 1 + g.rng() % RP_CONFIG_BATCH_MAX_EVENTS; break;
        }
        Records r = g.make(n);
        rp_batch_state_t st = { (uint32_t)g.pick(0xFFFFFFFFu - 1), g.pick(UINT64_MAX / 2) };
        check_batch(r, g.pick(UINT64_MAX), st);
    }
    CHECK(g_based_batches > 20);  // both duration forms were exercised (73 here)
    CHECK(g_folded_batches > 20 || RP_CONFIG_COMPACT_ENCODER);  // and the op folded in
}

TEST(encode_batch, refuses_small_buffers_cleanly)
{
    Gen g(42);
    for (int round = 0; round < 40; round++) {
        Records r = g.make(1 + g.rng() % 40);
        Bytes big(65536);
        rp_batch_state_t st0 = { 3, 99 };
        rp_batch_state_t st = st0;
        size_t full = rp_encode_batch(&st, r.data(), r.size(), 0, big.data(), big.size());
        CHECK(full > 0);
        for (size_t cap = 0; cap <= full; cap++) {
            Bytes buf(cap + 16, 0x77);
            st = st0;
            size_t n = rp_encode_batch(&st, r.data(), r.size(), 0, buf.data(), cap);
            for (size_t i = cap; i < buf.size(); i++) {
                BYTES_EQUAL(0x77, buf[i]);
            }
            if (n == 0) {
                // A refused batch leaves the stream state alone.
                UNSIGNED_LONGS_EQUAL(st0.sequence, st.sequence);
                UNSIGNED_LONGLONGS_EQUAL(st0.next_event, st.next_event);
            } else {
                CHECK(n <= cap);
                Decoded d(buf.data(), n);
                CHECK(d.f != nullptr);
                Records got = rebuild(d.f->batch);
                for (size_t i = 0; i < r.size(); i++) {
                    rp_record_t want = r[i];
                    rp_record_clear_unused(&want);
                    check_same(want, got[i]);
                }
            }
            // Width only shrinks with cap, so from the size it needed with a
            // large buffer on, it must succeed.
            if (cap == full) {
                CHECK(n > 0);
            }
        }
    }
}

// mlp-like batch: TRANSFER in, MVM, TRANSFER out (the region of the MVM
// they serve, arg = bytes), COMPUTE (arg = name id) and a closing SPAN.
// Only the events that use a member count for its column's form: region
// columns are constant although COMPUTE/SPAN hold 0 there, and arg is
// packed because transfers and names disagree.
TEST(encode_batch, members_an_op_does_not_use_keep_columns_constant)
{
    Records r;
    uint64_t t = 5000;
    auto add = [&](uint8_t op, uint32_t dur, uint32_t arg, bool region) {
        rp_record_t e = {};
        e.op = op;
        e.start = t;
        e.duration = dur;
        e.arg = arg;
        if (region) {
            e.tile = 3, e.row = 0, e.rows = 64, e.col = 0, e.cols = 32;
        }
        t += dur + 30;
        r.push_back(e);
    };
    for (int v = 0; v < 20; v++) {
        add(RP_OP_TRANSFER, 40, 64, true);
        add(RP_OP_MVM, 400, 0, true);
        add(RP_OP_TRANSFER, 60, 128, true);
        add(RP_OP_COMPUTE, 900 + (uint32_t)v, 5, false);
    }
    add(RP_OP_SPAN, 90000, 4, false);
    Bytes buf(4096);
    rp_batch_state_t st = { 0, 0 };
    size_t len = rp_encode_batch(&st, r.data(), r.size(), 0, buf.data(), buf.size());
    CHECK(len > 0);
    Decoded d(buf.data(), len);
    CHECK(d.f != nullptr);
    const Rramprof__V1__EventBatch *b = d.f->batch;
    UNSIGNED_LONGS_EQUAL(0, b->n_tile + b->n_row + b->n_rows + b->n_col + b->n_cols);
    UNSIGNED_LONGS_EQUAL(3, b->tile_all);
    UNSIGNED_LONGS_EQUAL(64, b->rows_all);
    UNSIGNED_LONGS_EQUAL(32, b->cols_all);
    UNSIGNED_LONGS_EQUAL(r.size(), b->n_arg);
    check_batch(r, 0);  // every event rebuilds, COMPUTE/SPAN regions as 0
}

// Durations far above 127 ticks whose spread per op is small go as per-op
// bases plus one-byte excesses; constant-duration ops add nothing per event.
TEST(encode_batch, per_op_duration_bases_shrink_long_durations)
{
    std::mt19937_64 rng(7);
    Records r;
    uint64_t t = 1;
    for (int i = 0; i < 120; i++) {
        rp_record_t e = {};
        e.op = i % 3 == 0 ? RP_OP_VERIFY : RP_OP_WRITE;
        e.duration = e.op == RP_OP_WRITE ? 1500 + (uint32_t)(rng() % 100) : 700;
        e.start = t;
        e.tile = 1, e.rows = 1, e.cols = 64, e.row = (uint16_t)(i / 3);
        t += e.duration + 30;
        r.push_back(e);
    }
    Bytes buf(4096);
    rp_batch_state_t st = { 0, 0 };
    size_t len = rp_encode_batch(&st, r.data(), r.size(), 0, buf.data(), buf.size());
    CHECK(len > 0);
    Decoded d(buf.data(), len);
    const Rramprof__V1__EventBatch *b = d.f->batch;
    UNSIGNED_LONGS_EQUAL(RP_OP_VERIFY + 1, b->n_duration_base);
    UNSIGNED_LONGS_EQUAL(700 - base_below(b), b->duration_base[RP_OP_VERIFY]);
    CHECK(b->duration_base[RP_OP_WRITE] >= 1500 - base_below(b));
    // Excesses below 128, where the durations take two bytes or (folded
    // with the op) three: with the op, two bytes per event at most.
    UNSIGNED_LONGS_EQUAL(r.size(), b->n_duration);
    size_t bytes = b->n_op;
    for (size_t i = 0; i < b->n_duration; i++) {
        CHECK(excess_at(b, i) < 128);
        bytes += b->duration[i] < 128 ? 1 : b->duration[i] < 16384 ? 2 : 3;
    }
    CHECK(bytes <= 2 * r.size());
    check_batch(r, 0);
    // Every op of constant duration: bases only, and no excess column at
    // all unless the ops are folded into it (then each value is the op).
    for (auto &e : r) {
        e.duration = e.op == RP_OP_WRITE ? 2000 : 3000;
    }
    for (size_t i = 1; i < r.size(); i++) {
        r[i].start = r[i - 1].start + r[i - 1].duration;
    }
    st = { 0, 0 };
    len = rp_encode_batch(&st, r.data(), r.size(), 0, buf.data(), buf.size());
    Decoded d2(buf.data(), len);
    b = d2.f->batch;
    UNSIGNED_LONGS_EQUAL(RP_OP_VERIFY + 1, b->n_duration_base);
    UNSIGNED_LONGS_EQUAL(b->op_bits != 0 ? r.size() : 0, b->n_duration);
    for (size_t i = 0; i < b->n_duration; i++) {
        UNSIGNED_LONGS_EQUAL(r[i].op, b->duration[i]);
    }
    check_batch(r, 0);
}

#if !RP_CONFIG_COMPACT_ENCODER  // the compact encoder has no sizing pass

TEST(encode_batch, fit_is_a_guarantee)
{
    Gen g(777);
    for (int round = 0; round < 3000; round++) {
        size_t max = 1 + g.rng() % RP_CONFIG_BATCH_MAX_EVENTS;
        Records r = g.make(max);
        size_t cap = 32 + g.rng() % 2048;
        size_t n = rp_encode_batch_fit(r.data(), max, cap);
        CHECK(n <= max);
        if (n > 0) {
            Bytes buf(cap);
            rp_batch_state_t st = { 0xFFFFFFFFu, UINT64_MAX - 200 };  // widest header
            size_t len = rp_encode_batch(&st, r.data(), n, UINT64_MAX, buf.data(), cap);
            CHECK(len > 0);
            CHECK(len <= cap);
        }
    }
    UNSIGNED_LONGS_EQUAL(0, rp_encode_batch_fit(nullptr, 5, 1024));
}

TEST(encode_batch, fit_is_a_guarantee_when_every_value_is_at_its_widest)
{
    // Every column varies between two values of the same varint length and
    // every gap is as long as a gap can be: the actual size is close to the
    // bound, so a bound that promised more events than fit would show.
    std::mt19937_64 rng(4242);
    for (int round = 0; round < 2000; round++) {
        size_t max = 1 + rng() % RP_CONFIG_BATCH_MAX_EVENTS;
        Records r(max);
        memset(r.data(), 0, max * sizeof(rp_record_t));
        for (size_t i = 0; i < max; i++) {
            uint32_t odd = (uint32_t)(i & 1u);
            r[i].op = (uint8_t)(0xFE + odd);
            r[i].status = (uint8_t)(0xFE + odd);
            r[i].tile = (uint8_t)(0xFE + odd);
            r[i].iterations = (uint8_t)(0xFE + odd);
            r[i].row = (uint16_t)(0xFFFE + odd);
            r[i].rows = (uint16_t)(0xFFFE + odd);
            r[i].col = (uint16_t)(0xFFFE + odd);
            r[i].cols = (uint16_t)(0xFFFE + odd);
            r[i].duration = 0xFFFFFFFEu + odd;
            r[i].arg = 0xFFFFFFFEu + odd;
            r[i].start = odd ? 0 : (1ull << 63);  // |gap| near 2^63
        }
        size_t cap = 64 + rng() % 3000;
        size_t n = rp_encode_batch_fit(r.data(), max, cap);
        if (n > 0) {
            Bytes buf(cap);
            rp_batch_state_t st = { 0xFFFFFFFFu, UINT64_MAX - 200 };
            CHECK(rp_encode_batch(&st, r.data(), n, UINT64_MAX, buf.data(), cap) > 0);
        }
    }
}

TEST(encode_batch, fit_is_tight_enough_for_full_batches_of_typical_events)
{
    std::mt19937_64 rng(9);
    uint64_t t = 5000;
    for (int i = 0; i < 50; i++) {
        Records r = typical(rng, RP_CONFIG_BATCH_MAX_EVENTS, t);
        UNSIGNED_LONGS_EQUAL(RP_CONFIG_BATCH_MAX_EVENTS,
                             rp_encode_batch_fit(r.data(), r.size(), RP_FRAME_MAX_PAYLOAD));
    }
}

#endif  // !RP_CONFIG_COMPACT_ENCODER

namespace {

// Framed bytes per event over 200 full drains of a typical workload.
double wire_bytes_per_event(unsigned fail_per_mille)
{
    std::mt19937_64 rng(10);
    uint64_t t = 1ull << 40;
    rp_batch_state_t st = { 0, 0 };
    size_t events = 0, wire = 0;
    for (int i = 0; i < 200; i++) {
        Records r = typical(rng, RP_CONFIG_BATCH_MAX_EVENTS, t, fail_per_mille);
        uint8_t payload[RP_FRAME_MAX_PAYLOAD];
        uint8_t framed[RP_FRAME_ENCODED_MAX(RP_FRAME_MAX_PAYLOAD)];
#if RP_CONFIG_COMPACT_ENCODER
        // As the device does without a sizing pass: the longest prefix that fits.
        size_t n = r.size(), len = 0;
        for (; n > 0 && len == 0; n -= len == 0) {
            rp_batch_state_t trial = st;
            len = rp_encode_batch(&trial, r.data(), n, 0, payload, sizeof(payload));
            st = len > 0 ? trial : st;
        }
#else
        size_t n = rp_encode_batch_fit(r.data(), r.size(), sizeof(payload));
        size_t len = rp_encode_batch(&st, r.data(), n, 0, payload, sizeof(payload));
#endif
        CHECK(len > 0);
        wire += rp_frame_encode(payload, len, framed, sizeof(framed));
        events += n;
    }
    return (double)wire / (double)events;
}

void check_at_most(double got, double limit)
{
    if (got > limit) {
        FAIL(("wire bytes per event " + std::to_string(got) + " > " + std::to_string(limit)).c_str());
    }
}

}  // namespace

// Five columns vary (op, gap, duration, row, iterations): ~5.4 bytes.
TEST(encode_batch, converging_write_verify_costs_at_most_6_bytes_per_event)
{
    check_at_most(wire_bytes_per_event(0), 6.0);
}

// A rare NOT_CONVERGED makes the status column vary in most batches, one
// more byte per event for them: ~6.1 bytes with 5% of rows failing.
TEST(encode_batch, occasional_failures_cost_at_most_one_byte_more)
{
    double clean = wire_bytes_per_event(0);
    double failing = wire_bytes_per_event(50);
    CHECK(failing > clean);
    check_at_most(failing, clean + 1.0);
}

// ---- the encoder's special paths, each forced by its input ----

namespace {

// Every cap from 0 to past what the batch needs: either refused (0, state
// untouched) or complete and right within cap; nothing written past cap;
// and from the size it needed with a large buffer on, never refused.
void check_batch_every_cap(const Records &r, rp_batch_state_t st0, uint64_t dropped)
{
    Bytes big(65536);
    rp_batch_state_t st = st0;
    size_t full = rp_encode_batch(&st, r.data(), r.size(), dropped, big.data(), big.size());
    CHECK(full > 0);
    for (size_t cap = 0; cap <= full + 2; cap++) {
        Bytes buf(cap + 16, 0x77);
        st = st0;
        size_t n = rp_encode_batch(&st, r.data(), r.size(), dropped, buf.data(), cap);
        for (size_t i = cap; i < buf.size(); i++) {
            BYTES_EQUAL(0x77, buf[i]);
        }
        if (cap >= full) {
            CHECK(n > 0);
        }
        if (n == 0) {
            UNSIGNED_LONGS_EQUAL(st0.sequence, st.sequence);
            UNSIGNED_LONGLONGS_EQUAL(st0.next_event, st.next_event);
            continue;
        }
        CHECK(n <= cap);
        Decoded d(buf.data(), n);
        CHECK(d.f != nullptr);
        UNSIGNED_LONGLONGS_EQUAL(dropped, d.f->batch->dropped_total);
        UNSIGNED_LONGLONGS_EQUAL(st0.next_event, d.f->batch->first_event);
        Records got = rebuild(d.f->batch);
        UNSIGNED_LONGS_EQUAL(r.size(), got.size());
        for (size_t i = 0; i < r.size(); i++) {
            rp_record_t want = r[i];
            rp_record_clear_unused(&want);
            check_same(want, got[i]);
        }
    }
}

// n events cycling through the ops of `mask`, each op's durations a long
// base (op-dependent) plus up to `spread` ticks; regions constant per op.
Records op_mix(std::mt19937_64 &rng, unsigned mask, size_t n, uint32_t base, uint32_t spread)
{
    std::vector<uint8_t> ops;
    for (unsigned k = 0; k < RP_OP_COUNT; k++) {
        if (mask & (1u << k)) {
            ops.push_back((uint8_t)k);
        }
    }
    Records r(n);
    memset(r.data(), 0, n * sizeof(rp_record_t));
    uint64_t t = 1ull << 33;
    for (size_t i = 0; i < n; i++) {
        rp_record_t &e = r[i];
        e.op = ops[i % ops.size()];
        e.duration = base + 977u * e.op + (uint32_t)(rng() % (spread + 1u));
        e.tile = (uint8_t)(e.op + 1u);
        e.row = (uint16_t)(rng() % 300);
        e.rows = 1;
        e.cols = 64;
        e.iterations = (uint8_t)(1 + rng() % 3);
        e.arg = (uint32_t)(rng() % 5000);
        e.status = rng() % 50 == 0 ? RP_STATUS_NOT_CONVERGED : RP_STATUS_OK;
        rp_record_clear_unused(&e);
        e.start = t;
        t += e.duration + rng() % 40;
    }
    return r;
}

}  // namespace

// Every set of ops, with long per-op durations of narrow to wide spread:
// the excess columns' three loops (values of one byte, up to two, longer),
// each with the op folded in (packed ops) or without it (one op, or
// durations of 2^29 ticks and more), odd and even counts.
TEST(encode_batch, every_op_mix_with_duration_bases)
{
    std::mt19937_64 rng(2024);
    // base, spread: values of one byte, up to two, up to three, four
    // (folded) or three (not), and four without the fold (the bases
    // always a byte or more longer than the excesses, so they pay).
    const uint32_t shapes[][2] = { { 20000, 10 }, { 20000, 1000 }, { 1u << 23, 1u << 17 },
                                   { 1u << 28, 1u << 20 }, { 1u << 30, 1u << 22 } };
    size_t based = 0, batches = 0;
    for (unsigned mask = 1; mask < (1u << RP_OP_COUNT); mask++) {
        for (const auto &shape : shapes) {
            size_t n = 100 + (size_t)(rng() % 29);  // 100..128, odd and even
            Records r = op_mix(rng, mask, n, shape[0], shape[1]);
            rp_batch_state_t st = { mask, 77 };
            size_t len = check_batch(r, mask, st);
            Bytes buf(len + 64);
            st = { mask, 77 };
            Decoded d(buf.data(), rp_encode_batch(&st, r.data(), r.size(), mask, buf.data(), buf.size()));
            CHECK(d.f != nullptr);
            based += d.f->batch->n_duration_base != 0;
            batches++;
        }
    }
    UNSIGNED_LONGS_EQUAL(batches, based);  // every one took the bases
}

// One op only, durations long and varying: bases with a constant op column.
// Every cap: nothing past cap is touched, and a tight buffer is refused or
// right, never corrupt.
TEST(encode_batch, based_durations_with_one_op_at_every_cap)
{
    std::mt19937_64 rng(5);
    const uint32_t spreads[] = { 60, 5000, 1u << 16 };
    for (uint32_t spread : spreads) {
        for (size_t n : { (size_t)15, (size_t)40, (size_t)41 }) {  // bases pay for all
            Records r = op_mix(rng, 1u << RP_OP_WRITE, n, 1u << 22, spread);
            Bytes buf(4096);
            rp_batch_state_t st = { 0, 0 };
            Decoded d(buf.data(), rp_encode_batch(&st, r.data(), n, 0, buf.data(), buf.size()));
            CHECK(d.f != nullptr);
            UNSIGNED_LONGS_EQUAL(RP_OP_WRITE + 1, d.f->batch->n_duration_base);
            UNSIGNED_LONGS_EQUAL(0, d.f->batch->n_op);
            check_batch_every_cap(r, { 9, 1000 }, 3);
        }
    }
    // Packed ops too (folded into the excesses).
    for (uint32_t spread : spreads) {
        Records r = op_mix(rng, (1u << RP_OP_WRITE) | (1u << RP_OP_VERIFY), 33, 1u << 22, spread);
        check_batch_every_cap(r, { 0, 0 }, 0);
    }
}

// The size bound of the excesses comes from each op's OR of durations,
// which can be far above the longest: 1023 and 1024 OR to 2047. The
// excesses (0 and 1, or 1 and 2 over bases one lower) still take a byte
// each.
TEST(encode_batch, excesses_sized_by_the_or_of_durations)
{
    Records r;
    uint64_t t = 100;
    for (int i = 0; i < 90; i++) {
        rp_record_t e = {};
        e.op = i % 3 == 0 ? RP_OP_READ : RP_OP_WRITE;
        e.duration = e.op == RP_OP_READ ? 5000u : 1023u + (uint32_t)(i & 1);
        e.tile = 2, e.rows = 1, e.cols = 8, e.row = (uint16_t)i;
        e.start = t;
        t += e.duration + 3;
        r.push_back(e);
    }
    Bytes buf(4096);
    rp_batch_state_t st = { 0, 0 };
    size_t len = rp_encode_batch(&st, r.data(), r.size(), 0, buf.data(), buf.size());
    Decoded d(buf.data(), len);
    CHECK(d.f != nullptr);
    const Rramprof__V1__EventBatch *b = d.f->batch;
    UNSIGNED_LONGS_EQUAL(RP_OP_READ + 1, b->n_duration_base);
    UNSIGNED_LONGS_EQUAL(1023 - base_below(b), b->duration_base[RP_OP_WRITE]);
    UNSIGNED_LONGS_EQUAL(5000 - base_below(b), b->duration_base[RP_OP_READ]);
    UNSIGNED_LONGS_EQUAL(r.size(), b->n_duration);
    for (size_t i = 0; i < b->n_duration; i++) {
        CHECK(excess_at(b, i) <= 1 + base_below(b));
        CHECK(b->duration[i] > 0 || kBaseBelowShortest == 0);  // no zero byte
        CHECK(b->duration[i] < 128);  // one byte, folded or not
    }
    check_batch(r, 0);
    check_batch_every_cap(r, { 1, 2 }, 0);
}

// An op's durations are constant iff their OR equals the shortest: equal
// per op but not across ops gives bases and no excesses; 4 and 5 (OR 5,
// shortest 4) or 2, 4, 6 (OR 6) are not constant.
TEST(encode_batch, constant_durations_told_by_or_and_shortest)
{
    auto make = [](std::vector<uint32_t> write, uint32_t verify) {
        Records r;
        uint64_t t = 7;
        for (size_t i = 0; i < 60; i++) {
            rp_record_t e = {};
            e.op = i % 2 ? RP_OP_VERIFY : RP_OP_WRITE;
            e.duration = e.op == RP_OP_WRITE ? write[(i / 2) % write.size()] : verify;
            e.tile = 1, e.rows = 1, e.cols = 64, e.iterations = 1, e.row = 3;
            e.start = t;
            t += e.duration;
            r.push_back(e);
        }
        return r;
    };
    Records equal = make({ 3000 }, 5000);
    Bytes buf(4096);
    rp_batch_state_t st = { 0, 0 };
    Decoded d(buf.data(), rp_encode_batch(&st, equal.data(), equal.size(), 0, buf.data(), buf.size()));
    CHECK(d.f != nullptr);
    UNSIGNED_LONGS_EQUAL(RP_OP_VERIFY + 1, d.f->batch->n_duration_base);
    // No excesses: no column, unless it carries the ops.
    UNSIGNED_LONGS_EQUAL(d.f->batch->op_bits != 0 ? equal.size() : 0, d.f->batch->n_duration);
    check_batch(equal, 0);
    for (auto w : { std::vector<uint32_t>{ 4, 5 }, std::vector<uint32_t>{ 2, 4, 6 },
                    std::vector<uint32_t>{ 5000, 5001 }, std::vector<uint32_t>{ 6000, 4000, 2000 } }) {
        Records r = make(w, 4);
        size_t len = check_batch(r, 0);  // checks the column form as well
        CHECK(len > 0);
        st = { 0, 0 };
        Decoded v(buf.data(), rp_encode_batch(&st, r.data(), r.size(), 0, buf.data(), buf.size()));
        CHECK(v.f->batch->n_duration != 0);  // the durations vary: a column
    }
}

// Packed arg values on both sides of the two-byte limit of a varint (2^14),
// and a nearly full buffer (the checked tail), are written right.
TEST(encode_batch, packed_arg_around_two_bytes)
{
    const uint32_t highs[] = { 0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000, 0xFFFFFFFFu };
    for (uint32_t high : highs) {
        Records r;
        uint64_t t = 0;
        for (uint32_t i = 0; i < 35; i++) {
            rp_record_t e = {};
            e.op = RP_OP_TRANSFER;
            e.duration = 50;
            e.arg = i % 5 == 0 ? high : (i * 0x9E3779B9u) % high;  // below high
            e.tile = 1, e.rows = 4, e.cols = 4;
            e.start = t;
            t += 60;
            r.push_back(e);
        }
        check_batch(r, 0);
        check_batch_every_cap(r, { 2, 3 }, 0);
    }
}

// Gaps of ten bytes each (wild jumps) with every cap: the room kept for the
// gaps still to come is exact at the edge.
TEST(encode_batch, long_gaps_in_a_tight_buffer)
{
    std::mt19937_64 rng(31);
    for (size_t n : { (size_t)2, (size_t)9, (size_t)64 }) {
        Records r(n);
        memset(r.data(), 0, n * sizeof(rp_record_t));
        for (size_t i = 0; i < n; i++) {
            r[i].op = RP_OP_READ;
            r[i].duration = 30;
            r[i].start = i % 2 ? rng() | (1ull << 63) : rng() >> 1;  // |gap| near 2^63
            if (i % 3 == 2) {
                r[i].start = r[i - 1].start + r[i - 1].duration + 5;  // a short one
            }
        }
        check_batch(r, 0);
        check_batch_every_cap(r, { 0, 0 }, 0);
    }
}

// A header at its longest (ten-byte values) in buffers smaller than the
// longest header: written through the encoder's local copy, or refused.
TEST(encode_batch, widest_header_in_small_buffers)
{
    rp_record_t e = {};
    e.start = UINT64_MAX;
    e.op = RP_OP_MVM;
    e.duration = 12;
    Records one{ e };
    check_batch_every_cap(one, { 0xFFFFFFFFu, UINT64_MAX - 1 }, UINT64_MAX);
    check_batch_every_cap(one, { 1, 1 }, 0);
    check_batch_every_cap(Records{}, { 0xFFFFFFFFu, UINT64_MAX }, UINT64_MAX);
}

// A buffer too small for the gap column stops the statistics part way: an
// unknown op beyond that point must not reach the duration bases (which
// index by op). Long durations that straddle a power of two (1000..1100,
// OR up to 2047) make the bases' choice take its pass over the records.
TEST(encode_batch, unknown_op_beyond_a_full_buffer)
{
    Records r;
    uint64_t t = 0;
    for (uint32_t i = 0; i < 60; i++) {
        rp_record_t e = {};
        e.op = i == 50 ? 0xC7 : RP_OP_WRITE;  // low bits 7, high bits set
        e.duration = 1000u + (i * 37u) % 101u;
        e.start = t;
        t += e.duration + (i % 2 ? 100000u : 1u);  // every other gap long
        r.push_back(e);
    }
    check_batch(r, 0);
    check_batch_every_cap(r, { 0, 0 }, 0);
}
