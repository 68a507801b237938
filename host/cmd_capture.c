/* rramprof capture: handshake with a device, start it, stream its frames
 * into a capture file, stop cleanly. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boards.h"
#include "cli.h"
#include "report.h"
#include "rp_flash.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_command.h"
#include "rramprof/rp_session.h"

#define PRV_RESEND_MS 500 /* GetInfo repeats while unanswered */
#define PRV_LIMIT_WAIT_MS 2000 /* device limit reached: wait for its session end */
#define PRV_POLL_MS 100          /* longest wait before flags are checked */
#define PRV_PROGRESS_MS 250
#define PRV_DRAIN_MS 2000        /* after Stop: wait this long for its answer */
#define PRV_QUIET_MS 150         /* after the answer: end at this much silence */
#define PRV_PRE_MAX (16u << 20)  /* frames kept before the file is open */
/* prv_command: the device reset before it answered a Start (positive, so
 * that it is no rp_err_t). */
#define PRV_RESET_BEFORE_ANSWER 1

static volatile sig_atomic_t prv_sig;
static volatile sig_atomic_t prv_sig_count;

static void prv_on_signal(int sig)
{
    prv_sig = sig;
    prv_sig_count++;
}

/* The shell's status for the signal that ended the capture: 128 + its
 * number (SIGHUP 129, SIGINT 130, SIGTERM 143). */
static int prv_sig_exit(void)
{
    return prv_sig == SIGTERM ? RP_EXIT_SIGTERM : prv_sig == SIGHUP ? RP_EXIT_SIGHUP : RP_EXIT_SIGINT;
}

typedef struct prv_cap {
    rp_link_t link;
    int passive;           /* nothing is sent to the device */
    int replay;            /* a file replay or a passive capture: no Response comes */
    rp_session_t *session;
    rp_capture_writer_t *w;
    int write_err;

    /* the command being waited for */
    uint32_t want_id;
    int answered;
    uint32_t result;
    char message[128];

    /* the device's Hello, as the payload that carried it */
    uint8_t *hello;
    size_t hello_len;

    /* frames received before the file is open */
    uint8_t *pre;
    size_t pre_len, pre_cap;
    uint64_t pre_lost;

    uint64_t events;
    uint64_t frames;
    uint64_t frames_saved;   /* inside complete chunks of the file */
    uint32_t stop_id;
    int stop_acked;
    int recording;         /* a Start was acknowledged */
    int idle_heartbeat;    /* the last Heartbeat said: not recording */
    int tty;               /* stderr shows the progress line */
    uint32_t resets;       /* device resets seen (new boot ids) */
    uint32_t resets_followed; /* of them, those a Start was sent after */
    uint64_t unsent_seen;  /* loss.unsent_events already reported */
    uint32_t unreported_seen; /* loss.resets_unreported, as of then */
    int64_t last_rx_ms;
} prv_cap_t;

static int prv_on_events(void *ctx, uint32_t segment, const rp_record_t *ev, size_t n)
{
    (void)segment;
    (void)ev;
    prv_cap_t *c = ctx;
    c->events += n;
    return RP_OK;
}

/* Starts a message on stderr: on a terminal, the progress line is
 * cleared first so the message does not run into it. */
static const char *prv_msg_start(const prv_cap_t *c)
{
    return c->tty ? "\r\033[K" : "";
}

/* A new boot id: the device reset. Said at once, with the cause its new
 * Hello gives; a live capture then ends, or with --follow-resets starts
 * the new boot (see the stream loop). */
static void prv_on_segment(void *ctx, uint32_t segment, const rp_device_info_t *info)
{
    prv_cap_t *c = ctx;
    if (segment == 0)
        return;
    c->resets++;
    char why[96];
    rp_session_stats_t st;
    rp_session_stats(c->session, &st); /* the reset's loss is counted already */
    uint64_t unsent = st.loss.unsent_events - c->unsent_seen;
    /* Exact if the new boot reported the old one's counts (see rp_session.h). */
    int exact = st.loss.resets_unreported == c->unreported_seen;
    c->unsent_seen = st.loss.unsent_events;
    c->unreported_seen = st.loss.resets_unreported;
    fprintf(stderr, "%srramprof: the device reset during the capture (%s)", prv_msg_start(c),
            rp_reset_text(info->reset_cause, info->fatal_reason, why, sizeof why));
    if (unsent || exact)
        fprintf(stderr, "; %s%" PRIu64 " event(s) still in its ring were lost", exact ? "" : "at least ",
                unsent);
    fprintf(stderr, "\n");
}

static void prv_keep_early(prv_cap_t *c, const uint8_t *p, size_t len)
{
    if (c->pre_len + 4 + len > PRV_PRE_MAX) {
        c->pre_lost++;
        return;
    }
    if (c->pre_len + 4 + len > c->pre_cap) {
        size_t cap = c->pre_cap ? c->pre_cap * 2 : 65536;
        while (cap < c->pre_len + 4 + len)
            cap *= 2;
        uint8_t *q = realloc(c->pre, cap);
        if (!q) {
            c->pre_lost++;
            return;
        }
        c->pre = q;
        c->pre_cap = cap;
    }
    uint32_t l32 = (uint32_t)len;
    memcpy(c->pre + c->pre_len, &l32, 4);
    memcpy(c->pre + c->pre_len + 4, p, len);
    c->pre_len += 4 + len;
}

static void prv_set_hello(prv_cap_t *c, const rp_msg_t *m)
{
    if (c->hello)
        return;
    c->hello = malloc(m->payload_len);
    if (!c->hello)
        return;
    memcpy(c->hello, m->payload, m->payload_len);
    c->hello_len = m->payload_len;
}

static int prv_on_msg(void *ctx, const rp_msg_t *m)
{
    prv_cap_t *c = ctx;
    c->frames++;
    int rc = rp_session_apply(c->session, m);
    if (rc != RP_OK && rc != RP_ERR_ARG)
        return rc;
    if (m->payload_len > 0) {
        if (c->w) {
            if (!c->write_err && rp_capture_writer_append(c->w, m->payload, m->payload_len) != RP_OK)
                c->write_err = RP_ERR_IO;
        } else {
            prv_keep_early(c, m->payload, m->payload_len);
        }
    }
    if (m->err != RP_OK)
        return RP_OK;
    switch (m->kind) {
    case RP_FRAME_RESPONSE: {
        const rp_response_t *r = &m->u.response;
        if (r->has_hello)
            prv_set_hello(c, m);
        if (c->want_id && r->request_id == c->want_id) {
            c->answered = 1;
            c->result = r->result;
            snprintf(c->message, sizeof c->message, "%s", r->message);
        }
        if (c->stop_id && r->request_id == c->stop_id)
            c->stop_acked = 1;
        break;
    }
    case RP_FRAME_HELLO:
        prv_set_hello(c, m);
        break;
    case RP_FRAME_HEARTBEAT:
        c->idle_heartbeat = c->recording && m->u.heartbeat.state == 0;
        break;
    default:
        break;
    }
    return RP_OK;
}

static int prv_pump(prv_cap_t *c, int timeout_ms)
{
    int n = rp_link_pump(&c->link, timeout_ms, prv_on_msg, c);
    if (n > 0)
        c->last_rx_ms = rp_cli_now_ms();
    return n;
}

static const char *prv_result_name(uint32_t r)
{
    static const char *const names[] = { "ok", "malformed command", "unsupported", "bad argument", "busy",
                                         "unknown workload" };
    return r < sizeof names / sizeof names[0] ? names[r] : "error";
}

/* Sends cmd and pumps frames until its Response arrives. Returns RP_OK (see
 * c->result), RP_ERR_TIMEOUT, RP_ERR_STATE on a signal, a transport error,
 * or for a Start PRV_RESET_BEFORE_ANSWER: the device that got it reset
 * (its new boot knows nothing of it). */
static int prv_command(prv_cap_t *c, rp_command_t *cmd, int64_t timeout_ms)
{
    c->answered = 0;
    uint32_t resets = c->resets;
    int rc = c->passive ? RP_OK : rp_link_send(&c->link, cmd, &c->want_id);
    if (rc != RP_OK)
        return rc;
    int64_t deadline = rp_cli_now_ms() + timeout_ms;
    /* GetInfo is safe to repeat, and a device still booting may have
     * dropped it (an STM32 USART discards what arrives before it is
     * enabled): it is sent again until answered. */
    int64_t resend_at = cmd->kind == RP_CMD_GET_INFO && !c->replay
                            ? rp_cli_now_ms() + PRV_RESEND_MS : 0;
    while (!c->answered) {
        if (cmd->kind == RP_CMD_GET_INFO && c->hello && c->replay)
            break; /* with no one to answer, a Hello frame stands for it */
        if (prv_sig)
            return RP_ERR_STATE;
        if (cmd->kind == RP_CMD_START && c->resets != resets && !c->replay)
            return PRV_RESET_BEFORE_ANSWER;
        if (resend_at && rp_cli_now_ms() >= resend_at) {
            rc = rp_link_send(&c->link, cmd, &c->want_id);
            if (rc != RP_OK)
                return rc;
            resend_at = rp_cli_now_ms() + PRV_RESEND_MS;
        }
        int64_t left = deadline - rp_cli_now_ms();
        if (left <= 0)
            return RP_ERR_TIMEOUT;
        int n = prv_pump(c, left < PRV_POLL_MS ? (int)left : PRV_POLL_MS);
        if (n < 0)
            return n;
    }
    c->want_id = 0;
    return RP_OK;
}

/* --follow-resets: a reset ended the device's recording, and its new boot
 * waits for a Start. It gets the capture's Start again, with what is left
 * of --events as a workload's own limit; a reset before it answers (a boot
 * loop) is followed the same way. Returns as prv_command does. */
static int prv_follow_reset(prv_cap_t *c, rp_command_t *start, const rp_capture_opts_t *o, int64_t timeout_ms)
{
    int rc;
    do {
        c->resets_followed = c->resets;
        if (start->start_workload && o->events)
            start->event_limit = o->events > c->events ? o->events - c->events : 1;
        rc = prv_command(c, start, timeout_ms);
    } while (rc == PRV_RESET_BEFORE_ANSWER);
    if (rc == RP_OK && c->result == RP_RESULT_OK) {
        c->idle_heartbeat = 0; /* the new boot's Heartbeats before the Start said idle */
        fprintf(stderr, "%srramprof: recording again after the reset (--follow-resets)\n", prv_msg_start(c));
    }
    return rc;
}

static void prv_progress(prv_cap_t *c, int64_t t0, int final)
{
    double el = (double)(rp_cli_now_ms() - t0) / 1000.0;
    rp_session_stats_t st;
    rp_session_stats(c->session, &st);
    char ev[32], bps[32];
    rp_cli_si(el > 0 ? (double)c->events / el : 0, ev, sizeof ev);
    rp_cli_si(el > 0 ? (double)c->link.bytes_in / el : 0, bps, sizeof bps);
    fprintf(stderr, "\r%" PRIu64 " events  %s ev/s  %sB/s  drops %" PRIu64 "  %.1f s\033[K%s", c->events, ev, bps,
            st.loss.total_events, el, final ? "\n" : "");
}

static int prv_is_closed(int rc)
{
    return rc == RP_TRANSPORT_ERR_CLOSED || rc == RP_TRANSPORT_ERR_GONE;
}

/* Prints why the link died and returns the exit status for it. */
static int prv_link_error(prv_cap_t *c, int rc, const char *when)
{
    const char *d = rp_transport_detail(c->link.t);
    if (d[0])
        fprintf(stderr, "rramprof: %s: %s (%s)\n", when, rp_transport_strerror(rc), d);
    else
        fprintf(stderr, "rramprof: %s: %s\n", when, rp_transport_strerror(rc));
    return prv_is_closed(rc) ? RP_EXIT_GONE : RP_EXIT_FAIL;
}

static void prv_no_answer(prv_cap_t *c, double timeout_s)
{
    const rp_decode_stats_t *ds = rp_decoder_stats(c->link.dec);
    fprintf(stderr, "rramprof: device did not answer GetInfo within %g s\n", timeout_s);
    if (c->link.bytes_in == 0) {
        fprintf(stderr, "  nothing at all was received: is the board running rramprof firmware, and is this the right "
                        "port?\n");
    } else if (ds->kinds[RP_FRAME_RESPONSE] + ds->kinds[RP_FRAME_HELLO] == 0) {
        fprintf(stderr,
                "  received %" PRIu64 " bytes but %" PRIu64 " valid frame(s) (%" PRIu64 " deframer errors, %" PRIu64
                " garbage bytes)\n",
                c->link.bytes_in, c->frames, rp_cli_deframer_errors(ds), ds->garbage_bytes);
        fprintf(stderr, "  on a serial port this usually means a wrong baud rate: try "
                        "--from serial:PORT?baud=N with the board's rate\n");
    }
}

/* With no --from: the one attached device that answers GetInfo. */
static int prv_pick_device(char *uri, size_t cap)
{
    rp_port_info_t *ports = NULL;
    size_t n = 0;
    int rc = rp_transport_list(&ports, &n);
    if (rc != RP_OK) {
        fprintf(stderr, "rramprof: cannot list devices: %s\n", rp_transport_strerror(rc));
        return RP_EXIT_FAIL;
    }
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        if (ports[i].kind == RP_PORT_SERIAL && ports[i].vid == 0)
            continue; /* never send probes to plain UARTs of unknown use */
        if (rp_link_probe(ports[i].uri, 500, NULL, 0, NULL, 0, NULL, 0) != RP_OK)
            continue;
        if (found++ == 0)
            snprintf(uri, cap, "%s", ports[i].uri);
        else
            fprintf(stderr, "%s%s\n", found == 2 ? "rramprof: several rramprof devices are attached:\n  " : "  ",
                    ports[i].uri);
    }
    if (found > 1)
        fprintf(stderr, "  %s\nchoose one with --from URI\n", uri);
    free(ports);
    if (found == 1)
        return RP_EXIT_OK;
    if (found == 0)
        fprintf(stderr, "rramprof: no rramprof device attached (see `rramprof list`); give one with --from URI\n");
    return RP_EXIT_NO_DEVICE;
}

static void prv_flush_early(prv_cap_t *c)
{
    size_t off = 0;
    while (off + 4 <= c->pre_len && !c->write_err) {
        uint32_t len;
        memcpy(&len, c->pre + off, 4);
        if (rp_capture_writer_append(c->w, c->pre + off + 4, len) != RP_OK)
            c->write_err = RP_ERR_IO;
        off += 4 + len;
    }
    free(c->pre);
    c->pre = NULL;
    c->pre_len = c->pre_cap = 0;
}

static void prv_summary(prv_cap_t *c, const char *path, int64_t t0)
{
    rp_session_stats_t st;
    rp_session_stats(c->session, &st);
    const rp_device_info_t *dev = rp_session_device(c->session);
    struct stat fst;
    uint64_t file_bytes = stat(path, &fst) == 0 && S_ISREG(fst.st_mode) ? (uint64_t)fst.st_size : 0;
    double el = (double)(rp_cli_now_ms() - t0) / 1000.0;
    char rate[32];
    rp_cli_si(el > 0 ? (double)st.events / el : 0, rate, sizeof rate);
    printf("capture    %s: %" PRIu64 " events in %.2f s wall time (%s events/s)\n", path, st.events, el, rate);
    rp_cli_print_stats(stdout, dev->valid ? dev->clock_hz : 0, &st, rp_decoder_stats(c->link.dec));
    rp_cli_print_counters(stdout, dev->valid ? dev->clock_hz : 0, &st);
    printf("bytes      %" PRIu64 " received on the link; %" PRIu64 " frame(s), %" PRIu64 " bytes in the file\n",
           c->link.bytes_in, c->frames_saved, file_bytes);
    if (c->pre_lost)
        printf("warning    %" PRIu64 " frame(s) received before the handshake were not stored\n", c->pre_lost);
    if (rp_cli_deframer_errors(rp_decoder_stats(c->link.dec)) > 0)
        printf("note       deframer errors mean corrupted bytes on the link; on a serial port check the baud rate "
               "(serial:PORT?baud=N)\n");
}

int rp_cli_capture_run(const rp_capture_opts_t *o)
{
    char uri[8700];
    if (o->from) {
        snprintf(uri, sizeof uri, "%s", o->from);
    } else {
        int ex = prv_pick_device(uri, sizeof uri);
        if (ex != RP_EXIT_OK)
            return ex;
    }

    prv_cap_t c;
    memset(&c, 0, sizeof c);
    prv_sig = 0;
    prv_sig_count = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = prv_on_signal; /* no SA_RESTART: waits return at once */
    sigemptyset(&sa.sa_mask);
    /* A closed terminal or SSH session (SIGHUP) ends the capture as Stop
     * does, like Ctrl-C and SIGTERM: what the device sent is kept. */
    struct sigaction old_int, old_term, old_hup;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    signal(SIGPIPE, SIG_IGN);

    int ex = RP_EXIT_OK;
    int eof = 0, link_rc = RP_OK, abandoned = 0, replay = 0, from_file = 0;
    int tty = isatty(STDERR_FILENO);
    c.tty = tty;
    int64_t t0 = rp_cli_now_ms();
    char msg[600];
    int rc = rp_link_open(&c.link, uri, msg, sizeof msg);
    if (rc != RP_OK) {
        fprintf(stderr, "rramprof: %s\n", msg);
        if (rc == RP_TRANSPORT_ERR_ACCESS)
            rp_cli_udev_hint(stderr);
        /* A --from the tool cannot parse is a bad command line. */
        ex = rc == RP_TRANSPORT_ERR_SCHEME ? RP_EXIT_USAGE : RP_EXIT_NO_DEVICE;
        goto out_restore;
    }
    rp_session_callbacks_t cb = { prv_on_events, prv_on_segment, &c };
    c.session = rp_session_create(&cb);
    if (!c.session) {
        fprintf(stderr, "rramprof: out of memory\n");
        ex = RP_EXIT_FAIL;
        goto out_link;
    }
    int64_t timeout_ms = (int64_t)(o->timeout_s * 1000.0);

    /* A recording answers nothing: its Hello frame stands for the GetInfo
     * answer, and Start / RunWorkload / Stop are not sent. A passive
     * capture treats a live device the same way. */
    c.passive = o->passive;
    from_file = strcmp(rp_transport_scheme(c.link.t), "file") == 0;
    replay = from_file || o->passive;
    /* A live device's answer is awaited even after its boot Hello: it
     * then has nothing of GetInfo left to send when Start arrives. */
    c.replay = replay;

    /* 1. Who is there? */
    rp_command_t cmd, start;
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = RP_CMD_GET_INFO;
    rc = prv_command(&c, &cmd, timeout_ms);
    if (from_file && prv_is_closed(rc)) {
        eof = 1; /* a stream without a Hello: keep what it held */
        rc = RP_OK;
    }
    if (rc == RP_ERR_TIMEOUT) {
        prv_no_answer(&c, o->timeout_s);
        ex = RP_EXIT_TIMEOUT;
        goto out_session;
    }
    if (rc == RP_ERR_STATE) {
        fprintf(stderr, "rramprof: interrupted before the device answered\n");
        ex = prv_sig_exit();
        goto out_session;
    }
    if (rc != RP_OK) {
        if (prv_is_closed(rc)) {
            const char *d = rp_transport_detail(c.link.t);
            fprintf(stderr, "rramprof: the link closed before the device answered GetInfo%s%s\n", d[0] ? ": " : "",
                    d);
            ex = RP_EXIT_NO_DEVICE;
        } else {
            ex = prv_link_error(&c, rc, "GetInfo");
        }
        goto out_session;
    }
    const rp_device_info_t *dev = rp_session_device(c.session);
    if (!o->quiet && dev->valid)
        rp_cli_print_device(stdout, dev);
    if (dev->valid && dev->protocol_version != 1)
        fprintf(stderr, "rramprof: warning: device speaks protocol %" PRIu32 ", this host knows 1\n",
                dev->protocol_version);
    if (o->workload && dev->valid && dev->workload_count) {
        uint32_t i;
        for (i = 0; i < dev->workload_count; i++)
            if (strcmp(dev->workloads[i], o->workload) == 0)
                break;
        if (i == dev->workload_count) {
            fprintf(stderr, "rramprof: the device has no workload '%s'; it offers:", o->workload);
            for (i = 0; i < dev->workload_count; i++)
                fprintf(stderr, " %s", dev->workloads[i]);
            fprintf(stderr, "\n");
            ex = RP_EXIT_USAGE;
            goto out_session;
        }
    }

    /* 2. The file, with the Hello in its header. */
    rp_capture_writer_opts_t wo;
    memset(&wo, 0, sizeof wo);
    wo.tool_version = "rramprof " RRAMPROF_VERSION;
    wo.hello = c.hello;
    wo.hello_len = c.hello_len;
    rc = rp_capture_writer_open(o->out, &wo, &c.w);
    if (rc != RP_OK) {
        fprintf(stderr, "rramprof: cannot create %s: %s\n", o->out, rc == RP_ERR_IO ? strerror(errno) : rp_err_str(rc));
        c.w = NULL;
        ex = RP_EXIT_OUTPUT;
        goto out_session;
    }
    prv_flush_early(&c);

    /* 3. Start, with the workload if asked: one command, so the device
     * runs it from the session's first instruction (and restarts its clock
     * where it can), and with --events as the device's own limit, so the
     * session holds exactly that many. Under QEMU's instruction counting
     * the capture is then the same every run. */
    t0 = rp_cli_now_ms();
    memset(&start, 0, sizeof start);
    start.kind = RP_CMD_START;
    start.op_mask = o->op_mask;
    start.set_threshold = true;
    if (o->workload) {
        start.start_workload = true;
        snprintf(start.workload, sizeof start.workload, "%s", o->workload);
        start.event_limit = o->events;
    }
    if (o->threshold_ns) {
        if (!dev->valid || dev->clock_hz == 0)
            fprintf(stderr, "rramprof: warning: device clock unknown, --threshold-ns ignored\n");
        else
            start.threshold_ticks = rp_cli_ns_to_ticks(o->threshold_ns, dev->clock_hz);
    }
    c.resets_followed = c.resets; /* a boot that reset before the Start gets it all the same */
    rc = replay ? RP_OK : prv_command(&c, &start, timeout_ms);
    if (rc == PRV_RESET_BEFORE_ANSWER) {
        rc = RP_OK; /* the device reset at once: the stream loop follows it, or ends */
        c.result = RP_RESULT_OK;
    }
    if (!replay && rc == RP_OK && c.result != RP_RESULT_OK) {
        if (o->workload)
            fprintf(stderr, "rramprof: the device refused Start with workload '%s': %s%s%s\n",
                    o->workload, prv_result_name(c.result), c.message[0] ? ": " : "", c.message);
        else
            fprintf(stderr, "rramprof: the device refused Start: %s%s%s\n",
                    prv_result_name(c.result), c.message[0] ? ": " : "", c.message);
        ex = RP_EXIT_DEVICE;
        goto out_close;
    }
    if (rc == RP_OK)
        c.recording = 1;
    if (rc == RP_ERR_TIMEOUT) {
        fprintf(stderr, "rramprof: device did not answer Start within %g s\n", o->timeout_s);
        ex = RP_EXIT_TIMEOUT;
        goto out_stop;
    }
    if (prv_is_closed(rc))
        eof = 1; /* a replay file ends, or the device left: judged below */
    else if (rc != RP_OK && rc != RP_ERR_STATE)
        link_rc = rc;

    /* 4. Stream until a limit, a signal, a write error or the end. */
    int64_t next_progress = rp_cli_now_ms() + PRV_PROGRESS_MS;
    int64_t end_ms = o->duration_s > 0 ? t0 + (int64_t)(o->duration_s * 1000.0) : 0;
    int64_t limit_wait_end = 0;
    while (!eof && link_rc == RP_OK && !prv_sig && !c.write_err) {
        if (o->events && c.events >= o->events) {
            /* The device holds the limit too (Start with a workload): let
             * it end the session (final Counters, then the idle Heartbeat
             * that marks the end; a periodic Counters is not one) before
             * the Stop goes out, so no command reaches it while it still
             * counts its own cost. A short wait; a device that does not
             * end is stopped as usual. */
            if (!o->workload || c.idle_heartbeat)
                break;
            if (!limit_wait_end)
                limit_wait_end = rp_cli_now_ms() + PRV_LIMIT_WAIT_MS;
            else if (rp_cli_now_ms() >= limit_wait_end)
                break;
        }
        if (c.resets != c.resets_followed && !replay) {
            /* Its recording ended with the reset: the new boot waits for
             * a Start, which only --follow-resets sends, and only while
             * events are missing. */
            if (!o->follow_resets || (o->events && c.events >= o->events))
                break;
            rc = prv_follow_reset(&c, &start, o, timeout_ms);
            if (rc == RP_OK && c.result != RP_RESULT_OK) {
                fprintf(stderr, "%srramprof: the device refused Start after its reset: %s%s%s\n",
                        prv_msg_start(&c), prv_result_name(c.result), c.message[0] ? ": " : "", c.message);
                ex = RP_EXIT_DEVICE;
                break;
            }
            if (rc == RP_ERR_TIMEOUT) {
                fprintf(stderr, "%srramprof: the device did not answer Start after its reset within %g s\n",
                        prv_msg_start(&c), o->timeout_s);
                ex = RP_EXIT_TIMEOUT;
                break;
            }
            if (prv_is_closed(rc))
                eof = 1;
            else if (rc != RP_OK && rc != RP_ERR_STATE)
                link_rc = rc;
            continue;
        }
        if (c.idle_heartbeat) {
            /* The device ended its session by itself (its own event limit):
             * nothing more will come. */
            if (!o->quiet)
                printf("the device ended its recording session\n");
            break;
        }
        if (end_ms && rp_cli_now_ms() >= end_ms)
            break;
        int n = prv_pump(&c, PRV_POLL_MS);
        if (n < 0) {
            if (prv_is_closed(n))
                eof = 1;
            else
                link_rc = n;
            break;
        }
        if (n == 0 && rp_capture_writer_poll(c.w) != RP_OK)
            c.write_err = RP_ERR_IO;
        if (tty && rp_cli_now_ms() >= next_progress) {
            prv_progress(&c, t0, 0);
            next_progress = rp_cli_now_ms() + PRV_PROGRESS_MS;
        }
    }

out_stop:
    /* 5. Stop and drain what is in flight, unless the link is gone. */
    if (!eof && link_rc == RP_OK && !replay) {
        memset(&cmd, 0, sizeof cmd);
        cmd.kind = RP_CMD_STOP;
        rc = rp_link_send(&c.link, &cmd, &c.stop_id);
        sig_atomic_t first_sig = prv_sig_count;
        int64_t deadline = rp_cli_now_ms() + PRV_DRAIN_MS;
        while (rc == RP_OK && !c.write_err) {
            int64_t now = rp_cli_now_ms();
            if (prv_sig_count > first_sig) {
                abandoned = 1; /* another signal: the user wants out now */
                break;
            }
            if (now >= deadline)
                break;
            if (c.stop_acked && now - c.last_rx_ms >= PRV_QUIET_MS)
                break;
            int n = prv_pump(&c, PRV_QUIET_MS / 3);
            if (n < 0) {
                if (prv_is_closed(n))
                    eof = 1;
                break;
            }
        }
    }
    if (tty)
        prv_progress(&c, t0, 1);

out_close:
    if (rp_capture_writer_flush(c.w) != RP_OK)
        c.write_err = RP_ERR_IO;
    rp_capture_writer_stats_t ws;
    rp_capture_writer_stats(c.w, &ws);
    c.frames_saved = ws.frames_written;
    int werr = c.write_err ? rp_capture_writer_errno(c.w) : 0;
    errno = 0;
    rc = rp_capture_writer_close(c.w);
    c.w = NULL;
    if (rc != RP_OK && !c.write_err) {
        c.write_err = rc;
        werr = errno; /* the END chunk failed: close keeps errno */
    }
    prv_summary(&c, o->out, t0);

    if (c.write_err) {
        fprintf(stderr, "rramprof: cannot write %s: %s; the file holds the frames written before the failure\n",
                o->out, werr ? strerror(werr) : "write error");
        ex = RP_EXIT_OUTPUT;
    } else if (ex == RP_EXIT_OK && link_rc != RP_OK) {
        ex = prv_link_error(&c, link_rc, "link error during the capture");
    } else if (ex == RP_EXIT_OK && eof && !c.stop_id && !c.idle_heartbeat && !from_file) {
        /* Only the idle Heartbeat that follows a session's final Counters
         * says it ended: a device can go away just after a periodic
         * Counters too. */
        const char *d = rp_transport_detail(c.link.t);
        fprintf(stderr, "rramprof: the device went away in the middle of the capture%s%s; %s is closed and readable\n",
                d[0] ? ": " : "", d, o->out);
        ex = RP_EXIT_GONE;
    } else if (ex == RP_EXIT_OK && from_file && c.frames == 0) {
        /* An empty file, text, noise, or a capture file (read with info or
         * report): nothing in it was a frame of the link. */
        fprintf(stderr,
                "rramprof: %s held no rramprof frames in its %" PRIu64 " byte(s): not a recorded link byte stream "
                "(a capture file is read with rramprof info or report)\n",
                uri, c.link.bytes_in);
        ex = RP_EXIT_DAMAGED;
    } else if (ex == RP_EXIT_OK && c.resets != c.resets_followed && !replay && !o->follow_resets) {
        fprintf(stderr, "rramprof: the capture ends at the device reset; %s is closed and readable\n", o->out);
        ex = RP_EXIT_GONE;
    } else if (ex == RP_EXIT_OK && abandoned) {
        ex = prv_sig_exit();
    }
out_session:
    if (c.w)
        rp_capture_writer_close(c.w);
    rp_session_destroy(c.session);
    free(c.hello);
    free(c.pre);
out_link:
    rp_link_close(&c.link);
out_restore:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    return ex;
}

/* ---- --board NAME [--firmware ELF]: the board's default link ---- */

/* Single-quotes s for /bin/sh. false if it does not fit. */
static bool prv_shell_quote(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (cap < 3)
        return false;
    out[o++] = '\'';
    for (; *s; s++) {
        const char *piece = *s == '\'' ? "'\\''" : NULL;
        size_t len = piece ? strlen(piece) : 1;
        if (o + len + 2 > cap)
            return false;
        if (piece)
            memcpy(out + o, piece, len);
        else
            out[o] = *s;
        o += len;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return true;
}

/* Appends s to a URI query value, escaping what the qemu: parser splits on. */
static bool prv_uri_escape(const char *s, char *out, size_t cap)
{
    size_t o = strlen(out);
    for (; *s; s++) {
        char enc[4] = { *s, '\0', '\0', '\0' };
        if (*s == '%' || *s == '&')
            snprintf(enc, sizeof enc, "%%%02X", (unsigned char)*s);
        size_t len = strlen(enc);
        if (o + len >= cap)
            return false;
        memcpy(out + o, enc, len);
        o += len;
    }
    out[o] = '\0';
    return true;
}

#ifdef RRAMPROF_SOURCE_DIR
#define PRV_SOURCE_DIR RRAMPROF_SOURCE_DIR
#else
#define PRV_SOURCE_DIR "<rramprof source>"
#endif

static int prv_board_sim(const rp_cli_board_t *b, const char *self, char *uri, size_t cap)
{
    char sim[4200], quoted[8500];
    snprintf(sim, sizeof sim, "%s/rramprof-%s", self, b->name);
    if (access(sim, X_OK) != 0) {
        fprintf(stderr, "rramprof capture: the %s board program %s is missing (build it: cmake --build BUILD "
                        "--target rramprof-%s)\n", b->name, sim, b->name);
        return RP_EXIT_NO_DEVICE;
    }
    if (!prv_shell_quote(sim, quoted, sizeof quoted) ||
        snprintf(uri, cap, "exec:%s --transport stdio --quiet", quoted) >= (int)cap) {
        fprintf(stderr, "rramprof capture: path too long: %s\n", sim);
        return RP_EXIT_FAIL;
    }
    return RP_EXIT_OK;
}

/* Refuses, before QEMU starts, an image QEMU cannot boot as board b: not a
 * linked 32-bit ARM ELF, built for another board (its board tag), or with
 * bytes outside the board's code memory. Such an image would otherwise
 * lock up the emulated core at reset or stay silent. */
static int prv_check_qemu_image(const rp_cli_board_t *b, const char *elf)
{
    rp_flash_image_t img;
    char err[RP_FLASH_ERR_MAX + 9000];   /* room for the path twice */
    int rc = rp_flash_image_load(elf, 0, &img, err, sizeof err);
    if (rc == RP_OK && strcmp(img.format, "elf") != 0) {
        snprintf(err, sizeof err, "%s is not an ELF image: QEMU boots the .elf that the firmware build writes "
                                  "beside the .bin and .hex", elf);
        rc = RP_ERR_MALFORMED;
    }
    if (rc == RP_OK)
        rc = rp_flash_image_check_board(&img, elf, b->name, b->flash_base, b->flash_size, err, sizeof err);
    rp_flash_image_free(&img);
    if (rc == RP_OK)
        return RP_EXIT_OK;
    fprintf(stderr, "rramprof capture: cannot run the firmware on %s: %s\n", b->name, err);
    return rc == RP_ERR_IO ? RP_EXIT_NO_DEVICE : RP_EXIT_IMAGE;   /* unreadable: as a missing image */
}

static int prv_board_qemu(const rp_cli_board_t *b, const char *firmware, const char *self, char *uri, size_t cap)
{
    char elf[4400];
    if (firmware) {
        snprintf(elf, sizeof elf, "%s", firmware);
    } else {
        /* The host build cross-builds the QEMU boards next to bin/. */
        char build[4096];
        snprintf(build, sizeof build, "%s", self);
        char *slash = strrchr(build, '/');
        if (slash && slash != build)
            *slash = '\0';
        snprintf(elf, sizeof elf, "%s/fw-%s/bin/rramprof-%s.elf", build, b->name, b->name);
        if (access(elf, R_OK) != 0) {
            fprintf(stderr,
                    "rramprof capture: no firmware image for board %s: %s does not exist\n"
                    "  build it with:\n"
                    "    cmake -S %s -B %s/fw-%s -DRRAMPROF_BOARD=%s \\\n"
                    "          -DCMAKE_TOOLCHAIN_FILE=%s/cmake/arm-none-eabi.cmake\n"
                    "    cmake --build %s/fw-%s --target rramprof-%s\n"
                    "  or give an image with --firmware ELF\n",
                    b->name, elf, PRV_SOURCE_DIR, build, b->name, b->name, PRV_SOURCE_DIR, build, b->name, b->name);
            return RP_EXIT_NO_DEVICE;
        }
    }
    int ex = prv_check_qemu_image(b, elf);
    if (ex != RP_EXIT_OK)
        return ex;
    snprintf(uri, cap, "qemu:%s?kernel=", b->qemu_machine);
    bool ok = prv_uri_escape(elf, uri, cap);
    if (ok && b->qemu_cpu[0]) {
        size_t n = strlen(uri);
        ok = snprintf(uri + n, cap - n, "&cpu=%s", b->qemu_cpu) < (int)(cap - n);
    }
    if (!ok) {
        fprintf(stderr, "rramprof capture: firmware path too long: %s\n", elf);
        return RP_EXIT_FAIL;
    }
    return RP_EXIT_OK;
}

/* The one attached device with the board's USB VID:PID. */
static int prv_board_attached(const rp_cli_board_t *b, char *uri, size_t cap)
{
    rp_port_info_t *ports = NULL;
    size_t n = 0;
    int rc = rp_transport_list(&ports, &n);
    if (rc != RP_OK) {
        fprintf(stderr, "rramprof: cannot list devices: %s\n", rp_transport_strerror(rc));
        return RP_EXIT_FAIL;
    }
    rp_port_kind_t want = b->transport == RP_CLI_BOARD_LINK_USB ? RP_PORT_USB : RP_PORT_SERIAL;
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        const rp_port_info_t *p = &ports[i];
        if (p->kind != want || p->vid != b->usb_vid || p->pid != b->usb_pid)
            continue;
        if (found++ == 0) {
            if (want == RP_PORT_SERIAL && b->baud && !strchr(p->uri, '?'))
                snprintf(uri, cap, "%s?baud=%lu", p->uri, (unsigned long)b->baud);
            else
                snprintf(uri, cap, "%s", p->uri);
        } else {
            if (found == 2)
                fprintf(stderr, "rramprof: several %s boards (USB %04x:%04x) are attached:\n  %s\n", b->name,
                        b->usb_vid, b->usb_pid, uri);
            fprintf(stderr, "  %s%s%s\n", p->uri, p->serial[0] ? "  serial " : "", p->serial);
        }
    }
    free(ports);
    if (found == 1)
        return RP_EXIT_OK;
    if (found == 0)
        fprintf(stderr, "rramprof: no %s board attached (looking for a %s device with USB ID %04x:%04x; see "
                        "`rramprof list`)\n", b->name, want == RP_PORT_USB ? "USB" : "serial", b->usb_vid,
                b->usb_pid);
    else
        fprintf(stderr, "choose one with --from URI\n");
    return RP_EXIT_NO_DEVICE;
}

/* Turns --board NAME [--firmware ELF] into a URI. */
static int prv_board_uri(const char *name, const char *firmware, char *uri, size_t cap)
{
    char self[4096];
    rp_cli_self_dir(self, sizeof self);
    char storage[RP_CLI_BOARD_DIRS_MAX][RP_CLI_BOARD_PATH_MAX];
    const char *dirs[RP_CLI_BOARD_DIRS_MAX];
    size_t nd = rp_cli_board_dirs(self, storage, dirs, RP_CLI_BOARD_DIRS_MAX);
    rp_cli_board_t b;
    char err[600];
    if (rp_cli_board_env_check(err, sizeof err) != 0) {
        fprintf(stderr, "rramprof capture: %s\n", err);
        return RP_EXIT_USAGE;
    }
    int rc = rp_cli_board_find(name, dirs, nd, &b, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "rramprof capture: %s\n", err);
        return RP_EXIT_FAIL;
    }
    if (rc > 0) {
        fprintf(stderr, "rramprof capture: %s; the known boards are:\n", err);
        rp_cli_board_show(stderr, stderr, self);
        return RP_EXIT_USAGE;
    }
    if (firmware && b.transport != RP_CLI_BOARD_LINK_QEMU) {
        fprintf(stderr,
                "rramprof capture: --firmware is for boards run under QEMU; %s is flashed with %s: flash it, "
                "then capture with --board %s\n",
                b.name, rp_cli_board_flash_name(b.flash), b.name);
        return RP_EXIT_USAGE;
    }
    switch (b.transport) {
    case RP_CLI_BOARD_LINK_EXEC:
        return prv_board_sim(&b, self, uri, cap);
    case RP_CLI_BOARD_LINK_QEMU:
        return prv_board_qemu(&b, firmware, self, uri, cap);
    default:
        return prv_board_attached(&b, uri, cap);
    }
}

static void prv_usage(FILE *f)
{
    fprintf(f,
            "usage: rramprof capture [--from URI | --board NAME [--firmware ELF]] -o FILE [options]\n"
            "       rramprof capture --board list\n"
            "\n"
            "Connects to a device, starts recording and streams its events into a\n"
            "capture file until a limit is reached, Ctrl-C, or the device ends.\n"
            "\n"
            "  --from URI          serial:/dev/ttyACM0[?baud=N]  usb:[VID:PID[/SERIAL]]\n"
            "                      tcp://HOST:PORT  unix:PATH  exec:COMMAND  file:PATH\n"
            "                      qemu:MACHINE?kernel=ELF[&cpu=CPU][&qemu=PATH]\n"
            "                      (default: the one rramprof device attached)\n"
            "  --board NAME        the board's own link (boards/NAME/board.conf): sim runs\n"
            "                      rramprof-sim, QEMU boards run their firmware under\n"
            "                      qemu-system-arm, serial/USB boards are the attached\n"
            "                      device with the board's USB VID:PID. `list` lists them\n"
            "  --firmware ELF      QEMU boards: the image to run (default\n"
            "                      BUILD/fw-NAME/bin/rramprof-NAME.elf)\n"
            "  -o, --output FILE   capture file to write (.rpcap)\n"
            "  --events N          stop after N events (200k, 1.5M accepted)\n"
            "  --duration S        stop after S seconds of wall time (250ms accepted)\n"
            "  --workload NAME     run this device workload (RunWorkload)\n"
            "  --op-mask LIST      ops to record: write,verify,read,mvm,transfer,span,compute\n"
            "                      or all, or a number (bit n = op n)\n"
            "  --threshold-ns N    drop events shorter than N ns (converted with the\n"
            "                      device clock)\n"
            "  --timeout S         wait this long for each device answer (default 3)\n"
            "  --passive           send no command, only record what the device sends\n"
            "                      by itself (firmware that records from boot, such as\n"
            "                      the -test-WORKLOAD images); ends when the device ends\n"
            "                      its session, the link closes, or a limit is reached\n"
            "  --follow-resets     when the device resets, Start its new boot with the\n"
            "                      same settings and go on (each boot is a segment of\n"
            "                      the file); without it the capture ends there, exit 5\n"
            "  -q, --quiet         do not print the device description\n"
            "  -h, --help          this text\n"
            "\n"
            "Ctrl-C or SIGTERM stops cleanly (Stop, drain, close the file, summary) and\n"
            "exits 0; a second one abandons the drain and exits 130 / 143.\n"
            "Exit: 0 ok, 2 usage, 3 no device (or the QEMU board's firmware or QEMU\n"
            "      itself missing), 4 no answer, 5 device gone,\n"
            "      6 file write error, 8 device refused a command.\n");
}

int rp_cli_capture(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "from", required_argument, NULL, 'f' },
        { "board", required_argument, NULL, 'b' },
        { "firmware", required_argument, NULL, 'F' },
        { "passive", no_argument, NULL, 'P' },
        { "follow-resets", no_argument, NULL, 'R' },
        { "output", required_argument, NULL, 'o' },
        { "events", required_argument, NULL, 'n' },
        { "duration", required_argument, NULL, 'd' },
        { "workload", required_argument, NULL, 'w' },
        { "op-mask", required_argument, NULL, 'm' },
        { "threshold-ns", required_argument, NULL, 't' },
        { "timeout", required_argument, NULL, 'T' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    rp_capture_opts_t o;
    memset(&o, 0, sizeof o);
    o.timeout_s = 3.0;
    const char *board = NULL, *firmware = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            o.from = optarg;
            break;
        case 'b':
            board = optarg;
            break;
        case 'F':
            firmware = optarg;
            break;
        case 'P':
            o.passive = true;
            break;
        case 'R':
            o.follow_resets = true;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 'n':
            if (!rp_cli_parse_count(optarg, &o.events) || o.events == 0) {
                fprintf(stderr, "rramprof capture: bad --events '%s'\n", optarg);
                return RP_EXIT_USAGE;
            }
            break;
        case 'd':
            if (!rp_cli_parse_seconds(optarg, &o.duration_s) || o.duration_s <= 0) {
                fprintf(stderr, "rramprof capture: bad --duration '%s'\n", optarg);
                return RP_EXIT_USAGE;
            }
            break;
        case 'w':
            if (strlen(optarg) == 0 || strlen(optarg) > RP_WORKLOAD_NAME_MAX) {
                fprintf(stderr, "rramprof capture: bad --workload '%s'\n", optarg);
                return RP_EXIT_USAGE;
            }
            o.workload = optarg;
            break;
        case 'm':
            if (!rp_cli_parse_op_mask(optarg, &o.op_mask)) {
                fprintf(stderr, "rramprof capture: bad --op-mask '%s' (e.g. write,verify or all; a number: bit n "
                                "selects op n, 1 <= n <= 15, and 0 means all)\n", optarg);
                return RP_EXIT_USAGE;
            }
            /* Bits 8-15 are ops of later firmware: allowed, but this
             * firmware records nothing for them. */
            if (o.op_mask && !(o.op_mask & ((1u << RP_OP_COUNT) - 2u)))
                fprintf(stderr, "rramprof capture: warning: --op-mask '%s' selects no op this version knows "
                                "(write..compute are bits 1-%d): expect no events\n", optarg, RP_OP_COUNT - 1);
            break;
        case 't':
            if (!rp_cli_parse_count(optarg, &o.threshold_ns)) {
                fprintf(stderr, "rramprof capture: bad --threshold-ns '%s'\n", optarg);
                return RP_EXIT_USAGE;
            }
            break;
        case 'T':
            if (!rp_cli_parse_seconds(optarg, &o.timeout_s) || o.timeout_s <= 0) {
                fprintf(stderr, "rramprof capture: bad --timeout '%s'\n", optarg);
                return RP_EXIT_USAGE;
            }
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'h':
            prv_usage(stdout);
            return RP_EXIT_OK;
        default:
            prv_usage(stderr);
            return RP_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rramprof capture: unexpected argument '%s'\n", argv[optind]);
        return RP_EXIT_USAGE;
    }
    if (board && strcmp(board, "list") == 0)
        return rp_cli_list_boards("capture");
    if (board && o.from) {
        fprintf(stderr, "rramprof capture: --board and --from exclude each other\n");
        return RP_EXIT_USAGE;
    }
    if (o.passive && (o.workload || o.op_mask || o.threshold_ns)) {
        fprintf(stderr, "rramprof capture: --passive sends no command: no --workload, --op-mask or "
                        "--threshold-ns\n");
        return RP_EXIT_USAGE;
    }
    if (firmware && !board) {
        fprintf(stderr, "rramprof capture: --firmware needs --board NAME (the board to run it on)\n");
        return RP_EXIT_USAGE;
    }
    if (!o.out) {
        fprintf(stderr, "rramprof capture: -o FILE is required\n");
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }
    char uri[8700];
    if (board) {
        int ex = prv_board_uri(board, firmware, uri, sizeof uri);
        if (ex != RP_EXIT_OK)
            return ex;
        o.from = uri;
    }
    return rp_cli_capture_run(&o);
}
