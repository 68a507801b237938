// Session: device info, names, workload results, per-op statistics, event
// delivery in order, and exact loss accounting over synthetic streams with
// lost batches, device drops, restarts and device resets.
#include <CppUTest/TestHarness.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "profiler_util.h"
#include "rramprof.pb-c.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

using rpt::Bytes;

namespace {

struct Collected {
    std::vector<rp_record_t> events;
    std::vector<uint32_t> segment_of_event;
    std::vector<uint32_t> segments;   // on_segment calls
    std::vector<uint64_t> segment_boot;
    int fail_with = RP_OK;
};

int on_events(void *ctx, uint32_t seg, const rp_record_t *ev, size_t n)
{
    Collected *c = static_cast<Collected *>(ctx);
    for (size_t i = 0; i < n; i++) {
        c->events.push_back(ev[i]);
        c->segment_of_event.push_back(seg);
    }
    return c->fail_with;
}

void on_segment(void *ctx, uint32_t seg, const rp_device_info_t *info)
{
    Collected *c = static_cast<Collected *>(ctx);
    c->segments.push_back(seg);
    c->segment_boot.push_back(info->valid ? info->boot_id : 0);
}

}  // namespace

TEST_GROUP(session)
{
    rp_decoder_t *d = nullptr;
    rp_session_t *s = nullptr;
    Collected got;
    std::mt19937_64 rng{777};

    void setup() override
    {
        d = rp_decoder_create();
        rp_session_callbacks_t cb = {on_events, on_segment, &got};
        s = rp_session_create(&cb);
        CHECK(d != nullptr && s != nullptr);
    }
    void teardown() override
    {
        rp_session_destroy(s);
        rp_decoder_destroy(d);
    }

    int apply(const Bytes &p)
    {
        rp_msg_t m;
        rp_decoder_decode(d, p.data(), p.size(), &m);
        return rp_session_apply(s, &m);
    }
    rp_session_stats_t stats()
    {
        rp_session_stats_t st;
        rp_session_stats(s, &st);
        return st;
    }
};

TEST(session, hello_fills_device_info)
{
    LONGS_EQUAL(RP_OK, apply(rpt::enc_hello(42, 25000000, "qemu-mps2-an386")));
    const rp_device_info_t *dev = rp_session_device(s);
    CHECK_TRUE(dev->valid);
    UNSIGNED_LONGS_EQUAL(1, dev->protocol_version);
    STRCMP_EQUAL("qemu-mps2-an386", dev->board);
    STRCMP_EQUAL("1.2.3", dev->firmware_version);
    STRCMP_EQUAL("sim:testchip", dev->model);
    UNSIGNED_LONGS_EQUAL(25000000, dev->clock_hz);
    UNSIGNED_LONGS_EQUAL(4, dev->tiles);
    UNSIGNED_LONGS_EQUAL(128, dev->rows);
    UNSIGNED_LONGS_EQUAL(42, dev->boot_id);
    UNSIGNED_LONGS_EQUAL(2, dev->workload_count);
    STRCMP_EQUAL("write_sweep", dev->workloads[1]);
    rp_session_stats_t st = stats();
    UNSIGNED_LONGS_EQUAL(1, st.segments);
    UNSIGNED_LONGS_EQUAL(1, st.frames[RP_FRAME_HELLO]);
    LONGS_EQUAL(1, got.segments.size());
    UNSIGNED_LONGS_EQUAL(42, got.segment_boot[0]);
}

TEST(session, long_strings_are_truncated_safely)
{
    std::string longname(300, 'x');
    LONGS_EQUAL(RP_OK, apply(rpt::enc_hello(1, 1000, longname.c_str())));
    UNSIGNED_LONGS_EQUAL(RP_SESSION_STR_MAX - 1, strlen(rp_session_device(s)->board));
}

TEST(session, events_delivered_in_order_with_op_stats_and_duration)
{
    apply(rpt::enc_hello(7, 1000));   // 1 kHz: 1 tick = 1 ms
    rp_batch_state_t st = {};
    std::vector<rp_record_t> all;
    uint64_t t = 5000;
    for (int b = 0; b < 20; b++) {
        std::vector<rp_record_t> ev = rpt::make_events(rng, 1 + rng() % 50, t);
        t = ev.back().start + ev.back().duration + 10;
        all.insert(all.end(), ev.begin(), ev.end());
        LONGS_EQUAL(RP_OK, apply(rpt::enc_batch(&st, ev)));
    }
    LONGS_EQUAL(all.size(), got.events.size());
    for (size_t i = 0; i < all.size(); i++) {
        rpt::check_record(all[i], got.events[i]);
    }
    // Expected statistics computed independently from the events.
    rp_op_stats_t want[16] = {};
    uint64_t first = UINT64_MAX, last = 0;
    for (const auto &e : all) {
        rp_op_stats_t &o = want[e.op];
        if (o.count == 0 || e.duration < o.ticks_min) o.ticks_min = e.duration;
        if (e.duration > o.ticks_max) o.ticks_max = e.duration;
        o.count++;
        o.ticks_total += e.duration;
        o.not_ok += e.status != 0;
        first = std::min(first, e.start);
        last = std::max(last, e.start + e.duration);
    }
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(all.size(), ss.events);
    UNSIGNED_LONGS_EQUAL(20, ss.batches);
    for (int op = 0; op < 16; op++) {
        UNSIGNED_LONGS_EQUAL(want[op].count, ss.ops[op].count);
        UNSIGNED_LONGS_EQUAL(want[op].ticks_total, ss.ops[op].ticks_total);
        UNSIGNED_LONGS_EQUAL(want[op].ticks_min, ss.ops[op].ticks_min);
        UNSIGNED_LONGS_EQUAL(want[op].ticks_max, ss.ops[op].ticks_max);
        UNSIGNED_LONGS_EQUAL(want[op].not_ok, ss.ops[op].not_ok);
    }
    UNSIGNED_LONGS_EQUAL(first, ss.first_tick);
    UNSIGNED_LONGS_EQUAL(last, ss.last_tick);
    UNSIGNED_LONGS_EQUAL(last - first, ss.duration_ticks);
    DOUBLES_EQUAL((double)(last - first) / 1000.0, ss.duration_s, 1e-9);
    UNSIGNED_LONGS_EQUAL(0, ss.loss.total_events);
    UNSIGNED_LONGS_EQUAL(1, ss.runs);
}

TEST(session, lost_batches_give_exact_link_loss)
{
    apply(rpt::enc_hello(1));
    rp_batch_state_t st = {};
    uint64_t lost_events = 0, lost_batches = 0, delivered = 0;
    for (int b = 0; b < 100; b++) {
        std::vector<rp_record_t> ev = rpt::make_events(rng, 1 + rng() % 30, 1000 * (uint64_t)b);
        Bytes p = rpt::enc_batch(&st, ev);   // the encoder advances even if we drop it
        if (b % 7 == 3 || b % 11 == 5) {
            lost_events += ev.size();
            lost_batches++;
            continue;
        }
        delivered += ev.size();
        apply(p);
    }
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(lost_batches, ss.loss.lost_batches);
    UNSIGNED_LONGS_EQUAL(lost_events, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(0, ss.loss.device_events);
    UNSIGNED_LONGS_EQUAL(lost_events, ss.loss.total_events);
    UNSIGNED_LONGS_EQUAL(delivered, ss.events);
}

TEST(session, lost_tail_is_counted_once_counters_arrive)
{
    apply(rpt::enc_hello(1));
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 10, 100)));
    rpt::enc_batch(&st, rpt::make_events(rng, 6, 200));   // lost
    rpt::enc_batch(&st, rpt::make_events(rng, 4, 300));   // lost
    UNSIGNED_LONGS_EQUAL(0, stats().loss.link_events);    // nothing tells yet
    apply(rpt::enc_counters(20, 0));                       // Stop: 20 sent
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(10, ss.loss.link_events);
    CHECK_TRUE(ss.has_counters);
    UNSIGNED_LONGS_EQUAL(20, ss.counters.events_sent);
    // A periodic Counters sampled before a batch arrived does not double
    // count once the batch shows up.
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 5, 400)));   // first_event 20
    apply(rpt::enc_counters(25, 0));
    UNSIGNED_LONGS_EQUAL(10, stats().loss.link_events);
}

TEST(session, device_drops_from_reports_batches_and_counters)
{
    apply(rpt::enc_hello(1));
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 10, 100), 0));
    apply(rpt::enc_drops(5));
    UNSIGNED_LONGS_EQUAL(5, stats().loss.device_events);
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 10, 200), 12));
    UNSIGNED_LONGS_EQUAL(12, stats().loss.device_events);
    apply(rpt::enc_drops(9));   // late, smaller report: totals are cumulative
    UNSIGNED_LONGS_EQUAL(12, stats().loss.device_events);
    apply(rpt::enc_counters(20, 30));
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(30, ss.loss.device_events);
    UNSIGNED_LONGS_EQUAL(0, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(30, ss.loss.total_events);
}

TEST(session, link_and_device_loss_add_up)
{
    apply(rpt::enc_hello(1));
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 8, 100), 0));
    rpt::enc_batch(&st, rpt::make_events(rng, 8, 200), 3);         // lost on the link
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 8, 300), 7));
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(1, ss.loss.lost_batches);
    UNSIGNED_LONGS_EQUAL(8, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(7, ss.loss.device_events);
    UNSIGNED_LONGS_EQUAL(15, ss.loss.total_events);
}

TEST(session, restart_starts_a_new_run_and_keeps_old_losses)
{
    apply(rpt::enc_hello(1));
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 5, 100), 0));
    rpt::enc_batch(&st, rpt::make_events(rng, 5, 200), 0);          // lost
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 5, 300), 4));
    // Stop, Start: the device restarts sequence, first_event, dropped_total.
    st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 5, 1000), 0));
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 5, 1100), 2));
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(2, ss.runs);
    UNSIGNED_LONGS_EQUAL(1, ss.segments);
    UNSIGNED_LONGS_EQUAL(1, ss.loss.lost_batches);
    UNSIGNED_LONGS_EQUAL(5, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(6, ss.loss.device_events);   // 4 in run 1 + 2 in run 2
    UNSIGNED_LONGS_EQUAL(20, ss.events);
}

TEST(session, reset_takes_what_the_ring_held)
{
    apply(rpt::enc_hello(100, 1000));
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 10, 5000)));
    // A periodic Counters: 25 recorded, 10 sent, 15 waiting in the ring.
    apply(rpt::enc_counters(10, 0, 25));
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 8, 9000)));   // 8 of them arrive
    UNSIGNED_LONGS_EQUAL(0, stats().loss.total_events);   // still running: nothing lost yet
    // The device resets: the 7 it had recorded and not sent are gone.
    apply(rpt::enc_hello(200, 1000));
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(7, ss.loss.unsent_events);
    UNSIGNED_LONGS_EQUAL(0, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(7, ss.loss.total_events);
    // The next boot's run starts from nothing; a run that ends with its
    // final Counters (ring drained) and a Start leaves nothing unsent.
    st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 5, 100)));
    apply(rpt::enc_counters(5, 0, 9));
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 4, 300)));
    apply(rpt::enc_counters(9, 0));
    st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 3, 500)));
    UNSIGNED_LONGS_EQUAL(7, stats().loss.unsent_events);
    // Batches the link lost before the reset count as link loss, not twice.
    rpt::enc_batch(&st, rpt::make_events(rng, 6, 700));   // lost
    apply(rpt::enc_counters(9, 0, 12));
    apply(rpt::enc_hello(300, 1000));
    ss = stats();
    UNSIGNED_LONGS_EQUAL(6, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(7 + 3, ss.loss.unsent_events);
    UNSIGNED_LONGS_EQUAL(6 + 10, ss.loss.total_events);
}

TEST(session, the_new_boots_report_makes_the_reset_loss_exact)
{
    apply(rpt::enc_hello(100, 1000));
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 10, 5000)));
    apply(rpt::enc_counters(10, 0, 25));                          // 15 waiting then
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 8, 9000), 1));
    rpt::enc_batch(&st, rpt::make_events(rng, 4, 9500), 1);       // lost on the link
    // The old boot had recorded 40 and taken 22 out of its ring (the 4
    // lost on the link among them) when it reset; 3 overflowed the ring.
    apply(rpt::enc_hello_after(200, 1000, 100, 40, 22, 3));
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(40 - 22, ss.loss.unsent_events);
    UNSIGNED_LONGS_EQUAL(4, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(3, ss.loss.device_events);
    UNSIGNED_LONGS_EQUAL(18 + 4 + 3, ss.loss.total_events);
    UNSIGNED_LONGS_EQUAL(0, ss.loss.resets_unreported);
    // A report about another boot (the one before missed by the host) or
    // none at all: the last Counters' lower bound, and the reset counted
    // as unreported.
    st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 5, 100)));
    apply(rpt::enc_counters(5, 0, 9));
    apply(rpt::enc_hello_after(300, 1000, 250, 1000, 5, 0));
    ss = stats();
    UNSIGNED_LONGS_EQUAL(18 + 4, ss.loss.unsent_events);
    UNSIGNED_LONGS_EQUAL(1, ss.loss.resets_unreported);
    apply(rpt::enc_hello(400, 1000));
    UNSIGNED_LONGS_EQUAL(2, stats().loss.resets_unreported);
}

TEST(session, device_reset_starts_a_segment_without_loss)
{
    apply(rpt::enc_hello(100, 1000));
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 10, 5000), 1));
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 10, 9000), 1));
    uint64_t seg0_ticks = stats().duration_ticks;
    CHECK(seg0_ticks > 0);
    // The device resets: new boot_id, counting starts over, time too.
    apply(rpt::enc_hello(200, 2000));
    st = {};
    std::vector<rp_record_t> ev = rpt::make_events(rng, 10, 10);
    apply(rpt::enc_batch(&st, ev, 0));
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(2, ss.segments);
    UNSIGNED_LONGS_EQUAL(0, ss.loss.link_events);
    UNSIGNED_LONGS_EQUAL(0, ss.loss.lost_batches);
    UNSIGNED_LONGS_EQUAL(1, ss.loss.device_events);   // from the first boot only
    uint64_t lo = UINT64_MAX, hi = 0;
    for (const auto &e : ev) {
        lo = std::min(lo, e.start);
        hi = std::max(hi, e.start + e.duration);
    }
    uint64_t seg1_ticks = hi - lo;
    UNSIGNED_LONGS_EQUAL(seg0_ticks + seg1_ticks, ss.duration_ticks);
    DOUBLES_EQUAL(seg0_ticks / 1000.0 + seg1_ticks / 2000.0, ss.duration_s, 1e-9);
    UNSIGNED_LONGS_EQUAL(200, rp_session_device(s)->boot_id);
    LONGS_EQUAL(2, got.segments.size());
    UNSIGNED_LONGS_EQUAL(200, got.segment_boot[1]);
    UNSIGNED_LONGS_EQUAL(0, got.segment_of_event[0]);
    UNSIGNED_LONGS_EQUAL(1, got.segment_of_event.back());
    // The same boot saying Hello again (answer to GetInfo) is no reset.
    apply(rpt::enc_hello(200, 2000));
    UNSIGNED_LONGS_EQUAL(2, stats().segments);
}

TEST(session, each_boot_is_counted_with_its_reset_cause)
{
    // The boot before the capture followed a watchdog reset.
    apply(rpt::enc_hello(100, 1000, "sim", RP_RESET_WATCHDOG));
    apply(rpt::enc_hello(100, 1000, "sim", RP_RESET_WATCHDOG));   // GetInfo answer: same boot
    rp_boot_stats_t b = stats().boots;
    CHECK_TRUE(b.first_known);
    UNSIGNED_LONGS_EQUAL(RP_RESET_WATCHDOG, b.first_cause);
    UNSIGNED_LONGS_EQUAL(0, b.resets);
    // Two fatal resets and a press of the button during the capture; a
    // cause newer than this reader counts as unknown.
    apply(rpt::enc_hello(200, 1000, "sim", RP_RESET_FATAL, 3));
    apply(rpt::enc_hello(300, 1000, "sim", RP_RESET_PIN));
    apply(rpt::enc_hello(400, 1000, "sim", RP_RESET_FATAL, 38));
    apply(rpt::enc_hello(400, 1000, "sim", RP_RESET_FATAL, 38));   // same boot again
    apply(rpt::enc_hello(500, 1000, "sim", 42));
    b = stats().boots;
    UNSIGNED_LONGS_EQUAL(4, b.resets);
    UNSIGNED_LONGS_EQUAL(2, b.by_cause[RP_RESET_FATAL]);
    UNSIGNED_LONGS_EQUAL(1, b.by_cause[RP_RESET_PIN]);
    UNSIGNED_LONGS_EQUAL(1, b.by_cause[RP_RESET_UNKNOWN]);
    UNSIGNED_LONGS_EQUAL(0, b.by_cause[RP_RESET_WATCHDOG]);
    UNSIGNED_LONGS_EQUAL(38, b.last_fatal_reason);
    UNSIGNED_LONGS_EQUAL(3, b.last_fatal_segment);
    UNSIGNED_LONGS_EQUAL(5, stats().segments);
    UNSIGNED_LONGS_EQUAL(42, rp_session_device(s)->reset_cause);
    UNSIGNED_LONGS_EQUAL(0, rp_session_device(s)->fatal_reason);
}

TEST(session, a_fatal_reason_counts_only_with_a_fatal_reset)
{
    apply(rpt::enc_hello(100, 1000, "sim", RP_RESET_PIN, 3));
    UNSIGNED_LONGS_EQUAL(RP_RESET_PIN, rp_session_device(s)->reset_cause);
    UNSIGNED_LONGS_EQUAL(0, rp_session_device(s)->fatal_reason);
    UNSIGNED_LONGS_EQUAL(0, stats().boots.first_fatal_reason);
}

TEST(session, batch_before_any_hello_opens_segment_zero)
{
    rp_batch_state_t st = {};
    apply(rpt::enc_batch(&st, rpt::make_events(rng, 3, 10)));
    UNSIGNED_LONGS_EQUAL(1, stats().segments);
    CHECK_FALSE(rp_session_device(s)->valid);
    CHECK_FALSE(stats().boots.first_known);
    apply(rpt::enc_hello(9));   // the first Hello fills segment 0
    UNSIGNED_LONGS_EQUAL(1, stats().segments);
    CHECK_TRUE(stats().boots.first_known);
    UNSIGNED_LONGS_EQUAL(RP_RESET_POWER_ON, stats().boots.first_cause);
    UNSIGNED_LONGS_EQUAL(0, stats().boots.resets);
    CHECK_TRUE(rp_session_device(s)->valid);
    LONGS_EQUAL(1, got.segments.size());
}

TEST(session, names_and_response_hello)
{
    uint8_t buf[512];
    const uint32_t ids[] = {1, 5, 5000};
    const char *const names[] = {"conv", "fc", "far"};
    size_t n = rp_encode_names(ids, names, 3, buf, sizeof buf);
    apply(Bytes(buf, buf + n));
    STRCMP_EQUAL("conv", rp_session_name(s, 1));
    STRCMP_EQUAL("fc", rp_session_name(s, 5));
    CHECK(rp_session_name(s, 2) == nullptr);
    CHECK(rp_session_name(s, 5000) == nullptr);
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(2, ss.name_count);
    UNSIGNED_LONGS_EQUAL(1, ss.name_overflow);
    // A renamed id replaces the old name.
    const uint32_t id2[] = {5};
    const char *const nm2[] = {"fc2"};
    n = rp_encode_names(id2, nm2, 1, buf, sizeof buf);
    apply(Bytes(buf, buf + n));
    STRCMP_EQUAL("fc2", rp_session_name(s, 5));
    UNSIGNED_LONGS_EQUAL(2, stats().name_count);

    rp_hello_t h = {};
    h.board = "usb-board";
    h.firmware_version = "2";
    h.clock_hz = 64000000;
    h.boot_id = 77;
    n = rp_encode_response(1, 0, nullptr, &h, buf, sizeof buf);
    apply(Bytes(buf, buf + n));
    STRCMP_EQUAL("usb-board", rp_session_device(s)->board);
    UNSIGNED_LONGS_EQUAL(64000000, rp_session_device(s)->clock_hz);
    UNSIGNED_LONGS_EQUAL(1, stats().segments);
}

TEST(session, workload_results_are_aggregated)
{
    auto result = [&](const char *name, bool passed, int64_t ppm, uint64_t a, uint64_t b) {
        Rramprof__V1__WorkloadResult w = RRAMPROF__V1__WORKLOAD_RESULT__INIT;
        w.name = (char *)name;
        w.passed = passed;
        w.error_ppm = ppm;
        w.start = a;
        w.end = b;
        Rramprof__V1__Frame f = RRAMPROF__V1__FRAME__INIT;
        f.body_case = RRAMPROF__V1__FRAME__BODY_WORKLOAD;
        f.workload = &w;
        Bytes p(rramprof__v1__frame__get_packed_size(&f));
        rramprof__v1__frame__pack(&f, p.data());
        apply(p);
    };
    result("mvm", true, 100, 0, 10);
    result("mvm", false, -900, 10, 30);
    result("mvm", true, 500, 30, 35);
    result("sweep", true, 0, 0, 1);
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(2, ss.workload_names);
    UNSIGNED_LONGS_EQUAL(4, ss.workload_results);
    const rp_workload_stats_t *w = rp_session_workload(s, 0);
    STRCMP_EQUAL("mvm", w->name);
    UNSIGNED_LONGS_EQUAL(3, w->runs);
    UNSIGNED_LONGS_EQUAL(2, w->passed);
    UNSIGNED_LONGS_EQUAL(1, w->failed);
    LONGS_EQUAL(-900, w->worst_error_ppm);
    UNSIGNED_LONGS_EQUAL(35, w->ticks_total);
    CHECK(rp_session_workload(s, 2) == nullptr);
    for (unsigned i = 0; i < RP_SESSION_MAX_RESULTS + 3; i++) {
        std::string nm = "w" + std::to_string(i);
        result(nm.c_str(), true, 0, 0, 0);
    }
    ss = stats();
    UNSIGNED_LONGS_EQUAL(RP_SESSION_MAX_RESULTS, ss.workload_names);
    UNSIGNED_LONGS_EQUAL(5, ss.workload_overflow);
}

TEST(session, bad_frames_are_counted_and_callback_errors_propagate)
{
    const uint8_t junk[] = {0x12, 0x40};
    apply(Bytes(junk, junk + sizeof junk));
    UNSIGNED_LONGS_EQUAL(1, stats().bad_frames);
    UNSIGNED_LONGS_EQUAL(0, stats().segments);

    got.fail_with = RP_ERR_NOSPACE;
    rp_batch_state_t st = {};
    LONGS_EQUAL(RP_ERR_NOSPACE, apply(rpt::enc_batch(&st, rpt::make_events(rng, 3, 10))));
    LONGS_EQUAL(RP_ERR_ARG, rp_session_apply(s, nullptr));
}

TEST(session, heartbeats_and_unknown_bodies_change_nothing_but_counts)
{
    uint8_t buf[64];
    size_t n = rp_encode_heartbeat(5, 1, buf, sizeof buf);
    apply(Bytes(buf, buf + n));
    apply(Bytes());
    rp_session_stats_t ss = stats();
    UNSIGNED_LONGS_EQUAL(1, ss.frames[RP_FRAME_HEARTBEAT]);
    UNSIGNED_LONGS_EQUAL(1, ss.frames[RP_FRAME_UNKNOWN]);
    UNSIGNED_LONGS_EQUAL(0, ss.segments);
    UNSIGNED_LONGS_EQUAL(0, ss.events);
}

TEST_GROUP(reset_names){};

TEST(reset_names, causes_and_fatal_reasons)
{
    STRCMP_EQUAL("power-on", rp_reset_cause_name(RP_RESET_POWER_ON));
    STRCMP_EQUAL("fatal error", rp_reset_cause_name(RP_RESET_FATAL));
    STRCMP_EQUAL("unknown cause", rp_reset_cause_name(99));   // newer than this reader
    STRCMP_EQUAL("brown_out", rp_reset_cause_id(RP_RESET_BROWN_OUT));
    STRCMP_EQUAL("unknown", rp_reset_cause_id(8));
    char b[64];
    STRCMP_EQUAL("HardFault (exception 3)", rp_fatal_reason_text(3, b, sizeof b));
    STRCMP_EQUAL("UsageFault (exception 6)", rp_fatal_reason_text(6, b, sizeof b));
    STRCMP_EQUAL("IRQ 22 without a handler (exception 38)", rp_fatal_reason_text(38, b, sizeof b));
    STRCMP_EQUAL("reserved exception 8", rp_fatal_reason_text(8, b, sizeof b));
    STRCMP_EQUAL("system clock did not start (4096)", rp_fatal_reason_text(0x1000, b, sizeof b));
    STRCMP_EQUAL("timestamp counter does not count (4097)", rp_fatal_reason_text(0x1001, b, sizeof b));
    STRCMP_EQUAL("fatal reason 0", rp_fatal_reason_text(0, b, sizeof b));
    STRCMP_EQUAL("fatal reason 70000", rp_fatal_reason_text(70000, b, sizeof b));
    STRCMP_EQUAL("fatal error: BusFault (exception 5)", rp_reset_text(RP_RESET_FATAL, 5, b, sizeof b));
    STRCMP_EQUAL("watchdog", rp_reset_text(RP_RESET_WATCHDOG, 5, b, sizeof b));
    char small[8];
    STRCMP_EQUAL("HardFa", rp_fatal_reason_text(3, small, 7));   // truncated, terminated
}
