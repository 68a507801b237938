// RRAM memory analytics: hand-built event streams with known answers for
// every metric, and random streams checked against a naive model that
// handles each row access one by one (the module gathers MVM reads in runs
// and keeps working sets as bucket masks; the model does neither).
// Standard headers first: CppUTest redefines new for leak checks.
#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <CppUTest/TestHarness.h>

#include "rramprof/rp_memuse.h"
#include "rramprof/rp_status.h"

namespace {

rp_device_info_t geometry(uint32_t tiles, uint32_t rows, uint64_t endurance = 0)
{
    rp_device_info_t d;
    memset(&d, 0, sizeof d);
    d.valid = true;
    d.tiles = tiles;
    d.rows = rows;
    d.cols = 64;
    d.endurance_cycles = endurance;
    d.clock_hz = 1000;
    return d;
}

// Builds event streams the way the firmware records them (rp_xbar.c, rp_wv.c).
struct Stream {
    std::vector<rp_record_t> ev;

    void add(uint8_t op, uint64_t t, uint8_t tile, uint16_t row, uint16_t rows, uint8_t it = 0,
             uint32_t dur = 1)
    {
        rp_record_t r;
        memset(&r, 0, sizeof r);
        r.op = op;
        r.start = t;
        r.duration = dur;
        r.tile = tile;
        r.row = row;
        r.rows = rows;
        r.iterations = it;
        r.cols = 64;
        ev.push_back(r);
    }
    void read(uint8_t tile, uint16_t row, uint64_t t) { add(RP_OP_READ, t, tile, row, 1); }
    void mvm(uint8_t tile, uint16_t row, uint16_t rows, uint64_t t)
    {
        add(RP_OP_MVM, t, tile, row, rows);
    }
    // Write-verify of one row: VERIFY(0) at t, then per pulse k WRITE(k) and
    // VERIFY(k + 1), each event one tick long. Returns the program's end.
    uint64_t program(uint8_t tile, uint16_t row, uint64_t t, unsigned pulses)
    {
        add(RP_OP_VERIFY, t, tile, row, 1, 0);
        for (unsigned k = 0; k < pulses; k++) {
            add(RP_OP_WRITE, t + 1 + 2 * k, tile, row, 1, (uint8_t)k);
            add(RP_OP_VERIFY, t + 2 + 2 * k, tile, row, 1, (uint8_t)(k + 1));
        }
        return t + 1 + 2 * pulses;
    }
    void other(uint8_t op, uint64_t t) { add(op, t, 0, 0, 0); }
};

}  // namespace

TEST_GROUP(memuse)
{
    rp_memuse_t *m = nullptr;

    void setup() override
    {
        m = rp_memuse_create();
        CHECK(m != nullptr);
    }
    void teardown() override { rp_memuse_destroy(m); }

    void feed(const Stream &s, int64_t shift = 0)
    {
        LONGS_EQUAL(RP_OK, rp_memuse_add(m, s.ev.data(), s.ev.size(), shift));
    }
    void start(uint32_t tiles, uint32_t rows, uint64_t endurance = 0)
    {
        rp_device_info_t d = geometry(tiles, rows, endurance);
        rp_memuse_segment(m, 0, &d);
    }
    const rp_memuse_area_t *tile(uint32_t t)
    {
        const rp_memuse_area_t *a = rp_memuse_tile(m, t);
        CHECK(a != nullptr);
        return a;
    }
    const rp_memuse_area_t *region(uint32_t t, uint32_t r)
    {
        const rp_memuse_area_t *a = rp_memuse_region(m, t, r);
        CHECK(a != nullptr);
        return a;
    }
};

TEST(memuse, label_names)
{
    STRCMP_EQUAL("unused", rp_memuse_label_name(RP_MEMUSE_UNUSED));
    STRCMP_EQUAL("good", rp_memuse_label_name(RP_MEMUSE_GOOD));
    STRCMP_EQUAL("marginal", rp_memuse_label_name(RP_MEMUSE_MARGINAL));
    STRCMP_EQUAL("poor", rp_memuse_label_name(RP_MEMUSE_POOR));
    STRCMP_EQUAL("unknown", rp_memuse_label_name(7));
}

TEST(memuse, write_once_ratio_and_reads_per_write)
{
    start(1, 4);
    Stream s;
    s.program(0, 0, 0, 1);    // ends at 3
    s.program(0, 1, 10, 2);   // ends at 15, re-programmed before any read: dead
    s.program(0, 1, 20, 0);   // converged at once: one VERIFY, ends at 21
    s.program(0, 2, 30, 1);   // never read: dead
    s.read(0, 0, 40);
    s.read(0, 0, 41);
    s.read(0, 0, 42);
    s.read(0, 1, 43);
    feed(s);
    rp_memuse_finish(m, 100, 1000);

    const rp_memuse_area_t *a = tile(0);
    LONGS_EQUAL(0, a->row_first);
    LONGS_EQUAL(4, a->row_count);
    LONGS_EQUAL(3, a->rows_accessed);
    LONGS_EQUAL(3, a->rows_programmed);
    LONGS_EQUAL(2, a->rows_programmed_once);
    DOUBLES_EQUAL(2.0 / 3.0, a->write_once_ratio, 1e-12);
    LONGS_EQUAL(4, a->programs);
    LONGS_EQUAL(4, a->pulses);
    LONGS_EQUAL(4, a->reads);
    DOUBLES_EQUAL(1.0, a->reads_per_write, 0.0);
    LONGS_EQUAL(2, a->dead_writes);
    // Retention: row 0 42 - 3 = 39, row 1 0 (dead) and 43 - 21 = 22, row 2 0.
    DOUBLES_EQUAL(61.0 / 4.0, a->retention_mean, 1e-12);
    LONGS_EQUAL(39, a->retention_max);
    // Intervals: row 0 at 0, 40, 41, 42; row 1 at 10, 20, 43.
    DOUBLES_EQUAL((40.0 + 1 + 1 + 10 + 23) / 5.0, a->interval_mean, 1e-12);
    LONGS_EQUAL(2, a->max_row_pulses);
    CHECK(a->lifetime_s < 0.0);   // endurance unknown
    LONGS_EQUAL(RP_MEMUSE_MARGINAL, a->label);
    STRCMP_EQUAL("write-once 66.6% < 90%, 1.0 reads/write", a->reason);

    const rp_hist_t *iv = rp_memuse_intervals(m, 0);
    CHECK(iv != nullptr);
    LONGS_EQUAL(5, iv->count);
    LONGS_EQUAL(1, iv->min);
    LONGS_EQUAL(40, iv->max);
    LONGS_EQUAL(2, iv->buckets[rp_hist_bucket_of(1)]);
    POINTERS_EQUAL(nullptr, rp_memuse_intervals(m, 1));
}

TEST(memuse, retention_dead_writes_and_reads_after_reprogramming)
{
    start(1, 4);
    Stream s;
    s.program(0, 0, 0, 1);     // ends at 3
    s.read(0, 2, 5);           // row 2 holds data from before the capture
    s.read(0, 0, 10);
    s.read(0, 0, 20);          // last read of the first program: 17
    s.program(0, 0, 30, 1);    // ends at 33
    s.read(0, 0, 60);          // belongs to the second program: 27
    s.program(0, 1, 100, 0);   // never read
    s.program(0, 2, 200, 1);   // the read at 5 came before it: dead
    feed(s);
    rp_memuse_finish(m, 300, 1000);

    const rp_memuse_area_t *a = tile(0);
    LONGS_EQUAL(4, a->programs);
    LONGS_EQUAL(2, a->dead_writes);
    DOUBLES_EQUAL((17.0 + 27.0) / 4.0, a->retention_mean, 1e-12);
    LONGS_EQUAL(27, a->retention_max);

    const rp_hist_t *h = rp_memuse_retention(m, 0);
    CHECK(h != nullptr);
    LONGS_EQUAL(4, h->count);
    LONGS_EQUAL(0, h->min);
    LONGS_EQUAL(27, h->max);
    LONGS_EQUAL(2, h->buckets[rp_hist_bucket_of(0)]);
    LONGS_EQUAL(1, h->buckets[rp_hist_bucket_of(17)]);

    // One row per region here.
    LONGS_EQUAL(4, rp_memuse_totals(m)->regions_per_tile);
    const rp_memuse_area_t *r0 = region(0, 0);
    LONGS_EQUAL(2, r0->programs);
    LONGS_EQUAL(0, r0->dead_writes);
    DOUBLES_EQUAL(22.0, r0->retention_mean, 1e-12);
    LONGS_EQUAL(1, r0->rows_programmed);
    LONGS_EQUAL(0, r0->rows_programmed_once);
    DOUBLES_EQUAL(0.0, r0->write_once_ratio, 0.0);
    const rp_memuse_area_t *r1 = region(0, 1);
    LONGS_EQUAL(1, r1->dead_writes);
    DOUBLES_EQUAL(0.0, r1->retention_mean, 0.0);
    LONGS_EQUAL(RP_MEMUSE_POOR, r1->label);   // 0 reads per write
    const rp_memuse_area_t *r2 = region(0, 2);
    LONGS_EQUAL(1, r2->reads);
    LONGS_EQUAL(1, r2->programs);
    LONGS_EQUAL(1, r2->dead_writes);
    DOUBLES_EQUAL(1.0, r2->reads_per_write, 0.0);
    LONGS_EQUAL(RP_MEMUSE_UNUSED, region(0, 3)->label);
}

TEST(memuse, program_end_is_its_last_step_and_stray_steps_start_programs)
{
    start(1, 4);
    Stream s;
    s.program(0, 0, 0, 3);               // ends at 7
    s.add(RP_OP_WRITE, 10, 0, 1, 1, 4);  // its VERIFY(0) was lost: a program of row 1
    s.add(RP_OP_VERIFY, 11, 0, 1, 1, 5); // ... that ends at 12
    s.add(RP_OP_VERIFY, 14, 0, 2, 1, 0); // a VERIFY(0) elsewhere closes row 1's steps
    s.add(RP_OP_WRITE, 16, 0, 1, 1, 6);  // so this is another program of row 1
    s.read(0, 0, 20);
    s.read(0, 1, 30);
    feed(s);
    rp_memuse_finish(m, 40, 1000);
    const rp_memuse_area_t *r0 = region(0, 0);
    LONGS_EQUAL(1, r0->programs);
    LONGS_EQUAL(3, r0->pulses);
    DOUBLES_EQUAL(13.0, r0->retention_mean, 0.0);   // 20 - 7
    const rp_memuse_area_t *r1 = region(0, 1);
    LONGS_EQUAL(2, r1->programs);
    LONGS_EQUAL(2, r1->pulses);
    LONGS_EQUAL(1, r1->dead_writes);
    LONGS_EQUAL(13, r1->retention_max);   // 30 - 17
    const uint32_t *p = rp_memuse_row_pulses(m, 0);
    CHECK(p != nullptr);
    LONGS_EQUAL(3, p[0]);
    LONGS_EQUAL(2, p[1]);
    LONGS_EQUAL(0, p[2]);
}

TEST(memuse, inter_access_intervals_with_mvm_runs)
{
    start(1, 8);
    Stream s;
    s.mvm(0, 0, 4, 100);
    s.other(RP_OP_TRANSFER, 105);
    s.mvm(0, 0, 4, 110);
    s.read(0, 1, 115);      // inside the MVM rows
    s.mvm(0, 0, 4, 130);
    s.mvm(0, 2, 4, 150);    // other rows of the same tile
    s.read(0, 7, 160);
    feed(s);
    rp_memuse_finish(m, 200, 1000);

    // row 0: 10 20; row 1: 10 5 15; rows 2, 3: 10 20 20; rows 4, 5, 7: none.
    const rp_hist_t *h = rp_memuse_intervals(m, 0);
    LONGS_EQUAL(11, h->count);
    LONGS_EQUAL(4, h->buckets[rp_hist_bucket_of(10)]);
    LONGS_EQUAL(5, h->buckets[rp_hist_bucket_of(20)]);
    LONGS_EQUAL(1, h->buckets[rp_hist_bucket_of(5)]);
    LONGS_EQUAL(1, h->buckets[rp_hist_bucket_of(15)]);
    DOUBLES_EQUAL(160.0, h->sum, 0.0);

    const rp_memuse_area_t *a = tile(0);
    LONGS_EQUAL(18, a->reads);
    LONGS_EQUAL(7, a->rows_accessed);
    DOUBLES_EQUAL(160.0 / 11.0, a->interval_mean, 1e-12);
    DOUBLES_EQUAL(18.0, a->reads_per_write, 0.0);   // reads when nothing is programmed
    LONGS_EQUAL(RP_MEMUSE_GOOD, a->label);          // only read
    const rp_memuse_area_t *r1 = region(0, 1);
    LONGS_EQUAL(4, r1->reads);
    DOUBLES_EQUAL(10.0, r1->interval_mean, 1e-12);
    LONGS_EQUAL(RP_MEMUSE_UNUSED, region(0, 6)->label);
}

// Width 1 until t = 256 arrives; then 2. Row 0 read at 0 and 1 was in two
// buckets and must count once after the merge; tile 1's MVM run is still
// pending (not folded into rows) when the width doubles.
static Stream doubling_stream()
{
    Stream s;
    s.read(0, 0, 0);
    s.read(0, 0, 1);
    s.read(0, 1, 1);
    s.mvm(1, 4, 4, 2);
    s.mvm(1, 4, 4, 3);
    s.read(0, 2, 255);
    s.read(0, 3, 256);
    s.mvm(1, 4, 4, 300);
    return s;
}

TEST(memuse, working_set_across_width_doubling)
{
    start(2, 8);
    feed(doubling_stream());
    rp_memuse_finish(m, 301, 1000);
    const rp_memuse_totals_t *t = rp_memuse_totals(m);
    LONGS_EQUAL(2, t->series_width);
    LONGS_EQUAL(151, t->series_used);
    const uint32_t *ws = rp_memuse_working_set(m);
    std::vector<uint32_t> want(RP_AGG_SERIES_BUCKETS, 0);
    want[0] = 2;     // rows 0, 1 of tile 0 (t 0, 1)
    want[1] = 4;     // tile 1 rows 4..7 (t 2, 3)
    want[127] = 1;   // t 255
    want[128] = 1;   // t 256
    want[150] = 4;   // t 300
    for (unsigned i = 0; i < RP_AGG_SERIES_BUCKETS; i++) {
        LONGS_EQUAL(want[i], ws[i]);
    }
}

// The aggregator also places gaps in buckets: the idle time after the last
// device op (here up to the end of an enclosing span) starts at 520, beyond
// every event start, and widens its buckets to 4 ticks. The working set
// must use the same buckets.
TEST(memuse, working_set_buckets_follow_the_trailing_gap)
{
    start(2, 8);
    Stream s = doubling_stream();
    s.add(RP_OP_MVM, 500, 1, 4, 4, 0, 20);   // ends at 520
    s.add(RP_OP_SPAN, 0, 0, 0, 0, 0, 600);   // recorded when it ends
    feed(s);
    rp_memuse_finish(m, 600, 1000);
    const rp_memuse_totals_t *t = rp_memuse_totals(m);
    LONGS_EQUAL(4, t->series_width);
    LONGS_EQUAL(131, t->series_used);
    const uint32_t *ws = rp_memuse_working_set(m);
    std::vector<uint32_t> want(RP_AGG_SERIES_BUCKETS, 0);
    want[0] = 6;
    want[63] = 1;
    want[64] = 1;
    want[75] = 4;
    want[125] = 4;
    for (unsigned i = 0; i < RP_AGG_SERIES_BUCKETS; i++) {
        LONGS_EQUAL(want[i], ws[i]);
    }
}

TEST(memuse, working_set_buckets_without_trailing_gap)
{
    start(2, 8);
    Stream s = doubling_stream();
    s.add(RP_OP_MVM, 500, 1, 4, 4, 0, 20);
    feed(s);
    rp_memuse_finish(m, 520, 1000);
    LONGS_EQUAL(2, rp_memuse_totals(m)->series_width);
    LONGS_EQUAL(251, rp_memuse_totals(m)->series_used);
    LONGS_EQUAL(4, rp_memuse_working_set(m)[250]);
}

TEST(memuse, regions_with_remainders)
{
    start(1, 100);
    Stream s;
    for (uint16_t r : {5, 6, 89, 90, 99}) {
        s.read(0, r, 10 + r);
    }
    feed(s);
    rp_memuse_finish(m, 200, 1000);
    LONGS_EQUAL(16, rp_memuse_totals(m)->regions_per_tile);
    for (uint32_t i = 0; i < 15; i++) {
        LONGS_EQUAL(6 * i, region(0, i)->row_first);
        LONGS_EQUAL(6, region(0, i)->row_count);
    }
    LONGS_EQUAL(90, region(0, 15)->row_first);
    LONGS_EQUAL(10, region(0, 15)->row_count);
    POINTERS_EQUAL(nullptr, rp_memuse_region(m, 0, 16));
    POINTERS_EQUAL(nullptr, rp_memuse_region(m, 1, 0));
    LONGS_EQUAL(1, region(0, 0)->rows_accessed);
    LONGS_EQUAL(1, region(0, 1)->rows_accessed);
    LONGS_EQUAL(1, region(0, 14)->rows_accessed);
    LONGS_EQUAL(2, region(0, 15)->rows_accessed);
    LONGS_EQUAL(RP_MEMUSE_UNUSED, region(0, 2)->label);
    LONGS_EQUAL(5, tile(0)->rows_accessed);
    LONGS_EQUAL(100, tile(0)->row_count);
}

TEST(memuse, fewer_rows_than_regions)
{
    start(2, 5);
    rp_memuse_finish(m, 0, 0);
    LONGS_EQUAL(5, rp_memuse_totals(m)->regions_per_tile);
    for (uint32_t i = 0; i < 5; i++) {
        LONGS_EQUAL(i, region(1, i)->row_first);
        LONGS_EQUAL(1, region(1, i)->row_count);
        LONGS_EQUAL(1, region(1, i)->tile);
    }
    POINTERS_EQUAL(nullptr, rp_memuse_region(m, 0, 5));
}

TEST(memuse, remainder_region_of_twenty_rows)
{
    start(1, 20);
    rp_memuse_finish(m, 0, 0);
    LONGS_EQUAL(14, region(0, 14)->row_first);
    LONGS_EQUAL(1, region(0, 14)->row_count);
    LONGS_EQUAL(15, region(0, 15)->row_first);
    LONGS_EQUAL(5, region(0, 15)->row_count);
}

// Labels at and around each threshold. rows_once rows are programmed once,
// rows_twice twice (0 pulses: already converged), then `reads` row reads.
static Stream label_stream(unsigned rows_once, unsigned rows_twice, unsigned reads)
{
    Stream s;
    uint64_t t = 0;
    unsigned rows = rows_once + rows_twice;
    for (unsigned r = 0; r < rows; r++) {
        t = s.program(0, (uint16_t)r, t, 0) + 1;
    }
    for (unsigned r = rows_once; r < rows; r++) {
        t = s.program(0, (uint16_t)r, t, 0) + 1;
    }
    // Whole MVMs over the rows, the rest as READs of row 0.
    for (unsigned i = 0; i + rows <= reads; i += rows) {
        s.mvm(0, 0, (uint16_t)rows, t++);
    }
    for (unsigned i = 0; i < reads % rows; i++) {
        s.read(0, 0, t++);
    }
    return s;
}

TEST(memuse, label_good_exactly_at_both_good_thresholds)
{
    start(1, 16);
    feed(label_stream(9, 1, 110));   // write-once 9/10, 110 reads / 11 programs
    rp_memuse_finish(m, 1000, 1000);
    const rp_memuse_area_t *a = tile(0);
    DOUBLES_EQUAL(RP_MEMUSE_GOOD_WRITE_ONCE, a->write_once_ratio, 0.0);
    DOUBLES_EQUAL(RP_MEMUSE_GOOD_READS_PER_WRITE, a->reads_per_write, 0.0);
    LONGS_EQUAL(RP_MEMUSE_GOOD, a->label);
    CHECK(strstr(a->reason, "write-once 90%") != nullptr);
}

TEST(memuse, label_marginal_just_below_good_reads_per_write)
{
    start(1, 16);
    feed(label_stream(9, 1, 109));
    rp_memuse_finish(m, 1000, 1000);
    const rp_memuse_area_t *a = tile(0);
    DOUBLES_EQUAL(109.0 / 11.0, a->reads_per_write, 1e-12);
    LONGS_EQUAL(RP_MEMUSE_MARGINAL, a->label);
    STRCMP_EQUAL("9.90 reads/write < 10, write-once 90%", a->reason);
}

TEST(memuse, label_marginal_just_below_good_write_once)
{
    start(1, 16);
    feed(label_stream(8, 2, 120));   // 0.8 write-once, 10 reads per write
    rp_memuse_finish(m, 1000, 1000);
    const rp_memuse_area_t *a = tile(0);
    DOUBLES_EQUAL(0.8, a->write_once_ratio, 1e-12);
    DOUBLES_EQUAL(10.0, a->reads_per_write, 0.0);
    LONGS_EQUAL(RP_MEMUSE_MARGINAL, a->label);
}

TEST(memuse, label_marginal_exactly_at_poor_reads_per_write)
{
    start(1, 16);
    feed(label_stream(4, 0, 4));
    rp_memuse_finish(m, 1000, 1000);
    DOUBLES_EQUAL(RP_MEMUSE_POOR_READS_PER_WRITE, tile(0)->reads_per_write, 0.0);
    LONGS_EQUAL(RP_MEMUSE_MARGINAL, tile(0)->label);
}

TEST(memuse, label_poor_just_below_poor_reads_per_write)
{
    start(1, 16);
    feed(label_stream(4, 0, 3));
    rp_memuse_finish(m, 1000, 1000);
    DOUBLES_EQUAL(0.75, tile(0)->reads_per_write, 0.0);
    LONGS_EQUAL(RP_MEMUSE_POOR, tile(0)->label);
    CHECK(strstr(tile(0)->reason, "0.75 reads/write") != nullptr);
}

// One row, one pulse, read 10 times, over 1 s of run time (with a 1000 Hz
// clock and run_ticks 1000).
static Stream lifetime_stream()
{
    Stream s;
    uint64_t t = s.program(0, 0, 0, 1);
    for (unsigned i = 0; i < 10; i++) {
        s.read(0, 0, t + i);
    }
    return s;
}

// Ten rows: rows 0-8 programmed once without a pulse, row 9 programmed
// with one pulse, read, and re-programmed with one pulse (one recurring
// pulse; with reread false the read is left out and the second program is
// a reload), then row reads up to 110 in all. Write-once 0.9, 10 reads per
// write: good unless the rewrites wear out.
static Stream rewrite_stream(bool reread = true)
{
    Stream s;
    uint64_t t = 0;
    for (uint16_t r = 0; r < 10; r++) {
        t = s.program(0, r, t, r == 9 ? 1u : 0u) + 1;
    }
    if (reread) {
        s.read(0, 9, t++);
    }
    t = s.program(0, 9, t, 1) + 1;
    for (unsigned i = 0; i < 10; i++) {
        s.mvm(0, 0, 10, t++);
    }
    for (unsigned i = reread ? 1 : 0; i < 10; i++) {
        s.read(0, 0, t++);
    }
    return s;
}

TEST(memuse, label_good_when_rewrites_wear_out_in_exactly_ten_years)
{
    // Row 9: 2 pulses, 1 recurring per second: (E - 2) s to the limit.
    start(1, 16, 315576002ull);
    feed(rewrite_stream());
    rp_memuse_finish(m, 1000, 1000);
    const rp_memuse_area_t *a = tile(0);
    DOUBLES_EQUAL(0.9, a->write_once_ratio, 0.0);
    DOUBLES_EQUAL(10.0, a->reads_per_write, 0.0);
    LONGS_EQUAL(RP_MEMUSE_GOOD, a->label);
    CHECK(strstr(a->reason, "rewrites wear out in 10 years") != nullptr);
    // lifetime_s is the plain projection of all 2 pulses: half as long.
    DOUBLES_EQUAL(RP_MEMUSE_POOR_LIFETIME_S / 2.0, a->lifetime_s, 0.0);
}

TEST(memuse, label_poor_when_rewrites_wear_out_just_under_ten_years)
{
    start(1, 16, 315576001ull);
    feed(rewrite_stream());
    rp_memuse_finish(m, 1000, 1000);
    LONGS_EQUAL(RP_MEMUSE_POOR, tile(0)->label);
    CHECK(strstr(tile(0)->reason, "rewrites wear out in") != nullptr);
    LONGS_EQUAL(RP_MEMUSE_POOR, region(0, 9)->label);   // the rewritten row
    LONGS_EQUAL(RP_MEMUSE_GOOD, region(0, 8)->label);   // written once, read 10 times
}

TEST(memuse, reprogramming_before_any_read_is_a_reload_not_wear)
{
    start(1, 16, 315576001ull);
    feed(rewrite_stream(false));
    rp_memuse_finish(m, 1000, 1000);
    const rp_memuse_area_t *a = tile(0);
    LONGS_EQUAL(110, a->reads);
    LONGS_EQUAL(1, a->dead_writes);
    LONGS_EQUAL(RP_MEMUSE_GOOD, a->label);
    CHECK(strstr(a->reason, "no recurring wear") != nullptr);
}

TEST(memuse, data_written_once_has_no_recurring_wear)
{
    // 16 pulses in a 1 s run would reach 1e6 cycles in 17 hours if they
    // went on, but the row is programmed once: weights loaded, then read.
    start(1, 4, 1000000);
    Stream s;
    uint64_t t = s.program(0, 0, 0, 16);
    for (unsigned i = 0; i < 10; i++) {
        s.read(0, 0, t + i);
    }
    feed(s);
    rp_memuse_finish(m, 1000, 1000);
    const rp_memuse_area_t *a = tile(0);
    DOUBLES_EQUAL((1000000.0 - 16.0) / 16.0, a->lifetime_s, 1e-9);
    LONGS_EQUAL(RP_MEMUSE_GOOD, a->label);
    CHECK(strstr(a->reason, "no recurring wear") != nullptr);
}

TEST(memuse, pulses_of_a_program_opened_by_a_write_are_rewrite_wear)
{
    start(1, 4, 1000);
    Stream s;
    uint64_t t = s.program(0, 0, 0, 2);
    for (unsigned i = 0; i < 10; i++) {
        s.read(0, 0, t + i);
    }
    s.add(RP_OP_WRITE, 100, 0, 0, 1, 0);   // lost VERIFY(0): a second program
    for (unsigned i = 0; i < 10; i++) {
        s.read(0, 0, 200 + i);
    }
    feed(s);
    rp_memuse_finish(m, 1000, 1000);
    // 1 recurring pulse per second, 3 pulses so far: 997 s to the limit.
    LONGS_EQUAL(2, tile(0)->programs);
    LONGS_EQUAL(RP_MEMUSE_POOR, tile(0)->label);
    STRCMP_EQUAL("rewrites wear out in 997 s (< 10 years)", tile(0)->reason);
}

TEST(memuse, label_poor_when_worn_out)
{
    start(1, 4, 1);   // endurance 1 cycle, 1 pulse: no life left
    feed(lifetime_stream());
    rp_memuse_finish(m, 1000, 1000);
    DOUBLES_EQUAL(0.0, tile(0)->lifetime_s, 0.0);
    LONGS_EQUAL(RP_MEMUSE_POOR, tile(0)->label);
    CHECK(strstr(tile(0)->reason, "worn out") != nullptr);
}

TEST(memuse, lifetime_unknown_without_clock)
{
    start(1, 4, 1000);
    feed(lifetime_stream());
    rp_memuse_finish(m, 1000, 0);
    CHECK(tile(0)->lifetime_s < 0.0);
    LONGS_EQUAL(RP_MEMUSE_GOOD, tile(0)->label);
    LONGS_EQUAL(1, rp_memuse_totals(m)->hotspot_count);
    DOUBLES_EQUAL(0.0, rp_memuse_totals(m)->hotspots[0].pulses_per_s, 0.0);
}

TEST(memuse, hotspots_and_lifetime)
{
    start(2, 4, 1000);
    Stream s;
    s.program(1, 0, 0, 1);
    s.program(0, 3, 10, 3);
    s.program(0, 1, 20, 5);
    s.program(1, 2, 40, 3);
    feed(s);
    rp_memuse_finish(m, 2000, 1000);   // 2 s
    const rp_memuse_totals_t *t = rp_memuse_totals(m);
    LONGS_EQUAL(1000, t->endurance_cycles);
    LONGS_EQUAL(4, t->hotspot_count);
    const uint32_t want[4][3] = {{0, 1, 5}, {0, 3, 3}, {1, 2, 3}, {1, 0, 1}};
    for (unsigned i = 0; i < 4; i++) {
        LONGS_EQUAL(want[i][0], t->hotspots[i].tile);
        LONGS_EQUAL(want[i][1], t->hotspots[i].row);
        LONGS_EQUAL(want[i][2], t->hotspots[i].pulses);
        double p = want[i][2];
        DOUBLES_EQUAL(p / 2.0, t->hotspots[i].pulses_per_s, 1e-9);
        DOUBLES_EQUAL((1000.0 - p) / (p / 2.0), t->hotspots[i].lifetime_s, 1e-9);
    }
    LONGS_EQUAL(8, tile(0)->pulses);
    LONGS_EQUAL(5, tile(0)->max_row_pulses);
    DOUBLES_EQUAL(398.0, tile(0)->lifetime_s, 1e-9);
    DOUBLES_EQUAL(2.0 * 997.0 / 3.0, tile(1)->lifetime_s, 1e-9);
    LONGS_EQUAL(RP_MEMUSE_POOR, tile(0)->label);   // never read, and worn fast
    const uint32_t *p0 = rp_memuse_row_pulses(m, 0);
    const uint32_t *p1 = rp_memuse_row_pulses(m, 1);
    LONGS_EQUAL(5, p0[1]);
    LONGS_EQUAL(3, p0[3]);
    LONGS_EQUAL(1, p1[0]);
    LONGS_EQUAL(3, p1[2]);
    LONGS_EQUAL(0, p1[3]);
    POINTERS_EQUAL(nullptr, rp_memuse_row_pulses(m, 2));
}

TEST(memuse, hotspots_keep_the_most_pulsed_rows)
{
    start(1, 32, 1000000);
    Stream s;
    uint64_t t = 0;
    for (uint16_t r = 0; r < 20; r++) {
        t = s.program(0, r, t, r + 1u) + 1;
    }
    feed(s);
    rp_memuse_finish(m, t, 1000);
    const rp_memuse_totals_t *tot = rp_memuse_totals(m);
    LONGS_EQUAL(RP_MEMUSE_MAX_HOTSPOTS, tot->hotspot_count);
    for (unsigned i = 0; i < RP_MEMUSE_MAX_HOTSPOTS; i++) {
        LONGS_EQUAL(19 - i, tot->hotspots[i].row);
        LONGS_EQUAL(20 - i, tot->hotspots[i].pulses);
    }
}

TEST(memuse, geometry_grows_between_segments)
{
    rp_device_info_t small = geometry(2, 4, 5000);
    rp_memuse_segment(m, 0, &small);
    Stream s0;
    s0.program(1, 3, 0, 2);   // ends at 5
    s0.read(3, 0, 6);         // tile 3 does not exist yet
    s0.add(RP_OP_VERIFY, 7, 0, 0, 1, 0);
    s0.add(RP_OP_WRITE, 8, 0, 0, 1, 0);   // a program cut by the reset
    feed(s0);
    rp_device_info_t big = geometry(4, 8, 8000);
    rp_memuse_segment(m, 1, &big);
    Stream s1;
    s1.read(1, 3, 0);                       // run time 100
    s1.read(3, 7, 10);                      // run time 110
    s1.add(RP_OP_WRITE, 20, 0, 0, 1, 1);    // after the reset: a new program
    feed(s1, 100);
    rp_device_info_t smaller = geometry(1, 2);
    rp_memuse_segment(m, 2, &smaller);
    rp_memuse_finish(m, 200, 1000);

    const rp_memuse_totals_t *t = rp_memuse_totals(m);
    LONGS_EQUAL(4, t->tiles);
    LONGS_EQUAL(8, t->rows_per_tile);
    LONGS_EQUAL(8, t->regions_per_tile);
    LONGS_EQUAL(1, t->untracked);
    LONGS_EQUAL(5000, t->endurance_cycles);   // the smallest reported
    const rp_memuse_area_t *r13 = region(1, 3);
    LONGS_EQUAL(1, r13->programs);
    LONGS_EQUAL(2, r13->pulses);
    LONGS_EQUAL(1, r13->reads);
    DOUBLES_EQUAL(95.0, r13->retention_mean, 0.0);   // 100 - 5
    LONGS_EQUAL(1, region(3, 7)->reads);
    LONGS_EQUAL(2, region(0, 0)->programs);
    LONGS_EQUAL(2, region(0, 0)->pulses);
    LONGS_EQUAL(2, rp_memuse_row_pulses(m, 1)[3]);
    CHECK(rp_memuse_tile(m, 3) != nullptr);
}

TEST(memuse, rows_beyond_max_rows_are_untracked)
{
    start(256, 8192);   // 2 M rows: the first 128 tiles fit
    Stream s;
    s.read(200, 0, 1);           // 1
    s.mvm(130, 0, 64, 2);        // 64
    s.mvm(0, 8190, 4, 3);        // rows 8192, 8193 do not exist: 2
    s.program(250, 0, 4, 1);     // VERIFY, WRITE, VERIFY: 3
    s.read(127, 8191, 10);       // the last tracked row
    feed(s);
    rp_memuse_finish(m, 100, 1000);
    const rp_memuse_totals_t *t = rp_memuse_totals(m);
    LONGS_EQUAL(RP_MEMUSE_MAX_ROWS / 8192, t->tiles);
    LONGS_EQUAL(70, t->untracked);
    LONGS_EQUAL(2, tile(0)->reads);
    LONGS_EQUAL(1, tile(127)->reads);
    POINTERS_EQUAL(nullptr, rp_memuse_tile(m, 128));
    CHECK(rp_memuse_footprint(m) >= (size_t)RP_MEMUSE_MAX_ROWS * (sizeof(uint32_t) + 64));
}

TEST(memuse, no_geometry_means_nothing_tracked)
{
    rp_device_info_t none;
    memset(&none, 0, sizeof none);
    rp_memuse_segment(m, 0, &none);
    Stream s;
    s.read(0, 0, 1);
    s.mvm(0, 0, 8, 2);
    feed(s);
    rp_memuse_finish(m, 10, 1000);
    LONGS_EQUAL(0, rp_memuse_totals(m)->tiles);
    LONGS_EQUAL(9, rp_memuse_totals(m)->untracked);
    POINTERS_EQUAL(nullptr, rp_memuse_tile(m, 0));
    POINTERS_EQUAL(nullptr, rp_memuse_retention(m, 0));
    LONGS_EQUAL(0, rp_memuse_working_set(m)[0]);
}

TEST(memuse, negative_time_shift_clamps_at_zero)
{
    start(1, 4);
    Stream s;
    s.read(0, 0, 10);   // run time -40: 0
    s.read(0, 0, 70);   // run time 20
    feed(s, -50);
    rp_memuse_finish(m, 30, 1000);
    DOUBLES_EQUAL(20.0, tile(0)->interval_mean, 0.0);
    LONGS_EQUAL(1, rp_memuse_working_set(m)[0]);
    LONGS_EQUAL(1, rp_memuse_working_set(m)[20]);
}

TEST(memuse, bad_arguments)
{
    LONGS_EQUAL(RP_ERR_ARG, rp_memuse_add(nullptr, nullptr, 0, 0));
    LONGS_EQUAL(RP_ERR_ARG, rp_memuse_add(m, nullptr, 3, 0));
    LONGS_EQUAL(RP_OK, rp_memuse_add(m, nullptr, 0, 0));
    rp_memuse_destroy(nullptr);
    POINTERS_EQUAL(nullptr, rp_memuse_totals(nullptr));
}

// An mlp-like stream: weights programmed once, then batches of
// TRANSFER, MVM, TRANSFER, COMPUTE with spans around them.
static Stream mlp_stream(size_t events, uint64_t *t_end)
{
    Stream s;
    uint64_t t = 0;
    for (uint16_t r = 0; r < 64; r++) {
        t = s.program(0, r, t, 2) + 1;
    }
    while (s.ev.size() < events) {
        s.other(RP_OP_TRANSFER, t++);
        s.mvm(0, 0, 64, t++);
        s.other(RP_OP_TRANSFER, t++);
        s.other(RP_OP_COMPUTE, t++);
        if (s.ev.size() % 256u == 0u) {
            s.other(RP_OP_SPAN, t++);
        }
    }
    *t_end = t;
    return s;
}

TEST(memuse, footprint_independent_of_capture_length)
{
    start(4, 64);
    size_t empty = rp_memuse_footprint(m);
    CHECK(empty > sizeof(rp_memuse_totals_t));
    uint64_t t_short = 0, t_long = 0;
    Stream shorter = mlp_stream(1000, &t_short);
    Stream longer = mlp_stream(200000, &t_long);
    feed(shorter);
    LONGS_EQUAL(empty, rp_memuse_footprint(m));

    rp_memuse_t *other = rp_memuse_create();
    rp_device_info_t d = geometry(4, 64);
    rp_memuse_segment(other, 0, &d);
    LONGS_EQUAL(RP_OK, rp_memuse_add(other, longer.ev.data(), longer.ev.size(), 0));
    rp_memuse_finish(other, t_long, 1000);
    rp_memuse_finish(m, t_short, 1000);
    LONGS_EQUAL(rp_memuse_footprint(m), rp_memuse_footprint(other));

    // The long run: 64 programs of 2 pulses, then every MVM reads 64 rows.
    const rp_memuse_area_t *a = rp_memuse_tile(other, 0);
    uint64_t mvms = 0;
    for (const rp_record_t &e : longer.ev) {
        mvms += e.op == RP_OP_MVM;
    }
    LONGS_EQUAL(64, a->programs);
    LONGS_EQUAL(128, a->pulses);
    LONGS_EQUAL(64 * mvms, a->reads);
    DOUBLES_EQUAL(1.0, a->write_once_ratio, 0.0);
    LONGS_EQUAL(RP_MEMUSE_GOOD, a->label);
    LONGS_EQUAL(RP_MEMUSE_UNUSED, rp_memuse_tile(other, 1)->label);
    rp_memuse_destroy(other);
}

// ---- random streams against a naive model -----------------------------------

namespace {

unsigned shift_for(uint64_t t)
{
    unsigned s = 0;
    while ((t >> s) >= RP_AGG_SERIES_BUCKETS) {
        s++;
    }
    return s;
}

// Applies every access to every row as it comes, per the definitions in
// rp_memuse.h, and keeps all (time, row) accesses for the working set.
struct Model {
    struct Row {
        uint64_t reads = 0, programs = 0, pulses = 0, last = 0, iv_sum = 0;
        uint64_t prog_end = 0, last_read = 0, ret_sum = 0, ret_max = 0, dead = 0;
        bool has_prog = false, read_since = false;
    };
    uint32_t tiles, rows;
    std::vector<Row> row;
    std::vector<rp_hist_t> iv, ret;
    std::vector<std::pair<uint64_t, uint32_t>> touches;
    long open = -1;
    uint64_t untracked = 0, t_max = 0, seg_end = 0, dev_end = 0;
    bool dev = false;

    Model(uint32_t t, uint32_t r) : tiles(t), rows(r), row(t * r), iv(t), ret(t)
    {
        for (uint32_t i = 0; i < t; i++) {
            rp_hist_init(&iv[i]);
            rp_hist_init(&ret[i]);
        }
    }
    void access(uint32_t tile, Row &x, uint64_t t)
    {
        if (x.reads + x.programs != 0) {
            uint64_t d = t > x.last ? t - x.last : 0;
            rp_hist_add(&iv[tile], d);
            x.iv_sum += d;
            x.last = std::max(x.last, t);
        } else {
            x.last = t;
        }
    }
    void close(uint32_t tile, Row &x)
    {
        if (!x.has_prog) {
            return;
        }
        uint64_t r = 0;
        if (x.read_since) {
            r = x.last_read > x.prog_end ? x.last_read - x.prog_end : 0;
        } else {
            x.dead++;
        }
        x.ret_sum += r;
        x.ret_max = std::max(x.ret_max, r);
        rp_hist_add(&ret[tile], r);
        x.has_prog = x.read_since = false;
    }
    void program_start(uint32_t tile, uint32_t g, uint64_t t, uint64_t end)
    {
        Row &x = row[g];
        close(tile, x);
        access(tile, x, t);
        x.programs++;
        x.prog_end = end;
        x.has_prog = true;
        touches.push_back({t, g});
        open = (long)g;
    }
    void event(const rp_record_t &e, uint64_t t)
    {
        t_max = std::max(t_max, t);
        uint64_t end = t + e.duration;
        seg_end = std::max(seg_end, end);
        if (e.op != RP_OP_SPAN) {
            dev = true;
            dev_end = std::max(dev_end, end);
        }
        bool tracked = e.tile < tiles && e.row < rows;
        uint32_t g = e.tile * rows + e.row;
        switch (e.op) {
        case RP_OP_READ:
        case RP_OP_MVM: {
            uint32_t n = e.rows != 0 ? e.rows : (e.op == RP_OP_READ ? 1u : 0u);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t r = e.row + i;
                if (e.tile >= tiles || r >= rows) {
                    untracked++;
                    continue;
                }
                uint32_t gi = e.tile * rows + r;
                Row &x = row[gi];
                if (open == (long)gi) {
                    open = -1;
                }
                access(e.tile, x, t);
                x.reads++;
                if (x.has_prog) {
                    x.last_read = x.read_since ? std::max(x.last_read, t) : t;
                    x.read_since = true;
                }
                touches.push_back({t, gi});
            }
            break;
        }
        case RP_OP_VERIFY:
        case RP_OP_WRITE:
            if (e.op == RP_OP_VERIFY && e.iterations == 0) {
                open = -1;
            }
            if (!tracked) {
                untracked++;
                break;
            }
            if (e.op == RP_OP_WRITE) {
                row[g].pulses++;
            }
            if (open == (long)g) {
                row[g].prog_end = std::max(row[g].prog_end, end);
                touches.push_back({t, g});
            } else {
                program_start(e.tile, g, t, end);
            }
            break;
        default:
            break;
        }
    }
};

}  // namespace

TEST(memuse, random_streams_match_a_naive_model)
{
    const uint32_t tiles = 3, rows = 10;
    const uint16_t ranges[][2] = {{0, 10}, {0, 5}, {3, 5}, {9, 1}, {8, 6}};
    for (unsigned seed = 1; seed <= 30; seed++) {
        std::mt19937_64 rng(seed);
        rp_memuse_t *mu = rp_memuse_create();
        rp_device_info_t d = geometry(tiles, rows, 50);
        rp_memuse_segment(mu, 0, &d);
        Model model(tiles, rows);
        Stream s;
        uint64_t t = rng() % 3;
        while (s.ev.size() < 3000) {
            unsigned k = (unsigned)(rng() % 100);
            t += rng() % 4 == 0 ? rng() % (seed * 300) : rng() % 3;
            uint8_t tile = (uint8_t)(rng() % (tiles + 1));   // tile 3 is untracked
            uint16_t row = (uint16_t)(rng() % (rows + 2));
            if (k < 35) {
                const uint16_t *r = ranges[rng() % 5];
                s.mvm(tile, r[0], r[1], t);
            } else if (k < 50) {
                s.add(RP_OP_READ, t, tile, row, (uint16_t)(rng() % 2));
            } else if (k < 70) {
                t = s.program(tile, row, t, (unsigned)(rng() % 4));
            } else if (k < 75) {
                s.add(rng() % 2 ? RP_OP_WRITE : RP_OP_VERIFY, t, tile, row, 1,
                      (uint8_t)(1 + rng() % 3));
            } else {
                s.add((uint8_t)(RP_OP_TRANSFER + rng() % 3), t, 0, 0, 0, 0,
                      (uint32_t)(1 + rng() % 30));
            }
        }
        for (const rp_record_t &e : s.ev) {
            model.event(e, e.start + 7);
        }
        // Feed in batches of random size, all with a time shift of 7.
        for (size_t i = 0; i < s.ev.size();) {
            size_t n = std::min<size_t>(s.ev.size() - i, 1 + rng() % 50);
            LONGS_EQUAL(RP_OK, rp_memuse_add(mu, &s.ev[i], n, 7));
            i += n;
        }
        uint64_t run_ticks = model.seg_end;
        rp_memuse_finish(mu, run_ticks, 1000);
        for (uint32_t i = 0; i < model.row.size(); i++) {
            model.close(i / rows, model.row[i]);
        }

        const rp_memuse_totals_t *tot = rp_memuse_totals(mu);
        LONGS_EQUAL(model.untracked, tot->untracked);
        uint64_t t_series = model.t_max;
        if (model.dev && model.seg_end > model.dev_end) {
            t_series = std::max(t_series, model.dev_end);   // the trailing gap
        }
        unsigned sh = shift_for(t_series);
        LONGS_EQUAL(1ull << sh, tot->series_width);
        LONGS_EQUAL((t_series >> sh) + 1, tot->series_used);
        std::set<std::pair<uint64_t, uint32_t>> seen;
        std::vector<uint32_t> ws(RP_AGG_SERIES_BUCKETS, 0);
        for (const auto &a : model.touches) {
            if (seen.insert({a.first >> sh, a.second}).second) {
                ws[a.first >> sh]++;
            }
        }
        const uint32_t *got_ws = rp_memuse_working_set(mu);
        for (unsigned b = 0; b < RP_AGG_SERIES_BUCKETS; b++) {
            LONGS_EQUAL(ws[b], got_ws[b]);
        }

        for (uint32_t tl = 0; tl < tiles; tl++) {
            const rp_hist_t *hi = rp_memuse_intervals(mu, tl);
            const rp_hist_t *hr = rp_memuse_retention(mu, tl);
            LONGS_EQUAL(model.iv[tl].count, hi->count);
            DOUBLES_EQUAL(model.iv[tl].sum, hi->sum, 0.0);
            CHECK(memcmp(model.iv[tl].buckets, hi->buckets, sizeof hi->buckets) == 0);
            LONGS_EQUAL(model.ret[tl].count, hr->count);
            DOUBLES_EQUAL(model.ret[tl].sum, hr->sum, 0.0);
            CHECK(memcmp(model.ret[tl].buckets, hr->buckets, sizeof hr->buckets) == 0);
            const uint32_t *pulses = rp_memuse_row_pulses(mu, tl);
            for (uint32_t reg = 0; reg <= tot->regions_per_tile; reg++) {
                // reg == regions_per_tile stands for the whole tile.
                const rp_memuse_area_t *a = reg < tot->regions_per_tile
                                                ? rp_memuse_region(mu, tl, reg)
                                                : rp_memuse_tile(mu, tl);
                uint64_t accessed = 0, programmed = 0, once = 0, programs = 0, pulse_sum = 0;
                uint64_t reads = 0, dead = 0, ret_sum = 0, ret_max = 0, iv_sum = 0, iv_n = 0;
                uint64_t max_pulses = 0;
                for (uint32_t r = a->row_first; r < a->row_first + a->row_count; r++) {
                    const Model::Row &x = model.row[tl * rows + r];
                    if (x.reads + x.programs != 0) {
                        accessed++;
                        iv_n += x.reads + x.programs - 1;
                        iv_sum += x.iv_sum;
                    }
                    programmed += x.programs != 0;
                    once += x.programs == 1;
                    programs += x.programs;
                    pulse_sum += x.pulses;
                    reads += x.reads;
                    dead += x.dead;
                    ret_sum += x.ret_sum;
                    ret_max = std::max(ret_max, x.ret_max);
                    max_pulses = std::max(max_pulses, x.pulses);
                    LONGS_EQUAL(x.pulses, pulses[r]);
                }
                LONGS_EQUAL(accessed, a->rows_accessed);
                LONGS_EQUAL(programmed, a->rows_programmed);
                LONGS_EQUAL(once, a->rows_programmed_once);
                LONGS_EQUAL(programs, a->programs);
                LONGS_EQUAL(pulse_sum, a->pulses);
                LONGS_EQUAL(reads, a->reads);
                LONGS_EQUAL(dead, a->dead_writes);
                LONGS_EQUAL(ret_max, a->retention_max);
                LONGS_EQUAL(max_pulses, a->max_row_pulses);
                DOUBLES_EQUAL(programs ? (double)ret_sum / programs : 0.0, a->retention_mean,
                              1e-9);
                DOUBLES_EQUAL(iv_n ? (double)iv_sum / iv_n : 0.0, a->interval_mean, 1e-9);
            }
        }
        rp_memuse_destroy(mu);
    }
}

// The time axis against the real aggregator: multi-segment streams with
// device clocks that do not start at 0, spans recorded after the ops they
// enclose, batches of random size. Both must use the same buckets, and a
// bucket has a working set exactly when it holds a row-touching op.
TEST(memuse, buckets_match_the_aggregator)
{
    for (unsigned seed = 1; seed <= 20; seed++) {
        std::mt19937_64 rng(seed * 7919u);
        rp_agg_t *agg = rp_agg_create();
        rp_memuse_t *mu = rp_memuse_create();
        CHECK(agg != nullptr && mu != nullptr);
        unsigned segments = 1 + (unsigned)(rng() % 3);
        for (unsigned sg = 0; sg < segments; sg++) {
            rp_device_info_t d = geometry(4, 16, 1000);
            rp_agg_segment(agg, sg, &d);
            rp_memuse_segment(mu, sg, &d);
            Stream s;
            uint64_t t = 1000000u * (1 + rng() % 5);
            // Sometimes a last segment without events: the previous one's
            // trailing gap is then the latest run time.
            size_t n_ops = sg > 0 && sg + 1 == segments && seed % 3 == 0
                               ? 0
                               : 50 + rng() % (seed * 40);
            for (size_t i = 0; i < n_ops; i++) {
                uint64_t span_start = t;
                unsigned inner = 1 + (unsigned)(rng() % 4);
                for (unsigned k = 0; k < inner; k++) {
                    t += rng() % (rng() % 8 == 0 ? 20000u : 40u);
                    uint8_t tile = (uint8_t)(rng() % 4);
                    switch (rng() % 4) {
                    case 0:
                        s.add(RP_OP_MVM, t, tile, 0, 16, 0, (uint32_t)(1 + rng() % 50));
                        break;
                    case 1:
                        s.add(RP_OP_READ, t, tile, (uint16_t)(rng() % 16), 1, 0, 3);
                        break;
                    case 2:
                        s.add(RP_OP_TRANSFER, t, tile, 0, 16, 0, 5);
                        break;
                    default:
                        t = s.program(tile, (uint16_t)(rng() % 16), t, (unsigned)(rng() % 3));
                        break;
                    }
                    t += 60;
                }
                if (rng() % 2) {
                    s.add(RP_OP_SPAN, span_start, 0, 0, 0, 0,
                          (uint32_t)(t - span_start + rng() % 500));
                }
            }
            for (size_t i = 0; i < s.ev.size();) {
                size_t n = std::min<size_t>(s.ev.size() - i, 1 + rng() % 40);
                rp_agg_add(agg, sg, &s.ev[i], n);
                LONGS_EQUAL(RP_OK, rp_memuse_add(mu, &s.ev[i], n, rp_agg_time_shift(agg)));
                i += n;
            }
        }
        rp_agg_finish(agg);
        const rp_agg_totals_t *at = rp_agg_totals(agg);
        rp_memuse_finish(mu, at->run_ticks, at->clock_hz);
        const rp_memuse_totals_t *mt = rp_memuse_totals(mu);
        LONGS_EQUAL(at->series_width, mt->series_width);
        LONGS_EQUAL(at->series_used, mt->series_used);
        const rp_agg_bucket_t *series = rp_agg_series(agg);
        const uint32_t *ws = rp_memuse_working_set(mu);
        for (unsigned b = 0; b < RP_AGG_SERIES_BUCKETS; b++) {
            uint64_t touching = series[b].count[RP_OP_READ] + series[b].count[RP_OP_MVM] +
                                series[b].count[RP_OP_WRITE] + series[b].count[RP_OP_VERIFY];
            CHECK_EQUAL(touching != 0, ws[b] != 0);
        }
        rp_memuse_destroy(mu);
        rp_agg_destroy(agg);
    }
}
