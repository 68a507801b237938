/* libFuzzer target: the report pipeline behind the decoder.
 *
 * The first input byte picks how the rest is read:
 *   even: as raw rp_record_t events (any op, tile, row, time, duration),
 *         in batches, for a device whose geometry the next bytes choose -
 *         the aggregator and the memory analytics must take anything a
 *         decoder could ever hand them;
 *   odd:  as a link byte stream through deframer, decoder and session,
 *         whose callbacks feed the aggregator and the memory analytics.
 * Then both are finished and the rules run. Nothing may crash, hang, leak
 * or read out of bounds (ASan + UBSan), and a few invariants must hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_findings.h"
#include "rramprof/rp_memuse.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

typedef struct prv_pipe {
    rp_agg_t *agg;
    rp_memuse_t *mem;
} prv_pipe_t;

static void prv_on_segment(void *ctx, uint32_t segment, const rp_device_info_t *info)
{
    prv_pipe_t *p = ctx;
    rp_agg_segment(p->agg, segment, info);
    rp_memuse_segment(p->mem, segment, info);
}

static int prv_on_events(void *ctx, uint32_t segment, const rp_record_t *ev, size_t n)
{
    prv_pipe_t *p = ctx;
    rp_agg_add(p->agg, segment, ev, n);
    rp_memuse_add(p->mem, ev, n, rp_agg_time_shift(p->agg));
    return RP_OK;
}

static int prv_apply(void *ctx, const rp_msg_t *msg)
{
    return rp_session_apply(ctx, msg);
}

static void prv_check(const rp_agg_t *agg, const rp_session_stats_t *st, uint64_t fed)
{
    const rp_agg_totals_t *t = rp_agg_totals(agg);
    if (t->events != fed) {
        abort();
    }
    uint64_t sum = 0;
    for (unsigned op = 0; op < RP_AGG_MAX_OPS; op++) {
        sum += rp_agg_op(agg, op)->count;
    }
    if (sum != t->events) {
        abort();
    }
    (void)st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) {
        return 0;
    }
    prv_pipe_t p = {rp_agg_create(), rp_memuse_create()};
    if (p.agg == NULL || p.mem == NULL) {
        abort();
    }
    rp_session_stats_t st;
    memset(&st, 0, sizeof st);
    uint64_t fed = 0;
    rp_device_info_t dev;
    memset(&dev, 0, sizeof dev);

    if ((data[0] & 1u) == 0u) {
        dev.valid = true;
        dev.clock_hz = 1000000u * (1u + data[1] % 200u);
        dev.tiles = 1u + data[2] % 8u;
        dev.rows = 1u + data[3] * 3u;
        dev.cols = 64;
        dev.adcs_per_tile = 1u + data[1] % 4u;
        dev.input_bits = 1u + data[2] % 8u;
        dev.endurance_cycles = data[3] % 2u ? 1000u : 0u;
        dev.adc_conversion_ps = data[1] % 3u ? 1000000u : 0u;
        prv_on_segment(&p, 0, &dev);
        const uint8_t *q = data + 4;
        size_t left = size - 4;
        uint32_t segment = 0;
        while (left >= sizeof(rp_record_t)) {
            rp_record_t batch[16];
            size_t n = 0;
            while (n < 16 && left >= sizeof(rp_record_t)) {
                memcpy(&batch[n], q, sizeof(rp_record_t));
                q += sizeof(rp_record_t);
                left -= sizeof(rp_record_t);
                n++;
            }
            /* An occasional new segment, as a device reset would make. */
            if ((batch[0].arg & 0xFFFu) == 0x5A5u) {
                segment++;
                prv_on_segment(&p, segment, &dev);
            }
            prv_on_events(&p, segment, batch, n);
            fed += n;
        }
        st.events = fed;
        st.segments = segment + 1;
        st.duration_ticks = rp_agg_totals(p.agg)->run_ticks;
    } else {
        rp_session_callbacks_t cb = {prv_on_events, prv_on_segment, &p};
        rp_session_t *s = rp_session_create(&cb);
        rp_decoder_t *d = rp_decoder_create();
        if (s == NULL || d == NULL) {
            abort();
        }
        rp_decoder_feed(d, data + 1, size - 1, prv_apply, s, NULL);
        rp_session_stats(s, &st);
        fed = st.events;
        dev = *rp_session_device(s);
        rp_decoder_destroy(d);
        rp_session_destroy(s);
    }

    rp_agg_finish(p.agg);
    const rp_agg_totals_t *t = rp_agg_totals(p.agg);
    rp_memuse_finish(p.mem, t->run_ticks, t->clock_hz);
    prv_check(p.agg, &st, fed);

    rp_analysis_t *a = malloc(sizeof *a);
    if (a == NULL) {
        abort();
    }
    rp_analysis_input_t in = {dev.valid ? &dev : NULL, &st, p.agg, p.mem};
    if (rp_analyze(&in, a) != RP_OK || a->count > RP_FINDINGS_MAX) {
        abort();
    }
    for (uint32_t i = 0; i < a->count; i++) {
        /* Findings are text people read: ids set, strings terminated. */
        if (a->findings[i].id[0] == '\0' ||
            memchr(a->findings[i].title, 0, sizeof a->findings[i].title) == NULL ||
            a->findings[i].evidence_count > RP_FINDING_MAX_EVIDENCE) {
            abort();
        }
    }
    free(a);
    rp_memuse_destroy(p.mem);
    rp_agg_destroy(p.agg);
    return 0;
}
