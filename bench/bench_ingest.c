/* Replay ingest benchmark: capture file -> reader -> decoder -> session.
 *
 *   rp_bench_ingest [--events N] [--runs R] [--file PATH] [--keep]
 *                   [--reuse] [--generic] [--no-session]
 *
 * Writes a capture of N synthetic events (a write-verify / read / MVM mix,
 * encoded by the firmware encoder into batches that fit the firmware's
 * frame payload, as a device sends them), then replays it R times, each
 * run in a child process so the peak RSS (ru_maxrss of the children)
 * covers the replay alone. Prints the median events/s and the largest child peak
 * RSS. Run it with two sizes to see that memory does not follow the file.
 * --generic decodes batches with protobuf-c instead of the fast path;
 * --no-session stops after decoding (no session statistics); --keep leaves
 * the file, --reuse replays an existing file (made with the same --events)
 * instead of writing it again. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rramprof/rp_capture.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

typedef struct prv_opts {
    uint64_t events;
    int runs;
    const char *file;
    bool keep;
    bool reuse;
    bool generic;
    bool session;
} prv_opts_t;

/* ---- synthetic workload ---- */

static uint64_t prv_rng = 0x9E3779B97F4A7C15ull;

static uint32_t prv_rand(void)
{
    /* xorshift64*: deterministic, fast, good enough for test data. */
    prv_rng ^= prv_rng >> 12;
    prv_rng ^= prv_rng << 25;
    prv_rng ^= prv_rng >> 27;
    return (uint32_t)((prv_rng * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Fills recs with the next n events of a crossbar workload: rows programmed
 * by write-verify (WRITE pulse, VERIFY read, repeated until it converges),
 * occasional row READs and MVMs over a whole tile, and a TRANSFER per MVM. */
typedef struct prv_gen {
    uint64_t t;
    uint16_t row;
    uint8_t tile;
    uint8_t step;       /* write-verify step within the current row */
    uint8_t steps;      /* steps this row needs */
    bool verify_next;
} prv_gen_t;

static void prv_generate(prv_gen_t *g, rp_record_t *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rp_record_t r;
        memset(&r, 0, sizeof r);
        uint32_t dice = prv_rand();
        g->t += 2u + (dice & 7u);
        r.tile = g->tile;
        r.cols = 64;
        r.rows = 1;
        if ((dice >> 8) % 64u == 0) {
            r.op = RP_OP_MVM;
            r.row = 0;
            r.rows = 128;
            r.duration = 1800u + (prv_rand() & 255u);
            r.arg = 0;
        } else if ((dice >> 8) % 64u == 1) {
            r.op = RP_OP_TRANSFER;
            r.row = g->row;
            r.duration = 300u + (prv_rand() & 63u);
            r.arg = 128;
        } else if ((dice >> 8) % 32u == 2) {
            r.op = RP_OP_READ;
            r.row = (uint16_t)(prv_rand() & 127u);
            r.duration = 90u + (prv_rand() & 15u);
        } else if (!g->verify_next) {
            r.op = RP_OP_WRITE;
            r.row = g->row;
            r.iterations = g->step;
            r.duration = 200u + (prv_rand() & 31u);
            g->verify_next = true;
        } else {
            r.op = RP_OP_VERIFY;
            r.row = g->row;
            r.iterations = g->step;
            r.duration = 60u + (prv_rand() & 7u);
            r.status = (g->step == 15 && (prv_rand() & 3u) == 0) ? RP_STATUS_NOT_CONVERGED : RP_STATUS_OK;
            g->verify_next = false;
            if (++g->step >= g->steps) {
                g->step = 0;
                g->steps = (uint8_t)(2u + prv_rand() % 14u);
                if (++g->row == 128) {
                    g->row = 0;
                    g->tile = (uint8_t)((g->tile + 1u) & 3u);
                }
            }
        }
        r.start = g->t;
        g->t += r.duration;
        recs[i] = r;
    }
}

static int prv_write_capture(const prv_opts_t *o, uint64_t *bytes_out)
{
    static const char *const wl[] = {"bench"};
    rp_hello_t h = {0};
    h.board = "bench";
    h.firmware_version = "bench";
    h.clock_hz = 25000000;
    h.timer_bits = 32;
    h.array.tiles = 4;
    h.array.rows = 128;
    h.array.cols = 64;
    h.array.model = "synthetic";
    h.ring_capacity = RP_CONFIG_RING_CAPACITY;
    h.max_frame_payload = RP_FRAME_MAX_PAYLOAD;
    h.boot_id = 1;
    h.workloads = wl;
    h.workload_count = 1;
    uint8_t payload[RP_FRAME_MAX_PAYLOAD];
    size_t hello_len = rp_encode_hello(&h, payload, sizeof payload);

    rp_capture_writer_opts_t wo;
    memset(&wo, 0, sizeof wo);
    wo.tool_version = "rp_bench_ingest";
    wo.hello = payload;
    wo.hello_len = hello_len;
    wo.sync = RP_CAPTURE_SYNC_NONE;
    rp_capture_writer_t *w;
    int rc = rp_capture_writer_open(o->file, &wo, &w);
    if (rc != RP_OK) {
        fprintf(stderr, "cannot create %s: %s (%s)\n", o->file, rp_err_str(rc), strerror(errno));
        return rc;
    }
    rc = rp_capture_writer_append(w, payload, hello_len);

    rp_batch_state_t st = {0};
    prv_gen_t g = {.t = 1000, .steps = 4};
    rp_record_t recs[RP_CONFIG_BATCH_MAX_EVENTS];
    size_t have = 0;
    uint64_t left = o->events;
    while (rc == RP_OK && (left > 0 || have > 0)) {
        /* Top the pending records up, then send as many as fit one frame,
         * like the firmware's drain. */
        size_t want = RP_CONFIG_BATCH_MAX_EVENTS - have;
        if (want > left) {
            want = (size_t)left;
        }
        prv_generate(&g, recs + have, want);
        have += want;
        left -= want;
        size_t n = rp_encode_batch_fit(recs, have, sizeof payload);
        size_t len = rp_encode_batch(&st, recs, n, 0, payload, sizeof payload);
        if (n == 0 || len == 0) {
            fprintf(stderr, "encoder refused a batch\n");
            rc = RP_ERR_NOSPACE;
            break;
        }
        rc = rp_capture_writer_append(w, payload, len);
        memmove(recs, recs + n, (have - n) * sizeof recs[0]);
        have -= n;
    }
    rp_capture_writer_stats_t ws;
    rp_capture_writer_stats(w, &ws);
    int rc2 = rp_capture_writer_close(w);
    if (rc == RP_OK) {
        rc = rc2;
    }
    *bytes_out = ws.bytes;
    return rc;
}

/* ---- replay ---- */

typedef struct prv_replay {
    rp_session_t *s;
    uint64_t events;
    uint64_t checksum;   /* keeps the work observable */
} prv_replay_t;

static int prv_on_events(void *ctx, uint32_t seg, const rp_record_t *ev, size_t n)
{
    prv_replay_t *r = ctx;
    (void)seg;
    r->events += n;
    r->checksum += ev[n - 1].start;
    return RP_OK;
}

static int prv_on_msg(void *ctx, const rp_msg_t *m)
{
    prv_replay_t *r = ctx;
    if (r->s != NULL) {
        return rp_session_apply(r->s, m);
    }
    if (m->err == RP_OK && m->kind == RP_FRAME_BATCH && m->u.batch.count > 0) {
        r->events += m->u.batch.count;
        r->checksum += m->u.batch.events[m->u.batch.count - 1].start;
    }
    return RP_OK;
}

static double prv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) of this process: unlike wall time it does
 * not count the time other processes held the core. */
static double prv_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* One replay; returns wall seconds (*cpu: CPU seconds) or a negative value
 * on failure. */
static double prv_replay_once(const prv_opts_t *o, uint64_t *events, double *cpu)
{
    prv_replay_t r = {0};
    rp_decoder_t *d = rp_decoder_create();
    if (d == NULL) {
        return -1.0;
    }
    rp_decoder_set_generic(d, o->generic);
    if (o->session) {
        rp_session_callbacks_t cb = {prv_on_events, NULL, &r};
        r.s = rp_session_create(&cb);
    }
    double t0 = prv_now();
    double c0 = prv_cpu();
    int rc = rp_capture_replay(o->file, d, prv_on_msg, &r, NULL, NULL);
    double t1 = prv_now();
    *cpu = prv_cpu() - c0;
    if (r.s != NULL) {
        rp_session_stats_t st;
        rp_session_stats(r.s, &st);
        if (st.events != r.events || st.loss.total_events != 0) {
            fprintf(stderr, "session disagrees: %" PRIu64 " events, %" PRIu64 " lost\n", st.events,
                    st.loss.total_events);
            rc = RP_ERR_STATE;
        }
    }
    rp_session_destroy(r.s);
    rp_decoder_destroy(d);
    *events = r.events;
    if (rc != RP_OK || r.checksum == 0) {
        return -1.0;
    }
    return t1 - t0;
}

static int prv_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void prv_usage(void)
{
    fprintf(stderr, "usage: rp_bench_ingest [--events N] [--runs R] [--file PATH] [--keep] "
                    "[--reuse] [--generic] [--no-session]\n");
}

int main(int argc, char **argv)
{
    prv_opts_t o = {.events = 50000000, .runs = 5, .file = "/tmp/rp_bench_ingest.rpcap",
                    .keep = false, .generic = false, .session = true};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            o.events = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            o.runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc) {
            o.file = argv[++i];
        } else if (strcmp(argv[i], "--keep") == 0) {
            o.keep = true;
        } else if (strcmp(argv[i], "--reuse") == 0) {
            o.reuse = true;
        } else if (strcmp(argv[i], "--generic") == 0) {
            o.generic = true;
        } else if (strcmp(argv[i], "--no-session") == 0) {
            o.session = false;
        } else {
            prv_usage();
            return 2;
        }
    }
    if (o.runs < 1 || o.runs > 99 || o.events == 0) {
        prv_usage();
        return 2;
    }

    uint64_t bytes = 0;
    double t0 = prv_now();
    struct stat sb;
    if (o.reuse && stat(o.file, &sb) == 0) {
        /* A file kept by an earlier run with the same --events. */
        bytes = (uint64_t)sb.st_size;
    } else if (prv_write_capture(&o, &bytes) != RP_OK) {
        return 1;
    }
    printf("capture: %" PRIu64 " events, %" PRIu64 " bytes (%.2f bytes/event), written in %.1f s\n",
           o.events, bytes, (double)bytes / (double)o.events, prv_now() - t0);

    double secs[99], cpus[99];
    long max_rss_kb = 0;
    for (int run = 0; run < o.runs; run++) {
        int fds[2];
        if (pipe(fds) != 0) {
            perror("pipe");
            return 1;
        }
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            close(fds[0]);
            uint64_t ev = 0;
            double s[2];
            s[0] = prv_replay_once(&o, &ev, &s[1]);
            if (ev != o.events) {
                s[0] = -1.0;
            }
            ssize_t wr = write(fds[1], s, sizeof s);
            _exit(wr == (ssize_t)sizeof s && s[0] > 0 ? 0 : 1);
        }
        close(fds[1]);
        double res[2] = {-1.0, -1.0};
        ssize_t rd = read(fds[0], res, sizeof res);
        double s = res[0];
        close(fds[0]);
        int status;
        struct rusage ru;
        /* RUSAGE_CHILDREN's ru_maxrss is the largest peak of any child
         * waited for: the parent's own memory is not in it. */
        if (waitpid(pid, &status, 0) != pid || getrusage(RUSAGE_CHILDREN, &ru) != 0 ||
            !WIFEXITED(status) || WEXITSTATUS(status) != 0 || rd != (ssize_t)sizeof res || s <= 0) {
            fprintf(stderr, "replay run %d failed\n", run);
            return 1;
        }
        secs[run] = s;
        cpus[run] = res[1] > 0 ? res[1] : s;
        if (ru.ru_maxrss > max_rss_kb) {
            max_rss_kb = ru.ru_maxrss;
        }
        printf("run %d: %.3f s wall, %.3f s CPU, %.1f M events/s, peak RSS so far %ld KiB\n", run,
               s, cpus[run], (double)o.events / s / 1e6, ru.ru_maxrss);
    }
    qsort(secs, (size_t)o.runs, sizeof secs[0], prv_cmp);
    qsort(cpus, (size_t)o.runs, sizeof cpus[0], prv_cmp);
    double med = secs[o.runs / 2];
    double cmed = cpus[o.runs / 2];
    printf("replay (%s%s): median %.3f s wall = %.1f M events/s = %.0f MB/s "
           "(CPU time: median %.3f s = %.1f M events/s); peak RSS %ld KiB\n",
           o.generic ? "protobuf-c" : "fast path", o.session ? " + session" : "", med,
           (double)o.events / med / 1e6, (double)bytes / med / 1e6, cmed,
           (double)o.events / cmed / 1e6, max_rss_kb);
    if (!o.keep) {
        unlink(o.file);
    }
    return 0;
}
