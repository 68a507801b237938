/* Protocol checks shared by the sim board's integration tests: walks a
 * decoded stream, fails the current CppUTest test on any violation of the
 * stream invariants, and returns what the tests look at next. */
#ifndef RP_SIM_CHECKS_H
#define RP_SIM_CHECKS_H

#include <string>
#include <vector>

#include "sim_harness.h"

namespace simtest {

struct Summary {
    const Rramprof__V1__Hello *hello = nullptr;
    std::vector<Event> events;                          /* every batch, in order */
    std::vector<const Rramprof__V1__WorkloadResult *> results;
    std::vector<const Rramprof__V1__Response *> responses;
    const Rramprof__V1__Counters *last_counters = nullptr;
    size_t last_counters_index = 0;
    size_t batches = 0;
    size_t drop_reports = 0;
    uint64_t batch_dropped_total = 0;    /* dropped_total of the last batch */
    uint64_t report_dropped_total = 0;   /* of the last DropReport */
    size_t kinds[16] = {};               /* frames per Frame body case */
};

/* Checks, failing the test with `label` in the message:
 *  - the deframer saw no errors and no stray bytes, every frame decodes;
 *  - the first frame is a sane Hello; no payload exceeds its
 *    max_frame_payload;
 *  - batch sequence numbers run 0, 1, 2, ... and first_event is the number
 *    of events before the batch (nothing lost on the link), every column
 *    has count or 0 entries; dropped_total never decreases;
 *  - per op kind, end times never decrease, and start times never decrease
 *    except for spans (recorded when they end, so an outer span starts
 *    before the inner ones recorded ahead of it). */
Summary check_stream(const Stream &s, const std::string &label);

/* Compares the crossbar events (WRITE..TRANSFER) with the truth file, one
 * for one and in order: op, tile, row, start and duration equal. The truth
 * may go on after the last event (work after recording stopped). */
void check_truth_exact(const std::vector<Event> &events, const std::vector<TruthOp> &truth,
                       const std::string &label);

} // namespace simtest

#endif
