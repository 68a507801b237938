// Aggregator: hand-built event streams checked against direct computations
// (per op / tile / tile+op / name statistics, gaps, write-verify episodes,
// time series, segments, bounded memory).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

// After the standard headers: CppUTest's leak detector redefines new.
#include <CppUTest/TestHarness.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_hist.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

namespace {

struct AggDeleter {
    void operator()(rp_agg_t *a) const { rp_agg_destroy(a); }
};
typedef std::unique_ptr<rp_agg_t, AggDeleter> AggPtr;

AggPtr new_agg()
{
    AggPtr a(rp_agg_create());
    CHECK(a != nullptr);
    return a;
}

rp_record_t ev(unsigned op, uint64_t start, uint32_t dur, unsigned tile = 0, unsigned row = 0,
               unsigned rows = 0, unsigned col = 0, unsigned cols = 0, unsigned iter = 0,
               unsigned status = RP_STATUS_OK, uint32_t arg = 0)
{
    rp_record_t r;
    memset(&r, 0, sizeof r);
    r.op = (uint8_t)op;
    r.start = start;
    r.duration = dur;
    r.tile = (uint8_t)tile;
    r.row = (uint16_t)row;
    r.rows = (uint16_t)rows;
    r.col = (uint16_t)col;
    r.cols = (uint16_t)cols;
    r.iterations = (uint8_t)iter;
    r.status = (uint8_t)status;
    r.arg = arg;
    return r;
}

rp_record_t span(uint64_t start, uint32_t dur, uint32_t name)
{
    return ev(RP_OP_SPAN, start, dur, 0, 0, 0, 0, 0, 0, RP_STATUS_OK, name);
}

rp_device_info_t device(uint64_t clock_hz, uint32_t adcs, uint32_t input_bits)
{
    rp_device_info_t d;
    memset(&d, 0, sizeof d);
    d.valid = true;
    d.clock_hz = clock_hz;
    d.tiles = 8;
    d.rows = 64;
    d.cols = 64;
    d.adcs_per_tile = adcs;
    d.input_bits = input_bits;
    return d;
}

// Feeds events in batches of `batch` (the session hands over batches).
void add_all(rp_agg_t *a, uint32_t seg, const std::vector<rp_record_t> &evs, size_t batch = 7)
{
    for (size_t i = 0; i < evs.size(); i += batch) {
        size_t n = std::min(batch, evs.size() - i);
        LONGS_EQUAL(RP_OK, rp_agg_add(a, seg, &evs[i], n));
    }
}

// Direct computation of one group's statistics.
struct Ref {
    uint64_t count = 0, busy = 0, not_ok = 0, bytes = 0, macs = 0, cells = 0, adc = 0, slices = 0;
    std::vector<uint64_t> durs;
};

uint64_t ceil_div(uint64_t a, uint64_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

void ref_add(Ref &r, const rp_record_t &e, uint32_t adcs, uint32_t bits)
{
    r.count++;
    r.busy += e.duration;
    r.not_ok += e.status != RP_STATUS_OK;
    uint64_t area = (uint64_t)e.rows * e.cols;
    if (e.op == RP_OP_TRANSFER) {
        r.bytes += e.arg;
    }
    if (e.op == RP_OP_MVM) {
        r.macs += area;
        r.slices += bits;
        r.adc += bits * ceil_div(e.cols, adcs);
    }
    if (e.op >= RP_OP_WRITE && e.op <= RP_OP_MVM) {
        r.cells += area;
    }
    if (e.op == RP_OP_READ) {
        r.adc += ceil_div(e.cols, adcs);
    }
    r.durs.push_back(e.duration);
}

uint64_t exact_quantile(std::vector<uint64_t> v, double q)
{
    std::sort(v.begin(), v.end());
    double r = q * (double)v.size();
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r) {
        rank++;
    }
    rank = std::max<uint64_t>(1, std::min<uint64_t>(rank, v.size()));
    return v[rank - 1];
}

void check_stat(const Ref &r, const rp_agg_stat_t *s, const char *what)
{
    CHECK_TEXT(s != nullptr, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.count, s->count, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.busy, s->busy_ticks, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.not_ok, s->not_ok, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.bytes, s->bytes, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.macs, s->macs, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.cells, s->cells, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.adc, s->adc_rounds, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.slices, s->slices, what);
    if (r.count == 0) {
        CHECK_TEXT(s->hist == nullptr, what);
        return;
    }
    CHECK_TEXT(s->hist != nullptr, what);
    const rp_hist_t *h = s->hist;
    UNSIGNED_LONGLONGS_EQUAL_TEXT(r.count, h->count, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(*std::min_element(r.durs.begin(), r.durs.end()), h->min, what);
    UNSIGNED_LONGLONGS_EQUAL_TEXT(*std::max_element(r.durs.begin(), r.durs.end()), h->max, what);
    DOUBLES_EQUAL_TEXT((double)r.busy, h->sum, 1e-9 * (double)r.busy, what);
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
        uint64_t want = exact_quantile(r.durs, q);
        uint64_t got = rp_hist_quantile(h, q);
        double err = want == 0 ? (double)got : std::fabs((double)got - (double)want) / (double)want;
        CHECK_TEXT(err <= 0.01, what);
    }
}

// Covered time and gaps of a set of device-op intervals, by sorting.
struct Coverage {
    uint64_t covered = 0, gap_ticks = 0, gap_count = 0;
};

Coverage coverage(std::vector<std::pair<uint64_t, uint64_t>> iv, uint64_t run_lo, uint64_t run_hi)
{
    Coverage c;
    std::sort(iv.begin(), iv.end());
    uint64_t cur = run_lo;
    for (auto &p : iv) {
        if (p.first > cur) {
            c.gap_ticks += p.first - cur;
            c.gap_count++;
            cur = p.first;
        }
        if (p.second > cur) {
            c.covered += p.second - cur;
            cur = p.second;
        }
    }
    if (run_hi > cur) {
        c.gap_ticks += run_hi - cur;
        c.gap_count++;
    }
    return c;
}

}  // namespace

TEST_GROUP(Aggregate){};

TEST(Aggregate, EmptyAggregator)
{
    AggPtr a = new_agg();
    rp_agg_finish(a.get());
    const rp_agg_totals_t *t = rp_agg_totals(a.get());
    UNSIGNED_LONGLONGS_EQUAL(0, t->events);
    UNSIGNED_LONGLONGS_EQUAL(0, t->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(1, t->series_width);
    for (unsigned op = 0; op < RP_AGG_MAX_OPS; op++) {
        CHECK(rp_agg_op(a.get(), op) != nullptr);
        UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_op(a.get(), op)->count);
        CHECK(rp_agg_op(a.get(), op)->hist == nullptr);
    }
    CHECK(rp_agg_tile(a.get(), 255) != nullptr);
    CHECK(rp_agg_tile_op(a.get(), 255, 15) != nullptr);
    CHECK(rp_agg_tile_series(a.get(), 0) == nullptr);
    UNSIGNED_LONGS_EQUAL(0, rp_agg_name_count(a.get()));
    size_t n = 99;
    rp_agg_timeline(a.get(), &n);
    UNSIGNED_LONGS_EQUAL(0, n);
    rp_agg_destroy(nullptr);
}

TEST(Aggregate, SeriesWidth)
{
    UNSIGNED_LONGLONGS_EQUAL(1, rp_agg_series_width(0));
    UNSIGNED_LONGLONGS_EQUAL(1, rp_agg_series_width(255));
    UNSIGNED_LONGLONGS_EQUAL(2, rp_agg_series_width(256));
    UNSIGNED_LONGLONGS_EQUAL(2, rp_agg_series_width(511));
    UNSIGNED_LONGLONGS_EQUAL(4, rp_agg_series_width(512));
    UNSIGNED_LONGLONGS_EQUAL(1ull << 56, rp_agg_series_width(UINT64_MAX));
    for (uint64_t t : {1000ull, 123456789ull, 1ull << 40}) {
        uint64_t w = rp_agg_series_width(t);
        CHECK((w & (w - 1)) == 0);
        CHECK(t < RP_AGG_SERIES_BUCKETS * w);
        CHECK(w == 1 || t >= RP_AGG_SERIES_BUCKETS * (w / 2));
    }
}

// A random mixed stream: every per-op, per-tile, per-tile+op and per-name
// statistic equals the direct computation.
TEST(Aggregate, StatsEqualDirectComputation)
{
    const uint32_t adcs = 8, bits = 4;
    rp_device_info_t info = device(100000000, adcs, bits);
    std::mt19937_64 rng(11);
    std::vector<rp_record_t> evs;
    uint64_t t = 1000;
    for (int i = 0; i < 20000; i++) {
        unsigned op = (unsigned)(rng() % 10);   // includes NONE and unknown 8, 9
        uint32_t dur = (uint32_t)(rng() % 3 == 0 ? rng() % 100 : rng() % 200000);
        unsigned tile = (unsigned)(rng() % 6);
        unsigned rows = 1 + (unsigned)(rng() % 64), cols = 1 + (unsigned)(rng() % 64);
        unsigned status = rng() % 17 == 0 ? RP_STATUS_HAL_ERROR : RP_STATUS_OK;
        uint32_t arg = (uint32_t)(rng() % 5 + 1);
        if (op == RP_OP_TRANSFER) {
            arg = (uint32_t)(rng() % 4096);
        }
        evs.push_back(ev(op, t, dur, tile, (unsigned)(rng() % 64), rows, 0, cols,
                         (unsigned)(rng() % 4), status, arg));
        t += dur + rng() % 50;
    }

    AggPtr a = new_agg();
    rp_agg_segment(a.get(), 0, &info);
    add_all(a.get(), 0, evs, 300);
    rp_agg_finish(a.get());

    Ref op_ref[RP_AGG_MAX_OPS];
    std::map<unsigned, Ref> tile_ref;
    std::map<std::pair<unsigned, unsigned>, Ref> tile_op_ref;
    std::map<std::pair<unsigned, uint32_t>, Ref> name_ref;
    unsigned max_tile = 0;
    for (const rp_record_t &e : evs) {
        ref_add(op_ref[e.op], e, adcs, bits);
        if (e.op >= RP_OP_WRITE && e.op <= RP_OP_TRANSFER) {
            ref_add(tile_ref[e.tile], e, adcs, bits);
            ref_add(tile_op_ref[{e.tile, e.op}], e, adcs, bits);
            max_tile = std::max(max_tile, (unsigned)e.tile);
        }
        if (e.op == RP_OP_SPAN || e.op == RP_OP_COMPUTE) {
            ref_add(name_ref[{e.op, e.arg}], e, adcs, bits);
        }
    }
    for (unsigned op = 0; op < RP_AGG_MAX_OPS; op++) {
        char what[32];
        snprintf(what, sizeof what, "op %u", op);
        check_stat(op_ref[op], rp_agg_op(a.get(), op), what);
    }
    for (unsigned tile = 0; tile < 8; tile++) {
        char what[32];
        snprintf(what, sizeof what, "tile %u", tile);
        check_stat(tile_ref[tile], rp_agg_tile(a.get(), tile), what);
        for (unsigned op = 0; op < RP_AGG_MAX_OPS; op++) {
            snprintf(what, sizeof what, "tile %u op %u", tile, op);
            check_stat(tile_op_ref[{tile, op}], rp_agg_tile_op(a.get(), tile, op), what);
        }
    }
    const rp_agg_totals_t *tot = rp_agg_totals(a.get());
    UNSIGNED_LONGLONGS_EQUAL(evs.size(), tot->events);
    UNSIGNED_LONGLONGS_EQUAL(evs.size() - op_ref[RP_OP_SPAN].count, tot->device_ops);
    UNSIGNED_LONGS_EQUAL(max_tile + 1, tot->tiles_seen);
    UNSIGNED_LONGLONGS_EQUAL(100000000, tot->clock_hz);
    CHECK_FALSE(tot->mixed_clock);
    UNSIGNED_LONGS_EQUAL(1, tot->segments);

    UNSIGNED_LONGS_EQUAL(name_ref.size(), rp_agg_name_count(a.get()));
    for (uint32_t i = 0; i < rp_agg_name_count(a.get()); i++) {
        const rp_agg_name_t *n = rp_agg_name(a.get(), i);
        CHECK(n != nullptr);
        auto it = name_ref.find({n->op, n->id});
        CHECK(it != name_ref.end());
        check_stat(it->second, &n->stat, "name");
    }
    CHECK(rp_agg_name(a.get(), rp_agg_name_count(a.get())) == nullptr);
    UNSIGNED_LONGLONGS_EQUAL(0, tot->names_overflow);
}

TEST(Aggregate, NamesInOrderOfFirstAppearance)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> evs = {
        span(0, 100, 7),
        ev(RP_OP_COMPUTE, 10, 5, 0, 0, 0, 0, 0, 0, RP_STATUS_OK, 7),   // same id, other op
        span(20, 30, 3),
        span(60, 10, 7),
    };
    add_all(a.get(), 0, evs);
    rp_agg_finish(a.get());
    UNSIGNED_LONGS_EQUAL(3, rp_agg_name_count(a.get()));
    const rp_agg_name_t *n0 = rp_agg_name(a.get(), 0);
    const rp_agg_name_t *n1 = rp_agg_name(a.get(), 1);
    const rp_agg_name_t *n2 = rp_agg_name(a.get(), 2);
    UNSIGNED_LONGS_EQUAL(7, n0->id);
    UNSIGNED_LONGS_EQUAL(RP_OP_SPAN, n0->op);
    UNSIGNED_LONGLONGS_EQUAL(2, n0->stat.count);
    UNSIGNED_LONGLONGS_EQUAL(110, n0->stat.busy_ticks);
    UNSIGNED_LONGS_EQUAL(7, n1->id);
    UNSIGNED_LONGS_EQUAL(RP_OP_COMPUTE, n1->op);
    UNSIGNED_LONGS_EQUAL(3, n2->id);
    UNSIGNED_LONGLONGS_EQUAL(30, n2->stat.busy_ticks);
    // COMPUTE has no tile: it is not in any tile's statistics.
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_tile(a.get(), 0)->count);
    UNSIGNED_LONGLONGS_EQUAL(1, rp_agg_op(a.get(), RP_OP_COMPUTE)->count);
}

TEST(Aggregate, NamesOverflow)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> evs;
    const uint32_t extra = 44;
    for (uint32_t id = 1; id <= RP_AGG_MAX_NAMES + extra; id++) {
        evs.push_back(span(id * 10, 5, id));
    }
    // Ids seen again, stored or not, add no new name and no new overflow.
    evs.push_back(span(100000, 5, 1));
    evs.push_back(span(100010, 5, RP_AGG_MAX_NAMES + 1));
    add_all(a.get(), 0, evs, 64);
    rp_agg_finish(a.get());
    UNSIGNED_LONGS_EQUAL(RP_AGG_MAX_NAMES, rp_agg_name_count(a.get()));
    UNSIGNED_LONGLONGS_EQUAL(extra, rp_agg_totals(a.get())->names_overflow);
    UNSIGNED_LONGLONGS_EQUAL(2, rp_agg_name(a.get(), 0)->stat.count);
    UNSIGNED_LONGS_EQUAL(RP_AGG_MAX_NAMES, rp_agg_name(a.get(), RP_AGG_MAX_NAMES - 1)->id);
    // All spans are still in the per-op statistics.
    UNSIGNED_LONGLONGS_EQUAL(evs.size(), rp_agg_op(a.get(), RP_OP_SPAN)->count);
}

// Gaps with nested and overlapping ops; spans neither create nor fill them.
TEST(Aggregate, GapsNestedOverlappingAndSpans)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> evs = {
        ev(RP_OP_MVM, 100, 50),        // [100, 150)
        ev(RP_OP_TRANSFER, 110, 10),   // nested
        ev(RP_OP_READ, 140, 30),       // overlaps: covered to 170
        span(150, 200, 1),             // spans the gap [170, 200): does not fill it
        ev(RP_OP_WRITE, 200, 20),      // gap 30
        span(205, 5, 2),               // inside covered time: no effect
        ev(RP_OP_VERIFY, 220, 10),     // adjacent: no gap
        ev(RP_OP_COMPUTE, 260, 40),    // gap 30; COMPUTE is a device op
        span(320, 10, 3),              // between two ops: does not split the gap
        ev(RP_OP_READ, 350, 0),        // zero-length op: gap 50
        ev(RP_OP_READ, 350, 50),       // same start
    };
    add_all(a.get(), 0, evs, 3);
    rp_agg_finish(a.get());
    const rp_agg_totals_t *t = rp_agg_totals(a.get());
    UNSIGNED_LONGLONGS_EQUAL(300, t->run_ticks);             // [100, 400)
    UNSIGNED_LONGLONGS_EQUAL(3, t->gap_count);
    UNSIGNED_LONGLONGS_EQUAL(30 + 30 + 50, t->gap_ticks);
    UNSIGNED_LONGLONGS_EQUAL(70 + 30 + 40 + 50, t->covered_ticks);
    UNSIGNED_LONGLONGS_EQUAL(t->run_ticks, t->covered_ticks + t->gap_ticks);
    const rp_hist_t *g = rp_agg_gaps(a.get());
    UNSIGNED_LONGLONGS_EQUAL(3, g->count);
    UNSIGNED_LONGLONGS_EQUAL(30, g->min);
    UNSIGNED_LONGLONGS_EQUAL(50, g->max);
    UNSIGNED_LONGLONGS_EQUAL(8, t->device_ops);
}

// An op recorded after the ops it encloses (its record is written when it
// ends) covers their gaps all the same.
TEST(Aggregate, EnclosingOpRecordedLate)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> evs = {
        ev(RP_OP_READ, 0, 10),
        ev(RP_OP_MVM, 20, 10),
        ev(RP_OP_MVM, 40, 10),
        ev(RP_OP_COMPUTE, 15, 40),   // [15, 55): covers the gaps [30, 40) and [50, 55)
        ev(RP_OP_READ, 60, 10),
    };
    add_all(a.get(), 0, evs, 2);
    rp_agg_finish(a.get());
    const rp_agg_totals_t *t = rp_agg_totals(a.get());
    UNSIGNED_LONGLONGS_EQUAL(70, t->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(2, t->gap_count);   // [10, 15) and [55, 60)
    UNSIGNED_LONGLONGS_EQUAL(10, t->gap_ticks);
    UNSIGNED_LONGLONGS_EQUAL(60, t->covered_ticks);
}

// Time before the first device op and after the last one, covered only by
// a span, is idle: covered + gaps = run ticks.
TEST(Aggregate, EdgesOfTheRunAreIdle)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> evs = {
        ev(RP_OP_MVM, 110, 20),
        ev(RP_OP_MVM, 140, 20),
        span(100, 100, 1),   // the whole run, recorded last
    };
    add_all(a.get(), 0, evs);
    rp_agg_finish(a.get());
    const rp_agg_totals_t *t = rp_agg_totals(a.get());
    UNSIGNED_LONGLONGS_EQUAL(100, t->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(40, t->covered_ticks);
    UNSIGNED_LONGLONGS_EQUAL(3, t->gap_count);   // 10 before, 10 between, 40 after
    UNSIGNED_LONGLONGS_EQUAL(60, t->gap_ticks);
    // A span-only segment is all idle.
    AggPtr b = new_agg();
    std::vector<rp_record_t> spans = {span(5, 50, 1)};
    add_all(b.get(), 0, spans);
    rp_agg_finish(b.get());
    UNSIGNED_LONGLONGS_EQUAL(50, rp_agg_totals(b.get())->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(50, rp_agg_totals(b.get())->gap_ticks);
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_totals(b.get())->covered_ticks);
}

// Random streams with nesting, overlaps and late arrivals within a few
// events: covered and gaps equal a sort-based computation, and add up.
TEST(Aggregate, CoveredPlusGapsEqualsRun)
{
    for (int seed = 0; seed < 20; seed++) {
        std::mt19937_64 rng(100 + seed);
        std::vector<rp_record_t> evs;
        std::vector<std::pair<uint64_t, uint64_t>> iv;
        uint64_t t = 5000 + rng() % 1000;
        uint64_t lo = UINT64_MAX, hi = 0;
        for (int i = 0; i < 3000; i++) {
            uint32_t d = (uint32_t)(rng() % 100);
            uint64_t s = t;
            if (rng() % 5 == 0 && t > 300) {
                s = t - rng() % 300;   // starts earlier: nested / overlapping / late
            }
            unsigned op = rng() % 8 == 0 ? (unsigned)RP_OP_SPAN : (unsigned)(1 + rng() % 7);
            if (op == RP_OP_SPAN) {
                d = (uint32_t)(rng() % 1000);
            } else {
                iv.push_back({s, s + d});
            }
            evs.push_back(ev(op, s, d, (unsigned)(rng() % 4), 0, 1, 0, 8, 0, 0, 1));
            lo = std::min(lo, s);
            hi = std::max(hi, s + d);
            t += rng() % 120;
        }
        AggPtr a = new_agg();
        add_all(a.get(), 0, evs, 1 + rng() % 50);
        rp_agg_finish(a.get());
        Coverage c = coverage(iv, lo, hi);
        const rp_agg_totals_t *tot = rp_agg_totals(a.get());
        UNSIGNED_LONGLONGS_EQUAL(hi - lo, tot->run_ticks);
        UNSIGNED_LONGLONGS_EQUAL(c.covered, tot->covered_ticks);
        UNSIGNED_LONGLONGS_EQUAL(c.gap_ticks, tot->gap_ticks);
        UNSIGNED_LONGLONGS_EQUAL(c.gap_count, tot->gap_count);
        UNSIGNED_LONGLONGS_EQUAL(tot->run_ticks, tot->covered_ticks + tot->gap_ticks);
        UNSIGNED_LONGLONGS_EQUAL(tot->gap_count, rp_agg_gaps(a.get())->count);
    }
}

// Write-verify: VERIFY(0), then WRITE(k), VERIFY(k+1) per round (rp_wv.c).
TEST(Aggregate, WriteVerifyEpisodes)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> evs;
    uint64_t t = 0;
    auto add = [&](unsigned op, unsigned tile, unsigned row, unsigned col, unsigned iter,
                   unsigned status, uint32_t d) {
        evs.push_back(ev(op, t, d, tile, row, 1, col, 16, iter, status));
        t += d + 1;
    };
    // A VERIFY with no episode open: counted as an op only.
    add(RP_OP_VERIFY, 0, 9, 0, 2, RP_STATUS_OK, 5);
    add(RP_OP_WRITE, 0, 9, 0, 2, RP_STATUS_OK, 5);
    // Converged in 2 pulses: 10+20+11+21+12 ticks.
    add(RP_OP_VERIFY, 1, 3, 0, 0, RP_STATUS_OK, 10);
    add(RP_OP_WRITE, 1, 3, 0, 0, RP_STATUS_OK, 20);
    add(RP_OP_VERIFY, 1, 3, 0, 1, RP_STATUS_OK, 11);
    add(RP_OP_WRITE, 1, 3, 0, 1, RP_STATUS_OK, 21);
    add(RP_OP_VERIFY, 1, 3, 0, 2, RP_STATUS_OK, 12);
    // Already converged at the first verify: 0 pulses.
    add(RP_OP_VERIFY, 1, 4, 0, 0, RP_STATUS_OK, 10);
    // Not converged after 3 pulses: 10 + 3*(20+10) ticks.
    add(RP_OP_VERIFY, 2, 5, 32, 0, RP_STATUS_OK, 10);
    for (unsigned k = 0; k < 3; k++) {
        add(RP_OP_WRITE, 2, 5, 32, k, RP_STATUS_OK, 20);
        add(RP_OP_VERIFY, 2, 5, 32, k + 1, k == 2 ? RP_STATUS_NOT_CONVERGED : RP_STATUS_OK, 10);
    }
    // Interleaved rows: row 7 opens, row 8 opens (closing row 7 at 0
    // pulses); row 7's later events match no open episode.
    add(RP_OP_VERIFY, 3, 7, 0, 0, RP_STATUS_OK, 10);
    add(RP_OP_VERIFY, 3, 8, 0, 0, RP_STATUS_OK, 10);
    add(RP_OP_WRITE, 3, 7, 0, 0, RP_STATUS_OK, 20);
    add(RP_OP_VERIFY, 3, 7, 0, 1, RP_STATUS_NOT_CONVERGED, 10);
    add(RP_OP_WRITE, 3, 8, 0, 0, RP_STATUS_OK, 20);
    add(RP_OP_VERIFY, 3, 8, 0, 1, RP_STATUS_OK, 10);
    // Same row, other column: no match either.
    add(RP_OP_WRITE, 3, 8, 16, 1, RP_STATUS_OK, 20);
    // The same failing row again, in another segment (closes the open one).
    add_all(a.get(), 0, evs);
    evs.clear();
    add(RP_OP_VERIFY, 2, 5, 32, 0, RP_STATUS_NOT_CONVERGED, 10);   // max_steps 0
    add_all(a.get(), 1, evs);
    rp_agg_finish(a.get());

    const rp_agg_wv_t *wv = rp_agg_wv(a.get());
    UNSIGNED_LONGLONGS_EQUAL(6, wv->episodes);   // row 3, 4, 5, 7, 8, row 5 again
    UNSIGNED_LONGLONGS_EQUAL(2, wv->not_converged);
    UNSIGNED_LONGLONGS_EQUAL(2 + 0 + 3 + 0 + 1 + 0, wv->pulses);
    UNSIGNED_LONGLONGS_EQUAL(74 + 10 + 100 + 10 + 40 + 10, wv->ticks);
    UNSIGNED_LONGLONGS_EQUAL(3, wv->by_pulses[0]);
    UNSIGNED_LONGLONGS_EQUAL(1, wv->by_pulses[1]);
    UNSIGNED_LONGLONGS_EQUAL(1, wv->by_pulses[2]);
    UNSIGNED_LONGLONGS_EQUAL(1, wv->by_pulses[3]);
    UNSIGNED_LONGS_EQUAL(1, wv->failed_count);
    UNSIGNED_LONGS_EQUAL(2, wv->failed[0].tile);
    UNSIGNED_LONGS_EQUAL(5, wv->failed[0].row);
    UNSIGNED_LONGS_EQUAL(32, wv->failed[0].col);
    UNSIGNED_LONGS_EQUAL(2, wv->failed[0].episodes);
    UNSIGNED_LONGLONGS_EQUAL(0, wv->failed_overflow);
    // Every WRITE and VERIFY is in the op statistics, in an episode or not.
    UNSIGNED_LONGLONGS_EQUAL(9, rp_agg_op(a.get(), RP_OP_WRITE)->count);
    UNSIGNED_LONGLONGS_EQUAL(14, rp_agg_op(a.get(), RP_OP_VERIFY)->count);
}

TEST(Aggregate, FailedRowsOverflow)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> evs;
    uint64_t t = 0;
    const unsigned rows = RP_AGG_MAX_FAILED + 10;
    for (int pass = 0; pass < 2; pass++) {   // every row fails twice
        for (unsigned r = 0; r < rows; r++) {
            evs.push_back(ev(RP_OP_VERIFY, t, 5, 1, r, 1, 0, 8, 0, RP_STATUS_OK));
            evs.push_back(ev(RP_OP_WRITE, t + 5, 5, 1, r, 1, 0, 8, 0, RP_STATUS_OK));
            evs.push_back(ev(RP_OP_VERIFY, t + 10, 5, 1, r, 1, 0, 8, 1, RP_STATUS_NOT_CONVERGED));
            t += 20;
        }
    }
    add_all(a.get(), 0, evs, 100);
    rp_agg_finish(a.get());
    const rp_agg_wv_t *wv = rp_agg_wv(a.get());
    UNSIGNED_LONGLONGS_EQUAL(2 * rows, wv->not_converged);
    UNSIGNED_LONGS_EQUAL(RP_AGG_MAX_FAILED, wv->failed_count);
    UNSIGNED_LONGLONGS_EQUAL(10, wv->failed_overflow);
    for (unsigned i = 0; i < RP_AGG_MAX_FAILED; i++) {
        UNSIGNED_LONGS_EQUAL(i, wv->failed[i].row);
        UNSIGNED_LONGS_EQUAL(2, wv->failed[i].episodes);
    }
}

// The device geometry gives ADC rounds; without it they are 0.
TEST(Aggregate, DeviceInfoCounts)
{
    rp_device_info_t info = device(50000000, 8, 4);
    std::vector<rp_record_t> evs = {
        ev(RP_OP_READ, 0, 10, 2, 0, 1, 0, 20),                          // ceil(20/8) = 3
        ev(RP_OP_TRANSFER, 10, 5, 2, 0, 16, 0, 20, 0, 0, 16),           // 16 bytes in
        ev(RP_OP_MVM, 15, 40, 2, 0, 16, 0, 20),                         // 4 * 3 rounds
        ev(RP_OP_TRANSFER, 55, 5, 2, 0, 16, 0, 20, 0, 0, 80),           // 80 bytes out
        ev(RP_OP_MVM, 60, 40, 3, 0, 64, 0, 64),                         // 4 * 8 rounds
        ev(RP_OP_WRITE, 100, 10, 3, 0, 1, 0, 64),
    };
    AggPtr a = new_agg();
    rp_agg_segment(a.get(), 0, &info);
    add_all(a.get(), 0, evs);
    rp_agg_finish(a.get());
    const rp_agg_stat_t *mvm = rp_agg_op(a.get(), RP_OP_MVM);
    UNSIGNED_LONGLONGS_EQUAL(16 * 20 + 64 * 64, mvm->macs);
    UNSIGNED_LONGLONGS_EQUAL(16 * 20 + 64 * 64, mvm->cells);
    UNSIGNED_LONGLONGS_EQUAL(12 + 32, mvm->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(8, mvm->slices);
    UNSIGNED_LONGLONGS_EQUAL(3, rp_agg_op(a.get(), RP_OP_READ)->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(20, rp_agg_op(a.get(), RP_OP_READ)->cells);
    UNSIGNED_LONGLONGS_EQUAL(96, rp_agg_op(a.get(), RP_OP_TRANSFER)->bytes);
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_op(a.get(), RP_OP_TRANSFER)->cells);
    UNSIGNED_LONGLONGS_EQUAL(64, rp_agg_op(a.get(), RP_OP_WRITE)->cells);
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_op(a.get(), RP_OP_WRITE)->adc_rounds);
    // TRANSFER counts for the tile of the MVM it serves.
    const rp_agg_stat_t *t2 = rp_agg_tile(a.get(), 2);
    UNSIGNED_LONGLONGS_EQUAL(4, t2->count);
    UNSIGNED_LONGLONGS_EQUAL(60, t2->busy_ticks);
    UNSIGNED_LONGLONGS_EQUAL(96, t2->bytes);
    UNSIGNED_LONGLONGS_EQUAL(15, t2->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(2, rp_agg_tile_op(a.get(), 2, RP_OP_TRANSFER)->count);
    UNSIGNED_LONGS_EQUAL(4, rp_agg_totals(a.get())->tiles_seen);

    // Unknown geometry: no ADC rounds, the rest is the same.
    AggPtr b = new_agg();
    rp_device_info_t none;
    memset(&none, 0, sizeof none);
    rp_agg_segment(b.get(), 0, &none);
    add_all(b.get(), 0, evs);
    rp_agg_finish(b.get());
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_op(b.get(), RP_OP_MVM)->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_op(b.get(), RP_OP_READ)->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(16 * 20 + 64 * 64, rp_agg_op(b.get(), RP_OP_MVM)->macs);
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_totals(b.get())->clock_hz);
}

// Builds a stream of `n` events over a long time with gaps; returns the
// events. Starts grow so that the bucket width doubles many times.
std::vector<rp_record_t> long_stream(size_t n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<rp_record_t> evs;
    uint64_t t = 777;
    for (size_t i = 0; i < n; i++) {
        if (i % 7 == 6) {
            // A span around the last six ops, recorded when it ends: it
            // arrives after them with an earlier start, often in an
            // earlier time-series bucket.
            uint64_t s = evs[i - 6].start;
            evs.push_back(span(s, (uint32_t)(t - s), 1));
            continue;
        }
        unsigned op = (unsigned)(1 + rng() % 5);
        uint32_t d = (uint32_t)(1 + rng() % 500);
        evs.push_back(ev(op, t, d, (unsigned)(rng() % 3), 0, 1, 0, 8, 0, 0, 1));
        t += d + rng() % 300;
    }
    return evs;
}

// Small and large batches (a large one is swept for gaps in the middle).
void check_time_series(size_t batch)
{
    std::vector<rp_record_t> evs = long_stream(50000, 21);
    AggPtr a = new_agg();
    add_all(a.get(), 0, evs, batch);
    rp_agg_finish(a.get());
    const rp_agg_totals_t *tot = rp_agg_totals(a.get());
    uint64_t base = evs[0].start;
    uint64_t t_max = 0;
    for (auto &e : evs) {
        t_max = std::max(t_max, e.start - base);
    }
    uint64_t w = rp_agg_series_width(t_max);
    UNSIGNED_LONGLONGS_EQUAL(w, tot->series_width);
    CHECK(w > 1024);   // doubled many times
    UNSIGNED_LONGS_EQUAL(t_max / w + 1, tot->series_used);
    CHECK(tot->series_used <= RP_AGG_SERIES_BUCKETS);

    // Each bucket holds exactly the events that start in it.
    std::vector<std::vector<uint64_t>> count(RP_AGG_SERIES_BUCKETS, std::vector<uint64_t>(16));
    std::vector<std::vector<uint64_t>> busy(RP_AGG_SERIES_BUCKETS, std::vector<uint64_t>(16));
    std::vector<std::vector<uint64_t>> tile_busy(3, std::vector<uint64_t>(RP_AGG_SERIES_BUCKETS));
    for (auto &e : evs) {
        uint64_t b = (e.start - base) / w;
        count[b][e.op]++;
        busy[b][e.op] += e.duration;
        if (e.op != RP_OP_SPAN) {
            tile_busy[e.tile][b] += e.duration;
        }
    }
    const rp_agg_bucket_t *s = rp_agg_series(a.get());
    uint64_t gap_sum = 0;
    for (unsigned b = 0; b < RP_AGG_SERIES_BUCKETS; b++) {
        for (unsigned op = 0; op < 16; op++) {
            UNSIGNED_LONGLONGS_EQUAL(count[b][op], s[b].count[op]);
            UNSIGNED_LONGLONGS_EQUAL(busy[b][op], s[b].busy[op]);
        }
        gap_sum += s[b].gap_ticks;
        for (unsigned tile = 0; tile < 3; tile++) {
            UNSIGNED_LONGLONGS_EQUAL(tile_busy[tile][b], rp_agg_tile_series(a.get(), tile)[b]);
        }
    }
    UNSIGNED_LONGLONGS_EQUAL(tot->gap_ticks, gap_sum);
    CHECK(rp_agg_tile_series(a.get(), 3) == nullptr);
    // Totals over buckets equal the op totals.
    for (unsigned op = 0; op < 16; op++) {
        uint64_t c = 0, bz = 0;
        for (unsigned b = 0; b < RP_AGG_SERIES_BUCKETS; b++) {
            c += s[b].count[op];
            bz += s[b].busy[op];
        }
        UNSIGNED_LONGLONGS_EQUAL(rp_agg_op(a.get(), op)->count, c);
        UNSIGNED_LONGLONGS_EQUAL(rp_agg_op(a.get(), op)->busy_ticks, bz);
    }
    // Gaps in the bucket where they start.
    std::vector<uint64_t> gaps(RP_AGG_SERIES_BUCKETS);
    std::vector<std::pair<uint64_t, uint64_t>> iv;
    for (auto &e : evs) {
        if (e.op != RP_OP_SPAN) {
            iv.push_back({e.start, e.start + e.duration});
        }
    }
    std::sort(iv.begin(), iv.end());
    uint64_t cov = iv[0].second;
    for (auto &p : iv) {
        if (p.first > cov) {
            gaps[(cov - base) / w] += p.first - cov;
        }
        cov = std::max(cov, p.second);
    }
    for (unsigned b = 0; b < RP_AGG_SERIES_BUCKETS; b++) {
        UNSIGNED_LONGLONGS_EQUAL(gaps[b], s[b].gap_ticks);
    }
}

TEST(Aggregate, TimeSeriesTotalsAndBuckets)
{
    check_time_series(512);
    check_time_series(5000);
    check_time_series(50000);
}

TEST(Aggregate, FootprintIndependentOfLength)
{
    std::vector<rp_record_t> evs = long_stream(2000, 31);
    AggPtr small = new_agg();
    add_all(small.get(), 0, evs, 256);
    rp_agg_finish(small.get());

    // The same mix, 1000 times longer (fed in a loop: the events are
    // shifted in time so the run keeps growing).
    AggPtr big = new_agg();
    uint64_t span_ticks = evs.back().start + evs.back().duration - evs.front().start + 100;
    std::vector<rp_record_t> shifted = evs;
    for (int rep = 0; rep < 1000; rep++) {
        for (size_t i = 0; i < evs.size(); i++) {
            shifted[i].start = evs[i].start + (uint64_t)rep * span_ticks;
        }
        add_all(big.get(), 0, shifted, 1000);
    }
    rp_agg_finish(big.get());
    UNSIGNED_LONGLONGS_EQUAL(1000 * evs.size(), rp_agg_totals(big.get())->events);
    UNSIGNED_LONGLONGS_EQUAL(rp_agg_footprint(small.get()), rp_agg_footprint(big.get()));
    CHECK(rp_agg_totals(big.get())->series_width > rp_agg_totals(small.get())->series_width);
    // Bounded by the header's limit whatever the stream.
    CHECK(rp_agg_footprint(big.get()) <
          (size_t)64 << 20);
}

// Segments are laid end to end in run time.
TEST(Aggregate, SegmentsEndToEnd)
{
    rp_device_info_t d0 = device(1000000, 4, 4);
    rp_device_info_t d1 = device(2000000, 4, 4);
    AggPtr a = new_agg();
    rp_agg_segment(a.get(), 0, &d0);
    std::vector<rp_record_t> s0 = {ev(RP_OP_READ, 5000, 100, 0), ev(RP_OP_READ, 5200, 100, 0)};
    add_all(a.get(), 0, s0);
    // Shift for segment 0: tick 5000 is run time 0.
    LONGS_EQUAL(-5000, rp_agg_time_shift(a.get()));
    UNSIGNED_LONGLONGS_EQUAL(300, rp_agg_totals(a.get())->run_ticks);   // state so far

    rp_agg_segment(a.get(), 1, &d1);   // device reset: the clock starts low again
    std::vector<rp_record_t> s1 = {ev(RP_OP_READ, 10, 50, 1), ev(RP_OP_READ, 100, 10, 1)};
    add_all(a.get(), 1, s1);
    LONGS_EQUAL(300 - 10, rp_agg_time_shift(a.get()));
    rp_agg_finish(a.get());

    const rp_agg_totals_t *t = rp_agg_totals(a.get());
    UNSIGNED_LONGS_EQUAL(2, t->segments);
    UNSIGNED_LONGLONGS_EQUAL(300 + 100, t->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(100 + 100 + 50 + 10, t->covered_ticks);
    UNSIGNED_LONGLONGS_EQUAL(100 + 40, t->gap_ticks);   // no gap across the reset
    UNSIGNED_LONGLONGS_EQUAL(2, t->gap_count);
    UNSIGNED_LONGLONGS_EQUAL(1000000, t->clock_hz);
    CHECK(t->mixed_clock);

    size_t n = 0;
    const rp_record_t *tl = rp_agg_timeline(a.get(), &n);
    UNSIGNED_LONGS_EQUAL(4, n);
    UNSIGNED_LONGLONGS_EQUAL(0, tl[0].start);
    UNSIGNED_LONGLONGS_EQUAL(200, tl[1].start);
    UNSIGNED_LONGLONGS_EQUAL(300, tl[2].start);
    UNSIGNED_LONGLONGS_EQUAL(390, tl[3].start);
    UNSIGNED_LONGS_EQUAL(1, tl[3].tile);
    // Series: width 2 (run time up to 390), segment 1's events after segment 0's.
    const rp_agg_bucket_t *s = rp_agg_series(a.get());
    UNSIGNED_LONGLONGS_EQUAL(2, t->series_width);
    UNSIGNED_LONGLONGS_EQUAL(1, s[0].count[RP_OP_READ]);
    UNSIGNED_LONGLONGS_EQUAL(1, s[100].count[RP_OP_READ]);
    UNSIGNED_LONGLONGS_EQUAL(1, s[150].count[RP_OP_READ]);
    UNSIGNED_LONGLONGS_EQUAL(1, s[195].count[RP_OP_READ]);
    UNSIGNED_LONGLONGS_EQUAL(100, s[50].gap_ticks);   // gap at run time 100
    UNSIGNED_LONGLONGS_EQUAL(40, s[175].gap_ticks);   // gap at run time 350
}

// Events added without a segment call start segment 0 on their own; a new
// segment index closes the previous segment.
TEST(Aggregate, SegmentsWithoutHello)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> s0 = {ev(RP_OP_MVM, 0, 10, 0, 0, 4, 0, 4)};
    std::vector<rp_record_t> s1 = {ev(RP_OP_MVM, 0, 20, 0, 0, 4, 0, 4)};
    add_all(a.get(), 0, s0);
    add_all(a.get(), 1, s1);
    rp_agg_finish(a.get());
    const rp_agg_totals_t *t = rp_agg_totals(a.get());
    UNSIGNED_LONGS_EQUAL(2, t->segments);
    UNSIGNED_LONGLONGS_EQUAL(30, t->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(30, t->covered_ticks);
    UNSIGNED_LONGLONGS_EQUAL(0, t->clock_hz);
    UNSIGNED_LONGLONGS_EQUAL(0, rp_agg_op(a.get(), RP_OP_MVM)->adc_rounds);
}

TEST(Aggregate, TimelineKeepsTheFirstEvents)
{
    std::vector<rp_record_t> evs = long_stream(RP_AGG_TIMELINE_EVENTS + 500, 41);
    AggPtr a = new_agg();
    add_all(a.get(), 0, evs, 1000);
    size_t n = 0;
    const rp_record_t *tl = rp_agg_timeline(a.get(), &n);
    UNSIGNED_LONGS_EQUAL(RP_AGG_TIMELINE_EVENTS, n);
    for (size_t i = 0; i < n; i++) {
        UNSIGNED_LONGLONGS_EQUAL(evs[i].start - evs[0].start, tl[i].start);
        UNSIGNED_LONGS_EQUAL(evs[i].duration, tl[i].duration);
        UNSIGNED_LONGS_EQUAL(evs[i].op, tl[i].op);
    }
}

// Accessors before finish show the state so far, and adding more later
// updates them.
TEST(Aggregate, StateSoFarBeforeFinish)
{
    AggPtr a = new_agg();
    std::vector<rp_record_t> e1 = {ev(RP_OP_WRITE, 0, 10, 1, 0, 1, 0, 4)};
    add_all(a.get(), 0, e1);
    UNSIGNED_LONGLONGS_EQUAL(1, rp_agg_op(a.get(), RP_OP_WRITE)->count);
    UNSIGNED_LONGLONGS_EQUAL(10, rp_agg_tile(a.get(), 1)->busy_ticks);
    std::vector<rp_record_t> e2 = {ev(RP_OP_WRITE, 20, 30, 1, 0, 1, 0, 4)};
    add_all(a.get(), 0, e2);
    UNSIGNED_LONGLONGS_EQUAL(2, rp_agg_op(a.get(), RP_OP_WRITE)->count);
    UNSIGNED_LONGLONGS_EQUAL(30, rp_agg_op(a.get(), RP_OP_WRITE)->hist->max);
    UNSIGNED_LONGLONGS_EQUAL(40, rp_agg_tile(a.get(), 1)->busy_ticks);
    UNSIGNED_LONGLONGS_EQUAL(2, rp_agg_tile(a.get(), 1)->hist->count);
    UNSIGNED_LONGLONGS_EQUAL(50, rp_agg_totals(a.get())->run_ticks);
}

#ifdef RP_SIM_BIN
// A real stream: the sim board's program workload (write-verify, reads),
// replayed through decoder and session into the aggregator. The
// aggregator's figures must agree with the session's own statistics, the
// events the test sees, and the model's ground truth of every operation.

namespace {

struct Replay {
    rp_agg_t *agg = nullptr;
    rp_session_t *s = nullptr;
    uint64_t episodes_opened = 0;   // VERIFY with iterations == 0
    uint64_t events = 0;
};

int replay_events(void *ctx, uint32_t seg, const rp_record_t *ev, size_t n)
{
    Replay *r = static_cast<Replay *>(ctx);
    for (size_t i = 0; i < n; i++) {
        r->episodes_opened += ev[i].op == RP_OP_VERIFY && ev[i].iterations == 0;
    }
    r->events += n;
    int rc = rp_agg_add(r->agg, seg, ev, n);
    return rc;
}

void replay_segment(void *ctx, uint32_t seg, const rp_device_info_t *info)
{
    rp_agg_segment(static_cast<Replay *>(ctx)->agg, seg, info);
}

int replay_msg(void *ctx, const rp_msg_t *m)
{
    return rp_session_apply(static_cast<Replay *>(ctx)->s, m);
}

}  // namespace

TEST(Aggregate, ReplaysASimCapture)
{
    char dir[] = "/tmp/rp_test_agg_XXXXXX";
    CHECK(mkdtemp(dir) != nullptr);
    std::string raw = std::string(dir) + "/stream.bin";
    std::string truth = std::string(dir) + "/truth.csv";
    std::string cmd = std::string(RP_SIM_BIN) +
                      " --transport stdio --workload program --autostart --events 30000 --quiet" +
                      " --truth " + truth + " < /dev/null > " + raw;
    LONGS_EQUAL(0, system(cmd.c_str()));

    Replay r;
    r.agg = rp_agg_create();
    rp_session_callbacks_t cb = {replay_events, replay_segment, &r};
    r.s = rp_session_create(&cb);
    rp_decoder_t *d = rp_decoder_create();
    LONGS_EQUAL(RP_OK, rp_capture_replay(raw.c_str(), d, replay_msg, &r, nullptr, nullptr));
    rp_agg_finish(r.agg);
    rp_session_stats_t st;
    rp_session_stats(r.s, &st);

    const rp_agg_totals_t *t = rp_agg_totals(r.agg);
    CHECK(t->events >= 30000);
    UNSIGNED_LONGLONGS_EQUAL(st.events, t->events);
    UNSIGNED_LONGLONGS_EQUAL(st.duration_ticks, t->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(t->run_ticks, t->covered_ticks + t->gap_ticks);
    CHECK(t->gap_count > 0);
    UNSIGNED_LONGLONGS_EQUAL(rp_session_device(r.s)->clock_hz, t->clock_hz);
    for (unsigned op = 0; op < 16; op++) {
        const rp_agg_stat_t *a = rp_agg_op(r.agg, op);
        UNSIGNED_LONGLONGS_EQUAL(st.ops[op].count, a->count);
        UNSIGNED_LONGLONGS_EQUAL(st.ops[op].ticks_total, a->busy_ticks);
        UNSIGNED_LONGLONGS_EQUAL(st.ops[op].not_ok, a->not_ok);
        if (a->count > 0) {
            UNSIGNED_LONGLONGS_EQUAL(st.ops[op].ticks_min, a->hist->min);
            UNSIGNED_LONGLONGS_EQUAL(st.ops[op].ticks_max, a->hist->max);
        }
    }
    CHECK(rp_agg_op(r.agg, RP_OP_WRITE)->count > 1000);
    // Every VERIFY(0) opened an episode.
    const rp_agg_wv_t *wv = rp_agg_wv(r.agg);
    UNSIGNED_LONGLONGS_EQUAL(r.episodes_opened, wv->episodes);
    UNSIGNED_LONGLONGS_EQUAL(rp_agg_op(r.agg, RP_OP_WRITE)->count, wv->pulses);

    // Ground truth: the busy time of each crossbar op kind is the sum of
    // the model's durations of the ops recorded (the first ones of each
    // kind, in the truth's order).
    std::ifstream in(truth);
    std::string line;
    std::getline(in, line);   // header
    std::map<std::string, std::pair<uint64_t, uint64_t>> truth_ops;   // count, ticks
    std::map<std::string, unsigned> op_of = {{"WRITE", RP_OP_WRITE}, {"VERIFY", RP_OP_VERIFY},
                                             {"READ", RP_OP_READ}, {"MVM", RP_OP_MVM},
                                             {"TRANSFER", RP_OP_TRANSFER}};
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string op, f;
        std::getline(ls, op, ',');
        std::vector<uint64_t> v;
        while (std::getline(ls, f, ',')) {
            v.push_back(std::stoull(f));
        }
        CHECK(v.size() == 4);
        auto it = op_of.find(op);
        CHECK(it != op_of.end());
        auto &p = truth_ops[op];
        if (p.first < rp_agg_op(r.agg, it->second)->count) {
            p.first++;
            p.second += v[3];
        }
    }
    for (auto &kv : truth_ops) {
        const rp_agg_stat_t *a = rp_agg_op(r.agg, op_of[kv.first]);
        UNSIGNED_LONGLONGS_EQUAL(a->count, kv.second.first);
        // One timer tick per op at most (the profiled duration is read
        // from the same virtual clock).
        uint64_t diff = a->busy_ticks > kv.second.second ? a->busy_ticks - kv.second.second
                                                         : kv.second.second - a->busy_ticks;
        CHECK(diff <= a->count);
    }
    CHECK(rp_agg_footprint(r.agg) < (size_t)64 << 20);

    rp_decoder_destroy(d);
    rp_session_destroy(r.s);
    rp_agg_destroy(r.agg);
    unlink(raw.c_str());
    unlink(truth.c_str());
    rmdir(dir);
}
#endif

// ADC rounds and slices follow each segment's own geometry.
TEST(Aggregate, GeometryPerSegment)
{
    rp_device_info_t d0 = device(1000000, 8, 4);
    rp_device_info_t d1 = device(1000000, 4, 8);
    AggPtr a = new_agg();
    rp_agg_segment(a.get(), 0, &d0);
    std::vector<rp_record_t> mvm = {ev(RP_OP_MVM, 0, 10, 0, 0, 8, 0, 16),
                                    ev(RP_OP_READ, 20, 10, 0, 0, 1, 0, 16)};
    add_all(a.get(), 0, mvm);
    // Segment 0: MVM 4 * ceil(16/8) = 8, READ 2.
    UNSIGNED_LONGLONGS_EQUAL(8, rp_agg_op(a.get(), RP_OP_MVM)->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(4, rp_agg_op(a.get(), RP_OP_MVM)->slices);
    rp_agg_segment(a.get(), 1, &d1);
    add_all(a.get(), 1, mvm);
    rp_agg_finish(a.get());
    // Segment 1: MVM 8 * ceil(16/4) = 32, READ 4.
    UNSIGNED_LONGLONGS_EQUAL(8 + 32, rp_agg_op(a.get(), RP_OP_MVM)->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(4 + 8, rp_agg_op(a.get(), RP_OP_MVM)->slices);
    UNSIGNED_LONGLONGS_EQUAL(2 + 4, rp_agg_op(a.get(), RP_OP_READ)->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(2 + 4 + 8 + 32, rp_agg_tile(a.get(), 0)->adc_rounds);
    UNSIGNED_LONGLONGS_EQUAL(2 * 128, rp_agg_op(a.get(), RP_OP_MVM)->macs);
}

// A segment told again (its Hello came after its first events) keeps its
// events and takes the newer device description.
TEST(Aggregate, SameSegmentToldAgain)
{
    AggPtr a = new_agg();
    rp_device_info_t none;
    memset(&none, 0, sizeof none);
    rp_agg_segment(a.get(), 0, &none);
    std::vector<rp_record_t> e1 = {ev(RP_OP_MVM, 100, 10, 0, 0, 8, 0, 16)};
    add_all(a.get(), 0, e1);
    rp_device_info_t d = device(5000000, 8, 4);
    rp_agg_segment(a.get(), 0, &d);
    std::vector<rp_record_t> e2 = {ev(RP_OP_MVM, 200, 10, 0, 0, 8, 0, 16)};
    add_all(a.get(), 0, e2);
    rp_agg_finish(a.get());
    const rp_agg_totals_t *t = rp_agg_totals(a.get());
    UNSIGNED_LONGS_EQUAL(1, t->segments);
    UNSIGNED_LONGLONGS_EQUAL(110, t->run_ticks);
    UNSIGNED_LONGLONGS_EQUAL(5000000, t->clock_hz);
    CHECK_FALSE(t->mixed_clock);
    UNSIGNED_LONGLONGS_EQUAL(8, rp_agg_op(a.get(), RP_OP_MVM)->adc_rounds);   // the second MVM
    UNSIGNED_LONGLONGS_EQUAL(8, rp_agg_op(a.get(), RP_OP_MVM)->slices);       // both, 4 bits
}
