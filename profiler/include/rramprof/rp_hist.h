/* Bounded-memory histogram of unsigned 64-bit values (durations, gaps).
 *
 * Log-linear buckets: values below 2 * RP_HIST_SUB are counted exactly; above,
 * each power of two [2^e, 2^(e+1)) is split into RP_HIST_SUB equal
 * sub-buckets of width 2^e / RP_HIST_SUB. A quantile is reported as the
 * middle of its bucket (clamped to the exact min and max), so its relative
 * error is at most 1 / (2 * RP_HIST_SUB) = 0.78 % (<= 1 %, the target).
 *
 * The struct has a fixed size (RP_HIST_BUCKETS counters) whatever the
 * values and however many are added. Not thread-safe. */
#ifndef RP_HIST_H
#define RP_HIST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RP_HIST_SUB_BITS 6u
#define RP_HIST_SUB (1u << RP_HIST_SUB_BITS)   /* 64 sub-buckets per octave */
/* Exact range [0, 2*SUB) (two octaves' worth of buckets) plus one octave
 * per exponent SUB_BITS+1 .. 63. */
#define RP_HIST_BUCKETS ((64u - RP_HIST_SUB_BITS + 1u) * RP_HIST_SUB)

typedef struct rp_hist {
    uint64_t count;
    uint64_t min;           /* exact; 0 when count == 0 */
    uint64_t max;           /* exact */
    double sum;             /* exact up to double precision; for the mean */
    uint64_t buckets[RP_HIST_BUCKETS];
} rp_hist_t;

void rp_hist_init(rp_hist_t *h);
void rp_hist_add(rp_hist_t *h, uint64_t value);
/* Adds n occurrences of value. */
void rp_hist_add_n(rp_hist_t *h, uint64_t value, uint64_t n);
/* Adds every value of src into dst. */
void rp_hist_merge(rp_hist_t *dst, const rp_hist_t *src);

/* Value at quantile q in [0, 1] (0.5 = median): the smallest recorded value
 * v such that at least ceil(q * count) values are <= v, within the
 * relative error above. 0 when the histogram is empty. */
uint64_t rp_hist_quantile(const rp_hist_t *h, double q);
/* Mean (sum / count), 0 when empty. */
double rp_hist_mean(const rp_hist_t *h);

/* Bucket helpers, for charts and tests: the bucket a value falls in, and
 * the inclusive value range [lo, hi] of bucket i. */
uint32_t rp_hist_bucket_of(uint64_t value);
void rp_hist_bucket_range(uint32_t i, uint64_t *lo, uint64_t *hi);

/* Sum over recorded values v > threshold of (v - threshold), from bucket
 * midpoints: the time spent beyond a threshold (tail cost). */
double rp_hist_excess_over(const rp_hist_t *h, uint64_t threshold);

#ifdef __cplusplus
}
#endif
#endif
