// Decoder: every Frame kind, batch reconstruction, malformed payloads, the
// fast EventBatch path against protobuf-c, and damaged link streams.
#include <CppUTest/TestHarness.h>

#include <cstring>
#include <dirent.h>
#include <random>
#include <string>
#include <vector>

#include "profiler_util.h"
#include "rramprof.pb-c.h"
#include "rramprof/rp_crc32.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_pbwire.h"
#include "rramprof/rp_status.h"

using rpt::Bytes;

namespace {

// Packs a protobuf-c Frame (to build payloads the firmware never sends).
Bytes pack(const Rramprof__V1__Frame *f)
{
    Bytes b(rramprof__v1__frame__get_packed_size(f));
    size_t n = rramprof__v1__frame__pack(f, b.data());
    CHECK_EQUAL(b.size(), n);
    return b;
}

Bytes pack_batch(Rramprof__V1__EventBatch *eb)
{
    Rramprof__V1__Frame f = RRAMPROF__V1__FRAME__INIT;
    f.body_case = RRAMPROF__V1__FRAME__BODY_BATCH;
    f.batch = eb;
    return pack(&f);
}

// Collects what rp_decoder_feed delivers.
struct Sink {
    std::vector<int> kinds;        // kind, or -fault for bad payloads
    std::vector<Bytes> payloads;
    uint64_t events = 0;
    int stop_after = -1;           // return an error after this many messages
};

int sink_fn(void *ctx, const rp_msg_t *m)
{
    Sink *s = static_cast<Sink *>(ctx);
    s->kinds.push_back(m->err == RP_OK ? (int)m->kind : -(int)m->fault);
    s->payloads.emplace_back(m->payload, m->payload + m->payload_len);
    if (m->err == RP_OK && m->kind == RP_FRAME_BATCH) {
        s->events += m->u.batch.count;
    }
    if (s->stop_after >= 0 && (int)s->kinds.size() == s->stop_after) {
        return RP_ERR_STATE;
    }
    return RP_OK;
}

// Decodes with the fast path and with protobuf-c only; both must agree on
// everything. Returns the fast decoder's result.
int decode_both(rp_decoder_t *fast, rp_decoder_t *gen, const Bytes &p, rp_msg_t *out)
{
    rp_msg_t g;
    int rf = rp_decoder_decode(fast, p.data(), p.size(), out);
    int rg = rp_decoder_decode(gen, p.data(), p.size(), &g);
    LONGS_EQUAL(rg, rf);
    LONGS_EQUAL(g.err, out->err);
    LONGS_EQUAL(g.fault, out->fault);
    LONGS_EQUAL(g.kind, out->kind);
    if (out->err == RP_OK && out->kind == RP_FRAME_BATCH) {
        const rp_batch_t &a = out->u.batch;
        const rp_batch_t &b = g.u.batch;
        UNSIGNED_LONGS_EQUAL(b.sequence, a.sequence);
        UNSIGNED_LONGS_EQUAL(b.first_event, a.first_event);
        UNSIGNED_LONGS_EQUAL(b.base_timestamp, a.base_timestamp);
        UNSIGNED_LONGS_EQUAL(b.dropped_total, a.dropped_total);
        UNSIGNED_LONGS_EQUAL(b.count, a.count);
        for (uint32_t i = 0; i < a.count; i++) {
            rpt::check_record(b.events[i], a.events[i]);
        }
    }
    return rf;
}

}  // namespace

TEST_GROUP(decode)
{
    rp_decoder_t *d = nullptr;
    rp_decoder_t *gen = nullptr;
    std::mt19937_64 rng{12345};

    void setup() override
    {
        d = rp_decoder_create();
        gen = rp_decoder_create();
        CHECK(d != nullptr && gen != nullptr);
        rp_decoder_set_generic(gen, true);
    }
    void teardown() override
    {
        rp_decoder_destroy(d);
        rp_decoder_destroy(gen);
    }
};

TEST(decode, hello_all_fields)
{
    Bytes p = rpt::enc_hello(0xABCDEF0123ull, 48000000, "nucleo");
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
    LONGS_EQUAL(RP_FRAME_HELLO, m.kind);
    UNSIGNED_LONGS_EQUAL(1, m.protocol_version);
    STRCMP_EQUAL("nucleo", m.u.hello.board);
    STRCMP_EQUAL("1.2.3", m.u.hello.firmware_version);
    UNSIGNED_LONGS_EQUAL(48000000, m.u.hello.clock_hz);
    UNSIGNED_LONGS_EQUAL(32, m.u.hello.timer_bits);
    UNSIGNED_LONGS_EQUAL(4, m.u.hello.array.tiles);
    UNSIGNED_LONGS_EQUAL(128, m.u.hello.array.rows);
    UNSIGNED_LONGS_EQUAL(64, m.u.hello.array.cols);
    UNSIGNED_LONGS_EQUAL(2, m.u.hello.array.bits_per_cell);
    UNSIGNED_LONGS_EQUAL(8, m.u.hello.array.adcs_per_tile);
    UNSIGNED_LONGS_EQUAL(6, m.u.hello.array.adc_bits);
    UNSIGNED_LONGS_EQUAL(8, m.u.hello.array.input_bits);
    UNSIGNED_LONGS_EQUAL(1000000, m.u.hello.array.endurance_cycles);
    STRCMP_EQUAL("sim:testchip", m.u.hello.array.model);
    UNSIGNED_LONGS_EQUAL(1024, m.u.hello.ring_capacity);
    UNSIGNED_LONGS_EQUAL(1024, m.u.hello.max_frame_payload);
    UNSIGNED_LONGS_EQUAL(0xABCDEF0123ull, m.u.hello.boot_id);
    UNSIGNED_LONGS_EQUAL(1, m.u.hello.counters_available);
    UNSIGNED_LONGS_EQUAL(0xFF, m.u.hello.op_mask);
    UNSIGNED_LONGS_EQUAL(3, m.u.hello.threshold_ticks);
    UNSIGNED_LONGS_EQUAL(2, m.u.hello.workload_count);
    UNSIGNED_LONGS_EQUAL(RP_RESET_POWER_ON, m.u.hello.reset_cause);
    UNSIGNED_LONGS_EQUAL(0, m.u.hello.fatal_reason);
    STRCMP_EQUAL("mvm_bench", m.u.hello.workloads[0]);
    STRCMP_EQUAL("write_sweep", m.u.hello.workloads[1]);
    UNSIGNED_LONGS_EQUAL(1, rp_decoder_stats(d)->kinds[RP_FRAME_HELLO]);
    p = rpt::enc_hello(7, 48000000, "nucleo", RP_RESET_FATAL, 0x1000u);
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
    UNSIGNED_LONGS_EQUAL(RP_RESET_FATAL, m.u.hello.reset_cause);
    UNSIGNED_LONGS_EQUAL(0x1000u, m.u.hello.fatal_reason);
}

TEST(decode, hello_without_array_has_empty_strings)
{
    Rramprof__V1__Hello h = RRAMPROF__V1__HELLO__INIT;
    h.clock_hz = 5;
    Rramprof__V1__Frame f = RRAMPROF__V1__FRAME__INIT;
    f.body_case = RRAMPROF__V1__FRAME__BODY_HELLO;
    f.hello = &h;
    Bytes p = pack(&f);
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
    LONGS_EQUAL(RP_FRAME_HELLO, m.kind);
    STRCMP_EQUAL("", m.u.hello.board);
    STRCMP_EQUAL("", m.u.hello.array.model);
    UNSIGNED_LONGS_EQUAL(0, m.u.hello.array.tiles);
    UNSIGNED_LONGS_EQUAL(5, m.u.hello.clock_hz);
}

TEST(decode, names_counters_drops_heartbeat)
{
    uint8_t buf[512];
    const uint32_t ids[] = {3, 7};
    const char *const names[] = {"conv1", "softmax"};
    size_t n = rp_encode_names(ids, names, 2, buf, sizeof buf);
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, buf, n, &m));
    LONGS_EQUAL(RP_FRAME_NAMES, m.kind);
    UNSIGNED_LONGS_EQUAL(2, m.u.names.count);
    UNSIGNED_LONGS_EQUAL(7, m.u.names.ids[1]);
    STRCMP_EQUAL("conv1", m.u.names.names[0]);
    STRCMP_EQUAL("softmax", m.u.names.names[1]);

    rp_counters_t c = {};
    c.timestamp = 1;
    c.events_recorded = 2;
    c.events_filtered = 3;
    c.events_dropped = 4;
    c.events_sent = 5;
    c.record_ticks = 6;
    c.drain_ticks = 7;
    c.bytes_sent = 8;
    c.frames_sent = 9;
    c.ring_high_water = 10;
    c.tx_stall_ticks = 11;
    c.hw_valid = 12;
    c.hw_cycles = 13;
    c.hw_cpi = 14;
    c.hw_exc = 15;
    c.hw_sleep = 16;
    c.hw_lsu = 17;
    c.hw_fold = 18;
    c.link_rx_lost = 19;
    n = rp_encode_counters(&c, buf, sizeof buf);
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, buf, n, &m));
    LONGS_EQUAL(RP_FRAME_COUNTERS, m.kind);
    const uint64_t got[] = {m.u.counters.timestamp, m.u.counters.events_recorded,
                            m.u.counters.events_filtered, m.u.counters.events_dropped,
                            m.u.counters.events_sent, m.u.counters.record_ticks,
                            m.u.counters.drain_ticks, m.u.counters.bytes_sent,
                            m.u.counters.frames_sent, m.u.counters.ring_high_water,
                            m.u.counters.tx_stall_ticks, m.u.counters.hw_valid,
                            m.u.counters.hw_cycles, m.u.counters.hw_cpi, m.u.counters.hw_exc,
                            m.u.counters.hw_sleep, m.u.counters.hw_lsu, m.u.counters.hw_fold,
                            m.u.counters.link_rx_lost};
    for (unsigned i = 0; i < 19; i++) {
        UNSIGNED_LONGS_EQUAL(i + 1, got[i]);
    }

    n = rp_encode_drops(77, 123456, buf, sizeof buf);
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, buf, n, &m));
    LONGS_EQUAL(RP_FRAME_DROPS, m.kind);
    UNSIGNED_LONGS_EQUAL(77, m.u.drops.dropped_total);
    UNSIGNED_LONGS_EQUAL(123456, m.u.drops.first_drop_timestamp);

    n = rp_encode_heartbeat(999, 1, buf, sizeof buf);
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, buf, n, &m));
    LONGS_EQUAL(RP_FRAME_HEARTBEAT, m.kind);
    UNSIGNED_LONGS_EQUAL(999, m.u.heartbeat.timestamp);
    UNSIGNED_LONGS_EQUAL(1, m.u.heartbeat.state);
}

TEST(decode, response_with_and_without_hello)
{
    uint8_t buf[1024];
    size_t n = rp_encode_response(42, 5, "no such workload", nullptr, buf, sizeof buf);
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, buf, n, &m));
    LONGS_EQUAL(RP_FRAME_RESPONSE, m.kind);
    UNSIGNED_LONGS_EQUAL(42, m.u.response.request_id);
    UNSIGNED_LONGS_EQUAL(5, m.u.response.result);
    STRCMP_EQUAL("no such workload", m.u.response.message);
    CHECK_FALSE(m.u.response.has_hello);

    rp_hello_t h = {};
    h.board = "sim";
    h.firmware_version = "9";
    h.clock_hz = 1000;
    h.boot_id = 5;
    n = rp_encode_response(43, 0, nullptr, &h, buf, sizeof buf);
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, buf, n, &m));
    LONGS_EQUAL(RP_FRAME_RESPONSE, m.kind);
    STRCMP_EQUAL("", m.u.response.message);
    CHECK_TRUE(m.u.response.has_hello);
    STRCMP_EQUAL("sim", m.u.response.hello.board);
    UNSIGNED_LONGS_EQUAL(1000, m.u.response.hello.clock_hz);
    UNSIGNED_LONGS_EQUAL(5, m.u.response.hello.boot_id);
    UNSIGNED_LONGS_EQUAL(1, m.protocol_version);
}

TEST(decode, workload_result)
{
    Rramprof__V1__WorkloadResult w = RRAMPROF__V1__WORKLOAD_RESULT__INIT;
    w.name = (char *)"mvm_bench";
    w.run = 3;
    w.passed = 1;
    w.error_ppm = -250;
    w.start = 100;
    w.end = 900;
    w.detail = (char *)"ok";
    Rramprof__V1__Frame f = RRAMPROF__V1__FRAME__INIT;
    f.body_case = RRAMPROF__V1__FRAME__BODY_WORKLOAD;
    f.workload = &w;
    Bytes p = pack(&f);
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
    LONGS_EQUAL(RP_FRAME_WORKLOAD, m.kind);
    STRCMP_EQUAL("mvm_bench", m.u.workload.name);
    UNSIGNED_LONGS_EQUAL(3, m.u.workload.run);
    CHECK_TRUE(m.u.workload.passed);
    LONGS_EQUAL(-250, m.u.workload.error_ppm);
    UNSIGNED_LONGS_EQUAL(100, m.u.workload.start);
    UNSIGNED_LONGS_EQUAL(900, m.u.workload.end);
    STRCMP_EQUAL("ok", m.u.workload.detail);
}

TEST(decode, empty_and_unknown_bodies_are_ignored_not_errors)
{
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, nullptr, 0, &m));
    LONGS_EQUAL(RP_FRAME_UNKNOWN, m.kind);
    // Field 50 (a body a later protocol might add), length-delimited.
    const uint8_t future[] = {0x92, 0x03, 0x02, 0x08, 0x01};
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, future, sizeof future, &m));
    LONGS_EQUAL(RP_FRAME_UNKNOWN, m.kind);
    UNSIGNED_LONGS_EQUAL(2, rp_decoder_stats(d)->kinds[RP_FRAME_UNKNOWN]);
    UNSIGNED_LONGS_EQUAL(0, rp_decoder_stats(d)->proto_errors);
}

TEST(decode, batch_rebuilds_absolute_events)
{
    rp_batch_state_t st = {};
    std::vector<rp_record_t> ev = rpt::make_events(rng, 100, 1000000);
    Bytes p = rpt::enc_batch(&st, ev, 17);
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
    LONGS_EQUAL(RP_FRAME_BATCH, m.kind);
    UNSIGNED_LONGS_EQUAL(0, m.u.batch.sequence);
    UNSIGNED_LONGS_EQUAL(0, m.u.batch.first_event);
    UNSIGNED_LONGS_EQUAL(17, m.u.batch.dropped_total);
    UNSIGNED_LONGS_EQUAL(100, m.u.batch.count);
    UNSIGNED_LONGS_EQUAL(ev[0].start, m.u.batch.base_timestamp);
    for (size_t i = 0; i < ev.size(); i++) {
        rpt::check_record(ev[i], m.u.batch.events[i]);
    }
    // The next batch carries on the stream position.
    ev = rpt::make_events(rng, 5, 2000000);
    p = rpt::enc_batch(&st, ev, 17);
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
    UNSIGNED_LONGS_EQUAL(1, m.u.batch.sequence);
    UNSIGNED_LONGS_EQUAL(100, m.u.batch.first_event);
    UNSIGNED_LONGS_EQUAL(105, rp_decoder_stats(d)->events);
}

TEST(decode, batch_constant_columns_and_empty_batch)
{
    // Every column constant: no packed column at all.
    std::vector<rp_record_t> ev(50);
    for (size_t i = 0; i < ev.size(); i++) {
        ev[i] = {};
        ev[i].start = 500 + 10 * i;   // gap 0 after each 10-tick event
        ev[i].duration = 10;
        ev[i].op = RP_OP_READ;
        ev[i].tile = 2;
        ev[i].rows = 1;
        ev[i].cols = 64;
    }
    rp_batch_state_t st = {};
    Bytes p = rpt::enc_batch(&st, ev);
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, decode_both(d, gen, p, &m));
    UNSIGNED_LONGS_EQUAL(50, m.u.batch.count);
    for (size_t i = 0; i < ev.size(); i++) {
        rpt::check_record(ev[i], m.u.batch.events[i]);
    }
    // count 0
    Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.sequence = 4;
    p = pack_batch(&eb);
    LONGS_EQUAL(RP_OK, decode_both(d, gen, p, &m));
    UNSIGNED_LONGS_EQUAL(0, m.u.batch.count);
    UNSIGNED_LONGS_EQUAL(4, m.u.batch.sequence);
}

TEST(decode, negative_gaps_nest_events)
{
    // A span enclosing two reads: the reads start before the span ends.
    Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    uint32_t ops[] = {RP_OP_SPAN, RP_OP_READ, RP_OP_READ};
    int64_t gaps[] = {0, -90, 5};
    uint32_t durs[] = {100, 20, 30};
    eb.count = 3;
    eb.base_timestamp = 1000;
    eb.n_op = 3;
    eb.op = ops;
    eb.n_gap = 3;
    eb.gap = gaps;
    eb.n_duration = 3;
    eb.duration = durs;
    Bytes p = pack_batch(&eb);
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, decode_both(d, gen, p, &m));
    UNSIGNED_LONGS_EQUAL(1000, m.u.batch.events[0].start);   // ends 1100
    UNSIGNED_LONGS_EQUAL(1010, m.u.batch.events[1].start);   // 1100 - 90, ends 1030
    UNSIGNED_LONGS_EQUAL(1035, m.u.batch.events[2].start);   // 1030 + 5
}

// Per-op duration bases and unused members (docs/protocol.md, EventBatch):
// both paths add duration_base[op] and set what an op does not use to 0.
TEST(decode, duration_bases_and_unused_members)
{
    uint32_t ops[] = {RP_OP_WRITE, RP_OP_VERIFY, RP_OP_SPAN, RP_OP_MVM};
    uint32_t excess[] = {5, 0, 7, 1};
    uint32_t bases[] = {0, 1000, 400};   // MVM and SPAN beyond the list: 0
    Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = 4;
    eb.base_timestamp = 100;
    eb.n_op = 4;
    eb.op = ops;
    eb.n_duration = 4;
    eb.duration = excess;
    eb.n_duration_base = 3;
    eb.duration_base = bases;
    eb.tile_all = 2;
    eb.iterations_all = 3;
    eb.arg_all = 9;
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, decode_both(d, gen, pack_batch(&eb), &m));
    const rp_record_t *e = m.u.batch.events;
    UNSIGNED_LONGS_EQUAL(1005, e[0].duration);
    UNSIGNED_LONGS_EQUAL(400, e[1].duration);
    UNSIGNED_LONGS_EQUAL(7, e[2].duration);
    UNSIGNED_LONGS_EQUAL(1, e[3].duration);
    UNSIGNED_LONGS_EQUAL(1105 + 400 + 7, e[3].start);   // back to back
    UNSIGNED_LONGS_EQUAL(2, e[0].tile);
    UNSIGNED_LONGS_EQUAL(3, e[1].iterations);
    UNSIGNED_LONGS_EQUAL(0, e[0].arg);          // WRITE does not use arg
    UNSIGNED_LONGS_EQUAL(9, e[2].arg);          // SPAN does
    UNSIGNED_LONGS_EQUAL(0, e[2].tile);         // SPAN has no region
    UNSIGNED_LONGS_EQUAL(2, e[3].tile);
    UNSIGNED_LONGS_EQUAL(0, e[3].iterations);   // MVM has no step index
    UNSIGNED_LONGS_EQUAL(1, rp_decoder_stats(d)->fast_batches);

    // base + excess beyond 32 bits is malformed on both paths.
    uint32_t big[] = {0, UINT32_MAX};
    eb.duration_base = big;
    eb.n_duration_base = 2;
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, pack_batch(&eb), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_VALUE, m.fault);
}

// The op folded into the duration column (op_bits, docs/protocol.md):
// both paths split each value into op and duration, then add the op's
// base; an op column or op_all beside it, 32 bits or more, or an op beyond
// 4 bits is malformed on both.
TEST(decode, op_folded_into_durations)
{
    // WRITE 5 over base 1000, VERIFY 0 over 400, SPAN 7 (beyond the list),
    // MVM 1: value = excess << 3 | op.
    uint32_t values[] = {5u << 3 | RP_OP_WRITE, 0u << 3 | RP_OP_VERIFY, 7u << 3 | RP_OP_SPAN,
                         1u << 3 | RP_OP_MVM};
    uint32_t bases[] = {0, 1000, 400};
    Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = 4;
    eb.base_timestamp = 100;
    eb.n_duration = 4;
    eb.duration = values;
    eb.n_duration_base = 3;
    eb.duration_base = bases;
    eb.op_bits = 3;
    eb.tile_all = 2;
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, decode_both(d, gen, pack_batch(&eb), &m));
    const rp_record_t *e = m.u.batch.events;
    const uint8_t ops[] = {RP_OP_WRITE, RP_OP_VERIFY, RP_OP_SPAN, RP_OP_MVM};
    const uint32_t durations[] = {1005, 400, 7, 1};
    for (int i = 0; i < 4; i++) {
        UNSIGNED_LONGS_EQUAL(ops[i], e[i].op);
        UNSIGNED_LONGS_EQUAL(durations[i], e[i].duration);
    }
    UNSIGNED_LONGS_EQUAL(100 + 1005 + 400 + 7, e[3].start);   // back to back
    UNSIGNED_LONGS_EQUAL(0, e[2].tile);                        // SPAN has no region
    UNSIGNED_LONGS_EQUAL(2, e[3].tile);
    UNSIGNED_LONGS_EQUAL(1, rp_decoder_stats(d)->fast_batches);

    // duration_all carries one op and duration for every event.
    Rramprof__V1__EventBatch all = RRAMPROF__V1__EVENT_BATCH__INIT;
    all.count = 2;
    all.duration_all = 40u << 4 | RP_OP_READ;
    all.op_bits = 4;
    LONGS_EQUAL(RP_OK, decode_both(d, gen, pack_batch(&all), &m));
    UNSIGNED_LONGS_EQUAL(RP_OP_READ, m.u.batch.events[1].op);
    UNSIGNED_LONGS_EQUAL(40, m.u.batch.events[1].duration);

    uint32_t op_col[] = {1, 2, 6, 4};
    Rramprof__V1__EventBatch bad = eb;
    bad.n_op = 4;   // an op column beside the folded ops
    bad.op = op_col;
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, pack_batch(&bad), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_COLUMN, m.fault);
    bad = eb;
    bad.op_all = 1;   // or op_all
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, pack_batch(&bad), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_COLUMN, m.fault);
    bad = eb;
    bad.op_bits = 32;
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, pack_batch(&bad), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_VALUE, m.fault);
    bad = eb;
    bad.op_bits = 5;   // 5 << 3 | 1 = 41: op 9, fine; 7 << 3 | 6 = 62: op 30, too wide
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, pack_batch(&bad), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_VALUE, m.fault);
}

// Folded durations mix one- and two-byte varints at random (and now and
// then a longer one): the fast path reads such runs eight bytes at a time
// from their continuation bits; it must agree with protobuf-c on every
// mix, every column length and every alignment of the runs.
TEST(decode, mixed_length_columns_agree_with_protobuf_c)
{
    for (int iter = 0; iter < 400; iter++) {
        uint32_t count = 1 + (uint32_t)(rng() % 300);
        std::vector<uint32_t> dur(count), gaps_u(count);
        std::vector<int64_t> gaps(count);
        unsigned long_every = 1 + (unsigned)(rng() % 40);
        for (uint32_t i = 0; i < count; i++) {
            uint32_t r = (uint32_t)rng();
            uint32_t v = r % long_every == 0 ? (r >> 8) % 2000000u : (r & 1u) ? (r >> 8) % 128u : 128u + (r >> 8) % 16256u;
            dur[i] = v;   // low 3 bits: the op
            gaps[i] = (int64_t)((r >> 4) % 9000u) - 4500;
        }
        Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
        eb.count = count;
        eb.base_timestamp = 1u << 20;
        eb.n_duration = count;
        eb.duration = dur.data();
        eb.n_gap = count;
        eb.gap = gaps.data();
        eb.op_bits = 3;
        rp_msg_t m;
        LONGS_EQUAL(RP_OK, decode_both(d, gen, pack_batch(&eb), &m));
        for (uint32_t i = 0; i < count; i++) {
            UNSIGNED_LONGS_EQUAL(dur[i] & 7u, m.u.batch.events[i].op);
            UNSIGNED_LONGS_EQUAL(dur[i] >> 3, m.u.batch.events[i].duration);
        }
    }
    CHECK(rp_decoder_stats(d)->fast_batches >= 400);
}

TEST(decode, malformed_batches_are_counted_with_their_fault)
{
    uint32_t ops[] = {1, 2, 3};
    rp_msg_t m;

    Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = 4;   // op column has 3 values
    eb.n_op = 3;
    eb.op = ops;
    Bytes p = pack_batch(&eb);
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, p, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_COLUMN, m.fault);

    eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = RP_DECODE_MAX_EVENTS + 1;
    p = pack_batch(&eb);
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, p, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_COUNT, m.fault);

    eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = 2;
    eb.op_all = 16;   // ops fit 4 bits
    p = pack_batch(&eb);
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, p, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_VALUE, m.fault);

    uint32_t rows[] = {1, 70000};
    eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = 2;
    eb.n_row = 2;
    eb.row = rows;
    p = pack_batch(&eb);
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, p, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_VALUE, m.fault);

    // A gap that would put an event before tick 0.
    int64_t gaps[] = {-5};
    eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = 1;
    eb.base_timestamp = 4;
    eb.n_gap = 1;
    eb.gap = gaps;
    p = pack_batch(&eb);
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, p, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_VALUE, m.fault);

    // An end past 2^64.
    eb = RRAMPROF__V1__EVENT_BATCH__INIT;
    eb.count = 1;
    eb.base_timestamp = UINT64_MAX - 3;
    eb.duration_all = 10;
    p = pack_batch(&eb);
    LONGS_EQUAL(RP_ERR_MALFORMED, decode_both(d, gen, p, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_VALUE, m.fault);

    UNSIGNED_LONGS_EQUAL(6, rp_decoder_stats(d)->malformed);
    UNSIGNED_LONGS_EQUAL(0, rp_decoder_stats(d)->proto_errors);
    UNSIGNED_LONGS_EQUAL(0, rp_decoder_stats(d)->kinds[RP_FRAME_BATCH]);
}

TEST(decode, malformed_names_and_protobuf_garbage)
{
    uint32_t ids[] = {1, 2};
    char *names[] = {(char *)"a"};
    Rramprof__V1__NameTable nt = RRAMPROF__V1__NAME_TABLE__INIT;
    nt.n_id = 2;
    nt.id = ids;
    nt.n_name = 1;
    nt.name = names;
    Rramprof__V1__Frame f = RRAMPROF__V1__FRAME__INIT;
    f.body_case = RRAMPROF__V1__FRAME__BODY_NAMES;
    f.names = &nt;
    Bytes p = pack(&f);
    rp_msg_t m;
    LONGS_EQUAL(RP_ERR_MALFORMED, rp_decoder_decode(d, p.data(), p.size(), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_NAMES, m.fault);

    const uint8_t junk[] = {0x12, 0x50, 0x01};   // batch longer than the payload
    LONGS_EQUAL(RP_ERR_MALFORMED, rp_decoder_decode(d, junk, sizeof junk, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_PROTO, m.fault);
    const uint8_t group[] = {0x0B};              // wire type 3 (group start)
    LONGS_EQUAL(RP_ERR_MALFORMED, rp_decoder_decode(d, group, sizeof group, &m));
    LONGS_EQUAL(RP_DECODE_FAULT_PROTO, m.fault);

    Bytes big(RP_DECODE_MAX_PAYLOAD + 1, 0);
    LONGS_EQUAL(RP_ERR_MALFORMED, rp_decoder_decode(d, big.data(), big.size(), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_SIZE, m.fault);

    UNSIGNED_LONGS_EQUAL(2, rp_decoder_stats(d)->proto_errors);
    UNSIGNED_LONGS_EQUAL(2, rp_decoder_stats(d)->malformed);
    UNSIGNED_LONGS_EQUAL(4, rp_decoder_stats(d)->payloads);
}

TEST(decode, unusual_but_legal_encodings_match_protobuf_c)
{
    // Unpacked repeated values, a column split in two pieces, an unknown
    // field, and a repeated scalar (last one wins): the fast path must hand
    // these to protobuf-c and the result must be right.
    Bytes p = {
        0x12, 0x96, 0x00,              // Frame.batch, length 22 as a padded varint
        0x20, 3,                       // count
        0x18, 50,                      // base_timestamp, overridden below
        0x18, 100,
        0x30, 1, 0x30, 3, 0x30, 4,     // op, unpacked
        0x4A, 1, 10,                   // duration, packed, in two pieces
        0x4A, 2, 20, 30,
        0xC0, 0x0C, 7,                 // unknown field 200
    };
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, decode_both(d, gen, p, &m));
    UNSIGNED_LONGS_EQUAL(3, m.u.batch.count);
    UNSIGNED_LONGS_EQUAL(100, m.u.batch.base_timestamp);
    UNSIGNED_LONGS_EQUAL(RP_OP_MVM, m.u.batch.events[2].op);
    UNSIGNED_LONGS_EQUAL(30, m.u.batch.events[2].duration);
    UNSIGNED_LONGS_EQUAL(130, m.u.batch.events[2].start);   // 100 + 10 + 20
}

TEST(decode, fast_path_equals_protobuf_c_on_random_batches)
{
    for (int iter = 0; iter < 400; iter++) {
        rp_batch_state_t st = {};
        st.sequence = (uint32_t)rng();
        st.next_event = rng() >> 8;
        size_t n = 1 + rng() % 300;
        bool wide = iter % 2 == 1;
        std::vector<rp_record_t> ev = rpt::make_events(rng, n, rng() >> 20, wide);
        // Make some columns constant so both column forms are exercised.
        for (auto &e : ev) {
            if (iter % 3 == 0) e.tile = 1;
            if (iter % 5 == 0) e.op = RP_OP_WRITE;
            if (iter % 7 == 0) e.duration = 99;
        }
        Bytes p = rpt::enc_batch(&st, ev, rng() % 1000);
        rp_msg_t m;
        LONGS_EQUAL(RP_OK, decode_both(d, gen, p, &m));
        UNSIGNED_LONGS_EQUAL(n, m.u.batch.count);
        for (size_t i = 0; i < n; i++) {
            rpt::check_record(ev[i], m.u.batch.events[i]);
        }
    }
    // Everything the firmware encoder writes takes the fast path.
    UNSIGNED_LONGS_EQUAL(400, rp_decoder_stats(d)->fast_batches);
    UNSIGNED_LONGS_EQUAL(0, rp_decoder_stats(gen)->fast_batches);
}

TEST(decode, range_checks_see_every_value_form)
{
    // Values that fit a byte except one, placed so that the column reader
    // meets it inside each of its forms: a group of 8 one-byte values, a
    // group of 4 two-byte values, a lone varint.
    for (uint32_t bad : {16u, 200u, 300u, 20000u}) {
        for (uint32_t at = 0; at < 24; at++) {
            std::vector<uint32_t> ops(24, 3u), iters(24, 1u);
            std::vector<uint32_t> dur(24, 300u);   // 2-byte values
            ops[at] = bad;
            iters[at] = bad;
            for (int col = 0; col < 2; col++) {
                Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
                eb.count = 24;
                eb.n_duration = 24;
                eb.duration = dur.data();
                if (col == 0) {
                    eb.n_op = 24;
                    eb.op = ops.data();
                } else {
                    eb.n_iterations = 24;
                    eb.iterations = iters.data();
                    // 2-byte neighbours so the group-of-4 form applies
                    for (auto &v : iters) if (v != bad) v = 130u;
                }
                Bytes p = pack_batch(&eb);
                rp_msg_t m;
                int rc = decode_both(d, gen, p, &m);
                bool fits = col == 0 ? bad <= 15u : bad <= 255u;
                LONGS_EQUAL(fits ? RP_OK : RP_ERR_MALFORMED, rc);
            }
        }
    }
}

TEST(decode, fast_path_equals_protobuf_c_on_random_column_shapes)
{
    // protobuf-c built batches with random column lengths (right, zero or
    // wrong) and random values, some out of range.
    for (int iter = 0; iter < 600; iter++) {
        uint32_t count = (uint32_t)(rng() % 40);
        std::vector<uint32_t> cols[10];
        std::vector<int64_t> gaps;
        auto len = [&](void) -> size_t {
            unsigned r = rng() % 10;
            return r < 6 ? count : r < 9 ? 0 : (size_t)(rng() % 50);
        };
        auto val = [&](void) -> uint32_t {
            unsigned r = rng() % 20;
            return r == 0 ? (uint32_t)rng() : r == 1 ? (uint32_t)(rng() % 70000) : (uint32_t)(rng() % 16);
        };
        for (auto &c : cols) {
            c.resize(len());
            for (auto &v : c) v = val();
        }
        gaps.resize(len());
        for (auto &g : gaps) g = (int64_t)(rng() % 2000) - 1000;
        Rramprof__V1__EventBatch eb = RRAMPROF__V1__EVENT_BATCH__INIT;
        eb.count = count;
        eb.sequence = (uint32_t)rng();
        eb.first_event = rng();
        eb.dropped_total = rng();
        eb.base_timestamp = rng() % 4 == 0 ? rng() % 500 : rng() >> 2;
        eb.n_op = cols[0].size(); eb.op = cols[0].data(); eb.op_all = val() % 17;
        eb.n_duration = cols[1].size(); eb.duration = cols[1].data(); eb.duration_all = val();
        eb.n_tile = cols[2].size(); eb.tile = cols[2].data(); eb.tile_all = val();
        eb.n_row = cols[3].size(); eb.row = cols[3].data(); eb.row_all = val();
        eb.n_rows = cols[4].size(); eb.rows = cols[4].data(); eb.rows_all = val();
        eb.n_col = cols[5].size(); eb.col = cols[5].data(); eb.col_all = val();
        eb.n_cols = cols[6].size(); eb.cols = cols[6].data(); eb.cols_all = val();
        eb.n_iterations = cols[7].size(); eb.iterations = cols[7].data(); eb.iterations_all = val();
        eb.n_status = cols[8].size(); eb.status = cols[8].data(); eb.status_all = val();
        eb.n_arg = cols[9].size(); eb.arg = cols[9].data(); eb.arg_all = (uint32_t)rng();
        eb.n_gap = gaps.size(); eb.gap = gaps.data();
        if (rng() % 4 == 0) {   // the op folded into the durations, mostly valid
            eb.op_bits = rng() % 8 != 0 ? 1 + (uint32_t)(rng() % 4) : (uint32_t)(rng() % 40);
            if (rng() % 8 != 0) {
                eb.n_op = 0;
                eb.op_all = 0;
            }
        }
        Bytes p = pack_batch(&eb);
        rp_msg_t m;
        decode_both(d, gen, p, &m);
    }
}

TEST(decode, fast_path_equals_protobuf_c_on_damaged_batches)
{
    rp_batch_state_t st = {};
    std::vector<rp_record_t> ev = rpt::make_events(rng, 60, 777777);
    const Bytes good = rpt::enc_batch(&st, ev, 3);
    int bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        Bytes p = good;
        switch (iter % 3) {
        case 0:   // flip bits
            for (int k = 0; k < 1 + (int)(rng() % 3); k++) p[rng() % p.size()] ^= (uint8_t)(1u << (rng() % 8));
            break;
        case 1:   // truncate
            p.resize(rng() % p.size());
            break;
        default:  // overwrite a byte
            p[rng() % p.size()] = (uint8_t)rng();
            break;
        }
        rp_msg_t m;
        if (decode_both(d, gen, p, &m) != RP_OK) bad++;
    }
    CHECK(bad > 100);   // the damage did hit: both paths rejected the same ones
}

TEST(decode, link_stream_all_kinds_in_order)
{
    rp_batch_state_t st = {};
    std::vector<Bytes> payloads = {rpt::enc_hello(1), rpt::enc_batch(&st, rpt::make_events(rng, 10, 100)),
                                   rpt::enc_drops(2), rpt::enc_counters(10, 2)};
    Bytes stream;
    for (auto &p : payloads) {
        Bytes f = rpt::link_frame(p);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    Sink s;
    LONGS_EQUAL(RP_OK, rp_decoder_feed(d, stream.data(), stream.size(), sink_fn, &s, nullptr));
    LONGS_EQUAL(4, s.kinds.size());
    LONGS_EQUAL(RP_FRAME_HELLO, s.kinds[0]);
    LONGS_EQUAL(RP_FRAME_BATCH, s.kinds[1]);
    LONGS_EQUAL(RP_FRAME_DROPS, s.kinds[2]);
    LONGS_EQUAL(RP_FRAME_COUNTERS, s.kinds[3]);
    for (size_t i = 0; i < payloads.size(); i++) {
        CHECK(payloads[i] == s.payloads[i]);   // raw payloads for the capture file
    }
    UNSIGNED_LONGS_EQUAL(stream.size(), rp_decoder_stats(d)->link_bytes);
    UNSIGNED_LONGS_EQUAL(0, rp_decoder_stats(d)->garbage_bytes);

    // Byte by byte gives the same.
    rp_decoder_reset(d);
    Sink s2;
    for (uint8_t b : stream) {
        LONGS_EQUAL(RP_OK, rp_decoder_feed(d, &b, 1, sink_fn, &s2, nullptr));
    }
    CHECK(s.kinds == s2.kinds);
    UNSIGNED_LONGS_EQUAL(10, s2.events);
}

TEST(decode, damaged_link_counts_exact_and_resyncs)
{
    rp_batch_state_t st = {};
    Bytes good = rpt::enc_batch(&st, rpt::make_events(rng, 20, 100));
    Bytes f_good = rpt::link_frame(good);

    // Forged frames, each followed by a good one.
    Bytes bad_crc = good;
    uint32_t crc = rp_crc32(good.data(), good.size()) ^ 0x1u;
    for (int k = 0; k < 4; k++) bad_crc.push_back((uint8_t)(crc >> (8 * k)));
    Bytes f_crc = rpt::cobs_raw(bad_crc);
    Bytes f_short = rpt::cobs_raw(Bytes{0x11, 0x22});
    Bytes f_cobs = {0x09, 0x41, 0x42, 0x00};        // code promises 8 bytes, has 2
    Bytes garbage = {0x55, 0x66, 0x77, 0x00};       // noise ending at a delimiter
    Bytes f_big = rpt::cobs_raw(Bytes(RP_DECODE_MAX_PAYLOAD + 16, 0x33));

    Bytes stream;
    auto add = [&](const Bytes &b) { stream.insert(stream.end(), b.begin(), b.end()); };
    add(f_good);
    add(f_crc);
    add(f_good);
    add(f_short);
    add(f_good);
    add(f_cobs);
    add(f_good);
    add(garbage);
    add(f_big);
    add(f_good);
    // A frame with one byte lost in the middle, then a good one.
    Bytes dropped = f_good;
    dropped.erase(dropped.begin() + (long)(dropped.size() / 2));
    add(dropped);
    add(f_good);

    Sink s;
    LONGS_EQUAL(RP_OK, rp_decoder_feed(d, stream.data(), stream.size(), sink_fn, &s, nullptr));
    const rp_decode_stats_t *ds = rp_decoder_stats(d);
    LONGS_EQUAL(6, s.kinds.size());
    for (int k : s.kinds) LONGS_EQUAL(RP_FRAME_BATCH, k);
    UNSIGNED_LONGS_EQUAL(120, s.events);
    UNSIGNED_LONGS_EQUAL(1, ds->short_frames);
    UNSIGNED_LONGS_EQUAL(1, ds->oversize);
    // The dropped byte breaks either the COBS structure or the CRC; the
    // forged COBS frame and the noise each break one of them too.
    UNSIGNED_LONGS_EQUAL(4, ds->crc_errors + ds->cobs_errors);
    CHECK(ds->crc_errors >= 1 && ds->cobs_errors >= 1);
    UNSIGNED_LONGS_EQUAL(f_crc.size() + f_short.size() + f_cobs.size() + garbage.size() +
                             f_big.size() + dropped.size(),
                         ds->garbage_bytes);
    UNSIGNED_LONGS_EQUAL(stream.size(), ds->link_bytes);
    UNSIGNED_LONGS_EQUAL(0, ds->proto_errors);
}

TEST(decode, random_bit_flips_never_lose_untouched_frames)
{
    rp_batch_state_t st = {};
    std::vector<Bytes> frames;
    for (int i = 0; i < 200; i++) {
        frames.push_back(rpt::link_frame(rpt::enc_batch(&st, rpt::make_events(rng, 8, 1000 * i))));
    }
    // Damage every fourth frame by flipping one bit that keeps it free of
    // zeros, so frame boundaries stay where they were.
    Bytes stream;
    size_t damaged = 0;
    for (size_t i = 0; i < frames.size(); i++) {
        Bytes f = frames[i];
        if (i % 4 == 1) {
            size_t pos;
            uint8_t bit;
            do {
                pos = rng() % (f.size() - 1);
                bit = (uint8_t)(1u << (rng() % 8));
            } while ((f[pos] ^ bit) == 0);
            f[pos] ^= bit;
            damaged++;
        }
        stream.insert(stream.end(), f.begin(), f.end());
    }
    Sink s;
    LONGS_EQUAL(RP_OK, rp_decoder_feed(d, stream.data(), stream.size(), sink_fn, &s, nullptr));
    const rp_decode_stats_t *ds = rp_decoder_stats(d);
    // A flipped bit is always caught by COBS or the CRC (CRC-32 detects all
    // single-bit errors); every untouched frame decodes.
    UNSIGNED_LONGS_EQUAL(damaged, ds->crc_errors + ds->cobs_errors + ds->short_frames);
    LONGS_EQUAL(frames.size() - damaged, s.kinds.size());
    UNSIGNED_LONGS_EQUAL(8 * (frames.size() - damaged), s.events);
}

TEST(decode, callback_error_stops_feed_and_reports_consumed)
{
    Bytes f = rpt::link_frame(rpt::enc_drops(1));
    Bytes stream = f;
    stream.insert(stream.end(), f.begin(), f.end());
    stream.insert(stream.end(), f.begin(), f.end());
    Sink s;
    s.stop_after = 2;
    size_t used = 0;
    LONGS_EQUAL(RP_ERR_STATE, rp_decoder_feed(d, stream.data(), stream.size(), sink_fn, &s, &used));
    UNSIGNED_LONGS_EQUAL(2 * f.size(), used);
    LONGS_EQUAL(2, s.kinds.size());
    // Feeding the rest delivers the third.
    s.stop_after = -1;
    LONGS_EQUAL(RP_OK, rp_decoder_feed(d, stream.data() + used, stream.size() - used, sink_fn, &s, nullptr));
    LONGS_EQUAL(3, s.kinds.size());
}

TEST(decode, random_noise_never_crashes)
{
    Bytes noise(200000);
    for (auto &b : noise) b = (uint8_t)(rng() % 4 == 0 ? 0 : rng());
    Sink s;
    LONGS_EQUAL(RP_OK, rp_decoder_feed(d, noise.data(), noise.size(), sink_fn, &s, nullptr));
    const rp_decode_stats_t *ds = rp_decoder_stats(d);
    UNSIGNED_LONGS_EQUAL(noise.size(), ds->link_bytes);
    UNSIGNED_LONGS_EQUAL(s.kinds.size(), ds->payloads);
}

TEST(decode, arguments_are_checked)
{
    rp_msg_t m;
    LONGS_EQUAL(RP_ERR_ARG, rp_decoder_decode(nullptr, nullptr, 0, &m));
    LONGS_EQUAL(RP_ERR_ARG, rp_decoder_decode(d, nullptr, 3, &m));
    LONGS_EQUAL(RP_ERR_ARG, rp_decoder_feed(d, nullptr, 3, sink_fn, nullptr, nullptr));
    STRCMP_EQUAL("batch", rp_frame_kind_name(RP_FRAME_BATCH));
    STRCMP_EQUAL("unknown", rp_frame_kind_name(99));
}

TEST(decode, worst_case_arena_use_still_decodes)
{
    // A maximum-size payload made of the smallest unknown fields protobuf-c
    // must keep: it must still unpack (the arena is big enough).
    Bytes p;
    p.reserve(RP_DECODE_MAX_PAYLOAD);
    while (p.size() + 2 <= RP_DECODE_MAX_PAYLOAD) {
        p.push_back(0x78);   // field 15, varint
        p.push_back(0x01);
    }
    rp_msg_t m;
    LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
    LONGS_EQUAL(RP_FRAME_UNKNOWN, m.kind);
    // And unpacked repeated values inside a batch.
    Bytes q = {0x12};
    Bytes body;
    while (body.size() + 2 <= RP_DECODE_MAX_PAYLOAD - 8) {
        body.push_back(0x30);   // field 6 (op), varint: one unpacked value
        body.push_back(0x01);
    }
    uint8_t lenbuf[5];
    rp_pb_writer_t w;
    rp_pb_writer_init(&w, lenbuf, sizeof lenbuf);
    rp_pb_put_varint(&w, body.size());
    q.insert(q.end(), lenbuf, lenbuf + w.len);
    q.insert(q.end(), body.begin(), body.end());
    LONGS_EQUAL(RP_ERR_MALFORMED, rp_decoder_decode(d, q.data(), q.size(), &m));
    LONGS_EQUAL(RP_DECODE_FAULT_COLUMN, m.fault);   // parsed fine; count is 0
}

TEST(decode, seed_corpus_decodes_the_same_both_ways)
{
    // Every seed of the decode fuzz target, as a payload (fast path against
    // protobuf-c) and as a link stream.
    DIR *dir = opendir(RP_DECODE_CORPUS);
    CHECK(dir != nullptr);
    int files = 0, good = 0;
    while (struct dirent *e = readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        std::string path = std::string(RP_DECODE_CORPUS) + "/" + e->d_name;
        Bytes data = rpt::read_file(path.c_str());
        rp_msg_t m;
        if (decode_both(d, gen, data, &m) == RP_OK) good++;
        Sink s;
        LONGS_EQUAL(RP_OK, rp_decoder_feed(d, data.data(), data.size(), sink_fn, &s, nullptr));
        files++;
    }
    closedir(dir);
    CHECK(files >= 8);
    CHECK(good >= 8);
    // The link-stream seed holds four good frames.
    Bytes link = rpt::read_file((std::string(RP_DECODE_CORPUS) + "/link_stream").c_str());
    rp_decoder_reset(d);
    Sink s;
    LONGS_EQUAL(RP_OK, rp_decoder_feed(d, link.data(), link.size(), sink_fn, &s, nullptr));
    LONGS_EQUAL(4, s.kinds.size());
    LONGS_EQUAL(RP_FRAME_BATCH, s.kinds[1]);
}
