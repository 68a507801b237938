/* bench_record: drives rp_recorder_record for callgrind.
 *
 *   bench_record MODE [EVENTS]     MODE: accepted | filtered | threshold | empty
 *
 * accepted   every event passes the filters and enters the ring (the ring
 *            is emptied between calls, outside the measured function);
 * filtered   every event is rejected by the op mask (not counted);
 * threshold  every event passes the mask and is rejected by the threshold;
 * empty      calls bench_empty_call, an empty function: the cost of the
 *            call itself (its `ret`) as callgrind counts it.
 *
 * bench/run_callgrind.sh runs each mode with --toggle-collect on the
 * measured function and divides the instructions by EVENTS. Prints what
 * the recorder counted, and fails if it is not what the mode expects. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_recorder.h"

void bench_empty_call(const rp_record_t *rec);

__attribute__((noinline)) void bench_empty_call(const rp_record_t *rec)
{
    __asm__ __volatile__("" : : "r"(rec) : "memory");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s accepted|filtered|threshold|empty [EVENTS]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    uint32_t events = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 200000u;
    int empty = strcmp(mode, "empty") == 0;

    rp_recorder_init();
    rp_record_t rec;
    memset(&rec, 0, sizeof rec);
    rec.op = RP_OP_WRITE;
    rec.tile = 1;
    rec.rows = 1;
    rec.cols = 64;
    rec.duration = 40;
    if (strcmp(mode, "accepted") == 0 || empty) {
        rp_recorder_start(0, 0);
    } else if (strcmp(mode, "filtered") == 0) {
        rp_recorder_start(1u << RP_OP_MVM, 0);
    } else if (strcmp(mode, "threshold") == 0) {
        rp_recorder_start(0, 1000);
    } else {
        fprintf(stderr, "%s: unknown mode %s\n", argv[0], mode);
        return 2;
    }

    for (uint32_t i = 0; i < events; i++) {
        rec.start += 57;
        rec.row = (uint16_t)(i & 63u);
        rec.iterations = (uint8_t)(i & 7u);
        if (empty) {
            bench_empty_call(&rec);
            continue;
        }
        rp_recorder_record(&rec);
        if (rp_ring_count(&rp_recorder.ring) >= RP_CONFIG_RING_CAPACITY / 2u) {
            rp_ring_release(&rp_recorder.ring, rp_ring_count(&rp_recorder.ring));
        }
    }

    uint64_t want_recorded = strcmp(mode, "accepted") == 0 ? events : 0u;
    uint64_t want_filtered = strcmp(mode, "threshold") == 0 ? events : 0u;
    printf("mode=%s events=%" PRIu32 " recorded=%" PRIu64 " filtered=%" PRIu64
           " dropped=%" PRIu64 "\n",
           mode, events, rp_recorder_recorded(), rp_recorder_filtered(), rp_recorder.ring.dropped);
    if (rp_recorder_recorded() != want_recorded || rp_recorder_filtered() != want_filtered ||
        rp_recorder.ring.dropped != 0u) {
        fprintf(stderr, "%s: unexpected counts for mode %s\n", argv[0], mode);
        return 1;
    }
    return 0;
}
