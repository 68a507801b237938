// Histogram: quantiles against the exact sorted quantile for several
// distributions, exact small values, merge, bucket helpers, tail excess.
#include <CppUTest/TestHarness.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "rramprof/rp_hist.h"

namespace {

// The histogram is large (30 KB): keep it off the stack.
std::unique_ptr<rp_hist_t> new_hist()
{
    std::unique_ptr<rp_hist_t> h(new rp_hist_t);
    rp_hist_init(h.get());
    return h;
}

// The exact quantile by the header's definition: the smallest recorded value
// v with at least ceil(q * n) values <= v.
uint64_t exact_quantile(const std::vector<uint64_t> &sorted, double q)
{
    double r = q * (double)sorted.size();
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r) {
        rank++;
    }
    if (rank == 0) {
        rank = 1;
    }
    if (rank > sorted.size()) {
        rank = sorted.size();
    }
    return sorted[rank - 1];
}

double rel_err(uint64_t got, uint64_t want)
{
    if (want == 0) {
        return got == 0 ? 0.0 : 1.0;
    }
    double g = (double)got;
    double w = (double)want;
    return std::fabs(g - w) / w;
}

const double kQuantiles[] = {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0};

// Adds values, then checks count/min/max/mean and every quantile: within 1 %
// of the exact one, and exact when the exact one is below 128.
void check_distribution(std::vector<uint64_t> values)
{
    auto h = new_hist();
    long double sum = 0;
    for (uint64_t v : values) {
        rp_hist_add(h.get(), v);
        sum += (long double)v;
    }
    std::sort(values.begin(), values.end());
    UNSIGNED_LONGLONGS_EQUAL(values.size(), h->count);
    UNSIGNED_LONGLONGS_EQUAL(values.front(), h->min);
    UNSIGNED_LONGLONGS_EQUAL(values.back(), h->max);
    DOUBLES_EQUAL((double)(sum / values.size()), rp_hist_mean(h.get()),
                  1e-9 * (double)(sum / values.size()) + 1e-9);
    for (double q : kQuantiles) {
        uint64_t want = exact_quantile(values, q);
        uint64_t got = rp_hist_quantile(h.get(), q);
        if (want < 128) {
            UNSIGNED_LONGLONGS_EQUAL_TEXT(want, got, "exact below 128");
        } else if (rel_err(got, want) > 0.01) {
            char msg[128];
            snprintf(msg, sizeof msg, "q=%g want %llu got %llu", q, (unsigned long long)want,
                     (unsigned long long)got);
            FAIL(msg);
        }
    }
}

}  // namespace

TEST_GROUP(Hist){};

TEST(Hist, EmptyIsZero)
{
    auto h = new_hist();
    UNSIGNED_LONGLONGS_EQUAL(0, h->count);
    UNSIGNED_LONGLONGS_EQUAL(0, rp_hist_quantile(h.get(), 0.5));
    DOUBLES_EQUAL(0.0, rp_hist_mean(h.get()), 0.0);
    DOUBLES_EQUAL(0.0, rp_hist_excess_over(h.get(), 0), 0.0);
}

TEST(Hist, ExactBelow128)
{
    // Every value below 128 is its own bucket: all quantiles exact.
    std::vector<uint64_t> v;
    std::mt19937_64 rng(1);
    for (int i = 0; i < 5000; i++) {
        v.push_back(rng() % 128);
    }
    check_distribution(v);
    for (uint64_t x = 0; x < 128; x++) {
        uint64_t lo, hi;
        rp_hist_bucket_range(rp_hist_bucket_of(x), &lo, &hi);
        UNSIGNED_LONGLONGS_EQUAL(x, lo);
        UNSIGNED_LONGLONGS_EQUAL(x, hi);
    }
}

TEST(Hist, Uniform)
{
    std::mt19937_64 rng(2);
    std::uniform_int_distribution<uint64_t> d(0, 1000000);
    std::vector<uint64_t> v;
    for (int i = 0; i < 100000; i++) {
        v.push_back(d(rng));
    }
    check_distribution(v);
}

TEST(Hist, Lognormal)
{
    std::mt19937_64 rng(3);
    std::lognormal_distribution<double> d(8.0, 2.0);
    std::vector<uint64_t> v;
    for (int i = 0; i < 100000; i++) {
        v.push_back((uint64_t)d(rng));
    }
    check_distribution(v);
}

TEST(Hist, Bimodal)
{
    // Fast path around 300 ticks, slow path around 90000 (a tail that a
    // mean would hide).
    std::mt19937_64 rng(4);
    std::normal_distribution<double> fast(300.0, 20.0);
    std::normal_distribution<double> slow(90000.0, 5000.0);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<uint64_t> v;
    for (int i = 0; i < 100000; i++) {
        double x = u(rng) < 0.93 ? fast(rng) : slow(rng);
        v.push_back(x < 0 ? 0 : (uint64_t)x);
    }
    check_distribution(v);
}

TEST(Hist, Constants)
{
    const uint64_t constants[] = {0, 1, 127, 128, 129, 1000, 12345, 1ull << 40, UINT64_MAX};
    for (uint64_t c : constants) {
        // A single value is reported exactly (clamped to min == max).
        std::vector<uint64_t> v(1000, c);
        auto h = new_hist();
        for (uint64_t x : v) {
            rp_hist_add(h.get(), x);
        }
        for (double q : kQuantiles) {
            UNSIGNED_LONGLONGS_EQUAL(c, rp_hist_quantile(h.get(), q));
        }
        check_distribution(v);
    }
    // Two constants: each quantile within 1 %.
    std::vector<uint64_t> two;
    for (int i = 0; i < 700; i++) {
        two.push_back(5000);
    }
    for (int i = 0; i < 300; i++) {
        two.push_back(777777);
    }
    check_distribution(two);
}

TEST(Hist, NearPowersOfTwo)
{
    std::vector<uint64_t> v;
    for (unsigned e = 1; e < 64; e++) {
        uint64_t p = 1ull << e;
        for (int k = -3; k <= 3; k++) {
            v.push_back(p + (uint64_t)(int64_t)k);
        }
    }
    check_distribution(v);
}

TEST(Hist, NearTopOfRange)
{
    std::mt19937_64 rng(5);
    std::vector<uint64_t> v;
    for (int i = 0; i < 20000; i++) {
        uint64_t x = rng();
        v.push_back(UINT64_MAX - (x >> (rng() % 64)));
    }
    v.push_back(UINT64_MAX);
    v.push_back(1ull << 63);
    check_distribution(v);
}

TEST(Hist, AddNEqualsRepeatedAdd)
{
    auto a = new_hist();
    auto b = new_hist();
    rp_hist_add_n(a.get(), 4242, 7);
    rp_hist_add_n(a.get(), 3, 0);   // adds nothing
    for (int i = 0; i < 7; i++) {
        rp_hist_add(b.get(), 4242);
    }
    UNSIGNED_LONGLONGS_EQUAL(7, a->count);
    UNSIGNED_LONGLONGS_EQUAL(4242, a->min);
    MEMCMP_EQUAL(b.get(), a.get(), sizeof(rp_hist_t));
}

TEST(Hist, MergeEqualsAddingAll)
{
    std::mt19937_64 rng(6);
    std::lognormal_distribution<double> d(10.0, 1.5);
    auto a = new_hist();
    auto b = new_hist();
    auto all = new_hist();
    for (int i = 0; i < 30000; i++) {
        uint64_t x = (uint64_t)d(rng);
        rp_hist_add(i % 3 == 0 ? a.get() : b.get(), x);
        rp_hist_add(all.get(), x);
    }
    auto m = new_hist();
    rp_hist_merge(m.get(), a.get());
    rp_hist_merge(m.get(), b.get());
    UNSIGNED_LONGLONGS_EQUAL(all->count, m->count);
    UNSIGNED_LONGLONGS_EQUAL(all->min, m->min);
    UNSIGNED_LONGLONGS_EQUAL(all->max, m->max);
    DOUBLES_EQUAL(all->sum, m->sum, 1e-9 * all->sum);
    MEMCMP_EQUAL(all->buckets, m->buckets, sizeof all->buckets);
    for (double q : kQuantiles) {
        UNSIGNED_LONGLONGS_EQUAL(rp_hist_quantile(all.get(), q), rp_hist_quantile(m.get(), q));
    }
    // Merging an empty histogram changes nothing, also not min.
    auto empty = new_hist();
    rp_hist_merge(m.get(), empty.get());
    UNSIGNED_LONGLONGS_EQUAL(all->min, m->min);
    UNSIGNED_LONGLONGS_EQUAL(all->count, m->count);
}

TEST(Hist, BucketOfAndRangeAgree)
{
    std::mt19937_64 rng(7);
    std::vector<uint64_t> probes;
    for (unsigned e = 0; e < 64; e++) {
        uint64_t p = 1ull << e;
        probes.push_back(p);
        probes.push_back(p - 1);
        probes.push_back(p + 1);
    }
    probes.push_back(UINT64_MAX);
    for (int i = 0; i < 100000; i++) {
        uint64_t x = rng();
        probes.push_back(x >> (rng() % 64));
    }
    for (uint64_t v : probes) {
        uint32_t b = rp_hist_bucket_of(v);
        CHECK(b < RP_HIST_BUCKETS);
        uint64_t lo, hi;
        rp_hist_bucket_range(b, &lo, &hi);
        CHECK(lo <= v);
        CHECK(v <= hi);
        // Width bound behind the 1 % promise: (hi - lo + 1) <= lo / 64.
        if (v >= 128) {
            CHECK(hi - lo + 1 <= lo / RP_HIST_SUB);
        }
    }
    // Buckets tile the whole range: each starts right after the previous.
    uint64_t prev_hi = 0;
    for (uint32_t i = 0; i < RP_HIST_BUCKETS; i++) {
        uint64_t lo, hi;
        rp_hist_bucket_range(i, &lo, &hi);
        if (i > 0) {
            UNSIGNED_LONGLONGS_EQUAL(prev_hi + 1, lo);
        }
        CHECK(hi >= lo);
        UNSIGNED_LONGS_EQUAL(i, rp_hist_bucket_of(lo));
        UNSIGNED_LONGS_EQUAL(i, rp_hist_bucket_of(hi));
        prev_hi = hi;
    }
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX, prev_hi);
}

TEST(Hist, ExcessOver)
{
    // Small values are exact: excess is exact.
    auto h = new_hist();
    const uint64_t vals[] = {10, 20, 30, 40, 100};
    for (uint64_t v : vals) {
        rp_hist_add(h.get(), v);
    }
    DOUBLES_EQUAL(0.0, rp_hist_excess_over(h.get(), 100), 0.0);
    DOUBLES_EQUAL(80.0, rp_hist_excess_over(h.get(), 30), 1e-9);    // 40-30 + 100-30
    DOUBLES_EQUAL(150.0, rp_hist_excess_over(h.get(), 10), 1e-9);               // 10+20+30+90
    DOUBLES_EQUAL(200.0, rp_hist_excess_over(h.get(), 0), 1e-9);    // the sum

    // Large values: within the bucket error of the exact sum.
    std::mt19937_64 rng(8);
    std::lognormal_distribution<double> d(9.0, 1.0);
    auto g = new_hist();
    std::vector<uint64_t> v;
    for (int i = 0; i < 50000; i++) {
        uint64_t x = (uint64_t)d(rng);
        v.push_back(x);
        rp_hist_add(g.get(), x);
    }
    std::sort(v.begin(), v.end());
    uint64_t thr = exact_quantile(v, 0.9);
    double exact = 0;
    double beyond = 0;
    for (uint64_t x : v) {
        if (x > thr) {
            exact += (double)(x - thr);
            beyond += (double)x;
        }
    }
    double got = rp_hist_excess_over(g.get(), thr);
    // Each value counts at its bucket's middle, off by at most 1/128 of
    // itself; values sharing the threshold's bucket may land on either side.
    double same_bucket = (double)g->buckets[rp_hist_bucket_of(thr)];
    double bound = beyond / 128.0 + same_bucket * 2.0 * (double)thr / 128.0;
    CHECK(std::fabs(got - exact) <= bound);
    CHECK(std::fabs(got - exact) <= 0.02 * exact);
}
