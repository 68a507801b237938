/* The model's own pseudo-random generator: xoshiro256** seeded through
 * splitmix64, plus the two distributions the physics needs. Private to
 * hal/sim_xbar; kept here so results do not depend on the C library's
 * rand(). */
#ifndef XM_RNG_H
#define XM_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct xm_rng {
    uint64_t s[4];
    double spare;        /* second normal of the last polar pair */
    int has_spare;
} xm_rng_t;

static inline uint64_t prv_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void prv_rng_seed(xm_rng_t *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++) {
        r->s[i] = prv_splitmix64(&sm);
    }
    r->spare = 0.0;
    r->has_spare = 0;
}

static inline uint64_t prv_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t prv_rng_next(xm_rng_t *r)
{
    uint64_t *s = r->s;
    const uint64_t result = prv_rotl(s[1] * 5u, 7) * 9u;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = prv_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double prv_rng_uniform(xm_rng_t *r)
{
    return (double)(prv_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal by the polar method: pairs of values from one log and
 * one square root, the second kept for the next call. */
static inline double prv_rng_normal(xm_rng_t *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, q;
    do {
        u = 2.0 * prv_rng_uniform(r) - 1.0;
        v = 2.0 * prv_rng_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * log(q) / q);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

#endif
