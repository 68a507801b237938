// rp_recorder: filters, critical section, exact accounting, self-cost.
#include <CppUTest/TestHarness.h>

#include <string.h>

extern "C" {
#include "fake_hal.h"
#include "rp_port.h"
#include "rramprof/rp_recorder.h"
}

static rp_record_t ev(uint8_t op, uint32_t duration, uint64_t start = 100)
{
    rp_record_t r;
    memset(&r, 0, sizeof r);
    r.op = op;
    r.duration = duration;
    r.start = start;
    r.tile = 1;
    r.row = 7;
    r.rows = 1;
    r.col = 16;
    r.cols = 32;
    r.iterations = 3;
    r.arg = 99;
    return r;
}

// record_ticks as Counters report it.
static uint64_t record_ticks()
{
    rp_counters_t c;
    rp_recorder_counters(&c);
    return c.record_ticks;
}

TEST_GROUP(recorder)
{
    void setup() override
    {
        fake_hal_reset();
        rp_recorder_init();
    }
    void teardown() override
    {
        // Every critical section was left with the state it was entered with.
        LONGS_EQUAL(0, rp_fake_port.irq_depth);
        LONGS_EQUAL(0, rp_fake_port.irq_bad_restores);
    }
};

TEST(recorder, stopped_records_nothing_and_counts_nothing)
{
    rp_record_t r = ev(RP_OP_WRITE, 10);
    rp_recorder_record(&r);
    CHECK_FALSE(rp_recorder.active);
    LONGS_EQUAL(0, rp_recorder.op_mask);
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());
    LONGS_EQUAL(0, rp_ring_count(&rp_recorder.ring));
}

TEST(recorder, records_a_copy_of_the_event)
{
    rp_recorder_start(0, 0);
    LONGS_EQUAL(RP_OP_MASK_ALL, rp_recorder.op_mask);
    rp_record_t r = ev(RP_OP_VERIFY, 42, 12345);
    rp_recorder_record(&r);
    r.duration = 0;  // the ring must hold its own copy
    LONGS_EQUAL(1, rp_recorder_recorded());
    const rp_record_t *out = NULL;
    LONGS_EQUAL(1, rp_ring_peek(&rp_recorder.ring, &out, 4));
    rp_record_t want = ev(RP_OP_VERIFY, 42, 12345);
    MEMCMP_EQUAL(&want, out, sizeof want);
}

TEST(recorder, op_mask_drops_other_ops_uncounted)
{
    rp_recorder_start((1u << RP_OP_WRITE) | (1u << RP_OP_MVM), 10);
    uint8_t ops[] = {RP_OP_WRITE, RP_OP_READ, RP_OP_MVM, RP_OP_VERIFY, RP_OP_SPAN};
    for (uint8_t op : ops) {
        rp_record_t r = ev(op, 5);   // below the threshold too
        rp_recorder_record(&r);
        r.duration = 10;
        rp_recorder_record(&r);
    }
    LONGS_EQUAL(2, rp_recorder_recorded());
    // Only the masked-in ops' short events count as filtered.
    LONGS_EQUAL(2, rp_recorder_filtered());
    const rp_record_t *out = NULL;
    LONGS_EQUAL(2, rp_ring_peek(&rp_recorder.ring, &out, 4));
    LONGS_EQUAL(RP_OP_WRITE, out[0].op);
    LONGS_EQUAL(RP_OP_MVM, out[1].op);
}

TEST(recorder, threshold_filters_shorter_events_only)
{
    rp_recorder_start(0, 50);
    rp_record_t shorter = ev(RP_OP_READ, 49);
    rp_record_t equal = ev(RP_OP_READ, 50);
    rp_record_t longer = ev(RP_OP_READ, 51);
    rp_recorder_record(&shorter);
    rp_recorder_record(&equal);
    rp_recorder_record(&longer);
    LONGS_EQUAL(2, rp_recorder_recorded());
    LONGS_EQUAL(1, rp_recorder_filtered());
}

TEST(recorder, threshold_saturates_to_32_bits)
{
    rp_recorder_start(0, 1ull << 40);
    LONGS_EQUAL(UINT32_MAX, rp_recorder.threshold);
    rp_record_t r = ev(RP_OP_READ, UINT32_MAX - 1);
    rp_recorder_record(&r);
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(1, rp_recorder_filtered());
}

TEST(recorder, full_ring_drops_exactly_and_keeps_first_drop_time)
{
    rp_recorder_start(0, 0);
    const uint32_t extra = 37;
    for (uint32_t i = 0; i < RP_CONFIG_RING_CAPACITY + extra; i++) {
        rp_record_t r = ev(RP_OP_WRITE, 1, 1000 + i);
        rp_recorder_record(&r);
    }
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY, rp_recorder_recorded());
    LONGS_EQUAL(extra, rp_recorder.ring.dropped);
    LONGS_EQUAL(1000 + RP_CONFIG_RING_CAPACITY, rp_recorder.first_drop_ts);
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY, rp_recorder.ring.high_water);
    LONGS_EQUAL(0, rp_recorder_filtered());
}

TEST(recorder, accepted_path_uses_one_critical_section_filtered_path_none)
{
    rp_recorder_start(1u << RP_OP_WRITE, 0);
    uint32_t saves = rp_fake_port.irq_saves;
    rp_record_t w = ev(RP_OP_WRITE, 1);
    rp_recorder_record(&w);
    LONGS_EQUAL(saves + 1, rp_fake_port.irq_saves);
    LONGS_EQUAL(1, rp_fake_port.irq_max_depth);
    rp_record_t rd = ev(RP_OP_READ, 1);
    rp_recorder_record(&rd);
    LONGS_EQUAL(saves + 1, rp_fake_port.irq_saves);
}

TEST(recorder, nested_critical_section_is_restored_to_the_callers_state)
{
    rp_recorder_start(0, 0);
    // Record from inside an outer critical section, as an ISR or a
    // caller holding the lock would.
    rp_port_irq_t outer = rp_port_irq_save();
    rp_record_t r = ev(RP_OP_WRITE, 1);
    rp_recorder_record(&r);
    LONGS_EQUAL(1, rp_fake_port.irq_depth);
    LONGS_EQUAL(2, rp_fake_port.irq_max_depth);
    rp_port_irq_restore(outer);
    LONGS_EQUAL(1, rp_recorder_recorded());
}

TEST(recorder, measures_its_own_cost_on_accepted_events_only)
{
    rp_fake_port.cycles = 0xFFFFFFF0u;  // the 32-bit difference must survive a wrap
    rp_recorder_start(1u << RP_OP_WRITE, 0);
    for (int i = 0; i < 10; i++) {
        rp_record_t w = ev(RP_OP_WRITE, 1);
        rp_record_t rd = ev(RP_OP_READ, 1);
        rp_recorder_record(&w);
        rp_recorder_record(&rd);
    }
    // The fake clock advances only by the modelled cost, so the cost
    // calibrated at Start is exactly that, per accepted event.
    LONGS_EQUAL(RP_PORT_RECORD_COST_TICKS * 256u, rp_recorder.cost_q8);
    LONGS_EQUAL(10 * RP_PORT_RECORD_COST_TICKS, record_ticks());
    LONGS_EQUAL(10 * RP_PORT_RECORD_COST_TICKS, rp_fake_port.model_cost);
}

TEST(recorder, stop_keeps_ring_and_freezes_counters)
{
    rp_recorder_start(1u << RP_OP_WRITE, 2);
    rp_record_t w = ev(RP_OP_WRITE, 2);
    rp_record_t short_w = ev(RP_OP_WRITE, 1);
    rp_recorder_record(&w);
    rp_recorder_record(&short_w);
    rp_recorder_stop();
    rp_recorder_record(&w);
    rp_recorder_record(&short_w);
    LONGS_EQUAL(1, rp_recorder_recorded());
    LONGS_EQUAL(1, rp_recorder_filtered());
    LONGS_EQUAL(1, rp_ring_count(&rp_recorder.ring));
    CHECK_FALSE(rp_recorder.active);
}

TEST(recorder, start_clears_ring_and_counters)
{
    rp_recorder_start(1u << RP_OP_WRITE, 0);
    for (uint32_t i = 0; i < RP_CONFIG_RING_CAPACITY + 3; i++) {
        rp_record_t w = ev(RP_OP_WRITE, 1);
        rp_recorder_record(&w);
    }
    rp_record_t rd = ev(RP_OP_READ, 1);
    rp_recorder_record(&rd);
    rp_recorder_start(0, 0);
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());
    LONGS_EQUAL(0, record_ticks());
    LONGS_EQUAL(0, rp_recorder.first_drop_ts);
    LONGS_EQUAL(0, rp_recorder.ring.dropped);
    LONGS_EQUAL(0, rp_recorder.ring.high_water);
    LONGS_EQUAL(0, rp_ring_count(&rp_recorder.ring));
}

TEST(recorder, set_filter_applies_while_active)
{
    rp_recorder_start(0, 0);
    rp_recorder_set_filter(1u << RP_OP_READ, 10);
    rp_record_t rd_short = ev(RP_OP_READ, 9);
    rp_record_t rd = ev(RP_OP_READ, 10);
    rp_record_t w = ev(RP_OP_WRITE, 100);
    rp_recorder_record(&rd_short);
    rp_recorder_record(&rd);
    rp_recorder_record(&w);
    LONGS_EQUAL(1, rp_recorder_recorded());
    LONGS_EQUAL(1, rp_recorder_filtered());   // rd_short; w is masked out
    rp_recorder_set_filter(0, 0);  // 0 = all ops
    LONGS_EQUAL(RP_OP_MASK_ALL, rp_recorder.op_mask);
}

TEST(recorder, set_filter_while_stopped_keeps_recording_off)
{
    rp_recorder_set_filter(1u << RP_OP_READ, 10);
    LONGS_EQUAL(0, rp_recorder.op_mask);
    LONGS_EQUAL(10, rp_recorder.threshold);
    rp_record_t rd = ev(RP_OP_READ, 100);
    rp_recorder_record(&rd);
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());
}

TEST(recorder, limit_stops_recording_at_exactly_that_many_events)
{
    rp_recorder_set_limit(5);
    rp_recorder_start(1u << RP_OP_WRITE, 2);
    for (int i = 0; i < 9; i++) {
        rp_record_t w = ev(RP_OP_WRITE, 2);
        rp_record_t short_w = ev(RP_OP_WRITE, 1);
        rp_recorder_record(&short_w);
        rp_recorder_record(&w);
    }
    LONGS_EQUAL(5, rp_recorder_recorded());
    LONGS_EQUAL(5, rp_ring_count(&rp_recorder.ring));
    LONGS_EQUAL(5, rp_recorder_filtered());  // the short ones before the limit only
    CHECK_FALSE(rp_recorder.active);
    LONGS_EQUAL(0, rp_recorder.op_mask);
    // The limit applies again to the next session; 0 lifts it.
    rp_recorder_start(0, 0);
    for (int i = 0; i < 7; i++) {
        rp_record_t w = ev(RP_OP_WRITE, 1);
        rp_recorder_record(&w);
    }
    LONGS_EQUAL(5, rp_recorder_recorded());
    rp_recorder_set_limit(0);
    rp_recorder_start(0, 0);
    for (int i = 0; i < 7; i++) {
        rp_record_t w = ev(RP_OP_WRITE, 1);
        rp_recorder_record(&w);
    }
    LONGS_EQUAL(7, rp_recorder_recorded());
    CHECK_TRUE(rp_recorder.active);
}

TEST(recorder, limit_beyond_the_ring_counts_events_drained_in_between)
{
    const uint32_t limit = RP_CONFIG_RING_CAPACITY + 3u;
    rp_recorder_set_limit(limit);
    rp_recorder_start(0, 0);
    rp_record_t w = ev(RP_OP_WRITE, 1);
    uint32_t sent = 0;
    for (uint32_t i = 0; i < 2u * RP_CONFIG_RING_CAPACITY; i++) {
        rp_recorder_record(&w);
        if (rp_ring_count(&rp_recorder.ring) == RP_CONFIG_RING_CAPACITY) {
            sent += rp_ring_count(&rp_recorder.ring);
            rp_ring_release(&rp_recorder.ring, rp_ring_count(&rp_recorder.ring));
        }
    }
    CHECK_FALSE(rp_recorder.active);
    LONGS_EQUAL(limit, rp_recorder_recorded());
    LONGS_EQUAL(limit, sent + rp_ring_count(&rp_recorder.ring));
    LONGS_EQUAL(0, rp_recorder.ring.dropped);
}

TEST(recorder, limit_above_2_to_the_32_passes_the_low_word_first)
{
    rp_recorder_set_limit((1ull << 32) + 3u);
    rp_recorder_start(0, 0);
    LONGS_EQUAL(3, rp_recorder.limit_head);
    LONGS_EQUAL(1, rp_recorder.limit_wraps);
    rp_record_t w = ev(RP_OP_WRITE, 1);
    for (int i = 0; i < 4; i++) {
        rp_recorder_record(&w);
    }
    // Head 3 is event 3, not yet event 2^32 + 3: recording goes on.
    CHECK_TRUE(rp_recorder.active);
    LONGS_EQUAL(0, rp_recorder.limit_wraps);
    LONGS_EQUAL(4, rp_recorder_recorded());
}

TEST(recorder, filtered_count_is_exact_across_the_32_bit_wrap)
{
    rp_recorder_start(0, 2);
    // As if 2^32 - 16 events had been filtered and synced already.
    rp_recorder.filtered = 0xFFFFFFF0u;
    rp_recorder.filtered_seen = 0xFFFFFFF0u;
    rp_recorder.filtered_total = 0xFFFFFFF0u;
    rp_record_t rd = ev(RP_OP_READ, 1);
    for (int i = 0; i < 20; i++) {
        rp_recorder_record(&rd);
    }
    rp_recorder_sync();
    LONGS_EQUAL(4, rp_recorder.filtered);
    CHECK_TRUE(rp_recorder_filtered() == 0xFFFFFFF0ull + 20u);
}

TEST(recorder, high_water_is_the_peak_seen_by_the_consumer)
{
    rp_recorder_start(0, 0);
    rp_record_t w = ev(RP_OP_WRITE, 1);
    for (int i = 0; i < 5; i++) {
        rp_recorder_record(&w);
    }
    rp_ring_release(&rp_recorder.ring, 5);   // the drain saw 5 waiting
    for (int i = 0; i < 3; i++) {
        rp_recorder_record(&w);
    }
    rp_counters_t c;
    rp_recorder_counters(&c);
    LONGS_EQUAL(5, c.ring_high_water);
    LONGS_EQUAL(8, c.events_recorded);
    LONGS_EQUAL(8 * RP_PORT_RECORD_COST_TICKS, c.record_ticks);
}

TEST(recorder, ops_beyond_31_use_the_mask_bit_of_op_and_31)
{
    rp_recorder_start(1u << RP_OP_READ, 0);
    rp_record_t r = ev((uint8_t)(RP_OP_READ + 32u), 1);
    rp_record_t w = ev((uint8_t)(RP_OP_WRITE + 224u), 1);
    rp_recorder_record(&r);
    rp_recorder_record(&w);
    LONGS_EQUAL(1, rp_recorder_recorded());
    const rp_record_t *out = NULL;
    LONGS_EQUAL(1, rp_ring_peek(&rp_recorder.ring, &out, 2));
    LONGS_EQUAL(RP_OP_READ + 32u, out[0].op);
}

TEST(recorder, init_lifts_the_limit)
{
    rp_recorder_set_limit(1);
    rp_recorder_init();
    rp_recorder_start(0, 0);
    rp_record_t w = ev(RP_OP_WRITE, 1);
    rp_recorder_record(&w);
    rp_recorder_record(&w);
    LONGS_EQUAL(2, rp_recorder_recorded());
}

TEST(recorder, counters_report_the_recorder_part)
{
    rp_recorder_start(1u << RP_OP_WRITE, 1);
    for (uint32_t i = 0; i < RP_CONFIG_RING_CAPACITY + 2; i++) {
        rp_record_t w = ev(RP_OP_WRITE, 1);
        rp_recorder_record(&w);
    }
    rp_record_t rd = ev(RP_OP_READ, 1);
    rp_recorder_record(&rd);   // masked out: not counted
    rp_record_t short_w = ev(RP_OP_WRITE, 0);
    rp_recorder_record(&short_w);
    rp_counters_t c;
    memset(&c, 0xEE, sizeof c);
    rp_recorder_counters(&c);
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY, c.events_recorded);
    LONGS_EQUAL(1, c.events_filtered);
    LONGS_EQUAL(2, c.events_dropped);
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY, c.ring_high_water);
    // Refused pushes cost time too: the self-cost covers every accepted-path call.
    LONGS_EQUAL((RP_CONFIG_RING_CAPACITY + 2) * RP_PORT_RECORD_COST_TICKS, c.record_ticks);
}
