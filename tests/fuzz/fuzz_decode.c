/* libFuzzer target: the host decoder and session.
 *
 * The input is decoded twice as one frame payload - by the specialised
 * EventBatch path and by protobuf-c alone - and the two results must be
 * identical (the fast path may only decline, never differ). Then the input
 * is fed as a raw link byte stream (split in two at a point the input
 * chooses) through the deframer, decoder and session. Nothing may crash,
 * leak or read out of bounds (run with ASan and UBSan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_decode.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

static rp_decoder_t *prv_fast;
static rp_decoder_t *prv_generic;
static rp_decoder_t *prv_link;

static void prv_check_same(const rp_msg_t *a, const rp_msg_t *b)
{
    if (a->err != b->err || a->fault != b->fault || a->kind != b->kind) {
        abort();
    }
    if (a->err != RP_OK || a->kind != RP_FRAME_BATCH) {
        return;
    }
    const rp_batch_t *x = &a->u.batch;
    const rp_batch_t *y = &b->u.batch;
    if (x->sequence != y->sequence || x->first_event != y->first_event ||
        x->base_timestamp != y->base_timestamp || x->dropped_total != y->dropped_total ||
        x->count != y->count) {
        abort();
    }
    for (uint32_t i = 0; i < x->count; i++) {
        const rp_record_t *r = &x->events[i];
        const rp_record_t *s = &y->events[i];
        if (r->start != s->start || r->duration != s->duration || r->arg != s->arg ||
            r->op != s->op || r->status != s->status || r->tile != s->tile ||
            r->iterations != s->iterations || r->row != s->row || r->rows != s->rows ||
            r->col != s->col || r->cols != s->cols) {
            abort();
        }
    }
}

static int prv_apply(void *ctx, const rp_msg_t *msg)
{
    return rp_session_apply(ctx, msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (prv_fast == NULL) {
        prv_fast = rp_decoder_create();
        prv_generic = rp_decoder_create();
        prv_link = rp_decoder_create();
        if (prv_fast == NULL || prv_generic == NULL || prv_link == NULL) {
            abort();
        }
        rp_decoder_set_generic(prv_generic, true);
    }
    rp_msg_t a, b;
    rp_decoder_decode(prv_fast, data, size, &a);
    rp_decoder_decode(prv_generic, data, size, &b);
    prv_check_same(&a, &b);

    rp_session_t *s = rp_session_create(NULL);
    if (s == NULL) {
        abort();
    }
    rp_decoder_reset(prv_link);
    size_t cut = size > 0 ? data[0] % (size + 1) : 0;
    rp_decoder_feed(prv_link, data, cut, prv_apply, s, NULL);
    rp_decoder_feed(prv_link, data + cut, size - cut, prv_apply, s, NULL);
    const rp_decode_stats_t *st = rp_decoder_stats(prv_link);
    if (st->link_bytes != size) {
        abort();
    }
    rp_session_stats_t ss;
    rp_session_stats(s, &ss);
    if (ss.loss.total_events != ss.loss.link_events + ss.loss.device_events + ss.loss.unsent_events) {
        abort();
    }
    rp_session_destroy(s);
    return 0;
}
