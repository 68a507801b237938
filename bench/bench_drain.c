/* bench_drain: drives rp_device_drain for callgrind.
 *
 *   bench_drain [EVENTS]
 *
 * Fills the ring with a write-verify event pattern (per row: VERIFY, then
 * three WRITE/VERIFY rounds; jittered durations, back-to-back starts, as
 * rp_wv_program_row produces) and drains it through rp_device_drain into a
 * link that takes everything: the measured cost is the whole drain (ring
 * peek, batch encoding, CRC-32, COBS framing, transport write). Filling
 * happens outside rp_device_drain, so --toggle-collect=rp_device_drain
 * counts the drain alone. Hello and the other one-off frames are drained
 * before the measured loop. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_device.h"
#include "rramprof/rp_hal_transport.h"
#include "rramprof/rp_recorder.h"

#if RP_BENCH_OWN_LINK
/* A link with unlimited room that only counts bytes. */
static uint64_t prv_link_bytes;

size_t rp_hal_transport_tx_space(void)
{
    return (size_t)1 << 30;
}

size_t rp_hal_transport_write(const uint8_t *data, size_t len)
{
    (void)data;
    prv_link_bytes += len;
    return len;
}

size_t rp_hal_transport_read(uint8_t *buf, size_t cap)
{
    (void)buf;
    (void)cap;
    return 0;
}

bool rp_hal_transport_up(void)
{
    return true;
}

uint32_t rp_hal_transport_rx_lost(void)
{
    return 0u;
}
#else
#include "fake_hal.h"
#endif

/* The next event of the pattern. */
static void prv_next_event(rp_record_t *rec, uint32_t i, uint64_t *now, uint32_t *rng)
{
    uint32_t k = i % 7u;   /* V0 W0 V1 W1 V2 W2 V3 */
    uint32_t row = i / 7u;
    *rng = *rng * 1664525u + 1013904223u;
    uint32_t jitter = (*rng >> 24) & 7u;
    memset(rec, 0, sizeof *rec);
    rec->op = (k & 1u) ? RP_OP_WRITE : RP_OP_VERIFY;
    rec->iterations = (uint8_t)((k + 1u) / 2u);
    rec->duration = ((k & 1u) ? 100u : 20u) + jitter;
    rec->start = *now;
    rec->tile = 1;
    rec->row = (uint16_t)(row & 63u);
    rec->rows = 1;
    rec->col = 0;
    rec->cols = 64;
    *now += rec->duration + 30u;   /* the wrapper's own time between ops */
}

int main(int argc, char **argv)
{
    uint32_t events = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 200000u;
#if !RP_BENCH_OWN_LINK
    fake_hal_reset();
    fake_hal.tx_discard = true;
#endif
    rp_device_init(NULL);
    rp_recorder_start(0, 0);
    (void)rp_device_drain();   /* one-off frames */

    uint64_t now = 1000;
    uint32_t rng = 12345u;
    uint32_t made = 0, sent = 0;
    while (sent < events) {
        while (made < events && rp_ring_count(&rp_recorder.ring) < RP_CONFIG_RING_CAPACITY) {
            rp_record_t rec;
            prv_next_event(&rec, made++, &now, &rng);
            rp_recorder_record(&rec);
        }
        uint32_t n = rp_device_drain();
        if (n == 0u) {
            fprintf(stderr, "%s: drain made no progress\n", argv[0]);
            return 1;
        }
        sent += n;
    }
    rp_counters_t c;
    memset(&c, 0, sizeof c);
    rp_recorder_counters(&c);
#if RP_BENCH_OWN_LINK
    uint64_t bytes = prv_link_bytes;
#else
    uint64_t bytes = fake_hal.tx_total;
#endif
    printf("events=%" PRIu32 " sent=%" PRIu32 " dropped=%" PRIu64 " link_bytes=%" PRIu64 "\n",
           events, sent, c.events_dropped, bytes);
    if (sent != events || c.events_dropped != 0u) {
        return 1;
    }
    return 0;
}
