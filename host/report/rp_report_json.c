/* summary.json: every number of the report (docs/report.md lists the
 * fields). Integers are printed exactly; other numbers with 17 significant
 * digits so they read back to the same double; device strings escaped. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rp_report_int.h"

static void prv_key(FILE *f, const char *k)
{
    rp_report_json_str(f, k);
    fputs(": ", f);
}

static void prv_u64(FILE *f, const char *k, uint64_t v)
{
    prv_key(f, k);
    fprintf(f, "%" PRIu64, v);
}

static void prv_num(FILE *f, const char *k, double v)
{
    prv_key(f, k);
    rp_report_json_num(f, v);
}

static void prv_str(FILE *f, const char *k, const char *v)
{
    prv_key(f, k);
    if (v)
        rp_report_json_str(f, v);
    else
        fputs("null", f);
}

static void prv_bool(FILE *f, const char *k, bool v)
{
    prv_key(f, k);
    fputs(v ? "true" : "false", f);
}

static void prv_stat(FILE *f, const rp_report_t *r, const rp_agg_stat_t *s)
{
    rp_report_stat_t d;
    rp_report_stat_derive(r, s, &d);
    prv_u64(f, "count", s->count);
    fputs(", ", f);
    prv_u64(f, "busy_ticks", s->busy_ticks);
    fputs(", ", f);
    prv_num(f, "busy_s", rp_report_seconds(r, (double)s->busy_ticks));
    fputs(", ", f);
    prv_num(f, "share", d.share);
    fputs(", ", f);
    prv_num(f, "mean_ticks", d.mean);
    fputs(", ", f);
    prv_u64(f, "min_ticks", d.min);
    fputs(", ", f);
    prv_u64(f, "max_ticks", d.max);
    fputs(", ", f);
    prv_num(f, "p50_ticks", d.p50);
    fputs(", ", f);
    prv_num(f, "p90_ticks", d.p90);
    fputs(", ", f);
    prv_num(f, "p99_ticks", d.p99);
    fputs(", ", f);
    prv_num(f, "p999_ticks", d.p999);
    fputs(", ", f);
    prv_u64(f, "not_ok", s->not_ok);
    fputs(", ", f);
    prv_u64(f, "bytes", s->bytes);
    fputs(", ", f);
    prv_u64(f, "macs", s->macs);
    fputs(", ", f);
    prv_u64(f, "cells", s->cells);
    fputs(", ", f);
    prv_u64(f, "adc_rounds", s->adc_rounds);
    fputs(", ", f);
    prv_u64(f, "slices", s->slices);
    fputs(", ", f);
    prv_num(f, "ops_per_s", d.ops_per_s);
    fputs(", ", f);
    prv_num(f, "bytes_per_s", d.bytes_per_s);
    fputs(", ", f);
    prv_num(f, "macs_per_s", d.macs_per_s);
}

static void prv_hist_summary(FILE *f, const rp_report_t *r, const rp_hist_t *h)
{
    rp_agg_stat_t s;
    memset(&s, 0, sizeof s);
    if (h) {
        s.count = h->count;
        s.busy_ticks = (uint64_t)h->sum;
        s.hist = h->count ? h : NULL;
    }
    fputs("{", f);
    prv_stat(f, r, &s);
    fputs("}", f);
}

static void prv_capture(FILE *f, const rp_report_t *r)
{
    fputs("  \"capture\": {", f);
    prv_str(f, "path", r->capture_path);
    fputs(", ", f);
    prv_str(f, "format", r->is_capture ? "capture" : "raw");
    if (r->header) {
        char v[32];
        snprintf(v, sizeof v, "%u.%u", (unsigned)r->header->version_major, (unsigned)r->header->version_minor);
        fputs(", ", f);
        prv_str(f, "version", v);
        fputs(", ", f);
        prv_str(f, "writer", r->header->tool_version);
        fputs(", ", f);
        prv_u64(f, "host_time_ns", r->header->host_time_ns);
    }
    fputs("},\n", f);

    const rp_capture_integrity_t *in = r->integrity;
    fputs("  \"integrity\": ", f);
    if (in) {
        fputs("{", f);
        prv_bool(f, "complete", r->is_capture && in->stop == RP_CAPTURE_STOP_END);
        fputs(", ", f);
        prv_str(f, "state", rp_report_integrity_word(r));
        fputs(", ", f);
        prv_str(f, "stop", rp_capture_stop_str(in->stop));
        fputs(", ", f);
        prv_u64(f, "chunks", in->chunks_ok);
        fputs(", ", f);
        prv_u64(f, "frames", in->frames);
        fputs(", ", f);
        prv_u64(f, "valid_bytes", in->valid_bytes);
        fputs(", ", f);
        prv_u64(f, "file_size", in->file_size);
        fputs(", ", f);
        prv_u64(f, "tail_bytes", in->tail_bytes);
        fputs("},\n", f);
    } else {
        fputs("null,\n", f);
    }

    const rp_decode_stats_t *ds = r->decode;
    fputs("  \"decode\": ", f);
    if (ds) {
        fputs("{", f);
        prv_u64(f, "payloads", ds->payloads);
        fputs(", ", f);
        prv_u64(f, "crc_errors", ds->crc_errors);
        fputs(", ", f);
        prv_u64(f, "cobs_errors", ds->cobs_errors);
        fputs(", ", f);
        prv_u64(f, "oversize", ds->oversize);
        fputs(", ", f);
        prv_u64(f, "short_frames", ds->short_frames);
        fputs(", ", f);
        prv_u64(f, "garbage_bytes", ds->garbage_bytes);
        fputs(", ", f);
        prv_u64(f, "undecodable", ds->proto_errors + ds->malformed);
        fputs("},\n", f);
    } else {
        fputs("null,\n", f);
    }

    fputs("  \"problems\": [", f);
    for (uint32_t i = 0; i < r->problem_count && i < RP_REPORT_MAX_PROBLEMS; i++) {
        fputs(i ? ", " : "", f);
        rp_report_json_str(f, r->problems[i]);
    }
    fputs("],\n", f);
}

static void prv_device(FILE *f, const rp_report_t *r)
{
    const rp_device_info_t *d = r->device;
    fputs("  \"device\": ", f);
    if (!d || !d->valid) {
        fputs("null,\n", f);
        return;
    }
    fputs("{", f);
    prv_str(f, "board", d->board);
    fputs(", ", f);
    prv_str(f, "firmware", d->firmware_version);
    fputs(", ", f);
    prv_str(f, "model", d->model);
    fputs(", ", f);
    prv_u64(f, "protocol", d->protocol_version);
    fputs(", ", f);
    prv_u64(f, "boot_id", d->boot_id);
    fputs(", ", f);
    prv_u64(f, "clock_hz", d->clock_hz);
    fputs(", ", f);
    prv_u64(f, "timer_bits", d->timer_bits);
    fputs(", ", f);
    prv_str(f, "reset_cause", rp_reset_cause_id(d->reset_cause));
    fputs(", ", f);
    prv_u64(f, "fatal_reason", d->fatal_reason);
    fputs(",\n    ", f);
    prv_u64(f, "tiles", d->tiles);
    fputs(", ", f);
    prv_u64(f, "rows", d->rows);
    fputs(", ", f);
    prv_u64(f, "cols", d->cols);
    fputs(", ", f);
    prv_u64(f, "bits_per_cell", d->bits_per_cell);
    fputs(", ", f);
    prv_u64(f, "adcs_per_tile", d->adcs_per_tile);
    fputs(", ", f);
    prv_u64(f, "adc_bits", d->adc_bits);
    fputs(", ", f);
    prv_u64(f, "input_bits", d->input_bits);
    fputs(", ", f);
    prv_u64(f, "endurance_cycles", d->endurance_cycles);
    fputs(",\n    ", f);
    prv_u64(f, "write_pulse_ps", d->write_pulse_ps);
    fputs(", ", f);
    prv_u64(f, "write_setup_ps", d->write_setup_ps);
    fputs(", ", f);
    prv_u64(f, "write_parallel_cols", d->write_parallel_cols);
    fputs(", ", f);
    prv_u64(f, "read_latency_ps", d->read_latency_ps);
    fputs(", ", f);
    prv_u64(f, "adc_conversion_ps", d->adc_conversion_ps);
    fputs(", ", f);
    prv_u64(f, "dac_settle_ps", d->dac_settle_ps);
    fputs(", ", f);
    prv_u64(f, "interface_overhead_ps", d->interface_overhead_ps);
    fputs(", ", f);
    prv_u64(f, "interface_bytes_per_s", d->interface_bytes_per_s);
    fputs(",\n    ", f);
    prv_u64(f, "ring_capacity", d->ring_capacity);
    fputs(", ", f);
    prv_u64(f, "max_frame_payload", d->max_frame_payload);
    fputs(", ", f);
    prv_u64(f, "op_mask", d->op_mask);
    fputs(", ", f);
    prv_u64(f, "threshold_ticks", d->threshold_ticks);
    fputs(", \"workloads\": [", f);
    for (uint32_t i = 0; i < d->workload_count && i < RP_SESSION_MAX_WORKLOADS; i++) {
        fputs(i ? ", " : "", f);
        rp_report_json_str(f, d->workloads[i]);
    }
    fputs("]},\n", f);
}

static void prv_session(FILE *f, const rp_report_t *r)
{
    const rp_session_stats_t *st = r->stats;
    fputs("  \"session\": ", f);
    if (!st) {
        fputs("null,\n  \"loss\": null,\n  \"counters\": null,\n  \"workloads\": [],\n", f);
        return;
    }
    fputs("{", f);
    prv_u64(f, "segments", st->segments);
    fputs(", ", f);
    prv_u64(f, "resets", st->boots.resets);
    fputs(", ", f);
    prv_u64(f, "runs", st->runs);
    fputs(", ", f);
    prv_u64(f, "batches", st->batches);
    fputs(", ", f);
    prv_u64(f, "events", st->events);
    fputs(", ", f);
    prv_u64(f, "duration_ticks", st->duration_ticks);
    fputs(", ", f);
    prv_num(f, "duration_s", st->duration_s);
    fputs(", ", f);
    prv_u64(f, "bad_frames", st->bad_frames);
    fputs(", ", f);
    prv_u64(f, "name_overflow", st->name_overflow);
    fputs("},\n", f);

    const rp_loss_t *l = &st->loss;
    uint64_t all = st->events + l->total_events;
    fputs("  \"loss\": {", f);
    prv_u64(f, "lost_batches", l->lost_batches);
    fputs(", ", f);
    prv_u64(f, "link_events", l->link_events);
    fputs(", ", f);
    prv_u64(f, "device_events", l->device_events);
    fputs(", ", f);
    prv_u64(f, "unsent_events", l->unsent_events);
    fputs(", ", f);
    prv_u64(f, "resets_unreported", l->resets_unreported);
    fputs(", ", f);
    prv_u64(f, "total_events", l->total_events);
    fputs(", ", f);
    prv_num(f, "share", all ? (double)l->total_events / (double)all : 0.0);
    fputs("},\n", f);

    fputs("  \"counters\": ", f);
    if (st->has_counters) {
        const rp_counters_t *c = &st->counters;
        fputs("{", f);
        prv_u64(f, "recorded", c->events_recorded);
        fputs(", ", f);
        prv_u64(f, "filtered", c->events_filtered);
        fputs(", ", f);
        prv_u64(f, "dropped", c->events_dropped);
        fputs(", ", f);
        prv_u64(f, "sent", c->events_sent);
        fputs(", ", f);
        prv_u64(f, "record_ticks", c->record_ticks);
        fputs(", ", f);
        prv_u64(f, "drain_ticks", c->drain_ticks);
        fputs(", ", f);
        prv_u64(f, "ring_high_water", c->ring_high_water);
        fputs("},\n", f);
    } else {
        fputs("null,\n", f);
    }

    fputs("  \"workloads\": [", f);
    for (uint32_t i = 0; r->session && i < st->workload_names; i++) {
        const rp_workload_stats_t *w = rp_session_workload(r->session, i);
        if (!w)
            break;
        fputs(i ? ",\n    {" : "\n    {", f);
        prv_str(f, "name", w->name);
        fputs(", ", f);
        prv_u64(f, "runs", w->runs);
        fputs(", ", f);
        prv_u64(f, "passed", w->passed);
        fputs(", ", f);
        prv_u64(f, "failed", w->failed);
        fputs(", ", f);
        prv_key(f, "worst_error_ppm");
        fprintf(f, "%" PRId64, w->worst_error_ppm);
        fputs(", ", f);
        prv_u64(f, "ticks_total", w->ticks_total);
        fputs("}", f);
    }
    fputs("],\n", f);
}

/* "hw_counters": each counter with its value, or why there is none; the
 * derived figures, or RP_REPORT_HW_MISSING when they cannot be derived. */
static void prv_hw(FILE *f, const rp_report_t *r)
{
    rp_report_hw_t hw;
    rp_report_hw_derive(r->device, r->stats, &hw);
    fputs("  \"hw_counters\": {", f);
    prv_u64(f, "available_bits", hw.available);
    fputs(", ", f);
    prv_u64(f, "valid_bits", hw.valid);
    fputs(", \"counters\": [", f);
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++) {
        fputs(i ? ",\n    {" : "\n    {", f);
        prv_str(f, "name", rp_report_hw_name(i));
        fputs(", ", f);
        prv_bool(f, "available", hw.state[i] == RP_REPORT_HW_VALUE);
        fputs(", ", f);
        if (hw.state[i] == RP_REPORT_HW_VALUE)
            prv_u64(f, "value", hw.value[i]);
        else
            prv_str(f, "value", rp_report_hw_state_text(hw.state[i]));
        fputs("}", f);
    }
    fputs("],\n    ", f);
    if (hw.derived) {
        fputs("\"derived\": {", f);
        prv_str(f, "formula", RP_REPORT_HW_FORMULA);
        fputs(", ", f);
        prv_u64(f, "instructions", hw.instructions);
        fputs(", ", f);
        prv_num(f, "cpi", hw.cpi);
        fputs(", ", f);
        prv_num(f, "exception_share", hw.exc_share);
        fputs(", ", f);
        prv_num(f, "sleep_share", hw.sleep_share);
        fputs(", ", f);
        prv_num(f, "lsu_stall_share", hw.lsu_share);
        fputs(", ", f);
        prv_num(f, "cpi_stall_share", hw.cpi_share);
        fputs("}", f);
    } else {
        prv_str(f, "derived", hw.why_not);
    }
    if (hw.valid & ~1u) {
        fputs(", ", f);
        prv_str(f, "note", RP_REPORT_HW_NOTE);
    }
    fputs("},\n", f);
}

static void prv_findings(FILE *f, const rp_report_t *r)
{
    const rp_analysis_t *a = r->analysis;
    fputs("  \"validity\": {", f);
    prv_str(f, "class", rp_report_validity(r));
    fputs(", ", f);
    prv_str(f, "recorder_class", rp_validity_name(a ? (int)a->validity.recorder_cls : 0));
    fputs(", ", f);
    prv_str(f, "loss_class", rp_validity_name(a ? (int)a->validity.loss_cls : 0));
    fputs(", ", f);
    prv_num(f, "recorder_share", a ? a->validity.recorder_share : 0.0);
    fputs(", ", f);
    prv_num(f, "loss_share", a ? a->validity.loss_share : 0.0);
    fputs(", ", f);
    prv_num(f, "clean_max", RP_VALIDITY_CLEAN_MAX);
    fputs(", ", f);
    prv_num(f, "marginal_max", RP_VALIDITY_MARGINAL_MAX);
    fputs("},\n", f);

    fputs("  \"primary\": ", f);
    if (a && a->count)
        rp_report_json_str(f, a->findings[0].id);
    else
        fputs("null", f);
    fputs(",\n  \"findings\": [", f);
    for (uint32_t i = 0; a && i < a->count && i < RP_FINDINGS_MAX; i++) {
        const rp_finding_t *x = &a->findings[i];
        fputs(i ? ",\n    {" : "\n    {", f);
        prv_u64(f, "rank", i + 1u);
        fputs(", ", f);
        prv_str(f, "id", x->id);
        fputs(", ", f);
        prv_str(f, "severity", rp_severity_name(x->severity));
        fputs(", ", f);
        prv_str(f, "scope", x->scope);
        fputs(",\n     ", f);
        prv_str(f, "title", x->title);
        fputs(",\n     ", f);
        prv_str(f, "explanation", x->explanation);
        fputs(",\n     ", f);
        prv_str(f, "recommendation", x->recommendation);
        fputs(",\n     ", f);
        prv_num(f, "gain_ticks", x->gain_ticks);
        fputs(", ", f);
        prv_num(f, "gain_s", rp_report_seconds(r, x->gain_ticks));
        fputs(", ", f);
        prv_num(f, "gain_share", x->gain_share);
        fputs(",\n     \"evidence\": [", f);
        for (uint32_t e = 0; e < x->evidence_count && e < RP_FINDING_MAX_EVIDENCE; e++) {
            fputs(e ? ", {" : "{", f);
            prv_str(f, "name", x->evidence[e].name);
            fputs(", ", f);
            prv_num(f, "value", x->evidence[e].value);
            fputs(", ", f);
            prv_str(f, "unit", x->evidence[e].unit);
            fputs("}", f);
        }
        fputs("]}", f);
    }
    fputs("],\n", f);
}

static void prv_aggregate(FILE *f, const rp_report_t *r)
{
    const rp_agg_t *a = r->agg;
    if (!a) {
        fputs("  \"run\": null,\n  \"ops\": [],\n  \"tiles\": [],\n  \"names\": [],\n  \"gaps\": null,\n"
              "  \"write_verify\": null,\n  \"series\": null,\n",
              f);
        return;
    }
    const rp_agg_totals_t *t = rp_agg_totals(a);
    uint64_t hz = rp_report_clock(r);
    fputs("  \"run\": {", f);
    prv_u64(f, "clock_hz", hz);
    fputs(", ", f);
    prv_u64(f, "run_ticks", t->run_ticks);
    fputs(", ", f);
    prv_num(f, "run_s", rp_report_seconds(r, (double)t->run_ticks));
    fputs(", ", f);
    prv_u64(f, "covered_ticks", t->covered_ticks);
    fputs(", ", f);
    prv_num(f, "utilization", t->run_ticks ? (double)t->covered_ticks / (double)t->run_ticks : 0.0);
    fputs(", ", f);
    prv_u64(f, "gap_ticks", t->gap_ticks);
    fputs(", ", f);
    prv_u64(f, "gap_count", t->gap_count);
    fputs(",\n    ", f);
    prv_u64(f, "events", t->events);
    fputs(", ", f);
    prv_u64(f, "device_ops", t->device_ops);
    fputs(", ", f);
    double run_s = rp_report_seconds(r, (double)t->run_ticks);
    prv_num(f, "events_per_s", run_s > 0 ? (double)t->events / run_s : 0.0);
    fputs(", ", f);
    prv_u64(f, "segments", t->segments);
    fputs(", ", f);
    prv_u64(f, "tiles_seen", t->tiles_seen);
    fputs(", ", f);
    prv_bool(f, "mixed_clock", t->mixed_clock);
    fputs(", ", f);
    prv_u64(f, "names_overflow", t->names_overflow);
    fputs("},\n", f);

    unsigned ops[RP_AGG_MAX_OPS], nops = rp_report_ops(ops);
    char nb[8];
    int first = 1;
    fputs("  \"ops\": [", f);
    for (unsigned i = 0; i < nops; i++) {
        const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
        if (!s || !s->count)
            continue;
        fputs(first ? "\n    {" : ",\n    {", f);
        first = 0;
        prv_str(f, "op", rp_report_op_name(ops[i], nb));
        fputs(", ", f);
        prv_u64(f, "op_value", ops[i]);
        fputs(", ", f);
        prv_stat(f, r, s);
        fputs("}", f);
    }
    fputs("],\n  \"tiles\": [", f);
    first = 1;
    for (unsigned tile = 0; tile < t->tiles_seen && tile < RP_AGG_MAX_TILES; tile++) {
        const rp_agg_stat_t *s = rp_agg_tile(a, tile);
        if (!s || !s->count)
            continue;
        fputs(first ? "\n    {" : ",\n    {", f);
        first = 0;
        prv_u64(f, "tile", tile);
        fputs(", ", f);
        prv_num(f, "utilization", t->run_ticks ? (double)s->busy_ticks / (double)t->run_ticks : 0.0);
        fputs(", ", f);
        prv_stat(f, r, s);
        fputs(",\n     \"ops\": [", f);
        int ofirst = 1;
        for (unsigned i = 0; i < nops; i++) {
            const rp_agg_stat_t *so = rp_agg_tile_op(a, tile, ops[i]);
            if (!so || !so->count)
                continue;
            fputs(ofirst ? "{" : ", {", f);
            ofirst = 0;
            prv_str(f, "op", rp_report_op_name(ops[i], nb));
            fputs(", ", f);
            prv_stat(f, r, so);
            fputs("}", f);
        }
        fputs("]}", f);
    }
    fputs("],\n  \"names\": [", f);
    uint32_t nn = rp_agg_name_count(a);
    for (uint32_t i = 0; i < nn; i++) {
        const rp_agg_name_t *g = rp_agg_name(a, i);
        if (!g)
            continue;
        char name[RP_SESSION_STR_MAX * 2];
        rp_report_group_name(r, g->id, name, sizeof name);
        fputs(i ? ",\n    {" : "\n    {", f);
        prv_u64(f, "id", g->id);
        fputs(", ", f);
        prv_str(f, "name", name);
        fputs(", ", f);
        prv_str(f, "op", rp_report_op_name(g->op, nb));
        fputs(", ", f);
        prv_stat(f, r, &g->stat);
        fputs("}", f);
    }
    fputs("],\n  \"gaps\": ", f);
    prv_hist_summary(f, r, rp_agg_gaps(a));
    fputs(",\n", f);

    const rp_agg_wv_t *wv = rp_agg_wv(a);
    fputs("  \"write_verify\": {", f);
    prv_u64(f, "episodes", wv->episodes);
    fputs(", ", f);
    prv_u64(f, "not_converged", wv->not_converged);
    fputs(", ", f);
    prv_u64(f, "pulses", wv->pulses);
    fputs(", ", f);
    prv_num(f, "mean_pulses", wv->episodes ? (double)wv->pulses / (double)wv->episodes : 0.0);
    fputs(", ", f);
    prv_u64(f, "ticks", wv->ticks);
    fputs(", ", f);
    prv_num(f, "share", t->run_ticks ? (double)wv->ticks / (double)t->run_ticks : 0.0);
    fputs(",\n    \"by_pulses\": [", f);
    first = 1;
    for (unsigned p = 0; p < RP_AGG_WV_MAX_PULSES; p++) {
        if (!wv->by_pulses[p])
            continue;
        fprintf(f, "%s{\"pulses\": %u, \"episodes\": %" PRIu64 "}", first ? "" : ", ", p, wv->by_pulses[p]);
        first = 0;
    }
    fputs("],\n    \"failed\": [", f);
    for (uint32_t i = 0; i < wv->failed_count && i < RP_AGG_MAX_FAILED; i++) {
        const rp_agg_failed_row_t *x = &wv->failed[i];
        fprintf(f, "%s{\"tile\": %u, \"row\": %u, \"col\": %u, \"episodes\": %u}", i ? ", " : "", (unsigned)x->tile,
                (unsigned)x->row, (unsigned)x->col, (unsigned)x->episodes);
    }
    fputs("], ", f);
    prv_u64(f, "failed_overflow", wv->failed_overflow);
    fputs("},\n", f);

    /* Time series: one entry per bucket in use; per-op objects list only
     * ops seen in the run, so the file stays readable. */
    const rp_agg_bucket_t *b = rp_agg_series(a);
    uint32_t used = t->series_used <= RP_AGG_SERIES_BUCKETS ? t->series_used : RP_AGG_SERIES_BUCKETS;
    double w_s = rp_report_seconds(r, (double)t->series_width);
    fputs("  \"series\": {", f);
    prv_u64(f, "width_ticks", t->series_width);
    fputs(", ", f);
    prv_num(f, "width_s", w_s);
    fputs(", ", f);
    prv_u64(f, "buckets_used", used);
    fputs(",\n    \"buckets\": [", f);
    for (uint32_t i = 0; b && i < used; i++) {
        uint64_t n = 0;
        fprintf(f, "%s\n      {\"start_ticks\": %" PRIu64 ", \"count\": {", i ? "," : "", (uint64_t)i * t->series_width);
        int f1 = 1;
        for (unsigned k = 0; k < nops; k++) {
            unsigned op = ops[k];
            const rp_agg_stat_t *s = rp_agg_op(a, op);
            if (!s || !s->count)
                continue;
            fprintf(f, "%s\"%s\": %" PRIu64, f1 ? "" : ", ", rp_report_op_name(op, nb), b[i].count[op]);
            f1 = 0;
            if (op != RP_OP_SPAN)
                n += b[i].count[op];
        }
        fputs("}, \"busy\": {", f);
        f1 = 1;
        for (unsigned k = 0; k < nops; k++) {
            unsigned op = ops[k];
            const rp_agg_stat_t *s = rp_agg_op(a, op);
            if (!s || !s->count)
                continue;
            fprintf(f, "%s\"%s\": %" PRIu64, f1 ? "" : ", ", rp_report_op_name(op, nb), b[i].busy[op]);
            f1 = 0;
        }
        fputs("}, ", f);
        prv_u64(f, "gap_ticks", b[i].gap_ticks);
        fputs(", ", f);
        prv_num(f, "device_ops_per_s", w_s > 0 ? (double)n / w_s : 0.0);
        fputs("}", f);
    }
    fputs("],\n    \"tile_busy\": [", f);
    first = 1;
    for (unsigned tile = 0; tile < t->tiles_seen && tile < RP_AGG_MAX_TILES; tile++) {
        const uint64_t *ts = rp_agg_tile_series(a, tile);
        if (!ts)
            continue;
        fprintf(f, "%s\n      {\"tile\": %u, \"busy_ticks\": [", first ? "" : ",", tile);
        first = 0;
        for (uint32_t i = 0; i < used; i++)
            fprintf(f, "%s%" PRIu64, i ? ", " : "", ts[i]);
        fputs("]}", f);
    }
    fputs("]},\n", f);
}

static void prv_area(FILE *f, const rp_memuse_area_t *x)
{
    fputs("{", f);
    prv_u64(f, "tile", x->tile);
    fputs(", ", f);
    prv_u64(f, "row_first", x->row_first);
    fputs(", ", f);
    prv_u64(f, "row_count", x->row_count);
    fputs(", ", f);
    prv_u64(f, "rows_accessed", x->rows_accessed);
    fputs(", ", f);
    prv_u64(f, "rows_programmed", x->rows_programmed);
    fputs(", ", f);
    prv_u64(f, "rows_programmed_once", x->rows_programmed_once);
    fputs(", ", f);
    prv_num(f, "write_once_ratio", x->write_once_ratio);
    fputs(", ", f);
    prv_u64(f, "programs", x->programs);
    fputs(", ", f);
    prv_u64(f, "pulses", x->pulses);
    fputs(", ", f);
    prv_u64(f, "reads", x->reads);
    fputs(", ", f);
    prv_num(f, "reads_per_write", x->reads_per_write);
    fputs(", ", f);
    prv_u64(f, "dead_writes", x->dead_writes);
    fputs(", ", f);
    prv_num(f, "retention_mean_ticks", x->retention_mean);
    fputs(", ", f);
    prv_u64(f, "retention_max_ticks", x->retention_max);
    fputs(", ", f);
    prv_num(f, "interval_mean_ticks", x->interval_mean);
    fputs(", ", f);
    prv_u64(f, "max_row_pulses", x->max_row_pulses);
    fputs(", ", f);
    prv_num(f, "lifetime_s", x->lifetime_s);
    fputs(", ", f);
    prv_str(f, "label", rp_memuse_label_name(x->label));
    fputs(", ", f);
    prv_str(f, "reason", x->reason);
    fputs("}", f);
}

static void prv_memory(FILE *f, const rp_report_t *r)
{
    const rp_memuse_t *m = r->mem;
    fputs("  \"memory\": ", f);
    if (!m) {
        fputs("null\n", f);
        return;
    }
    const rp_memuse_totals_t *t = rp_memuse_totals(m);
    fputs("{", f);
    prv_u64(f, "tiles", t->tiles);
    fputs(", ", f);
    prv_u64(f, "rows_per_tile", t->rows_per_tile);
    fputs(", ", f);
    prv_u64(f, "regions_per_tile", t->regions_per_tile);
    fputs(", ", f);
    prv_u64(f, "untracked", t->untracked);
    fputs(", ", f);
    prv_u64(f, "endurance_cycles", t->endurance_cycles);
    fputs(",\n    \"per_tile\": [", f);
    for (uint32_t tile = 0; tile < t->tiles; tile++) {
        const rp_memuse_area_t *x = rp_memuse_tile(m, tile);
        if (!x)
            continue;
        fputs(tile ? ",\n      " : "\n      ", f);
        fputs("{\"area\": ", f);
        prv_area(f, x);
        fputs(", \"retention\": ", f);
        prv_hist_summary(f, r, rp_memuse_retention(m, tile));
        fputs(", \"intervals\": ", f);
        prv_hist_summary(f, r, rp_memuse_intervals(m, tile));
        fputs("}", f);
    }
    fputs("],\n    \"regions\": [", f);
    int first = 1;
    for (uint32_t tile = 0; tile < t->tiles; tile++) {
        for (uint32_t g = 0; g < t->regions_per_tile; g++) {
            const rp_memuse_area_t *x = rp_memuse_region(m, tile, g);
            if (!x)
                continue;
            fputs(first ? "\n      " : ",\n      ", f);
            first = 0;
            prv_area(f, x);
        }
    }
    fputs("],\n    \"hotspots\": [", f);
    for (uint32_t i = 0; i < t->hotspot_count && i < RP_MEMUSE_MAX_HOTSPOTS; i++) {
        const rp_memuse_hotspot_t *h = &t->hotspots[i];
        fputs(i ? ",\n      {" : "\n      {", f);
        prv_u64(f, "tile", h->tile);
        fputs(", ", f);
        prv_u64(f, "row", h->row);
        fputs(", ", f);
        prv_u64(f, "pulses", h->pulses);
        fputs(", ", f);
        prv_num(f, "pulses_per_s", h->pulses_per_s);
        fputs(", ", f);
        prv_num(f, "lifetime_s", h->lifetime_s);
        fputs("}", f);
    }
    fputs("],\n    ", f);
    prv_u64(f, "working_set_width_ticks", t->series_width);
    fputs(", \"working_set\": [", f);
    const uint32_t *ws = rp_memuse_working_set(m);
    for (uint32_t i = 0; ws && i < t->series_used && i < RP_AGG_SERIES_BUCKETS; i++)
        fprintf(f, "%s%u", i ? ", " : "", (unsigned)ws[i]);
    fputs("]}\n", f);
}

int rp_report_write_json(const char *path, const rp_report_t *r)
{
    rp_report_out_t o;
    if (rp_report_out_open(&o, path) != RP_OK)
        return RP_ERR_IO;
    FILE *f = o.f;
    fputs("{\n  ", f);
    prv_str(f, "schema", RP_REPORT_SCHEMA);
    fputs(",\n  \"tool\": {", f);
    prv_str(f, "name", "rramprof");
    fputs(", ", f);
    prv_str(f, "version", r->tool_version ? r->tool_version : "");
    fputs("},\n", f);
    prv_capture(f, r);
    prv_device(f, r);
    prv_session(f, r);
    prv_hw(f, r);
    prv_findings(f, r);
    prv_aggregate(f, r);
    prv_memory(f, r);
    fputs("}\n", f);
    return rp_report_out_commit(&o);
}
