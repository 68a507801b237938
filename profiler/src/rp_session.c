/* Capture session state and exact loss accounting (see rp_session.h). */
#include "rramprof/rp_session.h"

#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_status.h"

/* Loss state of one recording run (from Start to the next Start). */
typedef struct prv_run {
    bool started;          /* a batch of this run arrived */
    uint32_t next_seq;     /* sequence expected next */
    uint64_t next_event;   /* first_event expected next */
    uint64_t dropped;      /* largest dropped_total seen */
    uint64_t sent;         /* largest Counters.events_sent seen */
    uint64_t recorded;     /* largest Counters.events_recorded seen */
} prv_run_t;

typedef struct prv_name {
    bool set;
    char name[RP_SESSION_STR_MAX];
} prv_name_t;

struct rp_session {
    rp_session_callbacks_t cb;
    rp_device_info_t dev;
    rp_session_stats_t st;     /* counters kept up to date as we go */
    prv_run_t run;
    /* Totals of finished runs and segments. */
    uint64_t gap_link_events;  /* link losses seen as first_event gaps */
    uint64_t done_tail_events; /* losses at the tail of finished runs */
    uint64_t done_device_events;
    uint64_t done_unsent_events; /* ring contents taken by resets */
    uint64_t done_ticks;
    double done_seconds;
    bool seg_has_events;
    bool seg_boot_known;       /* this segment's reset cause is counted */
    prv_name_t names[RP_SESSION_MAX_NAMES];
    rp_workload_stats_t results[RP_SESSION_MAX_RESULTS];
};

static void prv_copy_str(char *dst, const char *src)
{
    size_t n = 0;
    if (src != NULL) {
        while (n < RP_SESSION_STR_MAX - 1u && src[n] != '\0') {
            n++;
        }
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

static uint64_t prv_max(uint64_t a, uint64_t b) { return a > b ? a : b; }

static uint64_t prv_run_tail(const prv_run_t *r)
{
    return r->sent > r->next_event ? r->sent - r->next_event : 0;
}

/* Recorded but neither received nor lost on the link, as of the run's
 * last Counters: still in the device's ring then. */
static uint64_t prv_run_unsent(const prv_run_t *r)
{
    uint64_t out = prv_max(r->sent, r->next_event);
    return r->recorded > out ? r->recorded - out : 0;
}

static void prv_finish_run(rp_session_t *s)
{
    s->done_tail_events += prv_run_tail(&s->run);
    s->done_device_events += s->run.dropped;
    memset(&s->run, 0, sizeof s->run);
}

static uint64_t prv_seg_ticks(const rp_session_t *s)
{
    return s->seg_has_events ? s->st.last_tick - s->st.first_tick : 0;
}

static double prv_seconds(uint64_t ticks, uint64_t clock_hz)
{
    return clock_hz > 0 ? (double)ticks / (double)clock_hz : 0.0;
}

/* The device reset: what its ring held is gone. (A new Start within a
 * boot finishes only the run: the Stop before it drained the ring.) */
static void prv_finish_segment(rp_session_t *s)
{
    s->done_unsent_events += prv_run_unsent(&s->run);
    prv_finish_run(s);
    uint64_t ticks = prv_seg_ticks(s);
    s->done_ticks += ticks;
    s->done_seconds += prv_seconds(ticks, s->dev.clock_hz);
    s->seg_has_events = false;
    s->st.first_tick = 0;
    s->st.last_tick = 0;
    s->st.has_counters = false;
    memset(&s->st.counters, 0, sizeof s->st.counters);
}

static void prv_start_segment(rp_session_t *s)
{
    s->st.segments++;
    s->seg_boot_known = false;
    if (s->cb.on_segment != NULL) {
        s->cb.on_segment(s->cb.ctx, s->st.segments - 1u, &s->dev);
    }
}

rp_session_t *rp_session_create(const rp_session_callbacks_t *cb)
{
    rp_session_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    if (cb != NULL) {
        s->cb = *cb;
    }
    for (unsigned k = 0; k < 16u; k++) {
        s->st.ops[k].ticks_min = UINT32_MAX;
    }
    return s;
}

void rp_session_destroy(rp_session_t *s)
{
    free(s);
}

static void prv_copy_device(rp_session_t *s, const rp_hello_t *h, uint32_t protocol_version)
{
    rp_device_info_t *d = &s->dev;
    memset(d, 0, sizeof *d);
    d->valid = true;
    d->protocol_version = protocol_version;
    prv_copy_str(d->board, h->board);
    prv_copy_str(d->firmware_version, h->firmware_version);
    d->clock_hz = h->clock_hz;
    d->timer_bits = h->timer_bits;
    d->tiles = h->array.tiles;
    d->rows = h->array.rows;
    d->cols = h->array.cols;
    d->bits_per_cell = h->array.bits_per_cell;
    d->adcs_per_tile = h->array.adcs_per_tile;
    d->adc_bits = h->array.adc_bits;
    d->input_bits = h->array.input_bits;
    d->endurance_cycles = h->array.endurance_cycles;
    prv_copy_str(d->model, h->array.model);
    d->write_pulse_ps = h->array.write_pulse_ps;
    d->write_setup_ps = h->array.write_setup_ps;
    d->write_parallel_cols = h->array.write_parallel_cols;
    d->read_latency_ps = h->array.read_latency_ps;
    d->adc_conversion_ps = h->array.adc_conversion_ps;
    d->dac_settle_ps = h->array.dac_settle_ps;
    d->interface_overhead_ps = h->array.interface_overhead_ps;
    d->interface_bytes_per_s = h->array.interface_bytes_per_s;
    d->ring_capacity = h->ring_capacity;
    d->max_frame_payload = h->max_frame_payload;
    d->boot_id = h->boot_id;
    d->counters_available = h->counters_available;
    d->op_mask = h->op_mask;
    d->threshold_ticks = h->threshold_ticks;
    d->reset_cause = h->reset_cause;
    d->fatal_reason = h->reset_cause == RP_RESET_FATAL ? h->fatal_reason : 0u;
    uint32_t n = h->workload_count;
    if (n > RP_SESSION_MAX_WORKLOADS) {
        n = RP_SESSION_MAX_WORKLOADS;
    }
    for (uint32_t i = 0; i < n; i++) {
        prv_copy_str(d->workloads[i], h->workloads[i]);
    }
    d->workload_count = n;
}

/* Counts why the current segment's device booted, once per segment. */
static void prv_count_boot(rp_session_t *s)
{
    if (s->seg_boot_known) {
        return;
    }
    s->seg_boot_known = true;
    rp_boot_stats_t *b = &s->st.boots;
    uint32_t segment = s->st.segments - 1u;
    if (segment == 0u) {
        b->first_known = true;
        b->first_cause = s->dev.reset_cause;
        b->first_fatal_reason = s->dev.fatal_reason;
        return;
    }
    b->resets++;
    uint32_t cause = s->dev.reset_cause;
    b->by_cause[cause < RP_RESET_CAUSE_COUNT ? cause : RP_RESET_UNKNOWN]++;
    if (cause == RP_RESET_FATAL) {
        b->last_fatal_reason = s->dev.fatal_reason;
        b->last_fatal_segment = segment;
    }
}

/* The old boot's counts at its reset, as the new boot's Hello reports
 * them: they complete the run's last Counters (max: the counts only grow
 * within a run). Without them the run's unsent events are a lower bound. */
static void prv_take_previous(rp_session_t *s, const rp_hello_t *h)
{
    if (h->previous_boot_id == 0u || h->previous_boot_id != s->dev.boot_id) {
        s->st.loss.resets_unreported++;
        return;
    }
    prv_run_t *r = &s->run;
    r->recorded = prv_max(r->recorded, h->previous_events_recorded);
    r->sent = prv_max(r->sent, h->previous_events_sent);
    r->dropped = prv_max(r->dropped, h->previous_events_dropped);
}

static void prv_apply_hello(rp_session_t *s, const rp_hello_t *h, uint32_t protocol_version)
{
    if (s->st.segments == 0) {
        prv_copy_device(s, h, protocol_version);
        prv_start_segment(s);
    } else if (s->dev.valid && h->boot_id != s->dev.boot_id) {
        /* Device reset: close the old segment with its own clock first,
         * with the old boot's counts at the reset if the new one kept
         * them. */
        prv_take_previous(s, h);
        prv_finish_segment(s);
        prv_copy_device(s, h, protocol_version);
        prv_start_segment(s);
    } else {
        /* Same boot (or the first Hello of a segment begun by a batch):
         * refresh filters and the like. */
        prv_copy_device(s, h, protocol_version);
    }
    prv_count_boot(s);
}

static int prv_apply_batch(rp_session_t *s, const rp_batch_t *b)
{
    if (s->st.segments == 0) {
        prv_start_segment(s);
    }
    prv_run_t *r = &s->run;
    if (r->started && b->sequence < r->next_seq) {
        prv_finish_run(s);   /* sequence went back: a new Start */
    }
    if (!r->started) {
        r->started = true;
        s->st.runs++;
    }
    if (b->sequence > r->next_seq) {
        s->st.loss.lost_batches += (uint64_t)(b->sequence - r->next_seq);
    }
    if (b->first_event > r->next_event) {
        s->gap_link_events += b->first_event - r->next_event;
    }
    r->next_seq = b->sequence + 1u;
    r->next_event = prv_max(r->next_event, b->first_event + b->count);
    r->dropped = prv_max(r->dropped, b->dropped_total);
    s->st.batches++;
    s->st.events += b->count;

    uint64_t first = s->st.first_tick;
    uint64_t last = s->st.last_tick;
    if (!s->seg_has_events && b->count > 0) {
        first = b->events[0].start;
        last = b->events[0].start;
        s->seg_has_events = true;
    }
    /* The hot loop of a replay: no branches on the data (ticks_min starts
     * at UINT32_MAX and is reported as 0 while count is 0). */
    rp_op_stats_t *ops = s->st.ops;
    for (uint32_t i = 0; i < b->count; i++) {
        const rp_record_t *e = &b->events[i];
        rp_op_stats_t *o = &ops[e->op & 15u];
        uint32_t d = e->duration;
        o->count++;
        o->ticks_total += d;
        o->not_ok += e->status != 0;
        o->ticks_min = d < o->ticks_min ? d : o->ticks_min;
        o->ticks_max = d > o->ticks_max ? d : o->ticks_max;
        uint64_t end = e->start + d;   /* cannot wrap: checked by the decoder */
        first = e->start < first ? e->start : first;
        last = end > last ? end : last;
    }
    s->st.first_tick = first;
    s->st.last_tick = last;
    if (s->cb.on_events != NULL && b->count > 0) {
        return s->cb.on_events(s->cb.ctx, s->st.segments - 1u, b->events, b->count);
    }
    return RP_OK;
}

static void prv_apply_names(rp_session_t *s, const rp_names_t *n)
{
    for (uint32_t i = 0; i < n->count; i++) {
        uint32_t id = n->ids[i];
        if (id >= RP_SESSION_MAX_NAMES) {
            s->st.name_overflow++;
            continue;
        }
        if (!s->names[id].set) {
            s->names[id].set = true;
            s->st.name_count++;
        }
        prv_copy_str(s->names[id].name, n->names[i]);
    }
}

static void prv_apply_workload(rp_session_t *s, const rp_workload_result_t *w)
{
    char name[RP_SESSION_STR_MAX];
    prv_copy_str(name, w->name);
    s->st.workload_results++;
    rp_workload_stats_t *e = NULL;
    for (uint32_t i = 0; i < s->st.workload_names; i++) {
        if (strcmp(s->results[i].name, name) == 0) {
            e = &s->results[i];
            break;
        }
    }
    if (e == NULL) {
        if (s->st.workload_names >= RP_SESSION_MAX_RESULTS) {
            s->st.workload_overflow++;
            return;
        }
        e = &s->results[s->st.workload_names++];
        memcpy(e->name, name, sizeof name);
    }
    e->runs++;
    if (w->passed) {
        e->passed++;
    } else {
        e->failed++;
    }
    uint64_t mag = w->error_ppm < 0 ? 0u - (uint64_t)w->error_ppm : (uint64_t)w->error_ppm;
    uint64_t worst = e->worst_error_ppm < 0 ? 0u - (uint64_t)e->worst_error_ppm
                                            : (uint64_t)e->worst_error_ppm;
    if (mag > worst) {
        e->worst_error_ppm = w->error_ppm;
    }
    if (w->end >= w->start) {
        e->ticks_total += w->end - w->start;
    }
}

int rp_session_apply(rp_session_t *s, const rp_msg_t *msg)
{
    if (s == NULL || msg == NULL) {
        return RP_ERR_ARG;
    }
    if (msg->err != RP_OK) {
        s->st.bad_frames++;
        return RP_OK;
    }
    if ((unsigned)msg->kind < RP_FRAME_KIND_COUNT) {
        s->st.frames[msg->kind]++;
    }
    switch (msg->kind) {
    case RP_FRAME_HELLO:
        prv_apply_hello(s, &msg->u.hello, msg->protocol_version);
        break;
    case RP_FRAME_RESPONSE:
        if (msg->u.response.has_hello) {
            prv_apply_hello(s, &msg->u.response.hello, msg->protocol_version);
        }
        break;
    case RP_FRAME_BATCH:
        return prv_apply_batch(s, &msg->u.batch);
    case RP_FRAME_NAMES:
        prv_apply_names(s, &msg->u.names);
        break;
    case RP_FRAME_COUNTERS:
        s->st.has_counters = true;
        s->st.counters = msg->u.counters;
        s->run.dropped = prv_max(s->run.dropped, msg->u.counters.events_dropped);
        s->run.sent = prv_max(s->run.sent, msg->u.counters.events_sent);
        s->run.recorded = prv_max(s->run.recorded, msg->u.counters.events_recorded);
        break;
    case RP_FRAME_DROPS:
        s->run.dropped = prv_max(s->run.dropped, msg->u.drops.dropped_total);
        break;
    case RP_FRAME_WORKLOAD:
        prv_apply_workload(s, &msg->u.workload);
        break;
    default:
        break;   /* heartbeats and unknown bodies carry no state */
    }
    return RP_OK;
}

void rp_session_stats(const rp_session_t *s, rp_session_stats_t *out)
{
    *out = s->st;
    for (unsigned k = 0; k < 16u; k++) {
        if (out->ops[k].count == 0) {
            out->ops[k].ticks_min = 0;
        }
    }
    out->loss.link_events = s->gap_link_events + s->done_tail_events + prv_run_tail(&s->run);
    out->loss.device_events = s->done_device_events + s->run.dropped;
    out->loss.unsent_events = s->done_unsent_events;
    out->loss.total_events = out->loss.link_events + out->loss.device_events + out->loss.unsent_events;
    uint64_t ticks = prv_seg_ticks(s);
    out->duration_ticks = s->done_ticks + ticks;
    out->duration_s = s->done_seconds + prv_seconds(ticks, s->dev.clock_hz);
}

const rp_device_info_t *rp_session_device(const rp_session_t *s)
{
    return &s->dev;
}

const char *rp_session_name(const rp_session_t *s, uint32_t id)
{
    if (id >= RP_SESSION_MAX_NAMES || !s->names[id].set) {
        return NULL;
    }
    return s->names[id].name;
}

const rp_workload_stats_t *rp_session_workload(const rp_session_t *s, uint32_t i)
{
    return i < s->st.workload_names ? &s->results[i] : NULL;
}
