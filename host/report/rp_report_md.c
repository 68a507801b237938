/* report.md: the terminal summary's content and the full tables, in
 * GitHub-flavoured Markdown. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rp_report_int.h"

static void prv_time(FILE *f, const rp_report_t *r, double ticks)
{
    char b[32];
    rp_report_fmt_time(ticks, rp_report_clock(r), b, sizeof b);
    fputs(b, f);
}

static void prv_header(FILE *f, const rp_report_t *r)
{
    fputs("# rramprof report: ", f);
    rp_report_md_cell(f, r->capture_path ? r->capture_path : "?");
    fputs("\n\n", f);
    fputs("| | |\n| --- | --- |\n", f);
    fputs("| capture | ", f);
    rp_report_md_cell(f, rp_report_integrity_word(r));
    if (r->header) {
        fprintf(f, ", format %u.%u, written by ", (unsigned)r->header->version_major,
                (unsigned)r->header->version_minor);
        rp_report_md_cell(f, r->header->tool_version[0] ? r->header->tool_version : "?");
    }
    fputs(" |\n", f);
    const rp_device_info_t *d = r->device;
    if (d && d->valid) {
        fputs("| device | board ", f);
        rp_report_md_cell(f, d->board);
        fputs(", firmware ", f);
        rp_report_md_cell(f, d->firmware_version);
        fprintf(f, ", clock %.6g MHz |\n| array | %" PRIu32 " tile(s) of %" PRIu32 " x %" PRIu32 ", %" PRIu32
                   " ADC(s)/tile, ",
                (double)d->clock_hz / 1e6, d->tiles, d->rows, d->cols, d->adcs_per_tile);
        rp_report_md_cell(f, d->model);
        fputs(" |\n", f);
    } else {
        fputs("| device | unknown (no Hello received) |\n", f);
    }
    char reset[160];
    if (rp_report_reset_line(r, reset, sizeof reset)) {
        fputs("| last reset | ", f);
        rp_report_md_cell(f, reset);
        fputs(" |\n", f);
    }
    if (r->stats) {
        fprintf(f, "| events | %" PRIu64 " in %" PRIu32 " segment(s); lost %" PRIu64 " (link %" PRIu64 ", device %" PRIu64
                   ", unsent at resets %" PRIu64 ") |\n",
                r->stats->events, r->stats->segments, r->stats->loss.total_events, r->stats->loss.link_events,
                r->stats->loss.device_events, r->stats->loss.unsent_events);
    }
    fputs("| run time | ", f);
    prv_time(f, r, (double)rp_report_run_ticks(r));
    fputs(" |\n", f);
    char why[128];
    rp_report_validity_detail(r, why, sizeof why);
    fprintf(f, "| validity | **%s**: %s (each share clean < %.0f %%, marginal < %.0f %%) |\n\n",
            rp_report_validity(r), why, RP_VALIDITY_CLEAN_MAX * 100.0, RP_VALIDITY_MARGINAL_MAX * 100.0);

    if (r->problem_count) {
        fputs("## Not read / caveats\n\n", f);
        for (uint32_t i = 0; i < r->problem_count && i < RP_REPORT_MAX_PROBLEMS; i++) {
            fputs("- ", f);
            rp_report_md_cell(f, r->problems[i]);
            fputs("\n", f);
        }
        fputs("\n", f);
    }
}

static void prv_findings(FILE *f, const rp_report_t *r)
{
    const rp_analysis_t *a = r->analysis;
    fputs("## Findings\n\nRanked by estimated gain (run time saved by fixing the cause, against each "
          "rule's reference: an anomaly removed, an intrinsic cost such as ADC time halved); "
          "docs/findings.md of rramprof describes every rule.\n\n",
          f);
    if (!a || !a->count) {
        fputs("No rule fired.\n\n", f);
        return;
    }
    fputs("**Primary bottleneck:** `", f);
    rp_report_md_cell(f, a->findings[0].id);
    fputs("`: ", f);
    rp_report_md_cell(f, a->findings[0].title);
    fputs("\n\n| # | id | severity | scope | gain | share | title |\n| ---: | --- | --- | --- | ---: | ---: | --- |\n",
          f);
    for (uint32_t i = 0; i < a->count && i < RP_FINDINGS_MAX; i++) {
        const rp_finding_t *x = &a->findings[i];
        fprintf(f, "| %u | ", i + 1);
        rp_report_md_cell(f, x->id);
        fprintf(f, " | %s | ", rp_severity_name(x->severity));
        rp_report_md_cell(f, x->scope);
        fputs(" | ", f);
        prv_time(f, r, x->gain_ticks);
        fprintf(f, " | %.1f %% | ", x->gain_share * 100.0);
        rp_report_md_cell(f, x->title);
        fputs(" |\n", f);
    }
    fputs("\n", f);
    for (uint32_t i = 0; i < a->count && i < RP_FINDINGS_MAX; i++) {
        const rp_finding_t *x = &a->findings[i];
        fprintf(f, "### %u. ", i + 1);
        rp_report_md_cell(f, x->id);
        fputs(": ", f);
        rp_report_md_cell(f, x->title);
        fputs("\n\n", f);
        rp_report_md_cell(f, x->explanation);
        fputs("\n\n**Recommendation:** ", f);
        rp_report_md_cell(f, x->recommendation);
        fputs("\n\n", f);
        if (x->evidence_count) {
            fputs("| evidence | value | unit |\n| --- | ---: | --- |\n", f);
            for (uint32_t e = 0; e < x->evidence_count && e < RP_FINDING_MAX_EVIDENCE; e++) {
                fputs("| ", f);
                rp_report_md_cell(f, x->evidence[e].name);
                char val[48];
                const char *unit;
                rp_report_fmt_evidence(&x->evidence[e], val, sizeof val, &unit);
                fprintf(f, " | %s | ", val);
                rp_report_md_cell(f, unit);
                fputs(" |\n", f);
            }
            fputs("\n", f);
        }
    }
}

static void prv_stat_head(FILE *f, const char *first)
{
    fprintf(f, "| %s | count | busy | share | mean | p50 | p90 | p99 | p99.9 | max | ops/s | bytes/s | MAC/s |\n"
               "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            first);
}

static void prv_stat_row(FILE *f, const rp_report_t *r, const char *label, const rp_agg_stat_t *s)
{
    rp_report_stat_t d;
    rp_report_stat_derive(r, s, &d);
    char a[32], b[32], c[32];
    fputs("| ", f);
    rp_report_md_cell(f, label);
    fprintf(f, " | %" PRIu64 " | ", s->count);
    prv_time(f, r, (double)s->busy_ticks);
    fprintf(f, " | %.1f %% | ", d.share * 100.0);
    prv_time(f, r, d.mean);
    fputs(" | ", f);
    prv_time(f, r, d.p50);
    fputs(" | ", f);
    prv_time(f, r, d.p90);
    fputs(" | ", f);
    prv_time(f, r, d.p99);
    fputs(" | ", f);
    prv_time(f, r, d.p999);
    fputs(" | ", f);
    prv_time(f, r, (double)d.max);
    rp_report_fmt_si(d.ops_per_s, a, sizeof a);
    rp_report_fmt_si(d.bytes_per_s, b, sizeof b);
    rp_report_fmt_si(d.macs_per_s, c, sizeof c);
    fprintf(f, " | %s | %s | %s |\n", a, s->bytes ? b : "-", s->macs ? c : "-");
}

static void prv_tables(FILE *f, const rp_report_t *r)
{
    const rp_agg_t *a = r->agg;
    if (!a)
        return;
    const rp_agg_totals_t *t = rp_agg_totals(a);
    unsigned ops[RP_AGG_MAX_OPS], nops = rp_report_ops(ops);
    char nb[8];
    fputs("## Time breakdown by op\n\nbusy = sum of durations; share = busy / run time (ops may overlap, so shares "
          "can add up to more than 100 %).\n\n",
          f);
    prv_stat_head(f, "op");
    for (unsigned i = 0; i < nops; i++) {
        const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
        if (s && s->count)
            prv_stat_row(f, r, rp_report_op_name(ops[i], nb), s);
    }
    fputs("\nIdle gaps between device ops: ", f);
    fprintf(f, "%" PRIu64 " gap(s), ", t->gap_count);
    prv_time(f, r, (double)t->gap_ticks);
    fprintf(f, " (%.1f %% of the run)", t->run_ticks ? 100.0 * (double)t->gap_ticks / (double)t->run_ticks : 0.0);
    const rp_hist_t *gh = rp_agg_gaps(a);
    if (gh && gh->count) {
        fputs("; p50 ", f);
        prv_time(f, r, (double)rp_hist_quantile(gh, 0.5));
        fputs(", p99 ", f);
        prv_time(f, r, (double)rp_hist_quantile(gh, 0.99));
        fputs(", max ", f);
        prv_time(f, r, (double)gh->max);
    }
    fputs(".\n\n## Tiles\n\nutilization = busy time of the tile's ops / run time.\n\n", f);
    fputs("| tile | utilization | ops | busy | mean | p99 |\n| --- | ---: | ---: | ---: | ---: | ---: |\n", f);
    for (unsigned tile = 0; tile < t->tiles_seen && tile < RP_AGG_MAX_TILES; tile++) {
        const rp_agg_stat_t *s = rp_agg_tile(a, tile);
        if (!s || !s->count)
            continue;
        rp_report_stat_t d;
        rp_report_stat_derive(r, s, &d);
        fprintf(f, "| %u | %.1f %% | %" PRIu64 " | ", tile, d.share * 100.0, s->count);
        prv_time(f, r, (double)s->busy_ticks);
        fputs(" | ", f);
        prv_time(f, r, d.mean);
        fputs(" | ", f);
        prv_time(f, r, d.p99);
        fputs(" |\n", f);
    }
    uint32_t nn = rp_agg_name_count(a);
    if (nn) {
        fputs("\n## Named spans and compute\n\n", f);
        prv_stat_head(f, "name");
        for (uint32_t i = 0; i < nn; i++) {
            const rp_agg_name_t *g = rp_agg_name(a, i);
            if (!g)
                continue;
            char name[RP_SESSION_STR_MAX * 2], label[RP_SESSION_STR_MAX * 2 + 16];
            rp_report_group_name(r, g->id, name, sizeof name);
            snprintf(label, sizeof label, "%s (%s)", name, rp_report_op_name(g->op, nb));
            prv_stat_row(f, r, label, &g->stat);
        }
    }
    const rp_agg_wv_t *wv = rp_agg_wv(a);
    if (wv->episodes) {
        fprintf(f, "\n## Write-verify\n\n%" PRIu64 " programming episode(s), %.2f pulses each on average, %" PRIu64
                   " not converged; ",
                wv->episodes, (double)wv->pulses / (double)wv->episodes, wv->not_converged);
        prv_time(f, r, (double)wv->ticks);
        fputs(" of WRITE + VERIFY time.\n\n| pulses | episodes |\n| ---: | ---: |\n", f);
        for (unsigned p = 0; p < RP_AGG_WV_MAX_PULSES; p++)
            if (wv->by_pulses[p])
                fprintf(f, "| %u | %" PRIu64 " |\n", p, wv->by_pulses[p]);
        if (wv->failed_count) {
            fputs("\nRows that did not converge:\n\n| tile | row | col | episodes |\n| ---: | ---: | ---: | ---: |\n", f);
            for (uint32_t i = 0; i < wv->failed_count && i < RP_AGG_MAX_FAILED; i++)
                fprintf(f, "| %u | %u | %u | %u |\n", (unsigned)wv->failed[i].tile, (unsigned)wv->failed[i].row,
                        (unsigned)wv->failed[i].col, (unsigned)wv->failed[i].episodes);
        }
    }
    fputs("\n", f);
}

static void prv_area_row(FILE *f, const rp_report_t *r, const char *what, const rp_memuse_area_t *x)
{
    fprintf(f, "| %s | %" PRIu64 " | %.2f | %.2f | %" PRIu64 " | ", what, x->rows_accessed, x->write_once_ratio,
            x->reads_per_write, x->dead_writes);
    prv_time(f, r, x->retention_mean);
    fputs(" | ", f);
    prv_time(f, r, x->interval_mean);
    fprintf(f, " | %" PRIu64 " | ", x->max_row_pulses);
    if (x->lifetime_s >= 0)
        fprintf(f, "%.3g days", x->lifetime_s / 86400.0);
    else
        fputs("-", f);
    fprintf(f, " | **%s** | ", rp_memuse_label_name(x->label));
    rp_report_md_cell(f, x->reason);
    fputs(" |\n", f);
}

static void prv_memory(FILE *f, const rp_report_t *r)
{
    if (!r->mem)
        return;
    const rp_memuse_totals_t *t = rp_memuse_totals(r->mem);
    fputs("## RRAM memory analytics\n\nPer tile and region; definitions and label criteria in "
          "docs/memory-analytics.md and docs/report.md of rramprof.\n\n",
          f);
    if (!t->tiles) {
        fputs("No array geometry known: nothing to show.\n\n", f);
        return;
    }
    static const char head[] = "| area | rows accessed | write-once | reads/write | dead writes | retention (mean) | "
                               "inter-access (mean) | max row pulses | lifetime, all pulses | label | why |\n"
                               "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n";
    fputs(head, f);
    for (uint32_t tile = 0; tile < t->tiles; tile++) {
        const rp_memuse_area_t *x = rp_memuse_tile(r->mem, tile);
        if (!x)
            continue;
        char what[48];
        snprintf(what, sizeof what, "tile %u", tile);
        prv_area_row(f, r, what, x);
        for (uint32_t g = 0; g < t->regions_per_tile; g++) {
            const rp_memuse_area_t *y = rp_memuse_region(r->mem, tile, g);
            if (!y || !y->rows_accessed)
                continue;
            snprintf(what, sizeof what, "tile %u rows %u-%u", tile, y->row_first, y->row_first + y->row_count - 1);
            prv_area_row(f, r, what, y);
        }
    }
    if (t->hotspot_count) {
        fputs("\n### Endurance hotspots\n\n| tile | row | pulses | pulses/s | time to endurance limit |\n"
              "| ---: | ---: | ---: | ---: | ---: |\n",
              f);
        for (uint32_t i = 0; i < t->hotspot_count && i < RP_MEMUSE_MAX_HOTSPOTS; i++) {
            const rp_memuse_hotspot_t *h = &t->hotspots[i];
            fprintf(f, "| %u | %u | %" PRIu64 " | %.4g | ", h->tile, h->row, h->pulses, h->pulses_per_s);
            if (h->lifetime_s >= 0)
                fprintf(f, "%.3g days |\n", h->lifetime_s / 86400.0);
            else
                fputs("unknown |\n", f);
        }
    }
    fputs("\n", f);
}

static void prv_workloads(FILE *f, const rp_report_t *r)
{
    if (!r->stats || !r->session || !r->stats->workload_names)
        return;
    fputs("## Workloads\n\n| workload | runs | passed | failed | worst error (ppm) | time |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: |\n",
          f);
    for (uint32_t i = 0; i < r->stats->workload_names; i++) {
        const rp_workload_stats_t *w = rp_session_workload(r->session, i);
        if (!w)
            break;
        fputs("| ", f);
        rp_report_md_cell(f, w->name);
        fprintf(f, " | %u | %u | %u | %" PRId64 " | ", w->runs, w->passed, w->failed, w->worst_error_ppm);
        prv_time(f, r, (double)w->ticks_total);
        fputs(" |\n", f);
    }
    fputs("\n", f);
}

static void prv_hw(FILE *f, const rp_report_t *r)
{
    rp_report_hw_t hw;
    rp_report_hw_derive(r->device, r->stats, &hw);
    fputs("## Hardware counters\n\n| counter | value |\n| --- | ---: |\n", f);
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++) {
        fprintf(f, "| %s | ", rp_report_hw_name(i));
        if (hw.state[i] == RP_REPORT_HW_VALUE)
            fprintf(f, "%" PRIu64, hw.value[i]);
        else
            fputs(rp_report_hw_state_text(hw.state[i]), f);
        fputs(" |\n", f);
    }
    fputs("\n", f);
    if (hw.derived) {
        fprintf(f, "| derived | value |\n| --- | ---: |\n| instructions (%s) | %" PRIu64 " |\n", RP_REPORT_HW_FORMULA,
                hw.instructions);
        fprintf(f, "| CPI (cycles / instructions) | %.3f |\n", hw.cpi);
        fprintf(f, "| exception overhead (EXCCNT / CYCCNT) | %.2f %% |\n", hw.exc_share * 100.0);
        fprintf(f, "| sleep (SLEEPCNT / CYCCNT) | %.2f %% |\n", hw.sleep_share * 100.0);
        fprintf(f, "| load-store stalls (LSUCNT / CYCCNT) | %.2f %% |\n", hw.lsu_share * 100.0);
        fprintf(f, "| other multi-cycle stalls (CPICNT / CYCCNT) | %.2f %% |\n\n", hw.cpi_share * 100.0);
    } else {
        fputs("CPI, exception, sleep and load-store shares need all six counters: ", f);
        fputs(hw.why_not, f);
        fputs(".\n\n", f);
    }
    if (hw.valid & ~1u)
        fputs(RP_REPORT_HW_NOTE ".\n\n", f);
}

int rp_report_write_md(const char *path, const rp_report_t *r)
{
    rp_report_out_t o;
    if (rp_report_out_open(&o, path) != RP_OK)
        return RP_ERR_IO;
    FILE *f = o.f;
    prv_header(f, r);
    prv_findings(f, r);
    prv_tables(f, r);
    prv_memory(f, r);
    prv_workloads(f, r);
    prv_hw(f, r);
    fputs("---\nWritten by rramprof ", f);
    rp_report_md_cell(f, r->tool_version ? r->tool_version : "");
    fputs("; summary.json and metrics.csv hold every number; manifest.json the checksums.\n", f);
    return rp_report_out_commit(&o);
}
