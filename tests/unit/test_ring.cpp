// rp_ring: power-of-two ring of rp_record_t with exact drop accounting.
#include <CppUTest/TestHarness.h>

#include <string.h>

extern "C" {
#include "rramprof/rp_ring.h"
#include "rramprof/rp_status.h"
}

static rp_record_t rec_n(uint32_t n)
{
    rp_record_t r;
    memset(&r, 0, sizeof r);
    r.start = 1000u + n;
    r.duration = n;
    r.arg = n * 3u;
    r.op = (uint8_t)(n % 8u);
    r.row = (uint16_t)n;
    return r;
}

TEST_GROUP(ring)
{
    rp_record_t slots[8];
    rp_ring_t ring;

    void setup() override
    {
        memset(slots, 0xA5, sizeof slots);
        LONGS_EQUAL(RP_OK, rp_ring_init(&ring, slots, 8));
    }
};

TEST(ring, init_rejects_bad_capacity)
{
    rp_ring_t r;
    LONGS_EQUAL(RP_ERR_ARG, rp_ring_init(&r, slots, 0));
    LONGS_EQUAL(RP_ERR_ARG, rp_ring_init(&r, slots, 1));
    LONGS_EQUAL(RP_ERR_ARG, rp_ring_init(&r, slots, 6));
    LONGS_EQUAL(RP_ERR_ARG, rp_ring_init(&r, NULL, 8));
    LONGS_EQUAL(RP_OK, rp_ring_init(&r, slots, 2));
    LONGS_EQUAL(1u, r.mask);
}

TEST(ring, starts_empty)
{
    const rp_record_t *out = NULL;
    LONGS_EQUAL(0, rp_ring_count(&ring));
    LONGS_EQUAL(0, rp_ring_peek(&ring, &out, 8));
    LONGS_EQUAL(0, ring.high_water);
    LONGS_EQUAL(0, ring.dropped);
}

TEST(ring, fifo_order_and_contents)
{
    for (uint32_t i = 0; i < 5; i++) {
        rp_record_t r = rec_n(i);
        CHECK_TRUE(rp_ring_push(&ring, &r));
    }
    LONGS_EQUAL(5, rp_ring_count(&ring));
    const rp_record_t *out = NULL;
    LONGS_EQUAL(5, rp_ring_peek(&ring, &out, 16));
    for (uint32_t i = 0; i < 5; i++) {
        rp_record_t want = rec_n(i);
        MEMCMP_EQUAL(&want, &out[i], sizeof want);
    }
    rp_ring_release(&ring, 2);
    LONGS_EQUAL(3, rp_ring_count(&ring));
    LONGS_EQUAL(2, rp_ring_peek(&ring, &out, 2));
    LONGS_EQUAL(2u, out[0].duration);
    LONGS_EQUAL(3u, out[1].duration);
}

TEST(ring, full_ring_refuses_and_counts_exactly)
{
    for (uint32_t i = 0; i < 8; i++) {
        rp_record_t r = rec_n(i);
        CHECK_TRUE(rp_ring_push(&ring, &r));
    }
    for (uint32_t i = 0; i < 13; i++) {
        rp_record_t r = rec_n(100 + i);
        CHECK_FALSE(rp_ring_push(&ring, &r));
    }
    LONGS_EQUAL(13, ring.dropped);
    LONGS_EQUAL(8, rp_ring_count(&ring));
    LONGS_EQUAL(8, ring.high_water);
    // Unsent events were not overwritten.
    const rp_record_t *out = NULL;
    LONGS_EQUAL(8, rp_ring_peek(&ring, &out, 8));
    for (uint32_t i = 0; i < 8; i++) {
        LONGS_EQUAL(i, out[i].duration);
    }
    // Room again after a release.
    rp_ring_release(&ring, 1);
    rp_record_t r = rec_n(50);
    CHECK_TRUE(rp_ring_push(&ring, &r));
    LONGS_EQUAL(13, ring.dropped);
}

TEST(ring, high_water_is_the_backlog_the_consumer_releases_from)
{
    for (uint32_t i = 0; i < 6; i++) {
        rp_record_t r = rec_n(i);
        rp_ring_push(&ring, &r);
    }
    LONGS_EQUAL(0, ring.high_water);   // pushes keep no bookkeeping
    rp_ring_release(&ring, 6);         // the backlog peaked at 6 just before
    LONGS_EQUAL(6, ring.high_water);
    rp_record_t r = rec_n(9);
    rp_ring_push(&ring, &r);
    rp_ring_release(&ring, 1);
    LONGS_EQUAL(6, ring.high_water);   // the maximum is kept
    LONGS_EQUAL(0, rp_ring_count(&ring));
}

TEST(ring, observe_takes_the_backlog_without_releasing)
{
    for (uint32_t i = 1; i <= 5; i++) {
        rp_record_t r = rec_n(i);
        rp_ring_push(&ring, &r);
        rp_ring_observe(&ring);
        LONGS_EQUAL(i, ring.high_water);
    }
    LONGS_EQUAL(5, rp_ring_count(&ring));
}

TEST(ring, pushed_counts_every_accepted_push_across_releases)
{
    LONGS_EQUAL(0, rp_ring_pushed(&ring));
    for (uint32_t i = 0; i < 6; i++) {   // two in, one out: backlog 6
        rp_record_t r = rec_n(i);
        CHECK_TRUE(rp_ring_push(&ring, &r));
        CHECK_TRUE(rp_ring_push(&ring, &r));
        rp_ring_release(&ring, 1);
    }
    LONGS_EQUAL(12, rp_ring_pushed(&ring));
    rp_record_t r = rec_n(99);
    while (rp_ring_push(&ring, &r)) {
    }
    // 12 + the 2 that filled the ring; the refused one is not counted.
    LONGS_EQUAL(14, rp_ring_pushed(&ring));
    LONGS_EQUAL(1, ring.dropped);
    LONGS_EQUAL(8, ring.high_water);   // a refused push means a full ring
}

TEST(ring, pushed_is_exact_when_the_head_wraps)
{
    ring.head = 0xFFFFFFFEu;
    ring.tail = 0xFFFFFFFEu;
    ring.released = 0xFFFFFFFEull;
    for (uint32_t i = 0; i < 5; i++) {
        rp_record_t r = rec_n(i);
        CHECK_TRUE(rp_ring_push(&ring, &r));
    }
    rp_ring_release(&ring, 3);
    LONGS_EQUAL(3u, ring.head);
    CHECK_TRUE(rp_ring_pushed(&ring) == 0xFFFFFFFEull + 5u);
    LONGS_EQUAL(5, ring.high_water);
}

TEST(ring, peek_is_contiguous_across_the_wrap)
{
    // Move the tail to slot 6, then write 5 records: slots 6, 7, 0, 1, 2.
    for (uint32_t i = 0; i < 6; i++) {
        rp_record_t r = rec_n(i);
        rp_ring_push(&ring, &r);
    }
    rp_ring_release(&ring, 6);
    for (uint32_t i = 0; i < 5; i++) {
        rp_record_t r = rec_n(20 + i);
        CHECK_TRUE(rp_ring_push(&ring, &r));
    }
    const rp_record_t *out = NULL;
    LONGS_EQUAL(2, rp_ring_peek(&ring, &out, 8));
    POINTERS_EQUAL(&slots[6], out);
    LONGS_EQUAL(20u, out[0].duration);
    LONGS_EQUAL(21u, out[1].duration);
    rp_ring_release(&ring, 2);
    LONGS_EQUAL(3, rp_ring_peek(&ring, &out, 8));
    POINTERS_EQUAL(&slots[0], out);
    LONGS_EQUAL(22u, out[0].duration);
    LONGS_EQUAL(24u, out[2].duration);
}

TEST(ring, counters_wrap_at_32_bits)
{
    ring.head = 0xFFFFFFFEu;
    ring.tail = 0xFFFFFFFEu;
    for (uint32_t i = 0; i < 8; i++) {
        rp_record_t r = rec_n(i);
        CHECK_TRUE(rp_ring_push(&ring, &r));
    }
    rp_record_t extra = rec_n(99);
    CHECK_FALSE(rp_ring_push(&ring, &extra));
    LONGS_EQUAL(8, rp_ring_count(&ring));
    const rp_record_t *out = NULL;
    uint32_t seen = 0;
    while (rp_ring_count(&ring) > 0) {
        uint32_t n = rp_ring_peek(&ring, &out, 8);
        CHECK(n > 0);
        for (uint32_t i = 0; i < n; i++) {
            LONGS_EQUAL(seen + i, out[i].duration);
        }
        seen += n;
        rp_ring_release(&ring, n);
    }
    LONGS_EQUAL(8, seen);
}

TEST(ring, release_is_clamped_to_the_fill_level)
{
    rp_record_t r = rec_n(1);
    rp_ring_push(&ring, &r);
    rp_ring_release(&ring, 5);
    LONGS_EQUAL(0, rp_ring_count(&ring));
    CHECK_TRUE(rp_ring_push(&ring, &r));
    LONGS_EQUAL(1, rp_ring_count(&ring));
}

TEST(ring, reset_clears_everything)
{
    for (uint32_t i = 0; i < 10; i++) {
        rp_record_t r = rec_n(i);
        rp_ring_push(&ring, &r);
    }
    rp_ring_reset(&ring);
    LONGS_EQUAL(0, rp_ring_count(&ring));
    LONGS_EQUAL(0, ring.dropped);
    LONGS_EQUAL(0, ring.high_water);
    LONGS_EQUAL(7u, ring.mask);
}
