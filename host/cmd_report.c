/* rramprof report: one pass over a capture (replay -> decoder -> session ->
 * aggregator + memory analytics), the analyzer, then the writers. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include "cli.h"
#include "report/rp_report.h"
#include "rramprof/rp_capture.h"

#define PRV_DEFAULT_TOP 5u

/* The pass runs as a three-stage pipeline over a ring of event chunks:
 * this thread reads, decodes and applies the session; a second thread runs
 * the aggregator; a third the memory analytics, which needs the
 * aggregator's time shift of each chunk. Each stage takes the chunks in
 * order, so results are identical to running everything on one thread
 * (RRAMPROF_REPORT_THREADS=1; tests compare both). On two cores the stages
 * overlap and the report runs about 1.6 times faster (docs/benchmarks.md).
 * Memory is fixed: PRV_SLOTS chunks. */
#define PRV_CHUNK 8192u
#define PRV_SLOTS 6u

typedef struct prv_chunk {
    bool segment;               /* a segment marker (info), not events */
    uint32_t index;             /* segment index (of the events too) */
    rp_device_info_t info;
    int64_t shift;              /* set by the aggregator stage */
    size_t n;
    rp_record_t ev[PRV_CHUNK];
} prv_chunk_t;

typedef struct prv_pipe {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    prv_chunk_t *slot[PRV_SLOTS];
    /* Chunks handed over, aggregated, analysed (counts since the start;
     * chunk k lives in slot[k % PRV_SLOTS]). */
    uint64_t produced, aggregated, analysed;
    bool done;                  /* no more chunks will come */
    bool threaded;
    bool have_agg_thread, have_mem_thread;
    pthread_t agg_thread, mem_thread;
    rp_agg_t *agg;
    rp_memuse_t *mem;
    bool agg_nospace;           /* rp_agg_add ran out of memory */
    bool nospace;               /* rp_memuse_add ran out of memory */
    bool ready;                 /* lock initialised */
} prv_pipe_t;

/* State of the single pass. */
typedef struct prv_pass {
    rp_session_t *s;
    rp_agg_t *agg;
    rp_memuse_t *mem;
    prv_pipe_t q;
} prv_pass_t;

static void prv_stage_agg(prv_pipe_t *q, prv_chunk_t *c)
{
    if (c->segment) {
        rp_agg_segment(q->agg, c->index, &c->info);
    } else if (c->n != 0 && rp_agg_add(q->agg, c->index, c->ev, c->n) == RP_ERR_NOSPACE) {
        q->agg_nospace = true;
    }
    c->shift = rp_agg_time_shift(q->agg);
}

static void prv_stage_mem(prv_pipe_t *q, const prv_chunk_t *c)
{
    if (c->segment)
        rp_memuse_segment(q->mem, c->index, &c->info);
    else if (c->n != 0 && rp_memuse_add(q->mem, c->ev, c->n, c->shift) == RP_ERR_NOSPACE)
        q->nospace = true;
}

/* One worker stage: waits for chunk *mine < *before, runs it, counts it. */
static void prv_stage_loop(prv_pipe_t *q, uint64_t *mine, const uint64_t *before, bool agg)
{
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (*mine == *before && !(q->done && *before == q->produced && *mine == *before))
            pthread_cond_wait(&q->changed, &q->lock);
        if (*mine == *before)
            break;   /* done, and every chunk before this stage is through */
        prv_chunk_t *c = q->slot[*mine % PRV_SLOTS];
        pthread_mutex_unlock(&q->lock);
        if (agg)
            prv_stage_agg(q, c);
        else
            prv_stage_mem(q, c);
        pthread_mutex_lock(&q->lock);
        (*mine)++;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
}

static void *prv_agg_main(void *arg)
{
    prv_pipe_t *q = arg;
    prv_stage_loop(q, &q->aggregated, &q->produced, true);
    return NULL;
}

static void *prv_mem_main(void *arg)
{
    prv_pipe_t *q = arg;
    prv_stage_loop(q, &q->analysed, &q->aggregated, false);
    return NULL;
}

/* The chunk this thread fills: the next slot, once the last stage is done
 * with what it held. */
static prv_chunk_t *prv_pipe_cur(prv_pipe_t *q)
{
    return q->slot[q->produced % PRV_SLOTS];
}

/* Allocates the chunks and starts the stage threads; without threads (or
 * if they cannot start) every chunk is run through both stages inline.
 * Returns -1 if out of memory. */
static int prv_pipe_start(prv_pipe_t *q, rp_agg_t *agg, rp_memuse_t *mem)
{
    memset(q, 0, sizeof *q);
    for (unsigned i = 0; i < PRV_SLOTS; i++) {
        q->slot[i] = malloc(sizeof *q->slot[i]);
        if (!q->slot[i])
            return -1;
        q->slot[i]->segment = false;
        q->slot[i]->n = 0;
    }
    q->agg = agg;
    q->mem = mem;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->changed, NULL);
    q->ready = true;
    /* RRAMPROF_REPORT_THREADS=1 keeps everything on one thread (tests
     * compare both ways; results must be identical). */
    const char *threads = getenv("RRAMPROF_REPORT_THREADS");
    if (threads && strcmp(threads, "1") == 0)
        return 0;
    q->have_agg_thread = pthread_create(&q->agg_thread, NULL, prv_agg_main, q) == 0;
    if (q->have_agg_thread)
        q->have_mem_thread = pthread_create(&q->mem_thread, NULL, prv_mem_main, q) == 0;
    if (q->have_agg_thread && !q->have_mem_thread) {
        /* Half a pipeline would stall: stop the aggregator stage again. */
        pthread_mutex_lock(&q->lock);
        q->done = true;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
        pthread_join(q->agg_thread, NULL);
        q->have_agg_thread = false;
        q->done = false;
    }
    q->threaded = q->have_agg_thread && q->have_mem_thread;
    return 0;
}

/* Hands the current chunk to the stages and readies the next slot. */
static void prv_pipe_push(prv_pipe_t *q)
{
    if (!q->threaded) {
        prv_chunk_t *c = prv_pipe_cur(q);
        prv_stage_agg(q, c);
        prv_stage_mem(q, c);
        c->segment = false;
        c->n = 0;
        return;
    }
    pthread_mutex_lock(&q->lock);
    q->produced++;
    pthread_cond_broadcast(&q->changed);
    while (q->produced - q->analysed >= PRV_SLOTS)
        pthread_cond_wait(&q->changed, &q->lock);
    pthread_mutex_unlock(&q->lock);
    prv_chunk_t *c = prv_pipe_cur(q);
    c->segment = false;
    c->n = 0;
}

/* Sends what is left and waits until both stages ran everything. */
static void prv_pipe_finish(prv_pipe_t *q)
{
    if (!q->ready)
        return;
    if (prv_pipe_cur(q)->n != 0)
        prv_pipe_push(q);
    if (q->threaded) {
        pthread_mutex_lock(&q->lock);
        q->done = true;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
        pthread_join(q->agg_thread, NULL);
        pthread_join(q->mem_thread, NULL);
        q->threaded = false;
    }
}

static void prv_pipe_free(prv_pipe_t *q)
{
    prv_pipe_finish(q);
    for (unsigned i = 0; i < PRV_SLOTS; i++)
        free(q->slot[i]);
    if (q->ready) {
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->changed);
    }
    memset(q, 0, sizeof *q);
}

static void prv_on_segment(void *ctx, uint32_t segment, const rp_device_info_t *info)
{
    prv_pipe_t *q = &((prv_pass_t *)ctx)->q;
    if (prv_pipe_cur(q)->n != 0)
        prv_pipe_push(q);
    prv_chunk_t *c = prv_pipe_cur(q);
    c->segment = true;
    c->index = segment;
    c->info = *info;
    prv_pipe_push(q);
}

static int prv_on_events(void *ctx, uint32_t segment, const rp_record_t *events, size_t n)
{
    prv_pipe_t *q = &((prv_pass_t *)ctx)->q;
    /* A chunk holds events of one segment. */
    if (prv_pipe_cur(q)->n != 0 && prv_pipe_cur(q)->index != segment)
        prv_pipe_push(q);
    while (n != 0) {
        if (prv_pipe_cur(q)->n == PRV_CHUNK)
            prv_pipe_push(q);
        prv_chunk_t *c = prv_pipe_cur(q);
        c->index = segment;
        size_t room = PRV_CHUNK - c->n;
        size_t take = n < room ? n : room;
        memcpy(c->ev + c->n, events, take * sizeof *events);
        c->n += take;
        events += take;
        n -= take;
    }
    return RP_OK;
}

static int prv_on_msg(void *ctx, const rp_msg_t *m)
{
    prv_pass_t *p = ctx;
    rp_session_apply(p->s, m);
    return RP_OK;
}

static void prv_problem(rp_report_t *r, const char *fmt, ...)
{
    if (r->problem_count >= RP_REPORT_MAX_PROBLEMS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problems[r->problem_count], sizeof r->problems[0], fmt, ap);
    va_end(ap);
    r->problem_count++;
}

static void prv_bytes(uint64_t n, char *buf, size_t cap)
{
    if (n >= 1024u * 1024u)
        snprintf(buf, cap, "%.1f MiB", (double)n / (1024.0 * 1024.0));
    else if (n >= 1024u)
        snprintf(buf, cap, "%.1f KiB", (double)n / 1024.0);
    else
        snprintf(buf, cap, "%" PRIu64 " bytes", n);
}

/* mkdir -p */
static int prv_mkdirs(const char *dir)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* 1: dir exists and holds something, 0: absent or empty, -1: not a dir. */
static int prv_dir_busy(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int busy = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            busy = 1;
            break;
        }
    }
    closedir(d);
    return busy;
}

/* The file's first bytes: whether it is empty, and its format version when
 * it carries the capture magic. */
static int prv_peek(const char *path, uint64_t *size, bool *magic, unsigned *major, unsigned *minor)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    struct stat st;
    uint8_t head[RP_CAPTURE_MAGIC_LEN + 4] = { 0 };
    ssize_t n = 0;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return -1;
    }
    *size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    n = read(fd, head, sizeof head);
    close(fd);
    *magic = n >= (ssize_t)RP_CAPTURE_MAGIC_LEN && rp_capture_is_capture(head, (size_t)n);
    *major = (unsigned)head[8] | (unsigned)head[9] << 8;
    *minor = (unsigned)head[10] | (unsigned)head[11] << 8;
    return 0;
}

static void prv_integrity_problems(rp_report_t *r, const rp_capture_integrity_t *in)
{
    char lost[32];
    prv_bytes(in->tail_bytes, lost, sizeof lost);
    switch (in->stop) {
    case RP_CAPTURE_STOP_END:
        if (in->tail_bytes)
            prv_problem(r, "%s after the capture's end marker (byte %" PRIu64 ") were not read: another capture "
                           "appended to it?", lost, in->valid_bytes);
        break;
    case RP_CAPTURE_STOP_NONE:
        break;
    case RP_CAPTURE_STOP_EOF:
        prv_problem(r, "the capture was not closed cleanly (killed or still running): events after its last "
                       "chunk are not in the file");
        break;
    case RP_CAPTURE_STOP_TRUNCATED:
        prv_problem(r, "the file ends inside chunk %" PRIu64 ": %s after byte %" PRIu64 " were not read",
                    in->chunks_ok + in->chunks_skipped, lost, in->valid_bytes);
        break;
    case RP_CAPTURE_STOP_IO:
        prv_problem(r, "a read error (%s) stopped reading at byte %" PRIu64 ": %s were not read",
                    strerror(in->sys_errno), in->valid_bytes, lost);
        break;
    default:
        prv_problem(r, "chunk %" PRIu64 " is corrupt (%s): %s after byte %" PRIu64 " were not read",
                    in->chunks_ok + in->chunks_skipped, rp_capture_stop_str(in->stop), lost, in->valid_bytes);
        break;
    }
}

static void prv_stream_problems(rp_report_t *r, const prv_pass_t *p)
{
    const rp_decode_stats_t *ds = r->decode;
    const rp_session_stats_t *st = r->stats;
    uint64_t link_bad = ds->crc_errors + ds->cobs_errors + ds->oversize + ds->short_frames;
    if (link_bad)
        prv_problem(r, "%" PRIu64 " corrupt link frame(s) (crc %" PRIu64 ", cobs %" PRIu64 ", oversize %" PRIu64
                       ", short %" PRIu64 ") were not read",
                    link_bad, ds->crc_errors, ds->cobs_errors, ds->oversize, ds->short_frames);
    if (ds->proto_errors + ds->malformed)
        prv_problem(r, "%" PRIu64 " frame(s) could not be decoded and were skipped", ds->proto_errors + ds->malformed);
    if (st->loss.total_events)
        prv_problem(r, "%" PRIu64 " event(s) were lost before reaching the file (link %" PRIu64 ", device %" PRIu64
                       ", unsent at resets %" PRIu64 "): the figures cover the %" PRIu64 " events received",
                    st->loss.total_events, st->loss.link_events, st->loss.device_events, st->loss.unsent_events,
                    st->events);
    if (st->events && !r->device->valid)
        prv_problem(r, "no device description (Hello) was received: times are in ticks, geometry unknown");
    if (p->q.agg_nospace || p->q.nospace)
        prv_problem(r, "out of memory for some %s: their statistics are incomplete",
                    p->q.agg_nospace ? "latency histograms" : "memory analytics");
    if (st->name_overflow)
        prv_problem(r, "%" PRIu64 " span name(s) did not fit the name table and show as ids", st->name_overflow);
    if (r->agg && rp_agg_totals(r->agg)->names_overflow)
        prv_problem(r, "%" PRIu64 " events of named groups beyond the first %u names are not listed by name",
                    rp_agg_totals(r->agg)->names_overflow, RP_AGG_MAX_NAMES);
    if (r->agg && rp_agg_totals(r->agg)->mixed_clock)
        prv_problem(r, "segments report different clocks: times of later segments are in their own ticks");
    if (r->mem && rp_memuse_totals(r->mem)->untracked)
        prv_problem(r, "%" PRIu64 " row access(es) fell outside the tracked rows (memory analytics)",
                    rp_memuse_totals(r->mem)->untracked);
}

static int prv_write_outputs(const rp_report_opts_t *o, const rp_report_t *r)
{
    static const struct {
        unsigned fmt;
        const char *name;
    } files[] = {
        { RP_REPORT_FMT_HTML, "report.html" },
        { RP_REPORT_FMT_MD, "report.md" },
        { RP_REPORT_FMT_JSON, "summary.json" },
        { RP_REPORT_FMT_CSV, "metrics.csv" },
    };
    const char *written[8];
    size_t n = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (!(o->formats & files[i].fmt))
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", o->dir, files[i].name);
        int rc = RP_OK;
        errno = 0;
        switch (files[i].fmt) {
        case RP_REPORT_FMT_HTML: rc = rp_report_write_html(path, r); break;
        case RP_REPORT_FMT_MD: rc = rp_report_write_md(path, r); break;
        case RP_REPORT_FMT_JSON: rc = rp_report_write_json(path, r); break;
        default: rc = rp_report_write_csv(path, r); break;
        }
        if (rc != RP_OK) {
            fprintf(stderr, "rramprof report: cannot write %s: %s\n", path, errno ? strerror(errno) : rp_err_str(rc));
            return RP_EXIT_OUTPUT;
        }
        written[n++] = files[i].name;
    }
    errno = 0;
    if (rp_report_write_manifest(o->dir, written, n, r) != RP_OK) {
        fprintf(stderr, "rramprof report: cannot write %s/manifest.json: %s\n", o->dir,
                errno ? strerror(errno) : "I/O error");
        return RP_EXIT_OUTPUT;
    }
    printf("\nrun directory %s/\n", o->dir);
    for (size_t i = 0; i < n; i++)
        printf("  %s\n", written[i]);
    printf("  manifest.json (SHA-256 of every file)\n");
    return RP_EXIT_OK;
}

int rp_cli_report_run(const rp_report_opts_t *o)
{
    const char *path = o->path;
    uint64_t size = 0;
    bool magic = false;
    unsigned major = 0, minor = 0;
    if (prv_peek(path, &size, &magic, &major, &minor) != 0) {
        fprintf(stderr, "rramprof report: cannot read %s: %s\n", path, strerror(errno));
        return RP_EXIT_FAIL;
    }
    if (o->dir) {
        int busy = prv_dir_busy(o->dir);
        if (busy < 0) {
            fprintf(stderr, "rramprof report: cannot use %s as the run directory: %s\n", o->dir, strerror(errno));
            return RP_EXIT_OUTPUT;
        }
        if (busy && !o->force) {
            fprintf(stderr, "rramprof report: %s already exists and is not empty; choose another -o DIR, or "
                            "--force to replace the report files in it\n", o->dir);
            return RP_EXIT_OUTPUT;
        }
        if (prv_mkdirs(o->dir) != 0) {
            fprintf(stderr, "rramprof report: cannot create %s: %s\n", o->dir, strerror(errno));
            return RP_EXIT_OUTPUT;
        }
    }

    rp_report_t *r = calloc(1, sizeof *r);
    rp_capture_header_t *hdr = calloc(1, sizeof *hdr);
    rp_capture_integrity_t integ;
    rp_session_stats_t *stats = calloc(1, sizeof *stats);
    rp_analysis_t *an = calloc(1, sizeof *an);
    rp_decoder_t *dec = rp_decoder_create();
    prv_pass_t p = { 0 };
    rp_session_callbacks_t cb = { prv_on_events, prv_on_segment, &p };
    p.s = rp_session_create(&cb);
    p.agg = rp_agg_create();
    p.mem = rp_memuse_create();
    int ex = RP_EXIT_OK;
    if (!r || !hdr || !stats || !an || !dec || !p.s || !p.agg || !p.mem ||
        prv_pipe_start(&p.q, p.agg, p.mem) != 0) {
        fprintf(stderr, "rramprof report: out of memory\n");
        ex = RP_EXIT_FAIL;
        goto out;
    }
    memset(&integ, 0, sizeof integ);
    r->capture_path = path;
    r->tool_version = RRAMPROF_VERSION;
    r->is_capture = magic;

    /* The header first: version and writer, and whether there is anything
     * to replay at all. */
    bool readable = true;
    if (size == 0) {
        fprintf(stderr, "rramprof report: %s is empty: there is nothing to report\n", path);
        prv_problem(r, "the file is empty: nothing was read");
        readable = false;
        ex = RP_EXIT_DAMAGED;
    } else if (magic) {
        rp_capture_reader_t *rd = NULL;
        errno = 0;
        int rc = rp_capture_reader_open(path, &rd);
        if (rc == RP_OK) {
            *hdr = *rp_capture_reader_header(rd);
            hdr->hello = NULL;   /* points into the reader */
            hdr->hello_len = 0;
            r->header = hdr;
            rp_capture_reader_close(rd);
        } else if (rc == RP_ERR_UNSUPPORTED) {
            fprintf(stderr, "rramprof report: %s was written by a newer rramprof (capture format %u.%u; this one "
                            "reads %u.x): upgrade rramprof to read it\n",
                    path, major, minor, RP_CAPTURE_VERSION_MAJOR);
            prv_problem(r, "capture format %u.%u is newer than this rramprof reads (%u.x): nothing was read", major,
                        minor, RP_CAPTURE_VERSION_MAJOR);
            readable = false;
            ex = RP_EXIT_TOO_NEW;
        } else if (rc == RP_ERR_IO) {
            fprintf(stderr, "rramprof report: cannot read %s: %s\n", path, errno ? strerror(errno) : "I/O error");
            ex = RP_EXIT_FAIL;
            goto out;
        } else {
            fprintf(stderr, "rramprof report: %s is damaged: its capture header is missing or corrupt; nothing "
                            "could be read\n", path);
            prv_problem(r, "the capture header is missing or corrupt: nothing was read");
            readable = false;
            ex = RP_EXIT_DAMAGED;
        }
    }

    bool is_capture = magic;
    if (readable) {
        errno = 0;
        int rc = rp_capture_replay(path, dec, prv_on_msg, &p, &integ, &is_capture);
        if (rc == RP_ERR_IO && integ.frames == 0 && rp_decoder_stats(dec)->payloads == 0) {
            fprintf(stderr, "rramprof report: cannot read %s: %s\n", path, errno ? strerror(errno) : "I/O error");
            ex = RP_EXIT_FAIL;
            goto out;
        }
    }
    r->is_capture = is_capture;
    r->integrity = is_capture ? &integ : NULL;
    prv_pipe_finish(&p.q);
    rp_agg_finish(p.agg);
    const rp_agg_totals_t *tot = rp_agg_totals(p.agg);
    rp_memuse_finish(p.mem, tot->run_ticks, tot->clock_hz);
    rp_session_stats(p.s, stats);
    r->decode = rp_decoder_stats(dec);
    r->session = p.s;
    r->stats = stats;
    r->device = rp_session_device(p.s);
    r->agg = p.agg;
    r->mem = p.mem;
    rp_analysis_input_t in = { r->device->valid ? r->device : NULL, stats, p.agg, p.mem };
    if (rp_analyze(&in, an) == RP_OK)
        r->analysis = an;

    if (readable) {
        uint64_t good = 0;
        for (unsigned k = 0; k < RP_FRAME_KIND_COUNT; k++)
            good += r->decode->kinds[k];
        if (is_capture) {
            prv_integrity_problems(r, &integ);
            if (integ.stop != RP_CAPTURE_STOP_END && integ.stop != RP_CAPTURE_STOP_EOF) {
                fprintf(stderr, "rramprof report: %s is damaged (%s at byte %" PRIu64 " of %" PRIu64 "); the report "
                                "covers the %" PRIu64 " frame(s) before it\n",
                        path, rp_capture_stop_str(integ.stop), integ.valid_bytes, integ.file_size, integ.frames);
                ex = RP_EXIT_DAMAGED;
            } else if (integ.stop == RP_CAPTURE_STOP_END && integ.tail_bytes) {
                fprintf(stderr, "rramprof report: %s has %" PRIu64 " byte(s) after its end marker, not read\n", path,
                        integ.tail_bytes);
                ex = RP_EXIT_DAMAGED;
            }
        } else if (good == 0) {
            fprintf(stderr, "rramprof report: %s is neither a capture file nor a recorded rramprof link stream\n",
                    path);
            prv_problem(r, "the file is neither a capture file nor a recorded link stream: nothing was read");
            ex = RP_EXIT_DAMAGED;
        }
        prv_stream_problems(r, &p);
    }

    if (o->formats & RP_REPORT_FMT_TEXT)
        rp_report_write_text(stdout, r, o->top);
    if (o->dir) {
        int wx = prv_write_outputs(o, r);
        if (wx != RP_EXIT_OK)
            ex = wx;
        else if (o->formats & RP_REPORT_FMT_HTML)
            printf("open %s/report.html in a browser for the charts\n", o->dir);
    }
    fflush(stdout);

out:
    prv_pipe_free(&p.q);
    rp_memuse_destroy(p.mem);
    rp_agg_destroy(p.agg);
    rp_session_destroy(p.s);
    rp_decoder_destroy(dec);
    free(an);
    free(stats);
    free(hdr);
    free(r);
    return ex;
}

/* "html,md" -> mask; false on an unknown name. */
static bool prv_parse_formats(const char *s, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned fmt;
    } names[] = {
        { "text", RP_REPORT_FMT_TEXT }, { "html", RP_REPORT_FMT_HTML }, { "md", RP_REPORT_FMT_MD },
        { "json", RP_REPORT_FMT_JSON }, { "csv", RP_REPORT_FMT_CSV },   { "all", RP_REPORT_FMT_ALL },
    };
    unsigned mask = 0;
    const char *p = s;
    while (*p) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strlen(names[i].name) == len && strncmp(p, names[i].name, len) == 0) {
                mask |= names[i].fmt;
                found = true;
            }
        }
        if (!found)
            return false;
        p += len;
        if (*p == ',')
            p++;
    }
    *out = mask;
    return mask != 0;
}

static void prv_usage(FILE *f)
{
    fprintf(f, "usage: rramprof report FILE [-o DIR] [--format LIST] [--top N] [--force]\n"
               "\n"
               "Reads a capture file (or a raw link byte stream) once and reports where\n"
               "the time goes, why, and what to change: validity, ranked findings,\n"
               "time breakdown, latencies, tiles, write-verify, memory analytics.\n"
               "\n"
               "  -o, --output DIR   run directory: report.html, report.md, summary.json,\n"
               "                     metrics.csv and manifest.json (SHA-256 of each file);\n"
               "                     created if needed; refused if it exists and is not\n"
               "                     empty, unless --force\n"
               "  --format LIST      text,html,md,json,csv or all (default: text without -o,\n"
               "                     all with -o); text is the terminal summary\n"
               "  --top N            findings in the terminal summary (default %u)\n"
               "  --force            write into an existing run directory (replaces the\n"
               "                     report files; other files stay)\n"
               "  -h, --help         this text\n"
               "\n"
               "Exit: 0 report written, 7 the file is empty, truncated, corrupt or not a\n"
               "      capture (the report covers what was readable and says what was not),\n"
               "      9 capture format newer than this rramprof, 6 an output could not be\n"
               "      written or DIR is not empty, 1 the file cannot be read, 2 usage.\n",
            PRV_DEFAULT_TOP);
}

int rp_cli_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
        { "top", required_argument, NULL, 't' },    { "force", no_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    rp_report_opts_t o = { NULL, NULL, 0, PRV_DEFAULT_TOP, false };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': o.dir = optarg; break;
        case 'f':
            if (!prv_parse_formats(optarg, &o.formats)) {
                fprintf(stderr, "rramprof report: bad --format '%s' (text,html,md,json,csv or all)\n", optarg);
                return RP_EXIT_USAGE;
            }
            break;
        case 't': {
            uint64_t n = 0;
            if (!rp_cli_parse_count(optarg, &n) || n > 1000) {
                fprintf(stderr, "rramprof report: bad --top '%s'\n", optarg);
                return RP_EXIT_USAGE;
            }
            o.top = (unsigned)n;
            break;
        }
        case 'F': o.force = true; break;
        case 'h': prv_usage(stdout); return RP_EXIT_OK;
        default: prv_usage(stderr); return RP_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }
    o.path = argv[optind];
    if (!o.formats)
        o.formats = o.dir ? RP_REPORT_FMT_ALL : RP_REPORT_FMT_TEXT;
    if (!o.dir && (o.formats & ~(unsigned)RP_REPORT_FMT_TEXT)) {
        fprintf(stderr, "rramprof report: -o DIR is required for html, md, json and csv\n");
        return RP_EXIT_USAGE;
    }
    return rp_cli_report_run(&o);
}
