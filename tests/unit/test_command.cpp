// Command parser and encoder: round trips, cross-checks against protobuf-c
// in both directions, and every class of bad input.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "rramprof.pb-c.h"
#include "rramprof/rp_command.h"
#include "rramprof/rp_command_out.h"
#include "rramprof/rp_status.h"
#include "unit/command_check.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

namespace {

using Bytes = std::vector<uint8_t>;

rp_command_t make(rp_command_kind_t kind, uint32_t id)
{
    rp_command_t c;
    memset(&c, 0, sizeof(c));
    c.kind = kind;
    c.request_id = id;
    return c;
}

Bytes encode(const rp_command_t &c)
{
    Bytes b(RP_COMMAND_MAX_PAYLOAD);
    size_t n = rp_command_encode(&c, b.data(), b.size());
    CHECK(n > 0);
    b.resize(n);
    return b;
}

void check_equal(const rp_command_t &a, const rp_command_t &b)
{
    UNSIGNED_LONGS_EQUAL(a.request_id, b.request_id);
    LONGS_EQUAL(a.kind, b.kind);
    UNSIGNED_LONGS_EQUAL(a.op_mask, b.op_mask);
    UNSIGNED_LONGLONGS_EQUAL(a.threshold_ticks, b.threshold_ticks);
    CHECK_EQUAL(a.set_threshold, b.set_threshold);
    UNSIGNED_LONGS_EQUAL(a.heartbeat_ms, b.heartbeat_ms);
    UNSIGNED_LONGS_EQUAL(a.counters_ms, b.counters_ms);
    CHECK_EQUAL(a.start_workload, b.start_workload);
    UNSIGNED_LONGLONGS_EQUAL(a.event_limit, b.event_limit);
    STRCMP_EQUAL(a.workload, b.workload);
    UNSIGNED_LONGS_EQUAL(a.repeat, b.repeat);
    UNSIGNED_LONGLONGS_EQUAL(a.seed, b.seed);
    UNSIGNED_LONGLONGS_EQUAL(a.token, b.token);
}

// Parses bytes expected to be malformed; out must come back all zero.
void check_malformed(const Bytes &b)
{
    rp_command_t out;
    memset(&out, 0xAA, sizeof(out));
    LONGS_EQUAL(RP_ERR_MALFORMED, rp_command_parse(b.data(), b.size(), &out));
    const uint8_t *p = (const uint8_t *)&out;
    for (size_t i = 0; i < sizeof(out); i++) {
        BYTES_EQUAL(0, p[i]);
    }
}

rp_command_t parse_ok(const Bytes &b)
{
    rp_command_t out;
    memset(&out, 0xAA, sizeof(out));
    LONGS_EQUAL(RP_OK, rp_command_parse(b.data(), b.size(), &out));
    return out;
}

std::vector<rp_command_t> samples()
{
    std::vector<rp_command_t> v;
    v.push_back(make(RP_CMD_GET_INFO, 1));
    rp_command_t s = make(RP_CMD_START, 2);
    s.op_mask = 0x7E;
    s.threshold_ticks = 1ull << 40;
    s.set_threshold = true;  // the parser reports Start as always setting it
    v.push_back(s);
    rp_command_t sw = make(RP_CMD_START, 3);   // Start carrying its workload and a limit
    sw.set_threshold = true;
    sw.start_workload = true;
    memset(sw.workload, 'w', RP_WORKLOAD_NAME_MAX);
    sw.repeat = 2;
    sw.seed = UINT64_MAX;
    sw.event_limit = 1ull << 50;
    v.push_back(sw);
    v.push_back(make(RP_CMD_STOP, 0xFFFFFFFFu));
    rp_command_t c = make(RP_CMD_CONFIGURE, 4);
    c.op_mask = 0xFFFFFFFFu;
    c.threshold_ticks = UINT64_MAX;
    c.set_threshold = true;
    c.heartbeat_ms = 1000;
    c.counters_ms = 250;
    v.push_back(c);
    rp_command_t c0 = make(RP_CMD_CONFIGURE, 0);  // all defaults
    v.push_back(c0);
    rp_command_t w = make(RP_CMD_RUN_WORKLOAD, 5);
    strcpy(w.workload, "write_verify");
    w.repeat = 3;
    w.seed = 0xDEADBEEFCAFEull;
    v.push_back(w);
    rp_command_t wl = make(RP_CMD_RUN_WORKLOAD, 6);
    memset(wl.workload, 'z', RP_WORKLOAD_NAME_MAX);  // longest name allowed
    v.push_back(wl);
    rp_command_t p = make(RP_CMD_PING, 7);
    p.token = 0x0123456789ABCDEFull;
    v.push_back(p);
    return v;
}

// Minimal hand encoding for malformed inputs.
void put_varint(Bytes &b, uint64_t v)
{
    while (v >= 0x80) {
        b.push_back((uint8_t)(v | 0x80));
        v >>= 7;
    }
    b.push_back((uint8_t)v);
}

void put_key(Bytes &b, uint32_t field, unsigned wt)
{
    put_varint(b, (uint64_t)field << 3 | wt);
}

void put_len(Bytes &b, uint32_t field, const Bytes &body)
{
    put_key(b, field, 2);
    put_varint(b, body.size());
    b.insert(b.end(), body.begin(), body.end());
}

Bytes name_body(const std::string &name)
{
    Bytes body;
    put_len(body, 1, Bytes(name.begin(), name.end()));
    return body;
}

// Decodes b with protobuf-c and checks that it says what c says.
void check_same_as_protobuf_c(const Bytes &b, const rp_command_t &c)
{
    Rramprof__V1__Command *d = rramprof__v1__command__unpack(nullptr, b.size(), b.data());
    CHECK(d != nullptr);
    const char *differs = rp_test_command_differs(d, &c);
    rramprof__v1__command__free_unpacked(d, nullptr);
    if (differs != nullptr) {
        FAIL((std::string("protobuf-c reads another ") + differs).c_str());
    }
}

// See rp_test_command_repeats_a_message.
bool repeats_a_message(const Bytes &b)
{
    return rp_test_command_repeats_a_message(b.data(), b.size(), parse_ok(b).kind);
}

// Packs a protobuf-c Command into bytes.
Bytes pack(const Rramprof__V1__Command &cmd)
{
    Bytes b(rramprof__v1__command__get_packed_size(&cmd));
    UNSIGNED_LONGS_EQUAL(b.size(), rramprof__v1__command__pack(&cmd, b.data()));
    return b;
}

}  // namespace

TEST_GROUP(command){};

TEST(command, round_trip_every_kind)
{
    for (const auto &c : samples()) {
        check_equal(c, parse_ok(encode(c)));
    }
}

TEST(command, encoder_output_decodes_with_protobuf_c)
{
    for (const auto &c : samples()) {
        check_same_as_protobuf_c(encode(c), c);
    }
}

TEST(command, parses_protobuf_c_output)
{
    Rramprof__V1__Start start = RRAMPROF__V1__START__INIT;
    start.op_mask = 0x12;
    start.threshold_ticks = 99999;
    Rramprof__V1__Command cmd = RRAMPROF__V1__COMMAND__INIT;
    cmd.request_id = 4242;
    cmd.body_case = RRAMPROF__V1__COMMAND__BODY_START;
    cmd.start = &start;
    Bytes b(rramprof__v1__command__get_packed_size(&cmd));
    rramprof__v1__command__pack(&cmd, b.data());
    rp_command_t c = parse_ok(b);
    LONGS_EQUAL(RP_CMD_START, c.kind);
    UNSIGNED_LONGS_EQUAL(4242, c.request_id);
    UNSIGNED_LONGS_EQUAL(0x12, c.op_mask);
    UNSIGNED_LONGLONGS_EQUAL(99999, c.threshold_ticks);
    CHECK(c.set_threshold);
    CHECK_FALSE(c.start_workload);

    Rramprof__V1__RunWorkload inner = RRAMPROF__V1__RUN_WORKLOAD__INIT;
    inner.name = (char *)"solver";
    inner.repeat = 4;
    inner.seed = 77;
    start.workload = &inner;
    start.event_limit = 3000;
    b.resize(rramprof__v1__command__get_packed_size(&cmd));
    rramprof__v1__command__pack(&cmd, b.data());
    c = parse_ok(b);
    LONGS_EQUAL(RP_CMD_START, c.kind);
    CHECK_TRUE(c.start_workload);
    STRCMP_EQUAL("solver", c.workload);
    UNSIGNED_LONGS_EQUAL(4, c.repeat);
    UNSIGNED_LONGLONGS_EQUAL(77, c.seed);
    UNSIGNED_LONGLONGS_EQUAL(3000, c.event_limit);
    UNSIGNED_LONGS_EQUAL(0x12, c.op_mask);

    Rramprof__V1__RunWorkload run = RRAMPROF__V1__RUN_WORKLOAD__INIT;
    run.name = (char *)"mvm_sweep";
    run.repeat = 0;
    run.seed = 1;
    cmd.body_case = RRAMPROF__V1__COMMAND__BODY_RUN_WORKLOAD;
    cmd.run_workload = &run;
    cmd.request_id = 0;
    b.resize(rramprof__v1__command__get_packed_size(&cmd));
    rramprof__v1__command__pack(&cmd, b.data());
    c = parse_ok(b);
    LONGS_EQUAL(RP_CMD_RUN_WORKLOAD, c.kind);
    STRCMP_EQUAL("mvm_sweep", c.workload);
    UNSIGNED_LONGS_EQUAL(0, c.repeat);
    UNSIGNED_LONGLONGS_EQUAL(1, c.seed);

    Rramprof__V1__Stop stop = RRAMPROF__V1__STOP__INIT;
    cmd.body_case = RRAMPROF__V1__COMMAND__BODY_STOP;
    cmd.stop = &stop;
    b.resize(rramprof__v1__command__get_packed_size(&cmd));
    rramprof__v1__command__pack(&cmd, b.data());
    LONGS_EQUAL(RP_CMD_STOP, parse_ok(b).kind);
}

TEST(command, parses_protobuf_c_output_of_every_kind)
{
    std::mt19937_64 rng(2024);
    // Values of every varint length, zero (omitted by the packer) included.
    auto value = [&rng]() -> uint64_t {
        unsigned bits = (unsigned)(rng() % 65);
        return bits == 0 ? 0 : rng() >> (64 - bits);
    };
    for (int i = 0; i < 3000; i++) {
        std::string name((size_t)(rng() % (RP_WORKLOAD_NAME_MAX + 1)), 'x');
        for (char &ch : name) {
            ch = (char)('!' + rng() % 94);
        }
        Rramprof__V1__RunWorkload run = RRAMPROF__V1__RUN_WORKLOAD__INIT;
        run.name = &name[0];
        run.repeat = (uint32_t)value();
        run.seed = value();
        Rramprof__V1__Start start = RRAMPROF__V1__START__INIT;
        start.op_mask = (uint32_t)value();
        start.threshold_ticks = value();
        start.workload = rng() % 2 ? &run : nullptr;
        start.event_limit = value();
        Rramprof__V1__Configure cfg = RRAMPROF__V1__CONFIGURE__INIT;
        cfg.op_mask = (uint32_t)value();
        cfg.threshold_ticks = value();
        cfg.set_threshold = rng() % 2;
        cfg.heartbeat_ms = (uint32_t)value();
        cfg.counters_ms = (uint32_t)value();
        Rramprof__V1__Ping ping = RRAMPROF__V1__PING__INIT;
        ping.token = value();
        Rramprof__V1__GetInfo get_info = RRAMPROF__V1__GET_INFO__INIT;
        Rramprof__V1__Stop stop = RRAMPROF__V1__STOP__INIT;

        Rramprof__V1__Command cmd = RRAMPROF__V1__COMMAND__INIT;
        cmd.request_id = (uint32_t)value();
        int kind = RP_CMD_GET_INFO + (int)(rng() % 6);
        cmd.body_case = (Rramprof__V1__Command__BodyCase)kind;
        switch (kind) {
        case RP_CMD_GET_INFO: cmd.get_info = &get_info; break;
        case RP_CMD_START: cmd.start = &start; break;
        case RP_CMD_STOP: cmd.stop = &stop; break;
        case RP_CMD_CONFIGURE: cmd.configure = &cfg; break;
        case RP_CMD_RUN_WORKLOAD: cmd.run_workload = &run; break;
        default: cmd.ping = &ping; break;
        }
        Bytes b = pack(cmd);
        rp_command_t c = parse_ok(b);
        LONGS_EQUAL(kind, c.kind);
        UNSIGNED_LONGS_EQUAL(cmd.request_id, c.request_id);
        CHECK_EQUAL(kind == RP_CMD_START || (kind == RP_CMD_CONFIGURE && cfg.set_threshold),
                    c.set_threshold);
        check_same_as_protobuf_c(b, c);
    }
}

TEST(command, unknown_fields_of_every_wire_type_are_skipped)
{
    Bytes b;
    put_key(b, 99, 0);
    put_varint(b, 123456);
    put_key(b, 1, 0);
    put_varint(b, 8);
    put_key(b, 100, 1);
    b.insert(b.end(), 8, 0xEE);
    put_key(b, 101, 5);
    b.insert(b.end(), 4, 0xEE);
    put_len(b, 102, Bytes{ 1, 2, 3 });
    Bytes ping;
    put_key(ping, 50, 2);
    put_varint(ping, 0);
    put_key(ping, 1, 0);
    put_varint(ping, 77);
    put_key(ping, 51, 5);
    ping.insert(ping.end(), 4, 0);
    put_len(b, RP_CMD_PING, ping);
    put_key(b, 20, 0);  // trailing unknown field
    put_varint(b, 1);
    rp_command_t c = parse_ok(b);
    LONGS_EQUAL(RP_CMD_PING, c.kind);
    UNSIGNED_LONGS_EQUAL(8, c.request_id);
    UNSIGNED_LONGLONGS_EQUAL(77, c.token);

    // GetInfo and Stop carry no fields of their own but tolerate unknown ones.
    Bytes g;
    Bytes body;
    put_key(body, 3, 0);
    put_varint(body, 1);
    put_len(g, RP_CMD_GET_INFO, body);
    LONGS_EQUAL(RP_CMD_GET_INFO, parse_ok(g).kind);
}

TEST(command, last_body_wins_and_repeats_merge)
{
    Bytes b;
    Bytes start;
    put_key(start, 1, 0);
    put_varint(start, 0x55);
    put_len(b, RP_CMD_START, start);
    Bytes ping;
    put_key(ping, 1, 0);
    put_varint(ping, 9);
    put_len(b, RP_CMD_PING, ping);
    rp_command_t c = parse_ok(b);
    LONGS_EQUAL(RP_CMD_PING, c.kind);
    UNSIGNED_LONGS_EQUAL(0, c.op_mask);  // Start's values do not leak
    UNSIGNED_LONGLONGS_EQUAL(9, c.token);

    Bytes m;
    Bytes c1, c2;
    put_key(c1, 4, 0);
    put_varint(c1, 100);
    put_key(c2, 5, 0);
    put_varint(c2, 200);
    put_len(m, RP_CMD_CONFIGURE, c1);
    put_key(m, 1, 0);
    put_varint(m, 3);
    put_len(m, RP_CMD_CONFIGURE, c2);
    c = parse_ok(m);
    LONGS_EQUAL(RP_CMD_CONFIGURE, c.kind);
    UNSIGNED_LONGS_EQUAL(3, c.request_id);
    UNSIGNED_LONGS_EQUAL(100, c.heartbeat_ms);
    UNSIGNED_LONGS_EQUAL(200, c.counters_ms);
}

TEST(command, body_changes_clear_everything_but_the_request_id)
{
    Bytes start;
    put_key(start, 1, 0);
    put_varint(start, 3);
    put_len(start, 3, [] {
        Bytes run = name_body("scan");
        put_key(run, 2, 0);
        put_varint(run, 2);
        return run;
    }());
    put_key(start, 4, 0);
    put_varint(start, 9);
    Bytes run;
    put_key(run, 3, 0);
    put_varint(run, 4);
    Bytes b;
    put_key(b, 1, 0);
    put_varint(b, 5);
    put_len(b, RP_CMD_START, start);
    put_len(b, RP_CMD_RUN_WORKLOAD, run);
    rp_command_t c = parse_ok(b);
    LONGS_EQUAL(RP_CMD_RUN_WORKLOAD, c.kind);
    UNSIGNED_LONGS_EQUAL(5, c.request_id);
    CHECK_FALSE(c.start_workload);
    STRCMP_EQUAL("", c.workload);  // Start's workload does not leak either
    UNSIGNED_LONGS_EQUAL(0, c.repeat);
    UNSIGNED_LONGLONGS_EQUAL(4, c.seed);
    UNSIGNED_LONGS_EQUAL(0, c.op_mask);
    UNSIGNED_LONGLONGS_EQUAL(0, c.event_limit);
    check_same_as_protobuf_c(b, c);

    // A body that comes back after another starts from nothing.
    Bytes again;
    put_len(again, RP_CMD_START, start);
    put_len(again, RP_CMD_PING, Bytes{});
    Bytes limit;
    put_key(limit, 4, 0);
    put_varint(limit, 77);
    put_len(again, RP_CMD_START, limit);
    c = parse_ok(again);
    LONGS_EQUAL(RP_CMD_START, c.kind);
    UNSIGNED_LONGS_EQUAL(0, c.op_mask);
    CHECK_FALSE(c.start_workload);
    STRCMP_EQUAL("", c.workload);
    UNSIGNED_LONGLONGS_EQUAL(77, c.event_limit);
    CHECK_TRUE(c.set_threshold);
    check_same_as_protobuf_c(again, c);
}

TEST(command, start_workload_repeats_merge)
{
    Bytes first = name_body("mlp");
    put_key(first, 2, 0);
    put_varint(first, 2);
    Bytes second;
    put_key(second, 3, 0);
    put_varint(second, 9);
    Bytes third;
    put_key(third, 2, 0);
    put_varint(third, 3);
    Bytes s1;
    put_len(s1, 3, first);
    put_key(s1, 1, 0);
    put_varint(s1, 1);
    put_len(s1, 3, second);
    put_len(s1, 3, third);
    Bytes b;
    put_len(b, RP_CMD_START, s1);
    CHECK_TRUE(repeats_a_message(b));  // so not compared with protobuf-c
    rp_command_t c = parse_ok(b);
    LONGS_EQUAL(RP_CMD_START, c.kind);
    CHECK_TRUE(c.start_workload);
    STRCMP_EQUAL("mlp", c.workload);
    UNSIGNED_LONGS_EQUAL(3, c.repeat);
    UNSIGNED_LONGLONGS_EQUAL(9, c.seed);
    UNSIGNED_LONGS_EQUAL(1, c.op_mask);

    // Across two Start bodies too.
    Bytes s2;
    put_len(s2, 3, Bytes{ 0x10, 0x05 });  // repeat = 5
    put_key(s2, 4, 0);
    put_varint(s2, 4);
    put_len(b, RP_CMD_START, s2);
    c = parse_ok(b);
    CHECK_TRUE(c.start_workload);
    STRCMP_EQUAL("mlp", c.workload);
    UNSIGNED_LONGS_EQUAL(5, c.repeat);
    UNSIGNED_LONGLONGS_EQUAL(9, c.seed);
    UNSIGNED_LONGS_EQUAL(1, c.op_mask);
    UNSIGNED_LONGLONGS_EQUAL(4, c.event_limit);

    // An empty Start.workload still counts as present.
    Bytes empty;
    put_len(empty, RP_CMD_START, [] {
        Bytes s;
        put_len(s, 3, Bytes{});
        return s;
    }());
    c = parse_ok(empty);
    CHECK_TRUE(c.start_workload);
    STRCMP_EQUAL("", c.workload);
    check_same_as_protobuf_c(empty, c);
}

TEST(command, last_scalar_wins)
{
    Bytes cfg;
    put_key(cfg, 1, 0);
    put_varint(cfg, 0xFF);
    put_key(cfg, 3, 0);
    put_varint(cfg, 1);
    put_key(cfg, 4, 0);
    put_varint(cfg, 10);
    put_key(cfg, 2, 0);
    put_varint(cfg, 1ull << 60);
    put_key(cfg, 1, 0);
    put_varint(cfg, 0x0F);
    put_key(cfg, 3, 0);
    put_varint(cfg, 0);  // a later false clears the flag
    put_key(cfg, 2, 0);
    put_varint(cfg, 7);
    Bytes b;
    put_key(b, 1, 0);
    put_varint(b, 11);
    put_len(b, RP_CMD_CONFIGURE, cfg);
    put_key(b, 1, 0);
    put_varint(b, 12);
    rp_command_t c = parse_ok(b);
    UNSIGNED_LONGS_EQUAL(12, c.request_id);
    UNSIGNED_LONGS_EQUAL(0x0F, c.op_mask);
    CHECK_FALSE(c.set_threshold);
    UNSIGNED_LONGS_EQUAL(10, c.heartbeat_ms);
    UNSIGNED_LONGLONGS_EQUAL(7, c.threshold_ticks);
    check_same_as_protobuf_c(b, c);

    Bytes ping;
    put_key(ping, 1, 0);
    put_varint(ping, 5);
    put_key(ping, 1, 0);
    put_varint(ping, 0);  // an explicit zero overwrites too
    Bytes p;
    put_len(p, RP_CMD_PING, ping);
    c = parse_ok(p);
    UNSIGNED_LONGLONGS_EQUAL(0, c.token);
    check_same_as_protobuf_c(p, c);

    Bytes run;
    put_key(run, 2, 0);
    put_varint(run, 1);
    put_key(run, 3, 0);
    put_varint(run, UINT64_MAX);
    put_key(run, 2, 0);
    put_varint(run, 6);
    put_key(run, 3, 0);
    put_varint(run, 8);
    Bytes r;
    put_len(r, RP_CMD_RUN_WORKLOAD, run);
    c = parse_ok(r);
    UNSIGNED_LONGS_EQUAL(6, c.repeat);
    UNSIGNED_LONGLONGS_EQUAL(8, c.seed);
    check_same_as_protobuf_c(r, c);
}

TEST(command, uint32_fields_keep_the_low_32_bits)
{
    Bytes b;
    put_key(b, 1, 0);
    put_varint(b, (1ull << 32) + 5);
    put_len(b, RP_CMD_STOP, Bytes{});
    UNSIGNED_LONGS_EQUAL(5, parse_ok(b).request_id);

    Bytes cfg;
    put_key(cfg, 1, 0);
    put_varint(cfg, (1ull << 32) | 0x11);
    put_key(cfg, 4, 0);
    put_varint(cfg, UINT64_MAX);
    put_key(cfg, 5, 0);
    put_varint(cfg, (1ull << 40) + 3);
    Bytes m;
    put_len(m, RP_CMD_CONFIGURE, cfg);
    rp_command_t c = parse_ok(m);
    UNSIGNED_LONGS_EQUAL(0x11, c.op_mask);
    UNSIGNED_LONGS_EQUAL(0xFFFFFFFFu, c.heartbeat_ms);
    UNSIGNED_LONGS_EQUAL(3, c.counters_ms);
    check_same_as_protobuf_c(m, c);

    Bytes start;
    put_key(start, 1, 0);
    put_varint(start, (1ull << 35) + 2);
    put_len(start, 3, [] {
        Bytes run;
        put_key(run, 2, 0);
        put_varint(run, (1ull << 33) + 4);
        return run;
    }());
    Bytes s;
    put_len(s, RP_CMD_START, start);
    c = parse_ok(s);
    UNSIGNED_LONGS_EQUAL(2, c.op_mask);
    UNSIGNED_LONGS_EQUAL(4, c.repeat);
    check_same_as_protobuf_c(s, c);
}

TEST(command, nested_workload_follows_the_same_rules)
{
    // Unknown fields inside Start.workload are skipped.
    Bytes run;
    put_key(run, 9, 0);
    put_varint(run, 300);
    Bytes name = name_body("a");
    run.insert(run.end(), name.begin(), name.end());
    put_key(run, 10, 5);
    run.insert(run.end(), 4, 0xEE);
    Bytes start;
    put_len(start, 3, run);
    Bytes b;
    put_len(b, RP_CMD_START, start);
    rp_command_t c = parse_ok(b);
    CHECK_TRUE(c.start_workload);
    STRCMP_EQUAL("a", c.workload);
    check_same_as_protobuf_c(b, c);

    Bytes bad_type;  // repeat as length-delimited
    put_len(bad_type, 2, Bytes{ 1 });
    Bytes s1, m1;
    put_len(s1, 3, bad_type);
    put_len(m1, RP_CMD_START, s1);
    check_malformed(m1);

    Bytes cut = { 0x0A, 0x05, 'a' };  // name says 5 bytes, has 1
    Bytes s2, m2;
    put_len(s2, 3, cut);
    put_len(m2, RP_CMD_START, s2);
    check_malformed(m2);

    Bytes s3 = { 0x1A, 0x09, 0x10, 0x01 };  // workload says 9 bytes, Start has 2
    Bytes m3;
    put_len(m3, RP_CMD_START, s3);
    check_malformed(m3);

    Bytes s4 = { 0x1A, 0x02, 0x0E, 0x00 };  // wire type 6 inside the workload
    Bytes m4;
    put_len(m4, RP_CMD_START, s4);
    check_malformed(m4);
}

TEST(command, missing_body_is_malformed)
{
    check_malformed(Bytes{});
    Bytes b;
    put_key(b, 1, 0);
    put_varint(b, 12);
    check_malformed(b);
    Bytes u;
    put_key(u, 9, 0);  // only an unknown field
    put_varint(u, 1);
    check_malformed(u);
    rp_command_t none = make(RP_CMD_NONE, 3);
    check_malformed(encode(none));
}

TEST(command, wrong_wire_types_are_malformed)
{
    Bytes a;  // request_id as length-delimited
    put_len(a, 1, Bytes{ 1 });
    put_len(a, RP_CMD_STOP, Bytes{});
    check_malformed(a);

    Bytes b;  // body as varint
    put_key(b, RP_CMD_PING, 0);
    put_varint(b, 1);
    check_malformed(b);

    Bytes c;  // request_id as fixed32
    put_key(c, 1, 5);
    c.insert(c.end(), 4, 1);
    put_len(c, RP_CMD_STOP, Bytes{});
    check_malformed(c);

    Bytes start;  // Start.op_mask as fixed64
    put_key(start, 1, 1);
    start.insert(start.end(), 8, 0);
    Bytes d;
    put_len(d, RP_CMD_START, start);
    check_malformed(d);

    Bytes run;  // RunWorkload.name as varint
    put_key(run, 1, 0);
    put_varint(run, 5);
    Bytes e;
    put_len(e, RP_CMD_RUN_WORKLOAD, run);
    check_malformed(e);

    Bytes cfg;  // Configure.set_threshold as length-delimited
    put_len(cfg, 3, Bytes{ 1 });
    Bytes f;
    put_len(f, RP_CMD_CONFIGURE, cfg);
    check_malformed(f);
}

// Each payload here would parse if the wire type were ignored and the
// value read as the field's own type, so only the wire type check rejects it.
TEST(command, wrong_wire_types_are_malformed_even_where_the_bytes_would_parse)
{
    Bytes stop;
    put_len(stop, RP_CMD_STOP, Bytes{});

    Bytes a;  // request_id as length 2 (read as varint 2, then field 9 = 1)
    put_len(a, 1, Bytes{ 0x48, 0x01 });
    a.insert(a.end(), stop.begin(), stop.end());
    check_malformed(a);

    Bytes b;  // request_id as fixed32 (varint 5, then field 9 = 128)
    put_key(b, 1, 5);
    b.insert(b.end(), { 0x05, 0x48, 0x80, 0x01 });
    b.insert(b.end(), stop.begin(), stop.end());
    check_malformed(b);

    Bytes start;  // Start.op_mask as fixed64 (varint 5, field 9 = a 6-byte varint)
    put_key(start, 1, 1);
    start.insert(start.end(), { 0x05, 0x48, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 });
    Bytes c;
    put_len(c, RP_CMD_START, start);
    check_malformed(c);

    Bytes run = { 0x08, 0x01, 0x10, 0x10, 0x03 };  // name as varint: "\x10", repeat 3
    Bytes d;
    put_len(d, RP_CMD_RUN_WORKLOAD, run);
    check_malformed(d);

    Bytes start_run = { 0x18, 0x02, 0x10, 0x05 };  // Start.workload as varint: {repeat 5}
    Bytes e;
    put_len(e, RP_CMD_START, start_run);
    check_malformed(e);

    Bytes f = { 0x38, 0x02, 0x08, 0x05 };  // Ping as varint: {token 5}
    check_malformed(f);
}

TEST(command, truncated_varints_are_malformed)
{
    Bytes a = { 0x08, 0x80 };  // request_id, varint cut
    check_malformed(a);
    Bytes b = { 0x88 };  // key cut
    check_malformed(b);
    Bytes ping = { 0x08, 0xFF, 0xFF };  // token cut inside the body
    Bytes c;
    put_len(c, RP_CMD_PING, ping);
    check_malformed(c);
    Bytes d = { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
    check_malformed(d);  // eleven-byte varint
}

TEST(command, lengths_past_the_end_are_malformed)
{
    Bytes a = { 0x3A, 0x05, 0x08, 0x01 };  // Ping says 5 bytes, has 2
    check_malformed(a);
    Bytes run = { 0x0A, 0x10, 'a', 'b' };  // name says 16 bytes, body has 2
    Bytes b;
    put_len(b, RP_CMD_RUN_WORKLOAD, run);
    check_malformed(b);
    Bytes c = { 0x3A };  // Ping key, no length at all
    check_malformed(c);
    Bytes unk = { 0x52, 0x7F, 0x00 };  // unknown field 10 running off the end
    check_malformed(unk);
    Bytes fixed;  // unknown fixed64 cut short
    put_key(fixed, 10, 1);
    fixed.insert(fixed.end(), 7, 0);
    check_malformed(fixed);
    Bytes fixed32;
    put_key(fixed32, 10, 5);
    fixed32.insert(fixed32.end(), 3, 0);
    check_malformed(fixed32);
}

TEST(command, bad_tags_are_malformed)
{
    check_malformed(Bytes{ 0x00, 0x00 });       // field 0
    check_malformed(Bytes{ 0x0B, 0x0C });       // group start/end
    check_malformed(Bytes{ 0x0E });             // wire type 6
    check_malformed(Bytes{ 0x3A, 0x01, 0x07 });  // wire type 7 inside Ping
}

TEST(command, workload_names_too_long_or_with_nul_are_malformed)
{
    Bytes ok;
    put_len(ok, RP_CMD_RUN_WORKLOAD, name_body(std::string(RP_WORKLOAD_NAME_MAX, 'n')));
    STRCMP_EQUAL(std::string(RP_WORKLOAD_NAME_MAX, 'n').c_str(), parse_ok(ok).workload);

    Bytes empty;
    put_len(empty, RP_CMD_RUN_WORKLOAD, name_body(""));
    STRCMP_EQUAL("", parse_ok(empty).workload);

    Bytes longer;
    put_len(longer, RP_CMD_RUN_WORKLOAD, name_body(std::string(RP_WORKLOAD_NAME_MAX + 1, 'n')));
    check_malformed(longer);
    Bytes much_longer;
    put_len(much_longer, RP_CMD_RUN_WORKLOAD, name_body(std::string(100, 'n')));
    check_malformed(much_longer);
    Bytes nul;
    put_len(nul, RP_CMD_RUN_WORKLOAD, name_body(std::string("ab\0cd", 5)));
    check_malformed(nul);

    // The same rules inside Start.workload (field 3), and a wire type
    // other than a length there is malformed too.
    Bytes start_ok, start_long, start_varint;
    put_len(start_ok, RP_CMD_START, [] {
        Bytes s;
        put_len(s, 3, name_body("scan"));
        return s;
    }());
    rp_command_t sc = parse_ok(start_ok);
    CHECK_TRUE(sc.start_workload);
    STRCMP_EQUAL("scan", sc.workload);
    put_len(start_long, RP_CMD_START, [] {
        Bytes s;
        put_len(s, 3, name_body(std::string(RP_WORKLOAD_NAME_MAX + 1, 'n')));
        return s;
    }());
    check_malformed(start_long);
    put_len(start_varint, RP_CMD_START, [] {
        Bytes s;
        put_key(s, 3, 0);
        put_varint(s, 1);
        return s;
    }());
    check_malformed(start_varint);

    // A later shorter name replaces an earlier one completely.
    Bytes twice;
    Bytes body = name_body("longer_name");
    Bytes second = name_body("ab");
    body.insert(body.end(), second.begin(), second.end());
    put_len(twice, RP_CMD_RUN_WORKLOAD, body);
    STRCMP_EQUAL("ab", parse_ok(twice).workload);
}

TEST(command, arguments_and_encoder_limits)
{
    uint8_t buf[8];
    LONGS_EQUAL(RP_ERR_ARG, rp_command_parse(buf, 0, nullptr));
    rp_command_t out;
    LONGS_EQUAL(RP_ERR_MALFORMED, rp_command_parse(nullptr, 3, &out));
    rp_command_t bad = make((rp_command_kind_t)9, 1);
    UNSIGNED_LONGS_EQUAL(0, rp_command_encode(&bad, buf, sizeof(buf)));
    bad.kind = (rp_command_kind_t)1;  // request_id's number, not a body
    UNSIGNED_LONGS_EQUAL(0, rp_command_encode(&bad, buf, sizeof(buf)));
    rp_command_t ping = make(RP_CMD_PING, 1);
    UNSIGNED_LONGS_EQUAL(0, rp_command_encode(nullptr, buf, sizeof(buf)));
    UNSIGNED_LONGS_EQUAL(0, rp_command_encode(&ping, nullptr, sizeof(buf)));

    // A name filling the whole array, with no NUL, is sent as all its 32
    // bytes; the device rejects it as too long.
    rp_command_t full = make(RP_CMD_RUN_WORKLOAD, 2);
    memset(full.workload, 'f', sizeof(full.workload));
    Bytes fb = encode(full);
    Rramprof__V1__Command *d = rramprof__v1__command__unpack(nullptr, fb.size(), fb.data());
    CHECK(d != nullptr);
    STRCMP_EQUAL(std::string(sizeof(full.workload), 'f').c_str(), d->run_workload->name);
    rramprof__v1__command__free_unpacked(d, nullptr);
    check_malformed(fb);

    for (const auto &c : samples()) {
        Bytes full = encode(c);
        for (size_t cap = 0; cap < full.size(); cap++) {
            Bytes b(cap + 4, 0x99);
            UNSIGNED_LONGS_EQUAL(0, rp_command_encode(&c, b.data(), cap));
            for (size_t i = cap; i < b.size(); i++) {
                BYTES_EQUAL(0x99, b[i]);
            }
        }
    }
}

TEST(command, mutated_commands_never_crash_and_failures_zero_the_output)
{
    std::mt19937 rng(31337);
    std::vector<rp_command_t> base = samples();
    size_t ok = 0, bad = 0, both = 0;
    for (int i = 0; i < 20000; i++) {
        Bytes b = encode(base[rng() % base.size()]);
        // A few random byte changes, insertions or cuts of a valid command.
        for (int k = 1 + (int)(rng() % 3); k > 0; k--) {
            switch (rng() % 3) {
            case 0: b[rng() % b.size()] = (uint8_t)rng(); break;
            case 1: b.insert(b.begin() + (long)(rng() % b.size()), (uint8_t)rng()); break;
            default: if (b.size() > 1) b.resize(b.size() - 1 - rng() % (b.size() - 1) / 2); break;
            }
        }
        rp_command_t out;
        memset(&out, 0xAA, sizeof(out));
        int rc = rp_command_parse(b.data(), b.size(), &out);
        if (rc == RP_OK) {
            ok++;
            CHECK(out.kind >= RP_CMD_GET_INFO && out.kind <= RP_CMD_PING);
            CHECK(memchr(out.workload, 0, sizeof(out.workload)) != nullptr);
            // What parsed re-encodes to the same command.
            check_equal(out, parse_ok(encode(out)));
            // protobuf-c, where it accepts the bytes too, reads the same.
            Rramprof__V1__Command *d = rramprof__v1__command__unpack(nullptr, b.size(), b.data());
            if (d != nullptr && !repeats_a_message(b)) {
                check_same_as_protobuf_c(b, out);
                both++;
            }
            rramprof__v1__command__free_unpacked(d, nullptr);
        } else {
            bad++;
            LONGS_EQUAL(RP_ERR_MALFORMED, rc);
            const uint8_t *p = (const uint8_t *)&out;
            for (size_t k = 0; k < sizeof(out); k++) {
                BYTES_EQUAL(0, p[k]);
            }
        }
    }
    CHECK(ok > 1000);
    CHECK(bad > 1000);
    CHECK(both > 1000);
}
