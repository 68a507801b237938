/* The sim board's bottleneck scenarios (boards/sim/scenarios, NAME.params):
 * every file parses and changes only the keys of its one cause; --scenario
 * finds them and behaves as --params; and a short run of each shows, from
 * the model's ground truth (--truth) and the stream itself, that the
 * injected cause really dominates, measured against the unmodified
 * testchip preset running the same workload. Hello carries the nominal
 * timing of the parameters in use (ArrayInfo 10..17). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CppUTest/TestHarness.h>

#include "sim_checks.h"
#include "sim_harness.h"

extern "C" {
#include "rramprof/rp_xmodel.h"
}

#ifndef RP_SCENARIO_DIR
#error "RP_SCENARIO_DIR must name boards/sim/scenarios"
#endif

using namespace simtest;

namespace {

const int kTimeoutMs = 60000;
/* Events per run: the weights or the first rows are programmed and then
 * the workload's steady state runs for a while. */
const uint64_t kEvents = 4000;

struct Scenario {
    const char *name;
    std::set<std::string> keys;   /* keys that differ from the testchip preset */
};

const std::vector<Scenario> &scenarios()
{
    static const std::vector<Scenario> all = {
        { "slow-adc", { "adc_conversion_ns", "workload" } },
        { "stuck-cells", { "stuck_cell_rate", "workload" } },
        { "narrow-interface", { "interface_bytes_per_us", "workload" } },
        { "slow-mcu", { "mcu_ns_per_mac", "workload" } },
        { "slow-link", { "link_baud", "workload" } },
        { "hot-tile", { "hot_tile", "hot_tile_slowdown", "workload" } },
    };
    return all;
}

std::string scenario_path(const std::string &name)
{
    return std::string(RP_SCENARIO_DIR) + "/" + name + ".params";
}

rp_xmodel_params_t load(const std::string &name)
{
    rp_xmodel_params_t p;
    char err[300] = "";
    int rc = rp_xmodel_params_load(scenario_path(name).c_str(), &p, err, sizeof err);
    STRCMP_EQUAL_TEXT("", err, name.c_str());
    LONGS_EQUAL_TEXT(RP_OK, rc, name.c_str());
    return p;
}

/* key -> value lines of a formatted parameter set. */
std::map<std::string, std::string> key_values(const rp_xmodel_params_t &p)
{
    size_t n = rp_xmodel_params_format(&p, nullptr, 0);
    std::string text(n + 1, '\0');
    rp_xmodel_params_format(&p, &text[0], text.size());
    text.resize(n);
    std::map<std::string, std::string> kv;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::string body = line.substr(0, line.find('#'));
        size_t eq = body.find('=');
        CHECK(eq != std::string::npos);
        std::string key = body.substr(0, body.find_first_of(" =")), value = body.substr(eq + 1);
        value.erase(0, value.find_first_not_of(' '));
        value.erase(value.find_last_not_of(' ') + 1);
        kv[key] = value;
    }
    return kv;
}

/* One bounded run from boot, its stream checked, with the model's truth. */
struct Run {
    Stream stream;
    Summary sum;
    std::vector<TruthOp> truth;
};

Run run_board(std::vector<std::string> args, const std::string &label, uint64_t events = kEvents)
{
    const std::string truth_path = temp_path("scenario.csv");
    args.insert(args.end(), { "--autostart", "--quiet", "--events", std::to_string(events),
                              "--truth", truth_path });
    RunResult r = run_sim(args, kTimeoutMs);
    Run out;
    std::string err = read_truth(truth_path, out.truth);
    unlink(truth_path.c_str());
    LONGS_EQUAL_TEXT(0, r.exit_code, (label + ": " + r.err).c_str());
    STRCMP_EQUAL_TEXT("", err.c_str(), label.c_str());
    CHECK_TEXT(!out.truth.empty(), label.c_str());
    out.stream = parse_stream(r.out);
    out.sum = check_stream(out.stream, label);
    return out;
}

Run run_scenario(const std::string &name)
{
    return run_board({ "--scenario", name }, name);
}

/* The testchip preset, unmodified, on the workload a scenario runs. */
Run run_baseline(const std::string &workload)
{
    return run_board({ "--preset", "testchip", "--workload", workload }, "testchip/" + workload);
}

/* Where the time of a run went, from its truth: crossbar operations by op
 * and tile, and the gaps between them (MCU work, idle loop, recorder). */
struct Profile {
    uint64_t span = 0;   /* first operation start to last operation end */
    uint64_t busy = 0;   /* sum of operation durations */
    std::map<std::string, uint64_t> ticks, count;
    std::map<uint32_t, uint64_t> tile_ticks, tile_count;
    std::map<std::pair<std::string, uint32_t>, uint64_t> op_tile_ticks, op_tile_count;

    uint64_t gap() const { return span - busy; }
    double share(const std::string &op) const { return ratio(at(ticks, op), span); }
    double mean(const std::string &op) const { return ratio(at(ticks, op), at(count, op)); }
    double tile_mean(uint32_t t) const { return ratio(at(tile_ticks, t), at(tile_count, t)); }
    double op_tile_mean(const std::string &op, uint32_t t) const
    {
        return ratio(at(op_tile_ticks, std::make_pair(op, t)), at(op_tile_count, std::make_pair(op, t)));
    }

    template <typename M, typename K> static uint64_t at(const M &m, const K &k)
    {
        auto it = m.find(k);
        return it == m.end() ? 0 : it->second;
    }
    static double ratio(uint64_t a, uint64_t b) { return b == 0 ? 0.0 : (double)a / (double)b; }
};

Profile profile(const std::vector<TruthOp> &truth)
{
    Profile p;
    for (const TruthOp &t : truth) {
        p.busy += t.duration;
        p.ticks[t.op] += t.duration;
        p.count[t.op]++;
        p.tile_ticks[t.tile] += t.duration;
        p.tile_count[t.tile]++;
        p.op_tile_ticks[{ t.op, t.tile }] += t.duration;
        p.op_tile_count[{ t.op, t.tile }]++;
    }
    p.span = truth.back().start + truth.back().duration - truth.front().start;
    CHECK(p.span >= p.busy);   // the board runs one operation at a time
    return p;
}

/* Write pulses per programmed row: a row's write-verify sequence is the
 * run of WRITE/VERIFY operations on one (tile, row). */
double writes_per_row(const std::vector<TruthOp> &truth)
{
    uint64_t rows = 0, writes = 0;
    bool in_row = false;
    uint32_t tile = 0, row = 0;
    for (const TruthOp &t : truth) {
        if (t.op != "WRITE" && t.op != "VERIFY") {
            in_row = false;
            continue;
        }
        if (!in_row || t.tile != tile || t.row != row) {
            rows++;
            in_row = true;
            tile = t.tile;
            row = t.row;
        }
        writes += t.op == "WRITE";
    }
    CHECK(rows > 0);
    return (double)writes / (double)rows;
}

/* Hello must state the nominal timing of the parameters in use. */
void check_hello_timing(const Run &r, const rp_xmodel_params_t &p, const std::string &label)
{
    rp_array_info_t want;
    rp_xmodel_describe(&p, "", &want);
    CHECK_TEXT(r.sum.hello != nullptr && r.sum.hello->array != nullptr, label.c_str());
    const Rramprof__V1__ArrayInfo *a = r.sum.hello->array;
    UNSIGNED_LONGLONGS_EQUAL_TEXT(want.write_pulse_ps, a->write_pulse_ps, label.c_str());
    UNSIGNED_LONGLONGS_EQUAL_TEXT(want.write_setup_ps, a->write_setup_ps, label.c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(want.write_parallel_cols, a->write_parallel_cols, label.c_str());
    UNSIGNED_LONGLONGS_EQUAL_TEXT(want.read_latency_ps, a->read_latency_ps, label.c_str());
    UNSIGNED_LONGLONGS_EQUAL_TEXT(want.adc_conversion_ps, a->adc_conversion_ps, label.c_str());
    UNSIGNED_LONGLONGS_EQUAL_TEXT(want.dac_settle_ps, a->dac_settle_ps, label.c_str());
    UNSIGNED_LONGLONGS_EQUAL_TEXT(want.interface_overhead_ps, a->interface_overhead_ps,
                                  label.c_str());
    UNSIGNED_LONGLONGS_EQUAL_TEXT(want.interface_bytes_per_s, a->interface_bytes_per_s,
                                  label.c_str());
    CHECK_TEXT(a->adc_conversion_ps > 0 && a->interface_bytes_per_s > 0, label.c_str());
}

/* With a link fast enough, a scenario's crossbar events are its truth. */
void check_no_loss_and_exact(const Run &r, const std::string &label)
{
    UNSIGNED_LONGS_EQUAL_TEXT(0, r.sum.drop_reports, label.c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, r.sum.batch_dropped_total, label.c_str());
    check_truth_exact(r.sum.events, r.truth, label);
}

bool has_op(const std::vector<TruthOp> &truth, const char *op)
{
    for (const TruthOp &t : truth) {
        if (t.op == op) {
            return true;
        }
    }
    return false;
}

std::string pct(double v)
{
    char b[32];
    snprintf(b, sizeof b, "%.1f%%", 100.0 * v);
    return b;
}

} // namespace

TEST_GROUP(SimScenarios) {};

TEST(SimScenarios, EveryFileParsesAndChangesOnlyItsCause)
{
    rp_xmodel_params_t base;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &base));
    std::map<std::string, std::string> b = key_values(base);
    for (const Scenario &s : scenarios()) {
        rp_xmodel_params_t p = load(s.name);
        char err[200] = "";
        LONGS_EQUAL_TEXT(RP_OK, rp_xmodel_params_validate(&p, err, sizeof err), s.name);
        STRCMP_EQUAL_TEXT("testchip", p.name, s.name);   // no hint in the label
        CHECK_TEXT(p.workload[0] != '\0', s.name);
        std::map<std::string, std::string> kv = key_values(p);
        std::set<std::string> changed;
        for (const auto &e : kv) {
            if (b[e.first] != e.second) {
                changed.insert(e.first);
            }
        }
        std::string got;
        for (const std::string &k : changed) {
            got += k + " ";
        }
        CHECK_TEXT(changed == s.keys, (std::string(s.name) + " changes: " + got).c_str());
        // The header names the finding the report should give.
        std::string text = read_file(scenario_path(s.name));
        CHECK_TEXT(text.rfind("# Scenario \"" + std::string(s.name) + "\"", 0) == 0, s.name);
        CHECK_TEXT(text.find("primary bottleneck: ") != std::string::npos, s.name);
    }
}

TEST(SimScenarios, HelpListsThemAndScenarioEqualsParams)
{
    RunResult h = run_sim({ "--help" }, kTimeoutMs);
    LONGS_EQUAL(0, h.exit_code);
    CHECK(h.out.find("--scenario") != std::string::npos);
    size_t list = h.out.find("Scenarios:");
    CHECK(list != std::string::npos);
    for (const Scenario &s : scenarios()) {
        CHECK_TEXT(h.out.find(std::string(" ") + s.name, list) != std::string::npos, s.name);
    }

    std::vector<std::string> common = { "--autostart", "--quiet", "--events", "800" };
    std::vector<std::string> a = common, b = common;
    a.insert(a.end(), { "--scenario", "narrow-interface" });
    b.insert(b.end(), { "--params", scenario_path("narrow-interface") });
    RunResult ra = run_sim(a, kTimeoutMs), rb = run_sim(b, kTimeoutMs);
    LONGS_EQUAL_TEXT(0, ra.exit_code, ra.err.c_str());
    LONGS_EQUAL_TEXT(0, rb.exit_code, rb.err.c_str());
    CHECK(!ra.out.empty());
    CHECK(ra.out == rb.out);
}

TEST(SimScenarios, BadScenarioUsage)
{
    const std::vector<std::vector<std::string>> cases = {
        { "--scenario", "no-such-scenario" },
        { "--scenario", "../scenarios/slow-adc" },
        { "--scenario", "" },
        { "--scenario", "slow-adc", "--preset", "macro" },
        { "--scenario", "slow-adc", "--params", scenario_path("slow-adc") },
    };
    for (const std::vector<std::string> &args : cases) {
        RunResult r = run_sim(args, kTimeoutMs);
        std::string label = args[1] + (args.size() > 2 ? " " + args[2] : "");
        LONGS_EQUAL_TEXT(2, r.exit_code, label.c_str());
        CHECK_TEXT(r.err.find("--help") != std::string::npos, (label + ": " + r.err).c_str());
        CHECK_TEXT(r.out.empty(), label.c_str());
    }
    RunResult r = run_sim({ "--scenario", "no-such-scenario" }, kTimeoutMs);
    CHECK_TEXT(r.err.find("slow-adc") != std::string::npos, r.err.c_str());   // lists them

    /* A file naming an unknown workload is a usage error naming the file. */
    const std::string path = temp_path("wl.params");
    CHECK(write_file(path, "preset = testchip\nworkload = nope\n"));
    RunResult w = run_sim({ "--params", path }, kTimeoutMs);
    unlink(path.c_str());
    LONGS_EQUAL(2, w.exit_code);
    CHECK_TEXT(w.err.find(path) != std::string::npos, w.err.c_str());
    CHECK_TEXT(w.err.find("nope") != std::string::npos, w.err.c_str());
}

TEST(SimScenarios, CommandLineOverridesTheFile)
{
    /* The file's workload runs unless --workload names another: mlp does
     * MVMs, program never does. */
    Run file = run_board({ "--scenario", "slow-adc" }, "slow-adc", 1500);
    CHECK(has_op(file.truth, "MVM"));
    Run flag = run_board({ "--scenario", "slow-adc", "--workload", "program" }, "slow-adc/program", 1500);
    CHECK(!has_op(flag.truth, "MVM"));
    CHECK(has_op(flag.truth, "WRITE"));

    /* The file's link rate applies unless --link-baud is given. */
    Run unlimited = run_board({ "--scenario", "slow-link", "--link-baud", "0" }, "slow-link/0", 5000);
    UNSIGNED_LONGS_EQUAL(0, unlimited.sum.batch_dropped_total);
    Run slow = run_board({ "--scenario", "slow-link" }, "slow-link", 5000);
    CHECK(slow.sum.batch_dropped_total > 0);
}

TEST(SimScenarios, SlowAdcMakesMvmDominate)
{
    rp_xmodel_params_t p = load("slow-adc");
    Run base = run_baseline(p.workload), s = run_scenario("slow-adc");
    check_hello_timing(s, p, "slow-adc");
    check_no_loss_and_exact(s, "slow-adc");
    Profile pb = profile(base.truth), ps = profile(s.truth);
    CHECK_TEXT(ps.mean("MVM") >= 5.0 * pb.mean("MVM"), "MVM not much slower than the baseline");
    CHECK_TEXT(ps.share("MVM") > 0.5, ("MVM share " + pct(ps.share("MVM"))).c_str());
    CHECK(ps.share("MVM") > 2.0 * pb.share("MVM"));
    // Nominally ADC conversions are nearly all of one MVM of this run.
    double adc = (double)p.input_bits * (double)((p.cols + p.adcs_per_tile - 1) / p.adcs_per_tile) *
                 (double)p.adc_conversion_ps;
    double mvm_ps = ps.mean("MVM") * 1e12 / (double)p.mcu_clock_hz;
    CHECK_TEXT(adc / mvm_ps > 0.9, pct(adc / mvm_ps).c_str());
}

TEST(SimScenarios, StuckCellsInflateWriteVerify)
{
    rp_xmodel_params_t p = load("stuck-cells");
    Run base = run_baseline(p.workload), s = run_scenario("stuck-cells");
    check_hello_timing(s, p, "stuck-cells");
    check_no_loss_and_exact(s, "stuck-cells");
    double wb = writes_per_row(base.truth), ws = writes_per_row(s.truth);
    CHECK_TEXT(ws >= 2.0 * wb, ("pulses per row " + std::to_string(ws) + " vs " + std::to_string(wb)).c_str());
    Profile ps = profile(s.truth);
    double wv = ps.share("WRITE") + ps.share("VERIFY");
    CHECK_TEXT(wv > 0.5, ("write-verify share " + pct(wv)).c_str());
    // More than half of all write-verify work is the inflation.
    CHECK((ws - wb) / ws > 0.5);
}

TEST(SimScenarios, NarrowInterfaceMakesTransfersDominate)
{
    rp_xmodel_params_t p = load("narrow-interface");
    Run base = run_baseline(p.workload), s = run_scenario("narrow-interface");
    check_hello_timing(s, p, "narrow-interface");
    check_no_loss_and_exact(s, "narrow-interface");
    Profile pb = profile(base.truth), ps = profile(s.truth);
    CHECK(ps.mean("TRANSFER") >= 5.0 * pb.mean("TRANSFER"));
    CHECK_TEXT(ps.share("TRANSFER") > 0.5, ("TRANSFER share " + pct(ps.share("TRANSFER"))).c_str());
    CHECK(ps.share("TRANSFER") > 2.0 * pb.share("TRANSFER"));
    // The MVMs themselves are untouched.
    DOUBLES_EQUAL(pb.mean("MVM"), ps.mean("MVM"), 0.0);
}

TEST(SimScenarios, SlowMcuMakesGapsDominate)
{
    rp_xmodel_params_t p = load("slow-mcu");
    Run base = run_baseline(p.workload), s = run_scenario("slow-mcu");
    check_hello_timing(s, p, "slow-mcu");
    check_no_loss_and_exact(s, "slow-mcu");
    Profile pb = profile(base.truth), ps = profile(s.truth);
    double gs = (double)ps.gap() / (double)ps.span, gb = (double)pb.gap() / (double)pb.span;
    CHECK_TEXT(gs > 0.5, ("gap share " + pct(gs)).c_str());
    CHECK(gs > 2.0 * gb);
    // Per MVM, the MCU time between operations grew, the operations did not.
    double gap_per_mvm_s = (double)ps.gap() / (double)ps.count["MVM"];
    double gap_per_mvm_b = (double)pb.gap() / (double)pb.count["MVM"];
    CHECK(gap_per_mvm_s >= 5.0 * gap_per_mvm_b);
    DOUBLES_EQUAL(pb.mean("MVM"), ps.mean("MVM"), 0.0);
    DOUBLES_EQUAL(pb.mean("TRANSFER"), ps.mean("TRANSFER"), 0.0);
}

TEST(SimScenarios, SlowLinkOverflowsTheDeviceRing)
{
    rp_xmodel_params_t p = load("slow-link");
    Run s = run_scenario("slow-link");
    check_hello_timing(s, p, "slow-link");
    const Rramprof__V1__Counters *c = s.sum.last_counters;
    CHECK(c != nullptr);
    CHECK_TEXT(s.sum.drop_reports > 0, "no DropReport");
    CHECK(c->events_dropped > 0);
    UNSIGNED_LONGS_EQUAL(c->events_dropped, s.sum.batch_dropped_total);
    UNSIGNED_LONGS_EQUAL(c->events_dropped, s.sum.report_dropped_total);
    // Loss dominates: more events were lost than delivered.
    CHECK_TEXT(c->events_dropped > c->events_sent,
               (std::to_string(c->events_dropped) + " dropped, " + std::to_string(c->events_sent) +
                " sent").c_str());
    CHECK_TEXT(c->tx_stall_ticks > 0, "the drain never waited for the link");
    // Nothing is lost on the link itself: the ring is where events go.
    UNSIGNED_LONGS_EQUAL(s.sum.events.size(), c->events_sent);

    // The same workload on an unlimited link loses nothing.
    Run base = run_baseline(p.workload);
    UNSIGNED_LONGS_EQUAL(0, base.sum.batch_dropped_total);
    UNSIGNED_LONGS_EQUAL(0, base.sum.drop_reports);
}

TEST(SimScenarios, HotTileIsSlowerByItsFactor)
{
    rp_xmodel_params_t p = load("hot-tile");
    CHECK(p.hot_tile >= 0);
    Run s = run_scenario("hot-tile");
    check_hello_timing(s, p, "hot-tile");
    // Recorded durations still equal the model's, to the tick.
    check_no_loss_and_exact(s, "hot-tile");
    Profile ps = profile(s.truth);
    const uint32_t hot = (uint32_t)p.hot_tile, cold = hot == 0 ? 1u : 0u;
    const double f = p.hot_tile_slowdown;
    CHECK_TEXT(f >= 2.0, "the scenario injects no real slowdown");
    CHECK(ps.tile_count[hot] > 0 && ps.tile_count[cold] > 0);
    // A verify of a full row does the same work on every tile, so it takes
    // f times as long on the hot one (ticks round up: within 1%).
    double h = ps.op_tile_mean("VERIFY", hot), c = ps.op_tile_mean("VERIFY", cold);
    CHECK(c > 0.0);
    DOUBLES_EQUAL(f, h / c, 0.01 * f);
    // Over all operations (a slightly different mix per tile): about f.
    CHECK(ps.tile_mean(hot) >= 0.9 * f * ps.tile_mean(cold));
    // Most of the busy time is spent on the hot tile.
    double share = (double)ps.tile_ticks[hot] / (double)ps.busy;
    CHECK_TEXT(share > 0.5, ("hot tile share " + pct(share)).c_str());

    Run base = run_baseline(p.workload);
    Profile pb = profile(base.truth);
    DOUBLES_EQUAL(1.0, pb.tile_mean(hot) / pb.tile_mean(cold), 0.05);
}
