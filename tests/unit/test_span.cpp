// Spans, compute marks and the name table.
#include <CppUTest/TestHarness.h>

#include <stdio.h>
#include <string.h>

extern "C" {
#include "fake_hal.h"
#include "rp_port.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_span.h"
}

// Drains the recorder's ring into out[]; returns the count.
static uint32_t take(rp_record_t *out, uint32_t max)
{
    uint32_t n = 0;
    const rp_record_t *p;
    uint32_t k;
    while (n < max && (k = rp_ring_peek(&rp_recorder.ring, &p, max - n)) > 0) {
        memcpy(out + n, p, k * sizeof *p);
        rp_ring_release(&rp_recorder.ring, k);
        n += k;
    }
    return n;
}

TEST_GROUP(span)
{
    char texts[RP_CONFIG_MAX_NAMES + 4][16];
    rp_name_t names[RP_CONFIG_MAX_NAMES + 4];

    void setup() override
    {
        fake_hal_reset();
        rp_recorder_init();
        rp_span_reset();
        rp_recorder_start(0, 0);
        for (unsigned i = 0; i < RP_CONFIG_MAX_NAMES + 4; i++) {
            snprintf(texts[i], sizeof texts[i], "name%u", i);
            names[i].text = texts[i];
            names[i].id = 0;
        }
    }
    void teardown() override
    {
        LONGS_EQUAL(0, rp_fake_port.irq_depth);
        LONGS_EQUAL(0, rp_fake_port.irq_bad_restores);
    }
};

TEST(span, ids_start_at_one_and_are_stable)
{
    LONGS_EQUAL(1, rp_name_intern(&names[0]));
    LONGS_EQUAL(2, rp_name_intern(&names[1]));
    LONGS_EQUAL(1, rp_name_intern(&names[0]));
    LONGS_EQUAL(1, names[0].id);
    // Another object with the same text gets the same id.
    rp_name_t again = RP_NAME("name1");
    LONGS_EQUAL(2, rp_name_intern(&again));
    LONGS_EQUAL(0, rp_name_intern(NULL));
}

TEST(span, table_full_returns_zero)
{
    for (unsigned i = 0; i < RP_CONFIG_MAX_NAMES; i++) {
        LONGS_EQUAL(i + 1, rp_name_intern(&names[i]));
    }
    LONGS_EQUAL(0, rp_name_intern(&names[RP_CONFIG_MAX_NAMES]));
    // Known names still resolve.
    LONGS_EQUAL(3, rp_name_intern(&names[2]));
}

TEST(span, long_names_are_truncated)
{
    char longtext[RP_CONFIG_MAX_NAME_LEN + 20];
    memset(longtext, 'x', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    rp_name_t n = {longtext, 0};
    LONGS_EQUAL(1, rp_name_intern(&n));
    const uint32_t *ids;
    const char *const *t;
    LONGS_EQUAL(1, rp_name_pending(&ids, &t));
    LONGS_EQUAL(RP_CONFIG_MAX_NAME_LEN, strlen(t[0]));
    CHECK(strncmp(t[0], longtext, RP_CONFIG_MAX_NAME_LEN) == 0);
}

TEST(span, pending_mark_sent_and_resend)
{
    rp_name_intern(&names[0]);
    rp_name_intern(&names[1]);
    const uint32_t *ids;
    const char *const *t;
    LONGS_EQUAL(2, rp_name_pending(&ids, &t));
    LONGS_EQUAL(1, ids[0]);
    LONGS_EQUAL(2, ids[1]);
    STRCMP_EQUAL("name0", t[0]);
    STRCMP_EQUAL("name1", t[1]);
    rp_name_mark_sent();
    LONGS_EQUAL(0, rp_name_pending(&ids, &t));

    rp_name_intern(&names[2]);
    LONGS_EQUAL(1, rp_name_pending(&ids, &t));
    LONGS_EQUAL(3, ids[0]);
    STRCMP_EQUAL("name2", t[0]);
    rp_name_mark_sent();

    rp_name_resend_all();
    LONGS_EQUAL(3, rp_name_pending(&ids, &t));
    LONGS_EQUAL(1, ids[0]);
}

TEST(span, a_name_interned_between_pending_and_mark_sent_stays_pending)
{
    rp_name_intern(&names[0]);
    const uint32_t *ids;
    const char *const *t;
    LONGS_EQUAL(1, rp_name_pending(&ids, &t));
    rp_name_intern(&names[1]);
    rp_name_mark_sent();
    LONGS_EQUAL(1, rp_name_pending(&ids, &t));
    LONGS_EQUAL(2, ids[0]);
}

TEST(span, pending_comes_in_chunks_that_fit_one_frame)
{
    for (unsigned i = 0; i < RP_CONFIG_MAX_NAMES; i++) {
        rp_name_intern(&names[i]);
    }
    const uint32_t *ids;
    const char *const *t;
    uint32_t total = 0, chunks = 0, n;
    while ((n = rp_name_pending(&ids, &t)) > 0) {
        LONGS_EQUAL(total + 1, ids[0]);
        // Worst case bytes of this chunk's NameTable, headers included.
        CHECK(16 + n * (RP_CONFIG_MAX_NAME_LEN + 5) <= RP_FRAME_MAX_PAYLOAD);
        total += n;
        chunks++;
        rp_name_mark_sent();
    }
    LONGS_EQUAL(RP_CONFIG_MAX_NAMES, total);
    CHECK(chunks >= 1);
}

TEST(span, reset_reinterns_stale_names)
{
    rp_name_intern(&names[0]);
    rp_name_intern(&names[1]);
    rp_span_reset();
    LONGS_EQUAL(1, rp_name_intern(&names[1]));  // cached id 2 is stale
    LONGS_EQUAL(2, rp_name_intern(&names[0]));
}

TEST(span, begin_end_records_one_span_event)
{
    fake_hal.now = 1000;
    rp_span_begin(&names[0]);
    fake_hal_timer_advance(250);
    rp_span_end(&names[0]);
    rp_record_t out[4];
    LONGS_EQUAL(1, take(out, 4));
    LONGS_EQUAL(RP_OP_SPAN, out[0].op);
    LONGS_EQUAL(1000, out[0].start);
    LONGS_EQUAL(250, out[0].duration);
    LONGS_EQUAL(1, out[0].arg);
    LONGS_EQUAL(RP_STATUS_OK, out[0].status);
    LONGS_EQUAL(0, rp_span_mismatches());
}

TEST(span, nested_spans_record_inner_first)
{
    fake_hal.now = 10;
    rp_span_begin(&names[0]);
    fake_hal_timer_advance(5);
    rp_span_begin(&names[1]);
    fake_hal_timer_advance(20);
    rp_span_end(&names[1]);
    fake_hal_timer_advance(7);
    rp_span_end(&names[0]);
    rp_record_t out[4];
    LONGS_EQUAL(2, take(out, 4));
    LONGS_EQUAL(2, out[0].arg);
    LONGS_EQUAL(15, out[0].start);
    LONGS_EQUAL(20, out[0].duration);
    LONGS_EQUAL(1, out[1].arg);
    LONGS_EQUAL(10, out[1].start);
    LONGS_EQUAL(32, out[1].duration);
}

TEST(span, scope_macro_ends_the_span_after_the_body_once)
{
    int runs = 0;
    fake_hal.now = 100;
    RP_SPAN_SCOPE(&names[3]) {
        runs++;
        fake_hal_timer_advance(40);
    }
    LONGS_EQUAL(1, runs);
    rp_record_t out[4];
    LONGS_EQUAL(1, take(out, 4));
    LONGS_EQUAL(40, out[0].duration);
    LONGS_EQUAL(1, out[0].arg);
}

TEST(span, end_without_begin_is_counted_and_harmless)
{
    fake_hal.now = 0;
    rp_span_begin(&names[0]);
    fake_hal_timer_advance(3);
    rp_span_end(&names[1]);  // never begun
    LONGS_EQUAL(1, rp_span_mismatches());
    fake_hal_timer_advance(3);
    rp_span_end(&names[0]);  // the open span is intact
    rp_record_t out[4];
    LONGS_EQUAL(1, take(out, 4));
    LONGS_EQUAL(1, out[0].arg);
    LONGS_EQUAL(6, out[0].duration);
    rp_span_end(&names[0]);  // stack now empty
    LONGS_EQUAL(2, rp_span_mismatches());
}

TEST(span, ending_an_outer_span_drops_unclosed_inner_ones)
{
    rp_span_begin(&names[0]);
    rp_span_begin(&names[1]);
    rp_span_begin(&names[2]);
    rp_span_end(&names[0]);
    LONGS_EQUAL(2, rp_span_mismatches());
    rp_record_t out[4];
    LONGS_EQUAL(1, take(out, 4));
    LONGS_EQUAL(1, out[0].arg);
    // The stack is empty again.
    rp_span_end(&names[1]);
    LONGS_EQUAL(3, rp_span_mismatches());
    LONGS_EQUAL(0, take(out, 4));
}

TEST(span, too_deep_spans_are_filtered_and_the_rest_stay_correct)
{
    const unsigned extra = 2;
    fake_hal.now = 0;
    for (unsigned i = 0; i < RP_CONFIG_SPAN_DEPTH + extra; i++) {
        rp_span_begin(&names[i]);
        fake_hal_timer_advance(1);
    }
    LONGS_EQUAL(extra, rp_recorder_filtered());
    for (unsigned i = RP_CONFIG_SPAN_DEPTH + extra; i-- > 0;) {
        rp_span_end(&names[i]);
        fake_hal_timer_advance(1);
    }
    LONGS_EQUAL(0, rp_span_mismatches());
    rp_record_t out[RP_CONFIG_SPAN_DEPTH + 4];
    LONGS_EQUAL(RP_CONFIG_SPAN_DEPTH, take(out, RP_CONFIG_SPAN_DEPTH + 4));
    // The innermost recorded span is the last one that fitted the stack.
    LONGS_EQUAL(RP_CONFIG_SPAN_DEPTH, out[0].arg);
    // The outermost: begun at 0, ended after all begins and ends but its own.
    const rp_record_t &outer = out[RP_CONFIG_SPAN_DEPTH - 1];
    LONGS_EQUAL(1, outer.arg);
    LONGS_EQUAL(0, outer.start);
    LONGS_EQUAL(2 * (RP_CONFIG_SPAN_DEPTH + extra) - 1, outer.duration);
}

TEST(span, names_that_do_not_fit_the_table_are_filtered)
{
    for (unsigned i = 0; i < RP_CONFIG_MAX_NAMES; i++) {
        rp_name_intern(&names[i]);
    }
    rp_span_begin(&names[RP_CONFIG_MAX_NAMES]);
    rp_span_end(&names[RP_CONFIG_MAX_NAMES]);
    rp_compute_mark(&names[RP_CONFIG_MAX_NAMES + 1], 0, 10);
    LONGS_EQUAL(2, rp_recorder_filtered());
    LONGS_EQUAL(0, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_span_mismatches());
}

TEST(span, compute_mark_records_compute_event)
{
    rp_compute_mark(&names[5], 300, 345);
    rp_compute_mark(&names[5], 400, 390);  // end before start: zero length
    rp_record_t out[4];
    LONGS_EQUAL(2, take(out, 4));
    LONGS_EQUAL(RP_OP_COMPUTE, out[0].op);
    LONGS_EQUAL(300, out[0].start);
    LONGS_EQUAL(45, out[0].duration);
    LONGS_EQUAL(1, out[0].arg);
    LONGS_EQUAL(0, out[1].duration);
}

TEST(span, spans_follow_the_recorder_filters)
{
    rp_recorder_start(1u << RP_OP_COMPUTE, 0);
    rp_span_begin(&names[0]);
    rp_span_end(&names[0]);
    rp_compute_mark(&names[1], 0, 1);
    LONGS_EQUAL(1, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());   // the masked-out span is not counted
    rp_recorder_stop();
    rp_span_begin(&names[0]);
    rp_span_end(&names[0]);
    LONGS_EQUAL(1, rp_recorder_recorded());
    LONGS_EQUAL(0, rp_recorder_filtered());
}
