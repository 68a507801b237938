/* Host decoder: deframing, protobuf-c unpack into an arena, typed views. */
#include "rramprof/rp_decode.h"

#include <stdlib.h>
#include <string.h>

#include "rp_decode_internal.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_status.h"

/* protobuf-c allocates per message, array and string. Everything goes into
 * one arena that is reset per payload, so unpacking never calls malloc.
 * Worst case is a payload made of 2-byte unknown fields: protobuf-c keeps a
 * 32-byte scan record per field (in slabs that double, so up to 64 bytes),
 * a 24-byte unknown-field entry and a copy of its data (16 with our
 * alignment): about 104 bytes per 2 payload bytes. 64 bytes of arena per
 * payload byte covers it (tests/unit/test_decode.cpp checks); if it ever
 * ran out, unpack fails cleanly and counts as a protobuf error. Pages the
 * arena never touches cost no memory. */
#define PRV_ARENA_SIZE (64u * RP_DECODE_MAX_PAYLOAD + 65536u)

typedef struct prv_arena {
    uint8_t *base;
    size_t cap;
    size_t used;
} prv_arena_t;

struct rp_decoder {
    rp_deframer_t deframer;
    uint8_t *link_buf;           /* deframer buffer: payload + CRC */
    rp_record_t *events;         /* RP_DECODE_MAX_EVENTS */
    prv_arena_t arena;
    ProtobufCAllocator alloc;
    rp_decode_stats_t stats;
    bool generic;
};

static void *prv_arena_alloc(void *data, size_t size)
{
    prv_arena_t *a = data;
    size_t start = (a->used + 15u) & ~(size_t)15u;
    if (start > a->cap || size > a->cap - start) {
        return NULL;
    }
    a->used = start + size;
    return a->base + start;
}

static void prv_arena_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr;   /* freed all at once by the per-payload reset */
}

const char *rp_frame_kind_name(int kind)
{
    static const char *const names[RP_FRAME_KIND_COUNT] = {
        "unknown", "hello", "batch", "names", "counters",
        "drops", "heartbeat", "response", "workload",
    };
    if (kind < 0 || kind >= (int)RP_FRAME_KIND_COUNT) {
        return "unknown";
    }
    return names[kind];
}

rp_decoder_t *rp_decoder_create(void)
{
    rp_decoder_t *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return NULL;
    }
    d->link_buf = malloc(RP_DECODE_MAX_PAYLOAD + RP_FRAME_CRC_LEN);
    d->events = malloc(sizeof(rp_record_t) * RP_DECODE_MAX_EVENTS);
    d->arena.base = malloc(PRV_ARENA_SIZE);
    if (d->link_buf == NULL || d->events == NULL || d->arena.base == NULL) {
        rp_decoder_destroy(d);
        return NULL;
    }
    d->arena.cap = PRV_ARENA_SIZE;
    d->alloc.alloc = prv_arena_alloc;
    d->alloc.free = prv_arena_free;
    d->alloc.allocator_data = &d->arena;
    rp_decoder_reset(d);
    return d;
}

void rp_decoder_destroy(rp_decoder_t *d)
{
    if (d == NULL) {
        return;
    }
    free(d->link_buf);
    free(d->events);
    free(d->arena.base);
    free(d);
}

void rp_decoder_reset(rp_decoder_t *d)
{
    if (d == NULL) {
        return;
    }
    rp_deframer_init(&d->deframer, d->link_buf, RP_DECODE_MAX_PAYLOAD + RP_FRAME_CRC_LEN);
    memset(&d->stats, 0, sizeof d->stats);
}

void rp_decoder_set_generic(rp_decoder_t *d, bool generic)
{
    if (d != NULL) {
        d->generic = generic;
    }
}

const rp_decode_stats_t *rp_decoder_stats(const rp_decoder_t *d)
{
    return &d->stats;
}

static const char *prv_str(const char *s)
{
    return s != NULL ? s : "";
}

static void prv_hello(const Rramprof__V1__Hello *h, rp_hello_t *out, rp_msg_t *msg)
{
    msg->protocol_version = h->protocol_version;
    memset(out, 0, sizeof *out);
    out->board = prv_str(h->board);
    out->firmware_version = prv_str(h->firmware_version);
    out->clock_hz = h->clock_hz;
    out->timer_bits = h->timer_bits;
    out->array.model = "";
    if (h->array != NULL) {
        const Rramprof__V1__ArrayInfo *a = h->array;
        out->array.tiles = a->tiles;
        out->array.rows = a->rows;
        out->array.cols = a->cols;
        out->array.bits_per_cell = a->bits_per_cell;
        out->array.adcs_per_tile = a->adcs_per_tile;
        out->array.adc_bits = a->adc_bits;
        out->array.input_bits = a->input_bits;
        out->array.endurance_cycles = a->endurance_cycles;
        out->array.model = prv_str(a->model);
        out->array.write_pulse_ps = a->write_pulse_ps;
        out->array.write_setup_ps = a->write_setup_ps;
        out->array.write_parallel_cols = a->write_parallel_cols;
        out->array.read_latency_ps = a->read_latency_ps;
        out->array.adc_conversion_ps = a->adc_conversion_ps;
        out->array.dac_settle_ps = a->dac_settle_ps;
        out->array.interface_overhead_ps = a->interface_overhead_ps;
        out->array.interface_bytes_per_s = a->interface_bytes_per_s;
    }
    out->ring_capacity = h->ring_capacity;
    out->max_frame_payload = h->max_frame_payload;
    out->boot_id = h->boot_id;
    out->counters_available = h->counters_available;
    out->op_mask = h->op_mask;
    out->threshold_ticks = h->threshold_ticks;
    out->reset_cause = (uint32_t)h->reset_cause;
    out->fatal_reason = h->fatal_reason;
    out->previous_boot_id = h->previous_boot_id;
    out->previous_events_recorded = h->previous_events_recorded;
    out->previous_events_sent = h->previous_events_sent;
    out->previous_events_dropped = h->previous_events_dropped;
    out->workloads = (const char *const *)h->workloads;
    out->workload_count = (uint32_t)h->n_workloads;
}

static void prv_counters(const Rramprof__V1__Counters *c, rp_counters_t *o)
{
    o->timestamp = c->timestamp;
    o->events_recorded = c->events_recorded;
    o->events_filtered = c->events_filtered;
    o->events_dropped = c->events_dropped;
    o->events_sent = c->events_sent;
    o->record_ticks = c->record_ticks;
    o->drain_ticks = c->drain_ticks;
    o->bytes_sent = c->bytes_sent;
    o->frames_sent = c->frames_sent;
    o->ring_high_water = c->ring_high_water;
    o->tx_stall_ticks = c->tx_stall_ticks;
    o->hw_valid = c->hw_valid;
    o->hw_cycles = c->hw_cycles;
    o->hw_cpi = c->hw_cpi;
    o->hw_exc = c->hw_exc;
    o->hw_sleep = c->hw_sleep;
    o->hw_lsu = c->hw_lsu;
    o->hw_fold = c->hw_fold;
    o->link_rx_lost = c->link_rx_lost;
}

/* Fills msg from an unpacked Frame; returns the fault, if any. */
static rp_decode_fault_t prv_convert(rp_decoder_t *d, const Rramprof__V1__Frame *f, rp_msg_t *msg)
{
    switch (f->body_case) {
    case RRAMPROF__V1__FRAME__BODY_HELLO:
        msg->kind = RP_FRAME_HELLO;
        prv_hello(f->hello, &msg->u.hello, msg);
        return RP_DECODE_FAULT_NONE;
    case RRAMPROF__V1__FRAME__BODY_BATCH:
        msg->kind = RP_FRAME_BATCH;
        return rp_decode_batch_generic(f->batch, d->events, &msg->u.batch);
    case RRAMPROF__V1__FRAME__BODY_NAMES:
        msg->kind = RP_FRAME_NAMES;
        if (f->names->n_id != f->names->n_name) {
            return RP_DECODE_FAULT_NAMES;
        }
        msg->u.names.count = (uint32_t)f->names->n_id;
        msg->u.names.ids = f->names->id;
        msg->u.names.names = (const char *const *)f->names->name;
        return RP_DECODE_FAULT_NONE;
    case RRAMPROF__V1__FRAME__BODY_COUNTERS:
        msg->kind = RP_FRAME_COUNTERS;
        prv_counters(f->counters, &msg->u.counters);
        return RP_DECODE_FAULT_NONE;
    case RRAMPROF__V1__FRAME__BODY_DROPS:
        msg->kind = RP_FRAME_DROPS;
        msg->u.drops.dropped_total = f->drops->dropped_total;
        msg->u.drops.first_drop_timestamp = f->drops->first_drop_timestamp;
        return RP_DECODE_FAULT_NONE;
    case RRAMPROF__V1__FRAME__BODY_HEARTBEAT:
        msg->kind = RP_FRAME_HEARTBEAT;
        msg->u.heartbeat.timestamp = f->heartbeat->timestamp;
        msg->u.heartbeat.state = f->heartbeat->state;
        return RP_DECODE_FAULT_NONE;
    case RRAMPROF__V1__FRAME__BODY_RESPONSE: {
        const Rramprof__V1__Response *r = f->response;
        msg->kind = RP_FRAME_RESPONSE;
        msg->u.response.request_id = r->request_id;
        msg->u.response.result = (uint32_t)r->result;
        msg->u.response.message = prv_str(r->message);
        msg->u.response.has_hello = r->hello != NULL;
        if (r->hello != NULL) {
            prv_hello(r->hello, &msg->u.response.hello, msg);
        }
        return RP_DECODE_FAULT_NONE;
    }
    case RRAMPROF__V1__FRAME__BODY_WORKLOAD: {
        const Rramprof__V1__WorkloadResult *w = f->workload;
        msg->kind = RP_FRAME_WORKLOAD;
        msg->u.workload.name = prv_str(w->name);
        msg->u.workload.run = w->run;
        msg->u.workload.passed = w->passed != 0;
        msg->u.workload.error_ppm = w->error_ppm;
        msg->u.workload.start = w->start;
        msg->u.workload.end = w->end;
        msg->u.workload.detail = prv_str(w->detail);
        return RP_DECODE_FAULT_NONE;
    }
    default:
        /* No body, or one added by a newer protocol minor: ignored. */
        msg->kind = RP_FRAME_UNKNOWN;
        return RP_DECODE_FAULT_NONE;
    }
}

static int prv_fail(rp_decoder_t *d, rp_msg_t *msg, rp_decode_fault_t fault)
{
    msg->err = RP_ERR_MALFORMED;
    msg->fault = fault;
    msg->kind = RP_FRAME_UNKNOWN;
    if (fault == RP_DECODE_FAULT_PROTO) {
        d->stats.proto_errors++;
    } else {
        d->stats.malformed++;
    }
    return RP_ERR_MALFORMED;
}

int rp_decoder_decode(rp_decoder_t *d, const uint8_t *payload, size_t len, rp_msg_t *msg)
{
    if (d == NULL || msg == NULL || (payload == NULL && len > 0)) {
        return RP_ERR_ARG;
    }
    memset(msg, 0, sizeof *msg);
    msg->payload = payload;
    msg->payload_len = len;
    d->stats.payloads++;
    if (len > RP_DECODE_MAX_PAYLOAD) {
        return prv_fail(d, msg, RP_DECODE_FAULT_SIZE);
    }
    if (!d->generic && rp_decode_batch_fast(payload, len, d->events, &msg->u.batch)) {
        msg->kind = RP_FRAME_BATCH;
        d->stats.kinds[RP_FRAME_BATCH]++;
        d->stats.fast_batches++;
        d->stats.events += msg->u.batch.count;
        return RP_OK;
    }
    d->arena.used = 0;
    static const uint8_t empty[1] = {0};
    Rramprof__V1__Frame *f = rramprof__v1__frame__unpack(&d->alloc, len, len > 0 ? payload : empty);
    if (f == NULL) {
        return prv_fail(d, msg, RP_DECODE_FAULT_PROTO);
    }
    rp_decode_fault_t fault = prv_convert(d, f, msg);
    if (fault != RP_DECODE_FAULT_NONE) {
        return prv_fail(d, msg, fault);
    }
    d->stats.kinds[msg->kind]++;
    if (msg->kind == RP_FRAME_BATCH) {
        d->stats.events += msg->u.batch.count;
    }
    return RP_OK;
}

static void prv_sync_link_stats(rp_decoder_t *d)
{
    const rp_deframer_stats_t *s = &d->deframer.stats;
    d->stats.link_bytes = s->bytes;
    d->stats.crc_errors = s->crc_errors;
    d->stats.cobs_errors = s->cobs_errors;
    d->stats.oversize = s->oversize;
    d->stats.short_frames = s->short_frames;
    d->stats.garbage_bytes = s->discarded_bytes;
}

int rp_decoder_feed(rp_decoder_t *d, const uint8_t *data, size_t len, rp_msg_fn fn, void *ctx,
                    size_t *consumed)
{
    if (consumed != NULL) {
        *consumed = 0;
    }
    if (d == NULL || (data == NULL && len > 0)) {
        return RP_ERR_ARG;
    }
    int rc = RP_OK;
    size_t i = 0;
    while (i < len) {
        rp_deframe_result_t r = rp_deframer_feed(&d->deframer, data[i++]);
        if (r != RP_DEFRAME_FRAME) {
            continue;
        }
        rp_msg_t msg;
        (void)rp_decoder_decode(d, rp_deframer_payload(&d->deframer),
                                rp_deframer_payload_len(&d->deframer), &msg);
        prv_sync_link_stats(d);   /* so the callback sees current counts */
        if (fn != NULL) {
            rc = fn(ctx, &msg);
            if (rc != RP_OK) {
                break;
            }
        }
    }
    prv_sync_link_stats(d);
    if (consumed != NULL) {
        *consumed = i;
    }
    return rc;
}
