/* metrics.csv: one metric per row, always four columns:
 *   scope,metric,value,unit
 * scope is "run", "op:MVM", "tile:3", "tile:3:op:MVM", "name:<name>",
 * "gaps", "write_verify", "finding:<rank>:<id>", "memory:tile:<t>",
 * "memory:tile:<t>:region:<g>", "hotspot:<t>:<row>", "hw" (hardware
 * counters: a counter without value has it empty and the reason in the
 * unit column, e.g. "not available on this board"), and "problem:<n>"
 * rows (metric "text", value empty, the sentence in the unit column) for
 * what could not be read. Non-finite values are left empty. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rp_report_int.h"

static void prv_row(FILE *f, const char *scope, const char *metric, double v, const char *unit)
{
    rp_report_csv_str(f, scope);
    fputc(',', f);
    rp_report_csv_str(f, metric);
    fputc(',', f);
    if (v == v && v - v == 0)   /* finite */
        rp_report_json_num(f, v);   /* exact integers, 17 digits otherwise */
    fputc(',', f);
    rp_report_csv_str(f, unit);
    fputc('\n', f);
}

static void prv_stat(FILE *f, const rp_report_t *r, const char *scope, const rp_agg_stat_t *s)
{
    rp_report_stat_t d;
    rp_report_stat_derive(r, s, &d);
    prv_row(f, scope, "count", (double)s->count, "ops");
    prv_row(f, scope, "busy", (double)s->busy_ticks, "ticks");
    prv_row(f, scope, "busy_s", rp_report_seconds(r, (double)s->busy_ticks), "s");
    prv_row(f, scope, "share", d.share, "ratio");
    prv_row(f, scope, "mean", d.mean, "ticks");
    prv_row(f, scope, "min", (double)d.min, "ticks");
    prv_row(f, scope, "max", (double)d.max, "ticks");
    prv_row(f, scope, "p50", d.p50, "ticks");
    prv_row(f, scope, "p90", d.p90, "ticks");
    prv_row(f, scope, "p99", d.p99, "ticks");
    prv_row(f, scope, "p99.9", d.p999, "ticks");
    prv_row(f, scope, "not_ok", (double)s->not_ok, "ops");
    prv_row(f, scope, "ops_per_s", d.ops_per_s, "ops/s");
    if (s->bytes) {
        prv_row(f, scope, "bytes", (double)s->bytes, "bytes");
        prv_row(f, scope, "bytes_per_s", d.bytes_per_s, "bytes/s");
    }
    if (s->macs) {
        prv_row(f, scope, "macs", (double)s->macs, "MAC");
        prv_row(f, scope, "macs_per_s", d.macs_per_s, "MAC/s");
    }
    if (s->cells)
        prv_row(f, scope, "cells", (double)s->cells, "cells");
    if (s->adc_rounds)
        prv_row(f, scope, "adc_rounds", (double)s->adc_rounds, "rounds");
    if (s->slices)
        prv_row(f, scope, "slices", (double)s->slices, "slices");
}

static void prv_area(FILE *f, const char *scope, const rp_memuse_area_t *x)
{
    prv_row(f, scope, "rows_accessed", (double)x->rows_accessed, "rows");
    prv_row(f, scope, "rows_programmed", (double)x->rows_programmed, "rows");
    prv_row(f, scope, "write_once_ratio", x->write_once_ratio, "ratio");
    prv_row(f, scope, "programs", (double)x->programs, "programs");
    prv_row(f, scope, "pulses", (double)x->pulses, "pulses");
    prv_row(f, scope, "reads", (double)x->reads, "reads");
    prv_row(f, scope, "reads_per_write", x->reads_per_write, "ratio");
    prv_row(f, scope, "dead_writes", (double)x->dead_writes, "programs");
    prv_row(f, scope, "retention_mean", x->retention_mean, "ticks");
    prv_row(f, scope, "retention_max", (double)x->retention_max, "ticks");
    prv_row(f, scope, "interval_mean", x->interval_mean, "ticks");
    prv_row(f, scope, "max_row_pulses", (double)x->max_row_pulses, "pulses");
    prv_row(f, scope, "lifetime", x->lifetime_s, "s");
    prv_row(f, scope, "label", (double)x->label, rp_memuse_label_name(x->label));
}

int rp_report_write_csv(const char *path, const rp_report_t *r)
{
    rp_report_out_t o;
    if (rp_report_out_open(&o, path) != RP_OK)
        return RP_ERR_IO;
    FILE *f = o.f;
    char scope[256], nb[8];
    fputs("scope,metric,value,unit\n", f);
    prv_row(f, "run", "problems", (double)r->problem_count, "count");
    /* What was not read: the sentence sits in the unit column, value empty. */
    for (uint32_t i = 0; i < r->problem_count && i < RP_REPORT_MAX_PROBLEMS; i++) {
        snprintf(scope, sizeof scope, "problem:%u", i + 1);
        rp_report_csv_str(f, scope);
        fputs(",text,,", f);
        rp_report_csv_str(f, r->problems[i]);
        fputc('\n', f);
    }
    if (r->stats) {
        prv_row(f, "run", "events", (double)r->stats->events, "events");
        prv_row(f, "run", "lost_events", (double)r->stats->loss.total_events, "events");
        prv_row(f, "run", "segments", (double)r->stats->segments, "segments");
    }
    rp_report_hw_t hw;
    rp_report_hw_derive(r->device, r->stats, &hw);
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++) {
        if (hw.state[i] == RP_REPORT_HW_VALUE) {
            prv_row(f, "hw", rp_report_hw_name(i), (double)hw.value[i], "counts");
        } else {
            fprintf(f, "hw,%s,,", rp_report_hw_name(i));
            rp_report_csv_str(f, rp_report_hw_state_text(hw.state[i]));
            fputc('\n', f);
        }
    }
    if (hw.derived) {
        prv_row(f, "hw", "instructions", (double)hw.instructions, "instructions");
        prv_row(f, "hw", "cpi", hw.cpi, "cycles/instruction");
        prv_row(f, "hw", "exception_share", hw.exc_share, "ratio");
        prv_row(f, "hw", "sleep_share", hw.sleep_share, "ratio");
        prv_row(f, "hw", "lsu_stall_share", hw.lsu_share, "ratio");
        prv_row(f, "hw", "cpi_stall_share", hw.cpi_share, "ratio");
    }
    if (r->analysis) {
        prv_row(f, "run", "validity", (double)r->analysis->validity.cls, rp_report_validity(r));
        prv_row(f, "run", "recorder_share", r->analysis->validity.recorder_share, "ratio");
        prv_row(f, "run", "loss_share", r->analysis->validity.loss_share, "ratio");
    }
    const rp_agg_t *a = r->agg;
    if (a) {
        const rp_agg_totals_t *t = rp_agg_totals(a);
        prv_row(f, "run", "clock", (double)rp_report_clock(r), "Hz");
        prv_row(f, "run", "run_time", (double)t->run_ticks, "ticks");
        prv_row(f, "run", "run_time_s", rp_report_seconds(r, (double)t->run_ticks), "s");
        prv_row(f, "run", "covered", (double)t->covered_ticks, "ticks");
        prv_row(f, "run", "utilization", t->run_ticks ? (double)t->covered_ticks / (double)t->run_ticks : 0.0,
                "ratio");
        prv_row(f, "run", "gap_time", (double)t->gap_ticks, "ticks");
        prv_row(f, "run", "gap_count", (double)t->gap_count, "gaps");
        prv_row(f, "run", "device_ops", (double)t->device_ops, "ops");

        unsigned ops[RP_AGG_MAX_OPS], nops = rp_report_ops(ops);
        for (unsigned i = 0; i < nops; i++) {
            const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
            if (!s || !s->count)
                continue;
            snprintf(scope, sizeof scope, "op:%s", rp_report_op_name(ops[i], nb));
            prv_stat(f, r, scope, s);
        }
        for (unsigned tile = 0; tile < t->tiles_seen && tile < RP_AGG_MAX_TILES; tile++) {
            const rp_agg_stat_t *s = rp_agg_tile(a, tile);
            if (!s || !s->count)
                continue;
            snprintf(scope, sizeof scope, "tile:%u", tile);
            prv_row(f, scope, "utilization", t->run_ticks ? (double)s->busy_ticks / (double)t->run_ticks : 0.0,
                    "ratio");
            prv_stat(f, r, scope, s);
            for (unsigned i = 0; i < nops; i++) {
                const rp_agg_stat_t *so = rp_agg_tile_op(a, tile, ops[i]);
                if (!so || !so->count)
                    continue;
                snprintf(scope, sizeof scope, "tile:%u:op:%s", tile, rp_report_op_name(ops[i], nb));
                prv_stat(f, r, scope, so);
            }
        }
        uint32_t nn = rp_agg_name_count(a);
        for (uint32_t i = 0; i < nn; i++) {
            const rp_agg_name_t *g = rp_agg_name(a, i);
            if (!g)
                continue;
            char name[RP_SESSION_STR_MAX * 2];
            rp_report_group_name(r, g->id, name, sizeof name);
            snprintf(scope, sizeof scope, "name:%s", name);
            prv_stat(f, r, scope, &g->stat);
        }
        const rp_hist_t *gh = rp_agg_gaps(a);
        if (gh && gh->count) {
            rp_agg_stat_t s;
            memset(&s, 0, sizeof s);
            s.count = gh->count;
            s.busy_ticks = t->gap_ticks;
            s.hist = gh;
            prv_stat(f, r, "gaps", &s);
        }
        const rp_agg_wv_t *wv = rp_agg_wv(a);
        prv_row(f, "write_verify", "episodes", (double)wv->episodes, "episodes");
        prv_row(f, "write_verify", "not_converged", (double)wv->not_converged, "episodes");
        prv_row(f, "write_verify", "pulses", (double)wv->pulses, "pulses");
        prv_row(f, "write_verify", "mean_pulses", wv->episodes ? (double)wv->pulses / (double)wv->episodes : 0.0,
                "pulses");
        prv_row(f, "write_verify", "time", (double)wv->ticks, "ticks");
    }
    if (r->analysis) {
        for (uint32_t i = 0; i < r->analysis->count && i < RP_FINDINGS_MAX; i++) {
            const rp_finding_t *x = &r->analysis->findings[i];
            snprintf(scope, sizeof scope, "finding:%u:%.32s", i + 1, x->id);
            prv_row(f, scope, "severity", (double)x->severity, rp_severity_name(x->severity));
            prv_row(f, scope, "gain", x->gain_ticks, "ticks");
            prv_row(f, scope, "gain_share", x->gain_share, "ratio");
            for (uint32_t e = 0; e < x->evidence_count && e < RP_FINDING_MAX_EVIDENCE; e++)
                prv_row(f, scope, x->evidence[e].name, x->evidence[e].value, x->evidence[e].unit);
        }
    }
    if (r->mem) {
        const rp_memuse_totals_t *mt = rp_memuse_totals(r->mem);
        for (uint32_t tile = 0; tile < mt->tiles; tile++) {
            const rp_memuse_area_t *x = rp_memuse_tile(r->mem, tile);
            if (x && x->rows_accessed) {
                snprintf(scope, sizeof scope, "memory:tile:%u", tile);
                prv_area(f, scope, x);
            }
            for (uint32_t g = 0; g < mt->regions_per_tile; g++) {
                const rp_memuse_area_t *y = rp_memuse_region(r->mem, tile, g);
                if (!y || !y->rows_accessed)
                    continue;
                snprintf(scope, sizeof scope, "memory:tile:%u:region:%u", tile, g);
                prv_area(f, scope, y);
            }
        }
        for (uint32_t i = 0; i < mt->hotspot_count && i < RP_MEMUSE_MAX_HOTSPOTS; i++) {
            const rp_memuse_hotspot_t *h = &mt->hotspots[i];
            snprintf(scope, sizeof scope, "hotspot:%u:%u", (unsigned)h->tile, (unsigned)h->row);
            prv_row(f, scope, "pulses", (double)h->pulses, "pulses");
            prv_row(f, scope, "pulses_per_s", h->pulses_per_s, "pulses/s");
            prv_row(f, scope, "lifetime", h->lifetime_s, "s");
        }
    }
    return rp_report_out_commit(&o);
}
