/* Log-linear histogram; contract in rp_hist.h.
 *
 * Bucket of v: with shift = max(0, floor(log2 v) - SUB_BITS), the bucket is
 * (shift << SUB_BITS) + (v >> shift). For v < 2*SUB the shift is 0 and the
 * bucket is v itself (exact); above, v >> shift lies in [SUB, 2*SUB), so
 * each octave gets SUB consecutive buckets. One clz, no division, no
 * branch. */
#include "rramprof/rp_hist.h"

#include <stddef.h>
#include <string.h>

#define PRV_EXACT (2u * RP_HIST_SUB)   /* values below are their own bucket */

uint32_t rp_hist_bucket_of(uint64_t value)
{
    /* OR-ing in EXACT-1 keeps clz defined for 0 and pins shift at 0 below EXACT. */
    uint32_t shift = 63u - (uint32_t)__builtin_clzll(value | (PRV_EXACT - 1u)) - RP_HIST_SUB_BITS;
    return (shift << RP_HIST_SUB_BITS) + (uint32_t)(value >> shift);
}

void rp_hist_bucket_range(uint32_t i, uint64_t *lo, uint64_t *hi)
{
    uint64_t l;
    uint64_t h;
    if (i < PRV_EXACT) {
        l = i;
        h = i;
    } else {
        if (i >= RP_HIST_BUCKETS) {
            i = RP_HIST_BUCKETS - 1u;
        }
        uint32_t shift = (i >> RP_HIST_SUB_BITS) - 1u;
        uint64_t m = (uint64_t)(i & (RP_HIST_SUB - 1u)) + RP_HIST_SUB;
        l = m << shift;
        h = l + ((1ull << shift) - 1u);
    }
    if (lo != NULL) {
        *lo = l;
    }
    if (hi != NULL) {
        *hi = h;
    }
}

void rp_hist_init(rp_hist_t *h)
{
    memset(h, 0, sizeof *h);
}

void rp_hist_add_n(rp_hist_t *h, uint64_t value, uint64_t n)
{
    if (n == 0u) {
        return;
    }
    if (h->count == 0u || value < h->min) {
        h->min = value;
    }
    if (value > h->max) {
        h->max = value;
    }
    h->count += n;
    h->sum += (double)value * (double)n;
    h->buckets[rp_hist_bucket_of(value)] += n;
}

void rp_hist_add(rp_hist_t *h, uint64_t value)
{
    rp_hist_add_n(h, value, 1u);
}

void rp_hist_merge(rp_hist_t *dst, const rp_hist_t *src)
{
    if (src->count == 0u) {
        return;
    }
    if (dst->count == 0u || src->min < dst->min) {
        dst->min = src->min;
    }
    if (src->max > dst->max) {
        dst->max = src->max;
    }
    dst->count += src->count;
    dst->sum += src->sum;
    for (uint32_t i = 0; i < RP_HIST_BUCKETS; i++) {
        dst->buckets[i] += src->buckets[i];
    }
}

/* Representative value of bucket i: its middle, kept inside [min, max]
 * (the exact extremes are known, and a lone bucket often holds them). */
static uint64_t prv_mid(const rp_hist_t *h, uint32_t i)
{
    uint64_t lo;
    uint64_t hi;
    rp_hist_bucket_range(i, &lo, &hi);
    uint64_t mid = lo + (hi - lo) / 2u;
    if (mid < h->min) {
        mid = h->min;
    }
    if (mid > h->max) {
        mid = h->max;
    }
    return mid;
}

uint64_t rp_hist_quantile(const rp_hist_t *h, double q)
{
    if (h->count == 0u) {
        return 0u;
    }
    if (!(q > 0.0)) {
        return h->min;   /* also for NaN */
    }
    if (q >= 1.0) {
        return h->max;
    }
    /* rank = ceil(q * count), in [1, count] */
    double r = q * (double)h->count;
    uint64_t rank = r >= (double)h->count ? h->count : (uint64_t)r;
    if ((double)rank < r) {
        rank++;
    }
    if (rank == 0u) {
        rank = 1u;
    }
    uint64_t seen = 0;
    for (uint32_t i = 0; i < RP_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            return prv_mid(h, i);
        }
    }
    return h->max;   /* only if the counters disagree with count */
}

double rp_hist_mean(const rp_hist_t *h)
{
    return h->count == 0u ? 0.0 : h->sum / (double)h->count;
}

double rp_hist_excess_over(const rp_hist_t *h, uint64_t threshold)
{
    if (h->count == 0u || h->max <= threshold) {
        return 0.0;
    }
    double total = 0.0;
    for (uint32_t i = rp_hist_bucket_of(threshold); i < RP_HIST_BUCKETS; i++) {
        if (h->buckets[i] == 0u) {
            continue;
        }
        uint64_t v = prv_mid(h, i);
        if (v > threshold) {
            total += (double)(v - threshold) * (double)h->buckets[i];
        }
    }
    return total;
}
