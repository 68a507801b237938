/* libFuzzer target: the streaming deframer, and the frame encoder.
 *
 * The input is fed as a received byte stream to a deframer with a small
 * buffer; the statistics must account for every byte and every frame it
 * accepts must re-encode and deframe to itself. The input is also framed
 * as a payload and must come back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_frame.h"

#define PRV_REQUIRE(cond) \
    do { \
        if (!(cond)) { \
            abort(); \
        } \
    } while (0)

#define PRV_MAX_PAYLOAD 64u
#define PRV_BIG 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encodes payload, feeds the frame to a fresh deframer, and requires the
 * same payload back exactly at the delimiter. */
static void prv_round_trip(const uint8_t *payload, size_t len)
{
    static uint8_t wire[RP_FRAME_ENCODED_MAX(PRV_BIG)];
    static uint8_t rx[PRV_BIG + RP_FRAME_CRC_LEN];
    size_t n = rp_frame_encode(payload, len, wire, sizeof(wire));
    PRV_REQUIRE(n > 0 && n <= RP_FRAME_ENCODED_MAX(len));
    rp_deframer_t d;
    rp_deframer_init(&d, rx, sizeof(rx));
    for (size_t i = 0; i + 1 < n; i++) {
        PRV_REQUIRE(wire[i] != 0);
        PRV_REQUIRE(rp_deframer_feed(&d, wire[i]) == RP_DEFRAME_NONE);
    }
    PRV_REQUIRE(rp_deframer_feed(&d, wire[n - 1]) == RP_DEFRAME_FRAME);
    PRV_REQUIRE(rp_deframer_payload_len(&d) == len);
    PRV_REQUIRE(len == 0 || memcmp(rp_deframer_payload(&d), payload, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[PRV_MAX_PAYLOAD + RP_FRAME_CRC_LEN];
    rp_deframer_t d;
    rp_deframer_init(&d, buf, sizeof(buf));
    uint64_t good_bytes = 0, pending = 0, errors = 0;
    for (size_t i = 0; i < size; i++) {
        pending++;
        rp_deframe_result_t r = rp_deframer_feed(&d, data[i]);
        if (r == RP_DEFRAME_FRAME) {
            size_t len = rp_deframer_payload_len(&d);
            PRV_REQUIRE(len <= PRV_MAX_PAYLOAD);
            PRV_REQUIRE(data[i] == 0);
            good_bytes += pending;
            uint8_t copy[PRV_MAX_PAYLOAD];
            memcpy(copy, rp_deframer_payload(&d), len);
            prv_round_trip(copy, len);
        } else if (r != RP_DEFRAME_NONE) {
            PRV_REQUIRE(data[i] == 0);
            errors++;
        }
        if (data[i] == 0) {
            pending = 0;
        }
    }
    const rp_deframer_stats_t *s = &d.stats;
    PRV_REQUIRE(s->bytes == size);
    /* Every byte: in a good frame, discarded, a lone delimiter (an empty
     * frame), or in the frame still open. */
    PRV_REQUIRE(s->bytes == good_bytes + s->discarded_bytes + s->empty_frames + pending);
    PRV_REQUIRE(s->crc_errors + s->cobs_errors + s->oversize + s->short_frames == errors);

    if (size <= PRV_BIG) {
        prv_round_trip(data, size);
    }
    return 0;
}
