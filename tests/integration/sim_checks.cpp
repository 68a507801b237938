/* Protocol checks for sim board streams; see sim_checks.h. */
#include "sim_checks.h"

#include <string.h>

#include <CppUTest/TestHarness.h>

namespace simtest {

static std::string at(const std::string &label, size_t i)
{
    return label + ": frame " + std::to_string(i);
}

static void check_hello(const Rramprof__V1__Hello *h, const std::string &label)
{
    UNSIGNED_LONGS_EQUAL_TEXT(1, h->protocol_version, label.c_str());
    STRCMP_EQUAL_TEXT("sim", h->board, label.c_str());
    CHECK_TEXT(strlen(h->firmware_version) > 0, label.c_str());
    CHECK_TEXT(h->clock_hz >= 1000000u, (label + ": clock_hz").c_str());
    CHECK_TEXT(h->timer_bits >= 16 && h->timer_bits <= 64, (label + ": timer_bits").c_str());
    CHECK_TEXT(h->array != nullptr, (label + ": array").c_str());
    CHECK_TEXT(h->array->tiles > 0 && h->array->rows > 0 && h->array->cols > 0,
               (label + ": geometry").c_str());
    CHECK_TEXT(h->array->bits_per_cell > 0, (label + ": bits_per_cell").c_str());
    CHECK_TEXT(h->ring_capacity >= 2 && (h->ring_capacity & (h->ring_capacity - 1)) == 0,
               (label + ": ring_capacity").c_str());
    CHECK_TEXT(h->max_frame_payload >= 64, (label + ": max_frame_payload").c_str());
    static const char *const names[] = { "program", "mlp", "scan", "solver" };
    for (const char *name : names) {
        bool found = false;
        for (size_t i = 0; i < h->n_workloads; i++) {
            found = found || strcmp(h->workloads[i], name) == 0;
        }
        CHECK_TEXT(found, (label + ": Hello lacks workload " + name).c_str());
    }
}

Summary check_stream(const Stream &s, const std::string &label)
{
    Summary sum;
    const rp_deframer_stats_t &st = s.stats;
    UNSIGNED_LONGS_EQUAL_TEXT(0, st.crc_errors, (label + ": CRC errors").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, st.cobs_errors, (label + ": COBS errors").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, st.oversize, (label + ": oversize frames").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, st.short_frames, (label + ": short frames").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, st.discarded_bytes, (label + ": stray bytes").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, s.undecodable, (label + ": undecodable frames").c_str());
    CHECK_TEXT(!s.frames.empty(), (label + ": no frames").c_str());

    const Rramprof__V1__Frame *first = s.frames[0].get();
    CHECK_TEXT(first->body_case == RRAMPROF__V1__FRAME__BODY_HELLO,
               (label + ": first frame is not Hello").c_str());
    sum.hello = first->hello;
    check_hello(sum.hello, label);

    uint32_t next_seq = 0;
    uint64_t next_first = 0;
    uint64_t last_start[16] = {};
    uint64_t last_end[16] = {};
    for (size_t i = 0; i < s.frames.size(); i++) {
        const Rramprof__V1__Frame *f = s.frames[i].get();
        std::string where = at(label, i);
        CHECK_TEXT(s.payloads[i].size() <= sum.hello->max_frame_payload,
                   (where + ": payload above max_frame_payload").c_str());
        sum.kinds[f->body_case & 15]++;
        switch (f->body_case) {
        case RRAMPROF__V1__FRAME__BODY_BATCH: {
            const Rramprof__V1__EventBatch *b = f->batch;
            UNSIGNED_LONGS_EQUAL_TEXT(next_seq, b->sequence, (where + ": sequence").c_str());
            UNSIGNED_LONGS_EQUAL_TEXT(next_first, b->first_event, (where + ": first_event").c_str());
            CHECK_TEXT(b->count > 0, (where + ": empty batch").c_str());
            CHECK_TEXT(b->dropped_total >= sum.batch_dropped_total,
                       (where + ": dropped_total decreased").c_str());
            size_t before = sum.events.size();
            std::string why = expand_batch(b, sum.events);
            STRCMP_EQUAL_TEXT("", why.c_str(), where.c_str());
            for (size_t k = before; k < sum.events.size(); k++) {
                const Event &e = sum.events[k];
                CHECK_TEXT(e.op >= 1 && e.op <= 7, (where + ": op out of range").c_str());
                std::string ev = where + ": event " + std::to_string(k) + " (" + op_name(e.op) + ")";
                CHECK_TEXT(e.end >= last_end[e.op], (ev + ": end went back").c_str());
                if (e.op != 6 /* SPAN */) {
                    CHECK_TEXT(e.start >= last_start[e.op], (ev + ": start went back").c_str());
                }
                last_end[e.op] = e.end;
                last_start[e.op] = e.start;
            }
            sum.batch_dropped_total = b->dropped_total;
            next_seq++;
            next_first += b->count;
            sum.batches++;
            break;
        }
        case RRAMPROF__V1__FRAME__BODY_COUNTERS:
            sum.last_counters = f->counters;
            sum.last_counters_index = i;
            break;
        case RRAMPROF__V1__FRAME__BODY_DROPS:
            CHECK_TEXT(f->drops->dropped_total >= sum.report_dropped_total,
                       (where + ": DropReport went back").c_str());
            sum.report_dropped_total = f->drops->dropped_total;
            sum.drop_reports++;
            break;
        case RRAMPROF__V1__FRAME__BODY_WORKLOAD:
            sum.results.push_back(f->workload);
            break;
        case RRAMPROF__V1__FRAME__BODY_RESPONSE:
            sum.responses.push_back(f->response);
            break;
        case RRAMPROF__V1__FRAME__BODY_HELLO:
            CHECK_TEXT(i == 0, (where + ": second Hello").c_str());
            break;
        default:
            break;
        }
    }
    return sum;
}

void check_truth_exact(const std::vector<Event> &events, const std::vector<TruthOp> &truth,
                       const std::string &label)
{
    size_t t = 0;
    size_t matched = 0;
    for (size_t i = 0; i < events.size(); i++) {
        const Event &e = events[i];
        if (!is_crossbar_op(e.op)) {
            continue;
        }
        std::string where = label + ": crossbar event " + std::to_string(matched) +
                            " (stream event " + std::to_string(i) + ")";
        CHECK_TEXT(t < truth.size(), (where + ": no truth line left").c_str());
        const TruthOp &g = truth[t];
        STRCMP_EQUAL_TEXT(g.op.c_str(), op_name(e.op).c_str(), (where + ": op").c_str());
        UNSIGNED_LONGS_EQUAL_TEXT(g.tile, e.tile, (where + ": tile").c_str());
        UNSIGNED_LONGS_EQUAL_TEXT(g.row, e.row, (where + ": row").c_str());
        UNSIGNED_LONGLONGS_EQUAL_TEXT(g.start, e.start, (where + ": start").c_str());
        UNSIGNED_LONGLONGS_EQUAL_TEXT(g.duration, e.duration, (where + ": duration").c_str());
        t++;
        matched++;
    }
    CHECK_TEXT(matched > 0, (label + ": no crossbar events").c_str());
}

} // namespace simtest
