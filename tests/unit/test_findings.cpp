// Findings: every rule fires on its pattern with the right evidence and
// gain, none fires on a balanced baseline, ranking (gain order, ties by
// severity, transport-loss first above 1 % loss), validity classes at their
// thresholds, empty input. Event streams are built by hand from a small
// model of the crossbar timing (docs/crossbar-model.md) and fed through the
// real aggregator and memory analytics.
#include <CppUTest/TestHarness.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_findings.h"
#include "rramprof/rp_memuse.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_status.h"

namespace {

constexpr uint64_t HZ = 100000000;   // 10 ns ticks

uint64_t ns_ticks(double ns)
{
    return (uint64_t)std::ceil(ns * (double)HZ / 1e9 - 1e-9);
}

// A hand-built capture: a device, its events (laid out back to back with a
// fixed recorder gap after each) and what the session would report.
struct Sim {
    rp_device_info_t dev{};
    std::vector<rp_record_t> ev;
    uint64_t t = 1000;
    uint64_t gap_per_event = 1;    // recorder time after each event (ticks)
    double slow[2] = {1.0, 1.0};   // duration factor per tile
    uint64_t compute_ticks = 40;   // COMPUTE after each MVM step, 0 = none
    uint64_t step_gap = 0;         // unmarked gap after each MVM step

    Sim()
    {
        dev.valid = true;
        dev.clock_hz = HZ;
        dev.timer_bits = 64;
        dev.tiles = 2;
        dev.rows = 64;
        dev.cols = 64;
        dev.bits_per_cell = 2;
        dev.adcs_per_tile = 16;
        dev.adc_bits = 8;
        dev.input_bits = 4;
        dev.endurance_cycles = 1000000;
        dev.write_pulse_ps = 100000;
        dev.write_setup_ps = 200000;
        dev.write_parallel_cols = 16;
        dev.read_latency_ps = 1000000;
        dev.adc_conversion_ps = 100000;
        dev.dac_settle_ps = 500000;
        dev.interface_overhead_ps = 200000;
        dev.interface_bytes_per_s = 100000000;   // 100 B/us
        dev.ring_capacity = 1024;
        dev.max_frame_payload = 1024;
        dev.boot_id = 42;
    }

    double bus_ns(double bytes) const
    {
        return (double)dev.interface_overhead_ps / 1000.0 +
               bytes * 1e9 / (double)dev.interface_bytes_per_s;
    }
    double rounds(unsigned cols) const
    {
        return std::ceil((double)cols / (double)dev.adcs_per_tile);
    }
    uint64_t dur(uint8_t tile, double ns) const
    {
        return ns_ticks(ns) * (uint64_t)slow[tile];
    }

    void push(uint8_t op, uint64_t duration, uint8_t tile, uint16_t row, uint16_t rows,
              uint16_t cols, uint8_t it = 0, uint8_t status = RP_STATUS_OK, uint32_t arg = 0)
    {
        rp_record_t r{};
        r.start = t;
        r.duration = (uint32_t)duration;
        r.op = op;
        r.status = status;
        r.tile = tile;
        r.row = row;
        r.rows = rows;
        r.col = 0;
        r.cols = cols;
        r.iterations = it;
        r.arg = arg;
        rp_record_clear_unused(&r);
        ev.push_back(r);
        t += duration + gap_per_event;
    }

    // Per-op durations of the crossbar model, in ns.
    double mvm_ns(unsigned cols) const
    {
        return (double)dev.read_latency_ps / 1000.0 +
               dev.input_bits * ((double)dev.dac_settle_ps / 1000.0 +
                                 rounds(cols) * (double)dev.adc_conversion_ps / 1000.0);
    }
    double verify_ns(unsigned cols) const
    {
        return bus_ns(std::ceil(cols * dev.bits_per_cell / 8.0)) +
               (double)dev.read_latency_ps / 1000.0 +
               rounds(cols) * (double)dev.adc_conversion_ps / 1000.0;
    }
    double write_ns(unsigned cols, unsigned pulsed) const
    {
        return bus_ns(std::ceil(cols * dev.bits_per_cell / 8.0) + std::ceil(cols / 8.0)) +
               (double)dev.write_setup_ps / 1000.0 +
               std::ceil((double)pulsed / dev.write_parallel_cols) *
                   (double)dev.write_pulse_ps / 1000.0;
    }

    // TRANSFER in, MVM, TRANSFER out, then the MCU's work.
    void mvm_step(uint8_t tile, uint64_t mvm_override = 0)
    {
        const uint16_t n = 64;
        push(RP_OP_TRANSFER, dur(tile, bus_ns(n)), tile, 0, n, n, 0, RP_STATUS_OK, n);
        push(RP_OP_MVM, mvm_override != 0 ? mvm_override : dur(tile, mvm_ns(n)), tile, 0, n, n);
        push(RP_OP_TRANSFER, dur(tile, bus_ns(4.0 * n)), tile, 0, n, n, 0, RP_STATUS_OK, 4u * n);
        if (compute_ticks != 0) {
            push(RP_OP_COMPUTE, compute_ticks, 0, 0, 0, 0, 0, RP_STATUS_OK, 7);
        }
        t += step_gap;
    }

    // One write-verify episode: VERIFY(0), then WRITE(k), VERIFY(k+1).
    void program_row(uint8_t tile, uint16_t row, unsigned pulses, bool converged)
    {
        const uint16_t n = 64;
        push(RP_OP_VERIFY, dur(tile, verify_ns(n)), tile, row, 1, n, 0);
        for (unsigned k = 0; k < pulses; k++) {
            unsigned pulsed = n / (k + 1u);
            push(RP_OP_WRITE, dur(tile, write_ns(n, pulsed)), tile, row, 1, n, (uint8_t)k);
            bool last = k + 1u == pulses;
            uint8_t st = (last && !converged) ? RP_STATUS_NOT_CONVERGED : RP_STATUS_OK;
            push(RP_OP_VERIFY, dur(tile, verify_ns(n)), tile, row, 1, n, (uint8_t)(k + 1u), st);
        }
    }

    // Every row of both tiles programmed once, 3..5 pulses, all converge.
    void program_all()
    {
        for (uint8_t tile = 0; tile < 2; tile++) {
            for (uint16_t row = 0; row < 64; row++) {
                program_row(tile, row, 3u + (row % 3u), true);
            }
        }
    }

    // The balanced baseline: programming, then MVMs alternating tiles.
    void baseline(unsigned steps = 2000)
    {
        program_all();
        for (unsigned i = 0; i < steps; i++) {
            mvm_step((uint8_t)(i % 2u));
        }
    }

    // The baseline on a device with 64 columns on 2 ADCs (32 rounds) of
    // 2 us a conversion: a big adc-bound-mvm finding with a big gain.
    void adc_bound_baseline()
    {
        dev.adcs_per_tile = 2;
        dev.adc_conversion_ps = 2000000;
        baseline();
    }

    double busy(uint8_t op, int tile = -1) const
    {
        double s = 0;
        for (const rp_record_t &r : ev) {
            if (r.op == op && (tile < 0 || r.tile == tile)) {
                s += r.duration;
            }
        }
        return s;
    }
    double count(uint8_t op) const
    {
        double s = 0;
        for (const rp_record_t &r : ev) {
            s += r.op == op;
        }
        return s;
    }
};

// Runs the pipeline: aggregator + memory analytics, then rp_analyze with a
// session made from the Sim (events delivered, loss, Counters).
struct Pipeline {
    rp_agg_t *agg = nullptr;
    rp_memuse_t *mem = nullptr;
    rp_session_stats_t ss{};
    std::unique_ptr<rp_analysis_t> out{new rp_analysis_t()};
    const Sim *sim = nullptr;
    uint64_t run = 0;

    ~Pipeline()
    {
        rp_agg_destroy(agg);
        rp_memuse_destroy(mem);
    }

    void feed(const Sim &s)
    {
        sim = &s;
        agg = rp_agg_create();
        mem = rp_memuse_create();
        CHECK(agg != nullptr && mem != nullptr);
        rp_agg_segment(agg, 0, &s.dev);
        rp_memuse_segment(mem, 0, &s.dev);
        for (size_t i = 0; i < s.ev.size(); i += 500) {
            size_t n = std::min<size_t>(500, s.ev.size() - i);
            LONGS_EQUAL(RP_OK, rp_agg_add(agg, 0, &s.ev[i], n));
            LONGS_EQUAL(RP_OK, rp_memuse_add(mem, &s.ev[i], n, rp_agg_time_shift(agg)));
        }
        rp_agg_finish(agg);
        const rp_agg_totals_t *tot = rp_agg_totals(agg);
        rp_memuse_finish(mem, tot->run_ticks, tot->clock_hz);
        run = tot->run_ticks;

        ss.segments = 1;
        ss.runs = 1;
        ss.events = s.ev.size();
        ss.duration_ticks = run;
        ss.duration_s = (double)run / (double)HZ;
        ss.has_counters = true;
        ss.counters.events_recorded = s.ev.size();
        ss.counters.events_sent = s.ev.size();
        // The last event's recorder time falls after the run.
        ss.counters.record_ticks = s.ev.empty() ? 0 : s.gap_per_event * (s.ev.size() - 1);
        ss.counters.drain_ticks = 0;
        ss.counters.bytes_sent = 20 * s.ev.size();
        ss.counters.ring_high_water = 100;
    }

    // n resets of the device during the capture, each starting a segment.
    void reset(uint32_t cause, uint32_t n = 1)
    {
        ss.segments += n;
        ss.boots.resets += n;
        ss.boots.by_cause[cause] += n;
    }

    void lose(uint64_t events)
    {
        ss.loss.device_events = events;
        ss.loss.total_events = events;
        ss.counters.events_dropped = events;
    }

    const rp_analysis_t &analyze()
    {
        rp_analysis_input_t in = {&sim->dev, &ss, agg, mem};
        LONGS_EQUAL(RP_OK, rp_analyze(&in, out.get()));
        check_ranked();
        return *out;
    }

    // Findings ranked ahead of the gain order: resets during the capture,
    // then transport-loss above 1 % lost.
    int first_rank(const rp_finding_t &f) const
    {
        if (ss.boots.resets != 0 && std::strcmp(f.id, "device-reset") == 0) {
            return 2;
        }
        bool loss_first = out->validity.loss_share > RP_FINDINGS_LOSS_FIRST;
        return loss_first && std::strcmp(f.id, "transport-loss") == 0 ? 1 : 0;
    }

    // Every analysis: findings in rank order, gain_share = gain / run.
    void check_ranked() const
    {
        const rp_analysis_t &a = *out;
        for (uint32_t i = 0; i < a.count; i++) {
            const rp_finding_t &f = a.findings[i];
            CHECK(f.gain_ticks >= 0.0);
            DOUBLES_EQUAL(run != 0 ? f.gain_ticks / (double)run : 0.0, f.gain_share, 1e-12);
            CHECK(f.title[0] != '\0' && f.explanation[0] != '\0' && f.recommendation[0] != '\0');
            CHECK(f.evidence_count > 0 && f.evidence_count <= RP_FINDING_MAX_EVIDENCE);
            if (i == 0) {
                continue;
            }
            const rp_finding_t &p = a.findings[i - 1];
            CHECK(first_rank(p) >= first_rank(f));
            if (first_rank(p) > first_rank(f)) {
                continue;
            }
            CHECK(p.gain_ticks > f.gain_ticks ||
                  (p.gain_ticks == f.gain_ticks && p.severity >= f.severity));
        }
    }

    const rp_finding_t *find(const char *id, const char *scope = nullptr) const
    {
        for (uint32_t i = 0; i < out->count; i++) {
            const rp_finding_t &f = out->findings[i];
            if (std::strcmp(f.id, id) == 0 && (scope == nullptr || std::strcmp(f.scope, scope) == 0)) {
                return &f;
            }
        }
        return nullptr;
    }

    std::string ids() const
    {
        std::string s;
        for (uint32_t i = 0; i < out->count; i++) {
            s += out->findings[i].id;
            s += "(";
            s += out->findings[i].scope;
            s += ") ";
        }
        return s;
    }
};

double evidence(const rp_finding_t *f, const char *name)
{
    CHECK(f != nullptr);
    for (uint32_t i = 0; i < f->evidence_count; i++) {
        if (std::strcmp(f->evidence[i].name, name) == 0) {
            return f->evidence[i].value;
        }
    }
    FAIL((std::string("no evidence '") + name + "' in " + f->id).c_str());
    return 0;
}

bool has_evidence(const rp_finding_t *f, const char *name)
{
    for (uint32_t i = 0; i < f->evidence_count; i++) {
        if (std::strcmp(f->evidence[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_GROUP(findings){};

TEST(findings, names)
{
    STRCMP_EQUAL("info", rp_severity_name(RP_SEVERITY_INFO));
    STRCMP_EQUAL("low", rp_severity_name(RP_SEVERITY_LOW));
    STRCMP_EQUAL("medium", rp_severity_name(RP_SEVERITY_MEDIUM));
    STRCMP_EQUAL("high", rp_severity_name(RP_SEVERITY_HIGH));
    STRCMP_EQUAL("critical", rp_severity_name(RP_SEVERITY_CRITICAL));
    STRCMP_EQUAL("?", rp_severity_name(5));
    STRCMP_EQUAL("?", rp_severity_name(-1));
    STRCMP_EQUAL("unknown", rp_validity_name(RP_VALIDITY_UNKNOWN));
    STRCMP_EQUAL("clean", rp_validity_name(RP_VALIDITY_CLEAN));
    STRCMP_EQUAL("marginal", rp_validity_name(RP_VALIDITY_MARGINAL));
    STRCMP_EQUAL("contaminated", rp_validity_name(RP_VALIDITY_CONTAMINATED));
    STRCMP_EQUAL("?", rp_validity_name(4));
}

TEST(findings, bad_arguments)
{
    Sim s;
    s.mvm_step(0);
    Pipeline p;
    p.feed(s);
    rp_analysis_input_t in = {&s.dev, &p.ss, p.agg, p.mem};
    LONGS_EQUAL(RP_ERR_ARG, rp_analyze(nullptr, p.out.get()));
    LONGS_EQUAL(RP_ERR_ARG, rp_analyze(&in, nullptr));
    in.session = nullptr;
    LONGS_EQUAL(RP_ERR_ARG, rp_analyze(&in, p.out.get()));
    in.session = &p.ss;
    in.agg = nullptr;
    LONGS_EQUAL(RP_ERR_ARG, rp_analyze(&in, p.out.get()));
}

TEST(findings, empty_capture_gives_nothing)
{
    Sim s;   // no events
    Pipeline p;
    p.feed(s);
    p.ss.has_counters = false;
    p.out->count = 7;   // must be reset
    const rp_analysis_t &a = p.analyze();
    LONGS_EQUAL(0, a.count);
    LONGS_EQUAL(RP_VALIDITY_UNKNOWN, a.validity.cls);
    DOUBLES_EQUAL(0.0, a.validity.recorder_share, 0.0);
    // No device, no memory analytics: still fine.
    rp_analysis_input_t in = {nullptr, &p.ss, p.agg, nullptr};
    LONGS_EQUAL(RP_OK, rp_analyze(&in, p.out.get()));
    LONGS_EQUAL(0, p.out->count);
}

TEST(findings, balanced_baseline_fires_nothing)
{
    Sim s;
    s.baseline();
    Pipeline p;
    p.feed(s);
    const rp_analysis_t &a = p.analyze();
    STRCMP_EQUAL("", p.ids().c_str());
    LONGS_EQUAL(0, a.count);
    LONGS_EQUAL(RP_VALIDITY_CLEAN, a.validity.cls);
    DOUBLES_EQUAL((double)(s.ev.size() - 1) / (double)p.run, a.validity.recorder_share, 1e-12);
    DOUBLES_EQUAL(0.0, a.validity.loss_share, 0.0);
}

TEST(findings, adc_bound_mvm_with_nominal_timing)
{
    Sim s;
    s.adc_bound_baseline();
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("adc-bound-mvm");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("adc-bound-mvm", p.out->findings[0].id);
    STRCMP_EQUAL("MVM", f->scope);
    // MVM = 1 us + 4 x (0.5 us + 32 x 2 us) = 259 us, of which 256 us ADC.
    double mvms = s.count(RP_OP_MVM);
    DOUBLES_EQUAL(256.0 / 259.0 * 100.0, evidence(f, "ADC share of MVM time"), 0.01);
    DOUBLES_EQUAL(32.0, evidence(f, "conversion rounds per slice"), 1e-9);
    DOUBLES_EQUAL(4.0, evidence(f, "input bit slices per MVM"), 1e-9);
    DOUBLES_EQUAL(1.0, evidence(f, "measured / nominal MVM time"), 1e-6);
    DOUBLES_EQUAL(259e-6, evidence(f, "mean MVM time"), 1e-9);
    // Gain: half the conversion time (twice the ADCs).
    double adc_ticks = mvms * ns_ticks(256000.0);
    DOUBLES_EQUAL(adc_ticks / 2.0, f->gain_ticks, adc_ticks * 1e-9);
    // ADC is ~97 % of the run: the gain is just under half of it.
    CHECK(f->gain_share > 0.40 && f->gain_share < 0.50);
    LONGS_EQUAL(RP_SEVERITY_HIGH, f->severity);
    CHECK(std::strstr(f->recommendation, "64 columns on 2 ADCs") != nullptr);
}

TEST(findings, adc_bound_mvm_without_nominal_timing_is_an_estimate)
{
    Sim s;
    s.adc_bound_baseline();
    // Same events; the device reports no nominal timing.
    s.dev.adc_conversion_ps = 0;
    s.dev.read_latency_ps = 0;
    s.dev.dac_settle_ps = 0;
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("adc-bound-mvm");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    // 128 rounds, 4 slices, 1 read per MVM counted as one unit each.
    DOUBLES_EQUAL(128.0 / 133.0 * 100.0, evidence(f, "ADC share of MVM time (estimated)"), 1e-6);
    DOUBLES_EQUAL(0.0, evidence(f, "nominal ADC timing known"), 0.0);
    CHECK(!has_evidence(f, "ADC share of MVM time"));
    CHECK(f->severity <= RP_SEVERITY_MEDIUM);
    DOUBLES_EQUAL(s.busy(RP_OP_MVM) * 128.0 / 133.0 / 2.0, f->gain_ticks, 1.0);
}

TEST(findings, write_verify_inflation)
{
    Sim s;
    // 128 programs; every third row has a stuck cell and runs to the
    // 24-round limit without converging, the others take 3..5 pulses.
    unsigned nc = 0;
    std::vector<unsigned> conv;
    for (uint8_t tile = 0; tile < 2; tile++) {
        for (uint16_t row = 0; row < 64; row++) {
            if (row % 3u == 0u) {
                s.program_row(tile, row, 24, false);
                nc++;
            } else {
                unsigned pl = 3u + (row % 3u == 1u ? 0u : 2u) - (row % 7u == 0u ? 1u : 0u);
                s.program_row(tile, row, pl, true);
                conv.push_back(pl);
            }
        }
    }
    std::sort(conv.begin(), conv.end());
    unsigned need = conv[(conv.size() + 1) / 2 - 1];
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("write-verify-inflation");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("write-verify-inflation", p.out->findings[0].id);
    DOUBLES_EQUAL(128.0, evidence(f, "programs (write-verify episodes)"), 0.0);
    DOUBLES_EQUAL((double)need, evidence(f, "median pulses, converged programs"), 0.0);
    DOUBLES_EQUAL(100.0 * nc / 128.0, evidence(f, "programs not converged"), 1e-9);
    DOUBLES_EQUAL((double)nc, evidence(f, "rows that never converged"), 0.0);
    DOUBLES_EQUAL(24.0, evidence(f, "p99 pulses per program"), 0.0);
    // No converged program is beyond twice the median: the waste is the
    // non-converged programs' rounds beyond need, each a WRITE + VERIFY.
    double wasted = nc * (24.0 - need);
    DOUBLES_EQUAL(wasted, evidence(f, "pulse rounds beyond need"), 1e-9);
    double round = s.busy(RP_OP_WRITE) / s.count(RP_OP_WRITE) +
                   s.busy(RP_OP_VERIFY) / s.count(RP_OP_VERIFY);
    DOUBLES_EQUAL(wasted * round, f->gain_ticks, 1e-6 * f->gain_ticks);
    CHECK(f->severity >= RP_SEVERITY_MEDIUM);   // a third of the rows fail
    CHECK(std::strstr(f->recommendation, "stuck") != nullptr);
}

TEST(findings, write_verify_slow_tail)
{
    // Every program converges, but one row in ten needs 16 pulses where
    // the others need 3..5 (median 4): ISPP tuning, not stuck cells.
    Sim s;
    unsigned slow = 0;
    for (uint8_t tile = 0; tile < 2; tile++) {
        for (uint16_t row = 0; row < 64; row++) {
            bool tail = row % 10u == 5u;
            slow += tail;
            s.program_row(tile, row, tail ? 16u : 3u + (row % 3u), true);
        }
    }
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("write-verify-inflation");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    DOUBLES_EQUAL(4.0, evidence(f, "median pulses, converged programs"), 0.0);
    DOUBLES_EQUAL(0.0, evidence(f, "programs not converged"), 0.0);
    double wasted = slow * (16.0 - 4.0);
    DOUBLES_EQUAL(wasted, evidence(f, "pulse rounds beyond need"), 0.0);
    double round = s.busy(RP_OP_WRITE) / s.count(RP_OP_WRITE) +
                   s.busy(RP_OP_VERIFY) / s.count(RP_OP_VERIFY);
    DOUBLES_EQUAL(wasted * round, f->gain_ticks, 1e-6 * f->gain_ticks);
    CHECK(std::strncmp(f->recommendation, "Tune ISPP", 9) == 0);
    CHECK(std::strstr(f->explanation, "Every program converged") != nullptr);
}

TEST(findings, write_verify_normal_spread_does_not_fire)
{
    Sim s;
    s.program_all();   // 3..5 pulses, all converge
    Pipeline p;
    p.feed(s);
    p.analyze();
    CHECK_TEXT(p.find("write-verify-inflation") == nullptr, p.ids().c_str());
}

TEST(findings, interface_bound)
{
    Sim s;
    s.dev.interface_overhead_ps = 4000000;    // 4 us per transaction
    s.dev.interface_bytes_per_s = 2500000;    // 2.5 B/us
    s.baseline();
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("interface-bound");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("interface-bound", p.out->findings[0].id);
    // Bus time inside WRITE (16 + 8 bytes) and VERIFY (16 bytes), exact.
    double embedded = s.count(RP_OP_WRITE) * s.bus_ns(24) / 10.0 +
                      s.count(RP_OP_VERIFY) * s.bus_ns(16) / 10.0;
    double moving = s.busy(RP_OP_TRANSFER) + embedded;
    double array = s.busy(RP_OP_WRITE) + s.busy(RP_OP_VERIFY) + s.busy(RP_OP_MVM) - embedded;
    DOUBLES_EQUAL(100.0 * moving / (moving + array),
                  evidence(f, "data movement share of crossbar time"), 1e-6);
    DOUBLES_EQUAL(s.busy(RP_OP_TRANSFER) / HZ, evidence(f, "TRANSFER time"), 1e-9);
    DOUBLES_EQUAL(embedded / HZ, evidence(f, "bus time inside array ops"), 1e-9);
    DOUBLES_EQUAL(2000.0 * (64 + 256), evidence(f, "bytes moved by TRANSFER"), 0.0);
    DOUBLES_EQUAL(2500000.0, evidence(f, "nominal interface bandwidth"), 0.0);
    DOUBLES_EQUAL(moving / 2.0, f->gain_ticks, 1e-9 * moving);
    CHECK(p.find("adc-bound-mvm") == nullptr);
}

TEST(findings, mcu_gaps_marked_compute)
{
    Sim s;
    s.compute_ticks = 20000;   // 200 us of MCU code per MVM step
    s.baseline();
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("mcu-gaps");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("mcu-gaps", p.out->findings[0].id);
    double compute = s.busy(RP_OP_COMPUTE);
    DOUBLES_EQUAL(compute / HZ, evidence(f, "marked COMPUTE time"), 1e-9);
    DOUBLES_EQUAL(0.0, evidence(f, "unmarked time between ops"), 1e-9);
    DOUBLES_EQUAL((double)(s.ev.size() - 1) / HZ, evidence(f, "recorder time excluded"), 1e-9);
    DOUBLES_EQUAL(compute / 2.0, f->gain_ticks, 1e-6);
    CHECK(f->severity >= RP_SEVERITY_HIGH);
}

TEST(findings, mcu_gaps_unmarked_software)
{
    Sim s;
    s.compute_ticks = 0;
    s.step_gap = 20000;   // code between steps that nobody marked
    s.baseline();
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("mcu-gaps");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("mcu-gaps", p.out->findings[0].id);
    // Gaps minus the recorder's own time are exactly the inserted gaps
    // (the last step's gap comes after the last event: not in the run).
    double inserted = 1999.0 * 20000.0;
    DOUBLES_EQUAL(inserted / HZ, evidence(f, "unmarked time between ops"), 1e-9);
    DOUBLES_EQUAL(0.0, evidence(f, "marked COMPUTE time"), 0.0);
    DOUBLES_EQUAL(inserted / 2.0, f->gain_ticks, 1e-6);
    CHECK(std::strstr(f->recommendation, "rp_compute_mark") != nullptr);
}

TEST(findings, transport_loss_first_above_one_percent)
{
    Sim s;
    s.adc_bound_baseline();
    Pipeline p;
    p.feed(s);
    double delivered = (double)s.ev.size();
    uint64_t lost = (uint64_t)std::ceil(delivered * 0.05 / 0.95);   // 5 %
    p.lose(lost);
    p.analyze();
    STRCMP_EQUAL("transport-loss", p.out->findings[0].id);
    STRCMP_EQUAL("adc-bound-mvm", p.out->findings[1].id);
    const rp_finding_t *f = &p.out->findings[0];
    CHECK(f->gain_ticks < p.out->findings[1].gain_ticks);
    DOUBLES_EQUAL(100.0 * lost / (delivered + lost), evidence(f, "lost share"), 1e-9);
    DOUBLES_EQUAL((double)lost, evidence(f, "events lost"), 0.0);
    DOUBLES_EQUAL((double)lost, evidence(f, "dropped on the device"), 0.0);
    DOUBLES_EQUAL((double)lost / (delivered + lost), p.out->validity.loss_share, 1e-12);
    LONGS_EQUAL(RP_SEVERITY_HIGH, f->severity);

    // 12 %: critical.
    p.lose((uint64_t)std::ceil(delivered * 0.12 / 0.88));
    p.analyze();
    STRCMP_EQUAL("transport-loss", p.out->findings[0].id);
    LONGS_EQUAL(RP_SEVERITY_CRITICAL, p.out->findings[0].severity);
}

TEST(findings, device_reset_during_the_capture_ranks_first)
{
    Sim s;
    s.adc_bound_baseline();
    Pipeline p;
    p.feed(s);
    p.lose((uint64_t)std::ceil((double)s.ev.size() * 0.05 / 0.95));   // transport-loss first
    p.reset(RP_RESET_FATAL);
    p.reset(RP_RESET_PIN);
    p.ss.boots.last_fatal_reason = 3;
    p.analyze();
    STRCMP_EQUAL("device-reset", p.out->findings[0].id);
    STRCMP_EQUAL("transport-loss", p.out->findings[1].id);
    STRCMP_EQUAL("adc-bound-mvm", p.out->findings[2].id);
    const rp_finding_t *f = &p.out->findings[0];
    LONGS_EQUAL(RP_SEVERITY_CRITICAL, f->severity);
    DOUBLES_EQUAL(0.0, f->gain_ticks, 0.0);
    DOUBLES_EQUAL(2.0, evidence(f, "resets during the capture"), 0.0);
    DOUBLES_EQUAL(1.0, evidence(f, "fatal errors"), 0.0);
    DOUBLES_EQUAL(1.0, evidence(f, "other resets"), 0.0);
    DOUBLES_EQUAL(3.0, evidence(f, "last fatal reason"), 0.0);
    CHECK(std::strstr(f->title, "2 time(s)") != nullptr);
    CHECK(std::strstr(f->title, "fatal error: HardFault (exception 3)") != nullptr);
    CHECK(std::strstr(f->recommendation, "debugger") != nullptr);
}

TEST(findings, device_reset_names_the_most_serious_cause)
{
    Sim s;
    s.baseline();
    Pipeline p;
    p.feed(s);
    p.reset(RP_RESET_PIN);
    p.reset(RP_RESET_BROWN_OUT);
    p.analyze();
    const rp_finding_t *f = p.find("device-reset");
    CHECK(f != nullptr);
    LONGS_EQUAL(RP_SEVERITY_CRITICAL, f->severity);
    CHECK(std::strstr(f->title, "(brown-out)") != nullptr);
    CHECK(std::strstr(f->recommendation, "supply") != nullptr);
    // Only someone pressing the button: high, and said so.
    p.ss.boots.by_cause[RP_RESET_BROWN_OUT] = 0;
    p.ss.boots.resets = 1;
    p.analyze();
    f = p.find("device-reset");
    CHECK(f != nullptr);
    LONGS_EQUAL(RP_SEVERITY_HIGH, f->severity);
    CHECK(std::strstr(f->title, "1 time(s) during the capture (reset pin)") != nullptr);
    CHECK(std::strstr(f->recommendation, "button") != nullptr);
}

TEST(findings, events_a_reset_took_belong_to_device_reset_not_the_link)
{
    // 10 % of the events went with a watchdog reset's ring: the reset's
    // finding says how many; the link lost nothing, so no transport-loss.
    Sim s;
    s.adc_bound_baseline();
    Pipeline p;
    p.feed(s);
    uint64_t unsent = s.ev.size() / 9;
    p.ss.loss.unsent_events = unsent;
    p.ss.loss.total_events = unsent;
    p.reset(RP_RESET_WATCHDOG);
    p.analyze();
    CHECK_TEXT(p.find("transport-loss") == nullptr, p.ids().c_str());
    const rp_finding_t *f = p.find("device-reset");
    CHECK(f != nullptr);
    // The new boot reported the old one's counts: an exact figure.
    DOUBLES_EQUAL((double)unsent, evidence(f, "events the resets took from the ring"), 0.0);
    CHECK(std::strstr(f->explanation, (": " + std::to_string(unsent) + ", as each new boot").c_str()) !=
          nullptr);
    // The loss still makes the capture incomplete for the validity share.
    DOUBLES_EQUAL((double)unsent / (double)(s.ev.size() + unsent), p.out->validity.loss_share, 1e-12);
    // A reset the new boot did not report on: a lower bound, said so.
    p.ss.loss.resets_unreported = 1;
    p.analyze();
    f = p.find("device-reset");
    CHECK(f != nullptr);
    DOUBLES_EQUAL((double)unsent, evidence(f, "events the resets took from the ring (at least)"), 0.0);
    CHECK(std::strstr(f->explanation, ("at least " + std::to_string(unsent) + ", counted").c_str()) !=
          nullptr);
}

TEST(findings, a_failure_before_the_capture_is_medium_and_ranks_by_gain)
{
    Sim s;
    s.adc_bound_baseline();
    Pipeline p;
    p.feed(s);
    p.ss.boots.first_known = true;
    p.ss.boots.first_cause = RP_RESET_WATCHDOG;
    p.analyze();
    STRCMP_EQUAL("adc-bound-mvm", p.out->findings[0].id);
    const rp_finding_t *f = p.find("device-reset");
    CHECK(f != nullptr);
    LONGS_EQUAL(RP_SEVERITY_MEDIUM, f->severity);
    CHECK(std::strstr(f->title, "before the capture") != nullptr);
    CHECK(std::strstr(f->title, "watchdog") != nullptr);
    // A power-on or a button press before the capture is no finding.
    p.ss.boots.first_cause = RP_RESET_POWER_ON;
    p.analyze();
    CHECK(p.find("device-reset") == nullptr);
    p.ss.boots.first_cause = RP_RESET_PIN;
    p.analyze();
    CHECK(p.find("device-reset") == nullptr);
}

TEST(findings, a_reset_shows_even_without_events)
{
    Sim s;   // the device reset before it sent any event
    Pipeline p;
    p.feed(s);
    p.reset(RP_RESET_WATCHDOG);
    const rp_analysis_t &a = p.analyze();
    LONGS_EQUAL(1, a.count);
    STRCMP_EQUAL("device-reset", a.findings[0].id);
    CHECK(std::strstr(a.findings[0].title, "(watchdog)") != nullptr);
}

TEST(findings, lost_events_make_gaps_untrusted)
{
    // Unmarked gaps would make an MCU finding, but with 5 % of the events
    // lost the gaps may be lost ops: only marked COMPUTE time counts.
    Sim s;
    s.compute_ticks = 0;
    s.step_gap = 20000;
    s.baseline();
    Pipeline p;
    p.feed(s);
    p.analyze();
    CHECK_TEXT(p.find("mcu-gaps") != nullptr, p.ids().c_str());
    p.lose((uint64_t)std::ceil((double)s.ev.size() * 0.05 / 0.95));
    p.analyze();
    CHECK_TEXT(p.find("mcu-gaps") == nullptr, p.ids().c_str());

    Sim m;
    m.compute_ticks = 20000;   // marked code still counts
    m.baseline();
    Pipeline q;
    q.feed(m);
    q.lose((uint64_t)std::ceil((double)m.ev.size() * 0.05 / 0.95));
    q.analyze();
    STRCMP_EQUAL("transport-loss", q.out->findings[0].id);
    const rp_finding_t *f = q.find("mcu-gaps");
    CHECK_TEXT(f != nullptr, q.ids().c_str());
    DOUBLES_EQUAL(m.busy(RP_OP_COMPUTE) / 2.0, f->gain_ticks, 1e-6);
    DOUBLES_EQUAL(0.0, evidence(f, "unmarked time (lost events, ignored)"), 0.0);
}

TEST(findings, transport_loss_below_one_percent_ranks_by_gain)
{
    Sim s;
    s.adc_bound_baseline();
    Pipeline p;
    p.feed(s);
    double delivered = (double)s.ev.size();
    uint64_t lost = (uint64_t)std::floor(delivered * 0.009);   // < 1 %
    p.lose(lost);
    p.analyze();
    CHECK(p.out->validity.loss_share < RP_FINDINGS_LOSS_FIRST);
    STRCMP_EQUAL("adc-bound-mvm", p.out->findings[0].id);
    const rp_finding_t *f = p.find("transport-loss");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    LONGS_EQUAL(RP_SEVERITY_MEDIUM, f->severity);
    DOUBLES_EQUAL(0.0, f->gain_ticks, 0.0);   // no waiting on the link
    STRCMP_EQUAL("transport-loss", p.out->findings[p.out->count - 1].id);
}

// A run whose drain waited on the link after every step: 2000 ticks
// between steps, none of them MCU code; returns the time waited.
static double feed_link_waits(Sim &s, Pipeline &p)
{
    s.compute_ticks = 0;
    s.step_gap = 2000;
    s.baseline();
    p.feed(s);
    return 1999.0 * 2000.0;
}

TEST(findings, transport_stall_without_loss_gains_the_wait)
{
    Sim s;
    Pipeline p;
    double waited = feed_link_waits(s, p);
    p.ss.counters.tx_stall_ticks = (uint64_t)waited;
    p.analyze();
    const rp_finding_t *f = p.find("transport-loss");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    DOUBLES_EQUAL(waited, f->gain_ticks, 1e-6);
    DOUBLES_EQUAL(waited / HZ, evidence(f, "time the drain waited on the link"), 1e-12);
    // The wait is not MCU software.
    CHECK_TEXT(p.find("mcu-gaps") == nullptr, p.ids().c_str());

    // A stall longer than the gaps overlapped work (the device went on
    // while output waited): only the gap time can have been lost.
    p.ss.counters.tx_stall_ticks = (uint64_t)(10 * waited);
    p.analyze();
    f = p.find("transport-loss");
    CHECK(f != nullptr);
    DOUBLES_EQUAL(waited, f->gain_ticks, 1e-6);
    DOUBLES_EQUAL(10 * waited / HZ, evidence(f, "time the drain waited on the link"), 1e-9);
}

TEST(findings, transport_rates_count_the_backlog_and_leave_out_the_wait)
{
    Sim s;
    Pipeline p;
    double waited = feed_link_waits(s, p);
    double run = (double)p.run, delivered = (double)s.ev.size();
    uint64_t lost = (uint64_t)(delivered / 50.0);   // dropped on the device
    p.lose(lost);
    p.ss.counters.tx_stall_ticks = (uint64_t)(run * 1.4);
    // The drain sent the ring's backlog for 0.5 run after the last event;
    // the final Counters came then.
    p.ss.first_tick = s.ev.front().start;
    p.ss.last_tick = p.ss.first_tick + p.run;
    p.ss.counters.timestamp = p.ss.last_tick + p.run / 2;
    double span = run + (double)(p.run / 2);
    p.analyze();
    const rp_finding_t *f = p.find("transport-loss");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    double bytes = 20.0 * delivered;
    // Bytes over the whole time the link was in use, not the run alone.
    DOUBLES_EQUAL(bytes / (span / HZ), evidence(f, "link throughput"), 1e-6);
    // Every event at 20 bytes, as fast as the workload made them when it
    // did not wait on the link: the run less the link wait of
    // docs/findings.md (the gaps less the recorder's and the lost events'
    // time; the stall is longer).
    const rp_agg_totals_t *tot = rp_agg_totals(p.agg);
    double lost_time = (double)tot->covered_ticks * (double)lost / delivered;
    double wait = (double)tot->gap_ticks - (double)p.ss.counters.record_ticks - lost_time;
    CHECK(wait > 0.9 * waited && wait < waited);
    double need = 20.0 * (delivered + (double)lost) / ((run - wait) / HZ);
    DOUBLES_EQUAL(need, evidence(f, "link throughput needed"), 1e-6);
    CHECK(std::strstr(f->explanation, "93.3% of the time the link was in use") != nullptr);
    char advice[64];
    snprintf(advice, sizeof advice, "at least %.0f B/s", need * 1.25);
    CHECK_TEXT(std::strstr(f->recommendation, advice) != nullptr, f->recommendation);
}

TEST(findings, tile_imbalance)
{
    Sim s;
    s.slow[1] = 2.0;   // every op on tile 1 takes twice as long
    s.baseline();
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("tile-imbalance");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("tile-imbalance", p.out->findings[0].id);
    STRCMP_EQUAL("tile 1", f->scope);
    CHECK(p.find("tile-imbalance", "tile 0") == nullptr);
    DOUBLES_EQUAL(2.0, evidence(f, "slowdown against the other tiles"), 1e-9);
    double tile1 = 0;
    for (uint8_t op : {RP_OP_WRITE, RP_OP_VERIFY, RP_OP_MVM, RP_OP_TRANSFER}) {
        tile1 += s.busy(op, 1);
    }
    DOUBLES_EQUAL(tile1 / 2.0, f->gain_ticks, 1e-6 * tile1);
}

TEST(findings, tile_imbalance_ignores_a_tile_doing_other_sizes)
{
    Sim s;
    s.program_all();
    // Tile 1 runs MVMs on 64 columns, tile 0 on 8: different work.
    for (unsigned i = 0; i < 2000; i++) {
        if (i % 2u == 0u) {
            s.push(RP_OP_MVM, ns_ticks(s.mvm_ns(8)), 0, 0, 64, 8);
        } else {
            s.push(RP_OP_MVM, ns_ticks(s.mvm_ns(64)), 1, 0, 64, 64);
        }
    }
    Pipeline p;
    p.feed(s);
    p.analyze();
    CHECK_TEXT(p.find("tile-imbalance") == nullptr, p.ids().c_str());
}

TEST(findings, latency_tail)
{
    Sim s;
    s.program_all();
    uint64_t normal = ns_ticks(s.mvm_ns(64));
    unsigned outliers = 0;
    for (unsigned i = 0; i < 2000; i++) {
        bool slow = i % 250u == 125u;   // 0.4 % of MVMs at 10x
        outliers += slow;
        s.mvm_step((uint8_t)(i % 2u), slow ? 10 * normal : 0);
    }
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("latency-tail", "MVM");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("latency-tail", p.out->findings[0].id);
    DOUBLES_EQUAL((double)outliers, evidence(f, "ops above p99"), 0.0);
    // Histogram quantiles are within 1 %.
    DOUBLES_EQUAL(normal / (double)HZ, evidence(f, "median"), 0.01 * normal / HZ);
    DOUBLES_EQUAL(10.0, evidence(f, "max / median"), 0.1);
    double excess = outliers * 9.0 * normal;
    DOUBLES_EQUAL(excess, f->gain_ticks, 0.02 * excess);
    // Only MVM has outliers; the bimodal TRANSFER (in/out) is not a tail.
    CHECK(p.find("latency-tail", "TRANSFER") == nullptr);
}

TEST(findings, endurance_hotspot)
{
    Sim s;
    s.dev.endurance_cycles = 2000;
    s.compute_ticks = 0;
    // Four rows rewritten 100 times each, 4 pulses per program (row 0: 5).
    for (unsigned k = 0; k < 100; k++) {
        for (uint16_t row = 0; row < 4; row++) {
            s.program_row(0, row, row == 0 ? 5 : 4, true);
        }
    }
    Pipeline p;
    p.feed(s);
    p.analyze();
    const rp_finding_t *f = p.find("endurance-hotspot");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    STRCMP_EQUAL("tile 0 row 0", f->scope);
    DOUBLES_EQUAL(0.0, f->gain_ticks, 0.0);
    DOUBLES_EQUAL(500.0, evidence(f, "pulses on the hottest row"), 0.0);
    DOUBLES_EQUAL(2000.0, evidence(f, "endurance limit"), 0.0);
    DOUBLES_EQUAL(100.0, evidence(f, "programs per programmed row (tile)"), 1e-9);
    double rate = 500.0 / ((double)p.run / HZ);
    DOUBLES_EQUAL(rate, evidence(f, "pulse rate on it"), 1e-6 * rate);
    DOUBLES_EQUAL(1500.0 / rate, evidence(f, "projected time to endurance limit"), 1e-6 * 1500 / rate);
    LONGS_EQUAL(RP_SEVERITY_HIGH, f->severity);   // well under a day
    DOUBLES_EQUAL(4.0, evidence(f, "of the 4 most pulsed rows, under 10 years"), 0.0);
    CHECK(std::strstr(f->explanation, "lower bound") == nullptr);
    // Lost events hid pulses: the lifetime is then an upper bound.
    p.lose(10);
    p.analyze();
    f = p.find("endurance-hotspot");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    CHECK_TEXT(std::strstr(f->explanation, "the pulses counted are a lower bound, so the true lifetime may be "
                                           "shorter") != nullptr, f->explanation);
}

TEST(findings, endurance_ignores_rows_programmed_once)
{
    Sim s;
    s.dev.endurance_cycles = 2000;   // lifetime projection would be short
    s.baseline(200);
    Pipeline p;
    p.feed(s);
    p.analyze();
    CHECK_TEXT(p.find("endurance-hotspot") == nullptr, p.ids().c_str());
}

TEST(findings, endurance_ignores_a_loading_phase)
{
    // Rows rewritten ten times, but only at the start of a long run of
    // MVMs: no steady write rate to project.
    Sim s;
    s.dev.endurance_cycles = 2000;
    for (unsigned k = 0; k < 10; k++) {
        for (uint16_t row = 0; row < 4; row++) {
            s.program_row(0, row, 4, true);
        }
    }
    for (unsigned i = 0; i < 2000; i++) {
        s.mvm_step(0);
    }
    Pipeline p;
    p.feed(s);
    p.analyze();
    CHECK_TEXT(p.find("endurance-hotspot") == nullptr, p.ids().c_str());
    // The same writes spread over the run do fire.
    Sim w;
    w.dev.endurance_cycles = 2000;
    for (unsigned k = 0; k < 40; k++) {
        for (unsigned i = 0; i < 50; i++) {
            w.mvm_step(0);
        }
        w.program_row(0, (uint16_t)(k % 4u), 4, true);
    }
    Pipeline q;
    q.feed(w);
    q.analyze();
    const rp_finding_t *f = q.find("endurance-hotspot");
    CHECK_TEXT(f != nullptr, q.ids().c_str());
    CHECK(evidence(f, "share of the run with writes") >= 50.0);
}

TEST(findings, validity_classes_at_thresholds)
{
    Sim s;
    s.baseline(500);
    // Pad with a short COMPUTE so the run is a multiple of 100 ticks: the
    // thresholds are then hit exactly.
    uint64_t so_far = s.t - s.ev[0].start;
    s.push(RP_OP_COMPUTE, 100 - so_far % 100 + 100, 0, 0, 0, 0, 0, RP_STATUS_OK, 7);
    Pipeline p;
    p.feed(s);
    LONGS_EQUAL(0, p.run % 100);
    double run = (double)p.run;
    p.ss.counters.drain_ticks = 0;

    auto with = [&](uint64_t rec) -> const rp_analysis_t & {
        p.ss.counters.record_ticks = rec;
        return p.analyze();
    };
    // Just below 1 %: clean, no finding.
    uint64_t one = p.run / 100;
    LONGS_EQUAL(RP_VALIDITY_CLEAN, with(one - 1).validity.cls);
    CHECK(p.find("observer-effect") == nullptr);
    // At 1 %: marginal, a low finding whose gain is the recorder time.
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, with(one).validity.cls);
    const rp_finding_t *f = p.find("observer-effect");
    CHECK_TEXT(f != nullptr, p.ids().c_str());
    LONGS_EQUAL(RP_SEVERITY_LOW, f->severity);
    DOUBLES_EQUAL((double)one, f->gain_ticks, 0.0);
    DOUBLES_EQUAL(100.0 * one / run, evidence(f, "recorder share of run"), 1e-9);
    // Drain time counts too.
    p.ss.counters.drain_ticks = 1;
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, with(one - 1).validity.cls);
    p.ss.counters.drain_ticks = 0;
    // Just below and at 5 %.
    uint64_t five = p.run / 20;
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, with(five - 1).validity.cls);
    LONGS_EQUAL(RP_VALIDITY_CONTAMINATED, with(five).validity.cls);
    f = p.find("observer-effect");
    CHECK(f != nullptr);
    LONGS_EQUAL(RP_SEVERITY_HIGH, f->severity);
    DOUBLES_EQUAL((double)five / run, p.out->validity.recorder_share, 1e-12);
    // No Counters: unknown, and no observer finding.
    p.ss.has_counters = false;
    LONGS_EQUAL(RP_VALIDITY_UNKNOWN, p.analyze().validity.cls);
    CHECK(p.find("observer-effect") == nullptr);
}

TEST(findings, lost_events_class_the_capture_as_the_recorder_share_does)
{
    Sim s;
    s.baseline(500);
    Pipeline p;
    p.feed(s);
    p.ss.counters.record_ticks = 0;   // a recorder that costs nothing: clean
    p.ss.counters.drain_ticks = 0;
    const rp_analysis_t &a = p.analyze();
    LONGS_EQUAL(RP_VALIDITY_CLEAN, a.validity.cls);
    double delivered = (double)s.ev.size();
    // lost share = lost / (delivered + lost): just below and at 1 % and 5 %.
    auto share_of = [&](double share) { return (uint64_t)std::ceil(delivered * share / (1.0 - share)); };
    uint64_t one = share_of(0.01), five = share_of(0.05);
    p.lose(one - 1);
    LONGS_EQUAL(RP_VALIDITY_CLEAN, p.analyze().validity.cls);
    p.lose(one);
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, p.analyze().validity.cls);
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, a.validity.loss_cls);
    LONGS_EQUAL(RP_VALIDITY_CLEAN, a.validity.recorder_cls);
    CHECK(p.find("observer-effect") == nullptr);   // the recorder is not to blame
    p.lose(five - 1);
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, p.analyze().validity.cls);
    p.lose(five);
    LONGS_EQUAL(RP_VALIDITY_CONTAMINATED, p.analyze().validity.cls);
    // The worse of the two: a marginal recorder does not hide the loss...
    p.ss.counters.record_ticks = p.run / 100 + 1;
    LONGS_EQUAL(RP_VALIDITY_CONTAMINATED, p.analyze().validity.cls);
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, a.validity.recorder_cls);
    // ...nor the loss a contaminated recorder.
    p.lose(one);
    p.ss.counters.record_ticks = p.run / 20 + 1;
    LONGS_EQUAL(RP_VALIDITY_CONTAMINATED, p.analyze().validity.cls);
    // Without Counters the loss alone decides once it is not clean.
    p.ss.has_counters = false;
    LONGS_EQUAL(RP_VALIDITY_MARGINAL, p.analyze().validity.cls);
    LONGS_EQUAL(RP_VALIDITY_UNKNOWN, a.validity.recorder_cls);
    p.lose(0);
    LONGS_EQUAL(RP_VALIDITY_UNKNOWN, p.analyze().validity.cls);
}

TEST(findings, ranking_follows_gain)
{
    // ADC-bound MVMs and heavy MCU code in one run: whichever saves more
    // comes first, and swapping the sizes swaps the order.
    for (int mcu_bigger = 0; mcu_bigger < 2; mcu_bigger++) {
        Sim s;
        s.dev.adcs_per_tile = 2;
        s.dev.adc_conversion_ps = 1000000;   // MVM 131 us, 128 us ADC
        s.compute_ticks = mcu_bigger ? 30000 : 8000;
        s.baseline(1000);
        Pipeline p;
        p.feed(s);
        p.analyze();
        const rp_finding_t *adc = p.find("adc-bound-mvm");
        const rp_finding_t *mcu = p.find("mcu-gaps");
        CHECK_TEXT(adc != nullptr && mcu != nullptr, p.ids().c_str());
        STRCMP_EQUAL(mcu_bigger ? "mcu-gaps" : "adc-bound-mvm", p.out->findings[0].id);
        STRCMP_EQUAL(mcu_bigger ? "adc-bound-mvm" : "mcu-gaps", p.out->findings[1].id);
        CHECK(p.out->findings[0].gain_ticks > p.out->findings[1].gain_ticks);
    }
}

TEST(findings, ranking_ties_by_severity)
{
    // Endurance (gain 0, high) and a small loss (gain 0, medium): equal
    // gains, so the more severe comes first.
    Sim s;
    s.dev.endurance_cycles = 2000;
    s.compute_ticks = 0;
    for (unsigned k = 0; k < 100; k++) {
        for (uint16_t row = 0; row < 4; row++) {
            s.program_row(0, row, 4, true);
        }
    }
    Pipeline p;
    p.feed(s);
    p.lose(3);   // well under 1 %
    p.analyze();
    LONGS_EQUAL(2, p.out->count);
    STRCMP_EQUAL("endurance-hotspot", p.out->findings[0].id);
    STRCMP_EQUAL("transport-loss", p.out->findings[1].id);
    CHECK(p.out->findings[0].severity > p.out->findings[1].severity);
}
