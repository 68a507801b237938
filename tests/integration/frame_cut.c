/* frame_cut N: copies a device's frame stream from stdin to stdout and
 * exits right after the Nth Counters frame, leaving the device writing
 * into a closed pipe: a device that goes away just after a periodic
 * Counters, which must not read as a session that ended (test_cli.cpp,
 * CliFaults). */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "rramprof/rp_frame.h"
#include "write_all.h"

/* Key of Frame.counters (field 4, length-delimited): a Counters frame's
 * payload starts with it. */
#define PRV_COUNTERS_KEY ((4u << 3) | 2u)

int main(int argc, char **argv)
{
    long want = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
    static uint8_t payload[1u << 16];   /* above any device's frame size */
    rp_deframer_t d;
    rp_deframer_init(&d, payload, sizeof payload);
    long seen = 0;
    uint8_t buf[4096];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n <= 0)
            return 1;   /* the stream ended first */
        for (ssize_t i = 0; i < n; i++) {
            if (rp_deframer_feed(&d, buf[i]) == RP_DEFRAME_FRAME && rp_deframer_payload_len(&d) > 0 &&
                rp_deframer_payload(&d)[0] == PRV_COUNTERS_KEY && ++seen == want)
                return rp_test_write_all(1, buf, (size_t)i + 1) == 0 ? 0 : 1;
        }
        if (rp_test_write_all(1, buf, (size_t)n) != 0)
            return 1;
    }
}
