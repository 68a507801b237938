/* Chrome Trace Event Format export (JSON object form), streamed: the
 * capture is replayed through the decoder and session once more, and each
 * event becomes a complete ("X") event on its track. A bounded min-heap
 * reorders events by start time, because spans are recorded when they end
 * (after their children). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_report_int.h"

/* Tracks (tid). Tiles get PRV_TID_TILE + tile. */
enum {
    PRV_TID_LOSS = 1,
    PRV_TID_SPANS = 2,
    PRV_TID_MCU = 3,
    PRV_TID_OTHER = 4,
    PRV_TID_TILE = 10,
    PRV_TIDS = PRV_TID_TILE + 256
};

typedef struct prv_item {
    int64_t t;          /* run time of the start, ticks */
    uint64_t seq;       /* arrival order, for a stable sort */
    rp_record_t r;
    uint32_t segment;
} prv_item_t;

typedef struct prv_export {
    FILE *f;
    rp_session_t *s;
    uint64_t hz;                /* tick rate used for times (1e9 if unknown) */
    bool hz_fixed;
    prv_item_t *heap;
    size_t heap_n;
    uint64_t seq;
    uint64_t written;           /* trace events written (for commas) */
    /* run time */
    bool seg_started;
    uint32_t segment;
    int64_t run_base;           /* run time at the current segment's origin */
    uint64_t origin;            /* ticks of the current segment's origin */
    uint64_t seg_max_end;
    int64_t max_t;              /* latest run time seen (for instant events) */
    /* tracks */
    bool named[PRV_TIDS];
    int64_t last_t[PRV_TIDS];
    bool any_t[PRV_TIDS];
    uint64_t lost_seen;
    rp_export_result_t *res;
} prv_export_t;

static void prv_sep(prv_export_t *x)
{
    fputs(x->written++ ? ",\n" : "\n", x->f);
}

/* a ticks in nanoseconds, truncated, exact for any clock a Hello can
 * give (a corrupt one may say 10^18 Hz), saturating at INT64_MAX: both
 * keep it monotonic. */
static uint64_t prv_abs_ns(uint64_t a, uint64_t hz)
{
#if defined(__SIZEOF_INT128__)
    unsigned __int128 ns = (unsigned __int128)a * 1000000000u / hz;
#else
    long double ns = (long double)a * 1e9L / (long double)hz;
#endif
    return ns > (INT64_MAX) ? (uint64_t)INT64_MAX : (uint64_t)ns;
}

static int64_t prv_ns(int64_t t, uint64_t hz)
{
    uint64_t a = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    int64_t ns = (int64_t)prv_abs_ns(a, hz);
    return t < 0 ? -ns : ns;
}

/* Ticks of run time -> "us.nnn" (truncated to the nanosecond; truncation
 * is monotonic, so containment in ticks survives). */
static void prv_ts(FILE *f, int64_t t, uint64_t hz)
{
    int64_t ns = prv_ns(t, hz);
    uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    fprintf(f, "%s%" PRIu64 ".%03" PRIu64, ns < 0 ? "-" : "", a / 1000u, a % 1000u);
}

static void prv_name_track(prv_export_t *x, unsigned tid)
{
    if (x->named[tid])
        return;
    x->named[tid] = true;
    char name[32];
    unsigned sort = tid;
    switch (tid) {
    case PRV_TID_LOSS: snprintf(name, sizeof name, "loss"); break;
    case PRV_TID_SPANS: snprintf(name, sizeof name, "spans"); break;
    case PRV_TID_MCU: snprintf(name, sizeof name, "mcu"); break;
    case PRV_TID_OTHER: snprintf(name, sizeof name, "other"); break;
    default: snprintf(name, sizeof name, "tile %u", tid - PRV_TID_TILE); break;
    }
    prv_sep(x);
    fprintf(x->f, "{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":\"%s\"}}", tid, name);
    prv_sep(x);
    fprintf(x->f, "{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%u}}",
            tid, sort);
}

static unsigned prv_tid(const rp_record_t *r)
{
    switch (r->op) {
    case RP_OP_SPAN: return PRV_TID_SPANS;
    case RP_OP_COMPUTE: return PRV_TID_MCU;
    case RP_OP_WRITE:
    case RP_OP_VERIFY:
    case RP_OP_READ:
    case RP_OP_MVM:
    case RP_OP_TRANSFER: return PRV_TID_TILE + r->tile;
    default: return PRV_TID_OTHER;
    }
}

static void prv_emit(prv_export_t *x, const prv_item_t *it)
{
    static const char *const status[] = { "OK", "NOT_CONVERGED", "HAL_ERROR", "OUT_OF_RANGE" };
    const rp_record_t *r = &it->r;
    unsigned tid = prv_tid(r);
    FILE *f = x->f;
    prv_name_track(x, tid);
    if (x->any_t[tid] && it->t < x->last_t[tid])
        x->res->out_of_order++;
    x->any_t[tid] = true;
    x->last_t[tid] = it->t;

    prv_sep(x);
    fputs("{\"ph\":\"X\",\"pid\":1,\"tid\":", f);
    fprintf(f, "%u,\"name\":", tid);
    char nb[8];
    if (r->op == RP_OP_SPAN || r->op == RP_OP_COMPUTE) {
        const char *name = rp_session_name(x->s, r->arg);
        char fallback[32];
        if (!name) {
            snprintf(fallback, sizeof fallback, "name #%" PRIu32, r->arg);
            name = fallback;
        }
        rp_report_json_str(f, name);
        fprintf(f, ",\"cat\":\"%s\"", r->op == RP_OP_SPAN ? "span" : "compute");
    } else {
        rp_report_json_str(f, rp_report_op_name(r->op, nb));
        fputs(",\"cat\":\"op\"", f);
    }
    fputs(",\"ts\":", f);
    prv_ts(f, it->t, x->hz);
    /* dur from the truncated ends, so ts + dur is exactly the end. */
    int64_t d = prv_ns(it->t + (int64_t)r->duration, x->hz) - prv_ns(it->t, x->hz);
    if (d < 0)
        d = 0;   /* cannot happen: prv_ns is monotonic */
    fprintf(f, ",\"dur\":%" PRId64 ".%03" PRId64, d / 1000, d % 1000);
    fprintf(f, ",\"args\":{\"ticks\":%" PRIu32 ",\"segment\":%" PRIu32, r->duration, it->segment);
    if (r->op != RP_OP_SPAN && r->op != RP_OP_COMPUTE)
        fprintf(f, ",\"tile\":%u,\"row\":%u,\"rows\":%u,\"col\":%u,\"cols\":%u", r->tile, r->row, r->rows, r->col,
                r->cols);
    if (r->op == RP_OP_VERIFY)
        fprintf(f, ",\"iterations\":%u", r->iterations);
    if (r->op == RP_OP_TRANSFER)
        fprintf(f, ",\"bytes\":%" PRIu32, r->arg);
    if (r->op >= RP_OP_COUNT || r->op == RP_OP_NONE)
        fprintf(f, ",\"arg\":%" PRIu32, r->arg);
    if (r->status < 4)
        fprintf(f, ",\"status\":\"%s\"}}", status[r->status]);
    else
        fprintf(f, ",\"status\":%u}}", r->status);
    x->res->events++;
}

/* Heap order: earlier start first; on equal starts the longer event first
 * (a parent before its children); then arrival order. */
static bool prv_before(const prv_item_t *a, const prv_item_t *b)
{
    if (a->t != b->t)
        return a->t < b->t;
    if (a->r.duration != b->r.duration)
        return a->r.duration > b->r.duration;
    return a->seq < b->seq;
}

static void prv_push(prv_item_t *h, size_t *n, const prv_item_t *it)
{
    size_t i = (*n)++;
    h[i] = *it;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!prv_before(&h[i], &h[p]))
            break;
        prv_item_t t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static prv_item_t prv_pop(prv_item_t *h, size_t *n)
{
    prv_item_t top = h[0];
    h[0] = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && prv_before(&h[l], &h[m]))
            m = l;
        if (r < *n && prv_before(&h[r], &h[m]))
            m = r;
        if (m == i)
            break;
        prv_item_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
    return top;
}

static void prv_on_segment(void *ctx, uint32_t segment, const rp_device_info_t *info)
{
    prv_export_t *x = ctx;
    (void)info;
    if (x->seg_started)
        x->run_base += (int64_t)(x->seg_max_end - x->origin);
    x->seg_started = false;
    x->segment = segment;
}

static int prv_on_events(void *ctx, uint32_t segment, const rp_record_t *ev, size_t n)
{
    prv_export_t *x = ctx;
    if (segment != x->segment)
        prv_on_segment(x, segment, NULL);
    if (!x->hz_fixed) {
        /* The first segment's clock is the trace's time base. */
        const rp_device_info_t *d = rp_session_device(x->s);
        if (d->valid && d->clock_hz)
            x->hz = d->clock_hz;
        x->hz_fixed = true;
    }
    if (!x->seg_started && n) {
        uint64_t lo = ev[0].start;
        for (size_t i = 1; i < n; i++)
            if (ev[i].start < lo)
                lo = ev[i].start;
        x->origin = lo;
        x->seg_max_end = lo;
        x->seg_started = true;
    }
    for (size_t i = 0; i < n; i++) {
        prv_item_t it;
        it.t = x->run_base + (int64_t)(ev[i].start - x->origin);
        it.seq = x->seq++;
        it.r = ev[i];
        it.segment = segment;
        uint64_t end = ev[i].start + ev[i].duration;
        if (end > x->seg_max_end)
            x->seg_max_end = end;
        if (it.t > x->max_t)
            x->max_t = it.t;
        if (x->heap_n == RP_EXPORT_REORDER) {
            prv_item_t out = prv_pop(x->heap, &x->heap_n);
            prv_emit(x, &out);
        }
        prv_push(x->heap, &x->heap_n, &it);
    }
    return RP_OK;
}

static int prv_on_msg(void *ctx, const rp_msg_t *m)
{
    prv_export_t *x = ctx;
    rp_session_apply(x->s, m);
    if (m->err != RP_OK || (m->kind != RP_FRAME_BATCH && m->kind != RP_FRAME_DROPS && m->kind != RP_FRAME_COUNTERS))
        return RP_OK;
    rp_session_stats_t st;
    rp_session_stats(x->s, &st);
    if (st.loss.total_events > x->lost_seen) {
        prv_name_track(x, PRV_TID_LOSS);
        prv_sep(x);
        fprintf(x->f, "{\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":%u,\"name\":\"lost %" PRIu64 " events\",\"ts\":",
                PRV_TID_LOSS, st.loss.total_events - x->lost_seen);
        prv_ts(x->f, x->max_t, x->hz);
        fprintf(x->f,
                ",\"args\":{\"link\":%" PRIu64 ",\"device\":%" PRIu64 ",\"unsent\":%" PRIu64
                ",\"lost_batches\":%" PRIu64 "}}",
                st.loss.link_events, st.loss.device_events, st.loss.unsent_events, st.loss.lost_batches);
        x->lost_seen = st.loss.total_events;
    }
    return RP_OK;
}

int rp_export_chrome_trace_ex(const char *capture_path, const char *out_path, rp_export_result_t *res, char *err,
                              size_t errlen)
{
    rp_export_result_t local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (err && errlen)
        err[0] = '\0';
    if (!capture_path || !out_path)
        return RP_ERR_ARG;

    /* Open errors first, before any output exists. */
    {
        FILE *probe = fopen(capture_path, "rb");
        uint8_t head[RP_CAPTURE_MAGIC_LEN];
        size_t got = probe ? fread(head, 1, sizeof head, probe) : 0;
        if (!probe) {
            if (err)
                snprintf(err, errlen, "cannot read %s: %s", capture_path, strerror(errno));
            return RP_ERR_IO;
        }
        fclose(probe);
        if (rp_capture_is_capture(head, got)) {
            rp_capture_reader_t *rd = NULL;
            errno = 0;
            int rc = rp_capture_reader_open(capture_path, &rd);
            rp_capture_reader_close(rd);
            if (rc != RP_OK) {
                if (err) {
                    if (rc == RP_ERR_UNSUPPORTED)
                        snprintf(err, errlen, "%s was written by a newer rramprof (capture format too new)",
                                 capture_path);
                    else if (rc == RP_ERR_IO)
                        snprintf(err, errlen, "cannot read %s: %s", capture_path,
                                 errno ? strerror(errno) : "I/O error");
                    else
                        snprintf(err, errlen, "%s is damaged: its capture header is missing or corrupt",
                                 capture_path);
                }
                return rc == RP_ERR_CRC ? RP_ERR_MALFORMED : rc;
            }
        }
    }

    prv_export_t *x = calloc(1, sizeof *x);
    rp_decoder_t *dec = rp_decoder_create();
    rp_report_out_t o;
    int rc = RP_ERR_NOSPACE;
    if (!x || !dec || !(x->heap = malloc(RP_EXPORT_REORDER * sizeof *x->heap)))
        goto out;
    rp_session_callbacks_t cb = { prv_on_events, prv_on_segment, x };
    x->s = rp_session_create(&cb);
    if (!x->s)
        goto out;
    x->res = res;
    if (rp_report_out_open(&o, out_path) != RP_OK) {
        rc = RP_ERR_IO;
        if (err)
            snprintf(err, errlen, "cannot write %s: %s", out_path, strerror(errno));
        goto out;
    }
    x->f = o.f;
    x->hz = 1000000000u;   /* until a Hello says otherwise: a tick is 1 ns */
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", x->f);
    prv_sep(x);
    fputs("{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"rramprof device\"}}", x->f);

    /* The clock must be known before the first time is printed: the
     * capture header's Hello comes first in a replay, so the session knows
     * it by the first batch; the rate is fixed at the first events. */
    rp_capture_integrity_t integ;
    memset(&integ, 0, sizeof integ);
    bool is_capture = false;
    errno = 0;
    rc = rp_capture_replay(capture_path, dec, prv_on_msg, x, &integ, &is_capture);
    while (x->heap_n) {
        prv_item_t it = prv_pop(x->heap, &x->heap_n);
        prv_emit(x, &it);
    }
    const rp_device_info_t *d = rp_session_device(x->s);
    rp_session_stats_t st;
    rp_session_stats(x->s, &st);
    fputs("\n],\n\"otherData\":{\"tool\":\"rramprof\",\"capture\":", x->f);
    rp_report_json_str(x->f, capture_path);
    fprintf(x->f, ",\"clock_hz\":%" PRIu64 ",\"board\":", d->valid ? d->clock_hz : 0);
    rp_report_json_str(x->f, d->valid ? d->board : "");
    fprintf(x->f, ",\"events\":%" PRIu64 ",\"lost_events\":%" PRIu64 ",\"integrity\":", res->events,
            st.loss.total_events);
    rp_report_json_str(x->f, is_capture ? rp_capture_stop_str(integ.stop) : "raw link stream");
    fputs("}}\n", x->f);

    const rp_decode_stats_t *ds = rp_decoder_stats(dec);
    res->is_capture = is_capture;
    res->integrity = integ;
    for (unsigned k = 0; k < RP_FRAME_KIND_COUNT; k++)
        res->good_frames += ds->kinds[k];
    res->bad_frames = ds->crc_errors + ds->cobs_errors + ds->oversize + ds->short_frames + ds->proto_errors +
                      ds->malformed;
    res->lost_events = st.loss.total_events;
    if (rp_report_out_commit(&o) != RP_OK) {
        if (err)
            snprintf(err, errlen, "cannot write %s: %s", out_path, strerror(errno));
        rc = RP_ERR_IO;
    } else if (rc != RP_OK && err) {
        snprintf(err, errlen, "reading %s stopped: %s", capture_path, rp_err_str(rc));
    }

out:
    if (x) {
        rp_session_destroy(x->s);
        free(x->heap);
    }
    free(x);
    rp_decoder_destroy(dec);
    return rc;
}

int rp_export_chrome_trace(const char *capture_path, const char *out_path, char *err, size_t errlen)
{
    return rp_export_chrome_trace_ex(capture_path, out_path, NULL, err, errlen);
}
