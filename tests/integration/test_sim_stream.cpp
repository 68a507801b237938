/* Integration tests of the sim board's stream: the real rramprof-sim
 * binary, recording from boot over stdio, for every workload on both
 * presets; determinism; a link too slow for the event rate; protoc
 * acceptance of real payloads. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include <CppUTest/TestHarness.h>

#include "sim_checks.h"
#include "sim_harness.h"

using namespace simtest;

namespace {

/* Events per bounded run: enough for every workload to finish a run
 * (programming or scanning the macro preset's array takes ~45k events,
 * an MLP or solver run a few thousand), small enough to keep each test
 * well under 30 s even in the sanitizer build. */
const uint64_t kEventsLong = 50000;
const uint64_t kEventsShort = 12000;
const int kTimeoutMs = 25000;

std::vector<std::string> bounded_args(const std::string &workload, const std::string &preset,
                                      uint64_t events, uint64_t seed)
{
    return { "--autostart", "--quiet", "--workload", workload, "--preset", preset,
             "--events", std::to_string(events), "--seed", std::to_string(seed) };
}

/* One bounded run over stdio, checked end to end against its truth file. */
void check_workload(const std::string &workload, const std::string &preset, uint64_t events)
{
    const std::string label = workload + "/" + preset;
    const std::string truth_path = temp_path(workload + "-" + preset + ".csv");
    std::vector<std::string> args = bounded_args(workload, preset, events, 7);
    args.push_back("--truth");
    args.push_back(truth_path);

    RunResult r = run_sim(args, kTimeoutMs);
    std::vector<TruthOp> truth;
    std::string truth_err = read_truth(truth_path, truth);
    unlink(truth_path.c_str());
    LONGS_EQUAL_TEXT(0, r.exit_code, (label + ": exit status; stderr: " + r.err).c_str());

    Stream s = parse_stream(r.out);
    Summary sum = check_stream(s, label);

    /* Default link: nothing dropped (the count is checked last). */
    UNSIGNED_LONGS_EQUAL_TEXT(0, sum.batch_dropped_total, (label + ": dropped_total").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, sum.drop_reports, (label + ": DropReports").c_str());

    /* The crossbar events are the model's operations, to the tick. */
    STRCMP_EQUAL_TEXT("", truth_err.c_str(), label.c_str());
    check_truth_exact(sum.events, truth, label);

    /* Each finished run checked its own numbers. */
    CHECK_TEXT(!sum.results.empty(), (label + ": no WorkloadResult").c_str());
    for (size_t i = 0; i < sum.results.size(); i++) {
        const Rramprof__V1__WorkloadResult *w = sum.results[i];
        std::string where = label + ": run " + std::to_string(i);
        STRCMP_EQUAL_TEXT(workload.c_str(), w->name, where.c_str());
        UNSIGNED_LONGS_EQUAL_TEXT(i, w->run, (where + ": run index").c_str());
        CHECK_TEXT(w->passed, (where + " failed: " + w->detail).c_str());
        CHECK_TEXT(w->end > w->start, (where + ": empty run").c_str());
    }

    /* The session's final Counters agree with what arrived. */
    const Rramprof__V1__Counters *c = sum.last_counters;
    CHECK_TEXT(c != nullptr, (label + ": no Counters").c_str());
    /* Only idle Heartbeats may follow the session's final Counters. */
    for (size_t i = sum.last_counters_index + 1; i < s.frames.size(); i++) {
        CHECK_TEXT(s.frames[i]->body_case == RRAMPROF__V1__FRAME__BODY_HEARTBEAT,
                   (label + ": frame after the final Counters").c_str());
    }
    UNSIGNED_LONGS_EQUAL_TEXT(sum.events.size(), c->events_sent, (label + ": events_sent").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(sum.events.size(), c->events_recorded,
                              (label + ": events_recorded").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, c->events_dropped, (label + ": events_dropped").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, c->events_filtered, (label + ": events_filtered").c_str());
    /* Every frame before the final Counters, Hello included (the session
     * starts at boot), and exactly their bytes: the wire's up to there
     * less the boot's leading delimiter, which is no frame (an empty one
     * for the deframer). */
    UNSIGNED_LONGS_EQUAL_TEXT(sum.last_counters_index, c->frames_sent,
                              (label + ": frames_sent").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(1, s.stats.empty_frames, (label + ": the boot's delimiter").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(s.ends[sum.last_counters_index - 1] - 1u, c->bytes_sent,
                              (label + ": bytes_sent").c_str());
    CHECK_TEXT(c->record_ticks > 0 && c->drain_ticks > 0, (label + ": self cost").c_str());
    CHECK_TEXT(c->ring_high_water > 0 && c->ring_high_water <= sum.hello->ring_capacity,
               (label + ": ring_high_water").c_str());
    CHECK_TEXT(c->timestamp >= sum.events.back().end, (label + ": Counters timestamp").c_str());

    /* --events N: exactly N events recorded, and all of them arrived. */
    UNSIGNED_LONGS_EQUAL_TEXT(events, sum.events.size(), (label + ": events received").c_str());
}

} // namespace

TEST_GROUP(SimStream) {};

TEST(SimStream, ProgramTestchip) { check_workload("program", "testchip", kEventsLong); }
TEST(SimStream, ProgramMacro) { check_workload("program", "macro", kEventsLong); }
TEST(SimStream, MlpTestchip) { check_workload("mlp", "testchip", kEventsShort); }
TEST(SimStream, MlpMacro) { check_workload("mlp", "macro", kEventsShort); }
TEST(SimStream, ScanTestchip) { check_workload("scan", "testchip", kEventsLong); }
TEST(SimStream, ScanMacro) { check_workload("scan", "macro", kEventsLong); }
TEST(SimStream, SolverTestchip) { check_workload("solver", "testchip", kEventsShort); }
TEST(SimStream, SolverMacro) { check_workload("solver", "macro", kEventsShort); }

TEST(SimStream, SameFlagsGiveByteIdenticalStreams)
{
    std::vector<std::string> args = bounded_args("mlp", "testchip", 5000, 42);
    RunResult a = run_sim(args, kTimeoutMs);
    RunResult b = run_sim(args, kTimeoutMs);
    LONGS_EQUAL(0, a.exit_code);
    LONGS_EQUAL(0, b.exit_code);
    CHECK(a.out.size() > 1000);
    UNSIGNED_LONGS_EQUAL(a.out.size(), b.out.size());
    CHECK(a.out == b.out);
}

TEST(SimStream, AnotherSeedGivesAnotherStream)
{
    RunResult a = run_sim(bounded_args("program", "testchip", 3000, 1), kTimeoutMs);
    RunResult b = run_sim(bounded_args("program", "testchip", 3000, 2), kTimeoutMs);
    LONGS_EQUAL(0, a.exit_code);
    LONGS_EQUAL(0, b.exit_code);
    CHECK(a.out != b.out);
}

TEST(SimStream, BoundedRunIgnoresEarlyEndOfStdin)
{
    /* `rramprof-sim --autostart --events N </dev/null` must still deliver
     * all N events: for a bounded run stdin EOF only ends the commands. */
    SimProcess p;
    CHECK(p.start(bounded_args("scan", "macro", 2000, 3)));
    p.close_stdin();
    LONGS_EQUAL(0, p.finish(kTimeoutMs));
    Summary sum = check_stream(p.stream(), "stdin closed");
    UNSIGNED_LONGS_EQUAL(2000, sum.events.size());
}

/* ---- a link too slow for the event rate ---------------------------------- */

TEST_GROUP(SimSlowLink) {};

namespace {

/* 115200 bit/s moves about 11.5 kB per virtual second; the testchip's
 * MVM workload produces events much faster, so the ring overflows. */
std::vector<std::string> slow_args(const std::string &truth)
{
    std::vector<std::string> a = bounded_args("mlp", "testchip", 4000, 5);
    a.push_back("--link-baud");
    a.push_back("115200");
    if (!truth.empty()) {
        a.push_back("--truth");
        a.push_back(truth);
    }
    return a;
}

} // namespace

TEST(SimSlowLink, DropsAreCountedExactly)
{
    const std::string truth_path = temp_path("slow.csv");
    RunResult r = run_sim(slow_args(truth_path), kTimeoutMs);
    std::vector<TruthOp> truth;
    std::string truth_err = read_truth(truth_path, truth);
    unlink(truth_path.c_str());
    LONGS_EQUAL_TEXT(0, r.exit_code, r.err.c_str());
    Stream s = parse_stream(r.out);
    /* Sequence and first_event contiguous: nothing lost on the link
     * itself, only in the device's ring. */
    Summary sum = check_stream(s, "slow link");
    const Rramprof__V1__Counters *c = sum.last_counters;
    CHECK(c != nullptr);

    CHECK_TEXT(c->events_dropped > 0, "the slow link caused no drops");
    CHECK(sum.drop_reports > 0);
    UNSIGNED_LONGS_EQUAL(c->events_dropped, sum.batch_dropped_total);
    UNSIGNED_LONGS_EQUAL(c->events_dropped, sum.report_dropped_total);
    UNSIGNED_LONGS_EQUAL(sum.events.size(), c->events_sent);
    UNSIGNED_LONGS_EQUAL(sum.events.size(), c->events_recorded);
    /* Everything that passed the filters is accounted for. */
    UNSIGNED_LONGS_EQUAL(c->events_recorded + c->events_dropped,
                         sum.events.size() + sum.batch_dropped_total);
    CHECK(c->tx_stall_ticks > 0);

    /* Against the model's truth: every received crossbar event is one of
     * its operations, in order, and the operations that did not arrive
     * (up to the last one that did) are no more than the drops reported.
     * Spans can be dropped too, so it is <=, but never zero. */
    STRCMP_EQUAL("", truth_err.c_str());
    size_t t = 0;
    uint64_t missing = 0;
    for (const Event &e : sum.events) {
        if (!is_crossbar_op(e.op)) {
            continue;
        }
        while (t < truth.size() && truth[t].start != e.start) {
            missing++;
            t++;
        }
        CHECK_TEXT(t < truth.size(), "received event not in the truth");
        STRCMP_EQUAL(truth[t].op.c_str(), op_name(e.op).c_str());
        UNSIGNED_LONGLONGS_EQUAL(truth[t].duration, e.duration);
        t++;
    }
    CHECK(missing > 0);
    CHECK(missing <= sum.batch_dropped_total);
}

TEST(SimSlowLink, DropCountIsDeterministic)
{
    RunResult a = run_sim(slow_args(""), kTimeoutMs);
    RunResult b = run_sim(slow_args(""), kTimeoutMs);
    LONGS_EQUAL(0, a.exit_code);
    LONGS_EQUAL(0, b.exit_code);
    CHECK(a.out == b.out);
    Summary sum = check_stream(parse_stream(a.out), "slow link");
    CHECK(sum.batch_dropped_total > 0);
}

/* ---- protoc accepts real payloads ------------------------------------- */

TEST_GROUP(SimProtoc) {};

TEST(SimProtoc, DecodesEveryKindOfARealStream)
{
    /* A short Counters period so that periodic Counters appear too. */
    std::vector<std::string> args = bounded_args("mlp", "macro", 6000, 9);
    args.push_back("--counters-ms");
    args.push_back("1");
    RunResult r = run_sim(args, kTimeoutMs);
    LONGS_EQUAL(0, r.exit_code);
    Stream s = parse_stream(r.out);
    check_stream(s, "protoc");

    /* The first frame of every kind and the first few batches. */
    static const std::map<int, std::string> field = {
        { RRAMPROF__V1__FRAME__BODY_HELLO, "hello {" },
        { RRAMPROF__V1__FRAME__BODY_BATCH, "batch {" },
        { RRAMPROF__V1__FRAME__BODY_NAMES, "names {" },
        { RRAMPROF__V1__FRAME__BODY_COUNTERS, "counters {" },
        { RRAMPROF__V1__FRAME__BODY_WORKLOAD, "workload {" },
        { RRAMPROF__V1__FRAME__BODY_HEARTBEAT, "heartbeat {" },
    };
    std::map<int, int> taken;
    size_t decoded = 0;
    for (size_t i = 0; i < s.frames.size(); i++) {
        const Rramprof__V1__Frame *f = s.frames[i].get();
        int kind = (int)f->body_case;
        int limit = kind == RRAMPROF__V1__FRAME__BODY_BATCH ? 3 : 1;
        if (taken[kind] >= limit) {
            continue;
        }
        taken[kind]++;
        RunResult d = run_command({ RP_PROTOC, "--decode=rramprof.v1.Frame",
                                    "--proto_path=" RP_PROTO_DIR, "rramprof.proto" },
                                  s.payloads[i], 10000);
        std::string where = "frame " + std::to_string(i) + ": " + d.err;
        LONGS_EQUAL_TEXT(0, d.exit_code, where.c_str());
        auto it = field.find(kind);
        if (it != field.end()) {
            CHECK_TEXT(d.out.find(it->second) == 0, (where + d.out).c_str());
        }
        /* A value protoc must have read back from the payload. */
        if (kind == RRAMPROF__V1__FRAME__BODY_HELLO) {
            CHECK_TEXT(d.out.find("board: \"sim\"") != std::string::npos, d.out.c_str());
        } else if (kind == RRAMPROF__V1__FRAME__BODY_BATCH) {
            std::string count = "count: " + std::to_string(f->batch->count);
            CHECK_TEXT(d.out.find(count) != std::string::npos, d.out.c_str());
        } else if (kind == RRAMPROF__V1__FRAME__BODY_WORKLOAD) {
            CHECK_TEXT(d.out.find("name: \"mlp\"") != std::string::npos, d.out.c_str());
        }
        decoded++;
    }
    /* Hello, NameTable, batches, Counters and WorkloadResult at least. */
    CHECK(taken[RRAMPROF__V1__FRAME__BODY_HELLO] == 1);
    CHECK(taken[RRAMPROF__V1__FRAME__BODY_NAMES] == 1);
    CHECK(taken[RRAMPROF__V1__FRAME__BODY_COUNTERS] == 1);
    CHECK(taken[RRAMPROF__V1__FRAME__BODY_WORKLOAD] == 1);
    CHECK(taken[RRAMPROF__V1__FRAME__BODY_BATCH] == 3);
    CHECK(decoded >= 7);
}

/* ---- the wire-size benchmark's measuring tool -------------------------- */

TEST_GROUP(SimWireSize) {};

TEST(SimWireSize, MeasuresARealStreamExactly)
{
    RunResult r = run_sim(bounded_args("solver", "testchip", 3000, 1), kTimeoutMs);
    LONGS_EQUAL(0, r.exit_code);
    Stream s = parse_stream(r.out);
    Summary sum = check_stream(s, "wire size");

    /* Expected figures, from the harness's own split of the stream. */
    uint64_t batch_bytes = 0;
    for (size_t i = 0; i < s.frames.size(); i++) {
        if (s.frames[i]->body_case == RRAMPROF__V1__FRAME__BODY_BATCH) {
            batch_bytes += s.ends[i] - (i == 0 ? 0 : s.ends[i - 1]);
        }
    }
    RunResult m = run_command({ RP_WIRE_SIZE_BIN, "--columns" }, r.out, 10000);
    LONGS_EQUAL_TEXT(0, m.exit_code, m.err.c_str());
    std::string expect = "events=" + std::to_string(sum.events.size()) +
                         " frames=" + std::to_string(s.frames.size()) +
                         " batches=" + std::to_string(sum.batches) +
                         " batch_bytes=" + std::to_string(batch_bytes) +
                         " stream_bytes=" + std::to_string(r.out.size()) + " ";
    CHECK_TEXT(m.out.rfind(expect, 0) == 0, (expect + "\n" + m.out).c_str());
    CHECK(m.out.find("  gap ") != std::string::npos);

    /* A corrupted stream is reported, not measured silently. */
    std::string bad = r.out;
    bad[bad.size() / 2] = (char)(bad[bad.size() / 2] ^ 0x5a);
    RunResult mb = run_command({ RP_WIRE_SIZE_BIN }, bad, 10000);
    LONGS_EQUAL(1, mb.exit_code);
}
