/* rramprof info: what a capture file holds and whether it is intact. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report.h"
#include "report/rp_report_int.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_record.h"

/* Workload results need the session's table, which the summary does not
 * carry: a second pass, only when the file has results. */
typedef struct prv_wl {
    rp_session_t *s;
} prv_wl_t;

static int prv_wl_msg(void *ctx, const rp_msg_t *m)
{
    prv_wl_t *w = ctx;
    rp_session_apply(w->s, m);
    return RP_OK;
}

static rp_session_t *prv_workloads(const char *path)
{
    prv_wl_t w = { rp_session_create(NULL) };
    rp_decoder_t *d = rp_decoder_create();
    if (!w.s || !d) {
        rp_session_destroy(w.s);
        rp_decoder_destroy(d);
        return NULL;
    }
    rp_capture_replay(path, d, prv_wl_msg, &w, NULL, NULL);
    rp_decoder_destroy(d);
    return w.s;
}

static void prv_json_str(FILE *f, const char *raw)
{
    /* Device strings and paths are bytes: JSON needs valid UTF-8 (each
     * invalid byte becomes a 3-byte U+FFFD; paths reach 4096 bytes). */
    char s[4096 * 3 + 1];
    rp_report_utf8_clean(raw, s, sizeof s);
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static uint64_t prv_good_frames(const rp_decode_stats_t *ds)
{
    uint64_t n = 0;
    for (unsigned k = 0; k < RP_FRAME_KIND_COUNT; k++)
        n += ds->kinds[k];
    return n;
}

static int prv_damaged(const rp_capture_integrity_t *in)
{
    return in->stop != RP_CAPTURE_STOP_END && in->stop != RP_CAPTURE_STOP_EOF;
}

static void prv_print_json(FILE *f, const char *path, const rp_capture_summary_t *s, rp_session_t *wl)
{
    const rp_device_info_t *d = &s->device;
    const rp_session_stats_t *st = &s->stats;
    const rp_capture_integrity_t *in = &s->integrity;
    fprintf(f, "{\n  \"file\": ");
    prv_json_str(f, path);
    fprintf(f, ",\n  \"format\": \"%s\",\n", s->is_capture ? "capture" : "raw");
    fprintf(f, "  \"version\": \"%u.%u\",\n  \"tool\": ", s->version_major, s->version_minor);
    prv_json_str(f, s->tool_version);
    fprintf(f, ",\n  \"host_time_ns\": %" PRIu64 ",\n", s->host_time_ns);
    fprintf(f,
            "  \"integrity\": {\"complete\": %s, \"damaged\": %s, \"stop\": \"%s\", \"chunks\": %" PRIu64
            ", \"frames\": %" PRIu64 ", \"valid_bytes\": %" PRIu64 ", \"file_size\": %" PRIu64
            ", \"tail_bytes\": %" PRIu64 "},\n",
            in->stop == RP_CAPTURE_STOP_END ? "true" : "false", prv_damaged(in) ? "true" : "false",
            rp_capture_stop_str(in->stop), in->chunks_ok, in->frames, in->valid_bytes, in->file_size, in->tail_bytes);
    if (d->valid) {
        fprintf(f, "  \"device\": {\"board\": ");
        prv_json_str(f, d->board);
        fprintf(f, ", \"firmware\": ");
        prv_json_str(f, d->firmware_version);
        fprintf(f,
                ", \"protocol\": %" PRIu32 ", \"clock_hz\": %" PRIu64 ", \"timer_bits\": %" PRIu32
                ", \"boot_id\": %" PRIu64 ", \"tiles\": %" PRIu32 ", \"rows\": %" PRIu32 ", \"cols\": %" PRIu32
                ", \"bits_per_cell\": %" PRIu32 ", \"model\": ",
                d->protocol_version, d->clock_hz, d->timer_bits, d->boot_id, d->tiles, d->rows, d->cols,
                d->bits_per_cell);
        prv_json_str(f, d->model);
        fprintf(f,
                ", \"adcs_per_tile\": %" PRIu32 ", \"adc_bits\": %" PRIu32 ", \"input_bits\": %" PRIu32
                ", \"endurance_cycles\": %" PRIu64 ", \"nominal_ps\": {\"write_pulse\": %" PRIu64
                ", \"write_setup\": %" PRIu64 ", \"read_latency\": %" PRIu64 ", \"adc_conversion\": %" PRIu64
                ", \"dac_settle\": %" PRIu64 ", \"interface_overhead\": %" PRIu64 "}, \"write_parallel_cols\": %" PRIu32
                ", \"interface_bytes_per_s\": %" PRIu64 ", \"ring_capacity\": %" PRIu32
                ", \"max_frame_payload\": %" PRIu32 ", \"counters_available\": %" PRIu32
                ", \"op_mask\": %" PRIu32 ", \"threshold_ticks\": %" PRIu64 ", \"workloads\": [",
                d->adcs_per_tile, d->adc_bits, d->input_bits, (uint64_t)d->endurance_cycles,
                (uint64_t)d->write_pulse_ps, (uint64_t)d->write_setup_ps, (uint64_t)d->read_latency_ps,
                (uint64_t)d->adc_conversion_ps, (uint64_t)d->dac_settle_ps, (uint64_t)d->interface_overhead_ps,
                d->write_parallel_cols, (uint64_t)d->interface_bytes_per_s, d->ring_capacity,
                d->max_frame_payload, d->counters_available, d->op_mask, (uint64_t)d->threshold_ticks);
        for (uint32_t i = 0; i < d->workload_count; i++) {
            fputs(i ? ", " : "", f);
            prv_json_str(f, d->workloads[i]);
        }
        fprintf(f, "], \"reset_cause\": \"%s\", \"fatal_reason\": %" PRIu32 "},\n", rp_reset_cause_id(d->reset_cause),
                d->fatal_reason);
    } else {
        fprintf(f, "  \"device\": null,\n");
    }
    fprintf(f, "  \"events\": %" PRIu64 ",\n  \"batches\": %" PRIu64 ",\n  \"ops\": {", st->events, st->batches);
    int first = 1;
    for (unsigned op = 0; op < 16; op++) {
        const rp_op_stats_t *o = &st->ops[op];
        if (!o->count)
            continue;
        fprintf(f,
                "%s\n    \"%s\": {\"count\": %" PRIu64 ", \"ticks_total\": %" PRIu64 ", \"ticks_min\": %" PRIu32
                ", \"ticks_max\": %" PRIu32 ", \"not_ok\": %" PRIu64 "}",
                first ? "" : ",", rp_op_name(op), o->count, o->ticks_total, o->ticks_min, o->ticks_max, o->not_ok);
        first = 0;
    }
    fprintf(f, "%s},\n", first ? "" : "\n  ");
    fprintf(f,
            "  \"duration_ticks\": %" PRIu64 ",\n  \"duration_s\": %.9g,\n  \"segments\": %" PRIu32
            ",\n  \"runs\": %" PRIu32 ",\n",
            st->duration_ticks, st->duration_s, st->segments, st->runs);
    /* Resets during the capture by cause (only the causes seen). */
    fprintf(f, "  \"resets\": {\"count\": %" PRIu32 ", \"last_fatal_reason\": %" PRIu32 ", \"by_cause\": {",
            st->boots.resets, st->boots.last_fatal_reason);
    for (uint32_t k = 0, n = 0; k < RP_RESET_CAUSE_COUNT; k++) {
        if (st->boots.by_cause[k])
            fprintf(f, "%s\"%s\": %" PRIu32, n++ ? ", " : "", rp_reset_cause_id(k), st->boots.by_cause[k]);
    }
    fprintf(f, "}},\n");
    fprintf(f,
            "  \"loss\": {\"link\": %" PRIu64 ", \"device\": %" PRIu64 ", \"unsent\": %" PRIu64
            ", \"total\": %" PRIu64 ", \"lost_batches\": %" PRIu64 ", \"resets_unreported\": %" PRIu32 "},\n",
            st->loss.link_events, st->loss.device_events, st->loss.unsent_events, st->loss.total_events,
            st->loss.lost_batches, st->loss.resets_unreported);
    const rp_decode_stats_t *ds = &s->decode;
    fprintf(f,
            "  \"deframer\": {\"errors\": %" PRIu64 ", \"crc\": %" PRIu64 ", \"cobs\": %" PRIu64
            ", \"oversize\": %" PRIu64 ", \"short\": %" PRIu64 ", \"garbage_bytes\": %" PRIu64
            ", \"undecodable\": %" PRIu64 "},\n",
            rp_cli_deframer_errors(ds), ds->crc_errors, ds->cobs_errors, ds->oversize, ds->short_frames,
            ds->garbage_bytes, ds->proto_errors + ds->malformed);
    if (st->has_counters) {
        const rp_counters_t *c = &st->counters;
        fprintf(f,
                "  \"counters\": {\"recorded\": %" PRIu64 ", \"filtered\": %" PRIu64 ", \"dropped\": %" PRIu64
                ", \"sent\": %" PRIu64 ", \"record_ticks\": %" PRIu64 ", \"drain_ticks\": %" PRIu64
                ", \"ring_high_water\": %" PRIu32 ", \"bytes_sent\": %" PRIu64 ", \"frames_sent\": %" PRIu64
                ", \"tx_stall_ticks\": %" PRIu64 ", \"link_rx_lost\": %" PRIu64 ", \"hw_valid\": %" PRIu32
                ", \"hw\": {\"cycles\": %" PRIu64 ", \"cpi\": %" PRIu64 ", \"exc\": %" PRIu64
                ", \"sleep\": %" PRIu64 ", \"lsu\": %" PRIu64 ", \"fold\": %" PRIu64 "}},\n",
                c->events_recorded, c->events_filtered, c->events_dropped, c->events_sent, c->record_ticks,
                c->drain_ticks, c->ring_high_water, c->bytes_sent, c->frames_sent, c->tx_stall_ticks,
                c->link_rx_lost, c->hw_valid, c->hw_cycles, c->hw_cpi, c->hw_exc, c->hw_sleep, c->hw_lsu,
                c->hw_fold);
    } else {
        fprintf(f, "  \"counters\": null,\n");
    }
    fprintf(f, "  \"workloads\": [");
    for (uint32_t i = 0; wl && i < st->workload_names; i++) {
        const rp_workload_stats_t *w = rp_session_workload(wl, i);
        if (!w)
            break;
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        prv_json_str(f, w->name);
        fprintf(f,
                ", \"runs\": %" PRIu32 ", \"passed\": %" PRIu32 ", \"failed\": %" PRIu32
                ", \"worst_error_ppm\": %" PRId64 ", \"ticks_total\": %" PRIu64 "}",
                w->runs, w->passed, w->failed, w->worst_error_ppm, w->ticks_total);
    }
    fprintf(f, "%s]\n}\n", wl && st->workload_names ? "\n  " : "");
}

static void prv_print_text(FILE *f, const char *path, const rp_capture_summary_t *s, rp_session_t *wl)
{
    const rp_capture_integrity_t *in = &s->integrity;
    if (s->is_capture) {
        char when[64] = "unknown time";
        if (s->host_time_ns) {
            time_t t = (time_t)(s->host_time_ns / 1000000000u);
            struct tm tm;
            if (localtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm);
        }
        fprintf(f, "file       %s: capture format %u.%u, written by %s at %s\n", path, s->version_major,
                s->version_minor, s->tool_version[0] ? s->tool_version : "?", when);
        fprintf(f, "integrity  %s: %" PRIu64 " frame(s) in %" PRIu64 " chunk(s), %" PRIu64 " of %" PRIu64 " bytes sound",
                in->stop == RP_CAPTURE_STOP_END ? "complete" : "INCOMPLETE", in->frames, in->chunks_ok,
                in->valid_bytes, in->file_size);
        if (in->stop != RP_CAPTURE_STOP_END)
            fprintf(f, "; stopped at: %s", rp_capture_stop_str(in->stop));
        fprintf(f, "\n");
    } else {
        fprintf(f, "file       %s: raw link byte stream (no capture header)\n", path);
    }
    rp_cli_print_device(f, &s->device);
    uint64_t hz = s->device.valid ? s->device.clock_hz : 0;
    rp_cli_print_stats(f, hz, &s->stats, &s->decode);
    rp_cli_print_counters(f, hz, &s->stats);
    for (uint32_t i = 0; wl && i < s->stats.workload_names; i++) {
        const rp_workload_stats_t *w = rp_session_workload(wl, i);
        if (!w)
            break;
        char t[32], name[RP_SESSION_STR_MAX * 3];
        rp_cli_fmt_ticks((double)w->ticks_total, hz, t, sizeof t);
        fprintf(f, "workload   %s: %" PRIu32 " run(s), %" PRIu32 " passed, %" PRIu32 " failed, worst error %" PRId64
                   " ppm, %s\n",
                rp_report_text_clean(w->name, name, sizeof name), w->runs, w->passed, w->failed, w->worst_error_ppm, t);
    }
}

static void prv_usage(FILE *f)
{
    fprintf(f, "usage: rramprof info FILE [--json]\n"
               "\n"
               "Describes a capture file (or a raw link byte stream): device, events per\n"
               "op, duration, loss, deframer errors, and whether the file is intact.\n"
               "A file cut short (a killed capture) is read up to its last sound chunk.\n"
               "\n"
               "  --json       machine-readable output on stdout\n"
               "  -h, --help   this text\n"
               "\n"
               "Exit: 0 readable (complete, or cut at a chunk boundary by a killed writer),\n"
               "      7 truncated inside a chunk or corrupt (what precedes is still shown),\n"
               "      1 cannot be read at all, 2 usage.\n");
}

int rp_cli_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int json = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (ch == 'j') {
            json = 1;
        } else if (ch == 'h') {
            prv_usage(stdout);
            return RP_EXIT_OK;
        } else {
            prv_usage(stderr);
            return RP_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }
    const char *path = argv[optind];
    rp_capture_summary_t *s = calloc(1, sizeof *s);
    if (!s) {
        fprintf(stderr, "rramprof info: out of memory\n");
        return RP_EXIT_FAIL;
    }
    errno = 0;
    int rc = rp_capture_summarize(path, s);
    if (rc != RP_OK) {
        int ex = RP_EXIT_FAIL;
        if (rc == RP_ERR_IO)
            fprintf(stderr, "rramprof info: cannot read %s: %s\n", path, errno ? strerror(errno) : "I/O error");
        else if (rc == RP_ERR_MALFORMED || rc == RP_ERR_CRC) {
            fprintf(stderr, "rramprof info: %s is damaged: its capture header is missing or corrupt\n", path);
            ex = RP_EXIT_DAMAGED;
        } else if (rc == RP_ERR_UNSUPPORTED)
            fprintf(stderr, "rramprof info: %s was written by a newer rramprof (capture format too new)\n", path);
        else
            fprintf(stderr, "rramprof info: cannot read %s: %s\n", path, rp_err_str(rc));
        free(s);
        return ex;
    }
    rp_session_t *wl = s->stats.workload_results ? prv_workloads(path) : NULL;
    if (json)
        prv_print_json(stdout, path, s, wl);
    else
        prv_print_text(stdout, path, s, wl);
    rp_session_destroy(wl);

    int ex = RP_EXIT_OK;
    const rp_capture_integrity_t *in = &s->integrity;
    if (s->is_capture && prv_damaged(in)) {
        fprintf(stderr,
                "rramprof info: %s is damaged (%s at byte %" PRIu64 " of %" PRIu64 "); the %" PRIu64
                " frame(s) before it were recovered and are shown above\n",
                path, rp_capture_stop_str(in->stop), in->valid_bytes, in->file_size, in->frames);
        ex = RP_EXIT_DAMAGED;
    } else if (s->is_capture && in->stop == RP_CAPTURE_STOP_END && in->tail_bytes) {
        /* Bytes after the end marker: another capture appended, or
         * anything else; not read, so not complete as a file. */
        fprintf(stderr,
                "rramprof info: %s has %" PRIu64 " byte(s) after its end marker (byte %" PRIu64
                "), not read: another capture appended to it?\n",
                path, in->tail_bytes, in->valid_bytes);
        ex = RP_EXIT_DAMAGED;
    } else if (s->is_capture && in->stop == RP_CAPTURE_STOP_EOF) {
        fprintf(stderr, "rramprof info: note: %s was not closed cleanly (capture killed or still running); "
                        "all %" PRIu64 " frame(s) written were recovered\n",
                path, in->frames);
    } else if (!s->is_capture && prv_good_frames(&s->decode) == 0) {
        fprintf(stderr, "rramprof info: %s is neither a capture file nor a recorded rramprof link stream\n", path);
        ex = RP_EXIT_DAMAGED;
    }
    free(s);
    return ex;
}
