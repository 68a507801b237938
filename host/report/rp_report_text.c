/* Terminal summary: validity, hardware counters, the primary bottleneck,
 * the top findings, where the time goes, tiles, and what could not be
 * read. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rp_report_int.h"

/* Device strings may hold anything: keep control bytes off the terminal. */
static void prv_puts(FILE *f, const char *s)
{
    char clean[1024];
    fputs(rp_report_text_clean(s, clean, sizeof clean), f);
}

static void prv_bar(FILE *f, double share, unsigned width)
{
    if (!(share > 0))
        share = 0;
    if (share > 1)
        share = 1;
    unsigned n = (unsigned)(share * width + 0.5);
    for (unsigned i = 0; i < width; i++)
        fputc(i < n ? '#' : '.', f);
}

static void prv_header(FILE *f, const rp_report_t *r)
{
    const rp_device_info_t *d = r->device;
    fputs("report     ", f);
    prv_puts(f, r->capture_path ? r->capture_path : "?");
    fprintf(f, " (%s)\n", rp_report_integrity_word(r));
    if (d && d->valid) {
        fputs("device     board ", f);
        prv_puts(f, d->board);
        fputs(", firmware ", f);
        prv_puts(f, d->firmware_version);
        fprintf(f, ", %.6g MHz, %" PRIu32 " tile(s) of %" PRIu32 "x%" PRIu32 " (", (double)d->clock_hz / 1e6, d->tiles,
                d->rows, d->cols);
        prv_puts(f, d->model);
        fputs(")\n", f);
    } else {
        fputs("device     unknown (no Hello received)\n", f);
    }
    char reset[160];
    if (rp_report_reset_line(r, reset, sizeof reset)) {
        fputs("last reset ", f);
        prv_puts(f, reset);
        fputs("\n", f);
    }
    uint64_t hz = rp_report_clock(r);
    char run[32];
    rp_report_fmt_time((double)rp_report_run_ticks(r), hz, run, sizeof run);
    const rp_session_stats_t *st = r->stats;
    if (st)
        fprintf(f, "run        %" PRIu64 " events, %s of run time, %" PRIu32 " segment(s); lost %" PRIu64 " event(s)\n",
                st->events, run, st->segments, st->loss.total_events);
    const rp_analysis_t *a = r->analysis;
    if (a) {
        char why[128];
        rp_report_validity_detail(r, why, sizeof why);
        fprintf(f, "validity   %s: %s (each share clean < %.0f %%, marginal < %.0f %%)\n",
                rp_validity_name(a->validity.cls), why, RP_VALIDITY_CLEAN_MAX * 100.0,
                RP_VALIDITY_MARGINAL_MAX * 100.0);
    }
}

static void prv_findings(FILE *f, const rp_report_t *r, unsigned max_findings)
{
    const rp_analysis_t *a = r->analysis;
    uint64_t hz = rp_report_clock(r);
    if (!a || a->count == 0) {
        fputs("\nfindings   none: no rule fired (or nothing was read)\n", f);
        return;
    }
    const rp_finding_t *p = &a->findings[0];
    char gain[32];
    rp_report_fmt_time(p->gain_ticks, hz, gain, sizeof gain);
    fprintf(f, "\nPRIMARY BOTTLENECK: %s [%s] ", p->id, rp_severity_name(p->severity));
    prv_puts(f, p->title);
    fprintf(f, "\n  estimated gain %s (%.1f %% of the run)\n", gain, p->gain_share * 100.0);

    unsigned n = a->count < max_findings ? a->count : max_findings;
    fprintf(f, "\nfindings (top %u of %u, ranked by estimated gain)\n", n, (unsigned)a->count);
    for (unsigned i = 0; i < n; i++) {
        const rp_finding_t *x = &a->findings[i];
        rp_report_fmt_time(x->gain_ticks, hz, gain, sizeof gain);
        fprintf(f, "%2u. %-8s %-24s ", i + 1, rp_severity_name(x->severity), x->id);
        prv_puts(f, x->scope);
        fputs("\n    ", f);
        prv_puts(f, x->title);
        fprintf(f, "\n    gain %s (%.1f %%)", gain, x->gain_share * 100.0);
        for (uint32_t e = 0; e < x->evidence_count && e < 3; e++) {
            fputs(e ? "; " : ": ", f);
            prv_puts(f, x->evidence[e].name);
            char val[48];
            const char *unit;
            rp_report_fmt_evidence(&x->evidence[e], val, sizeof val, &unit);
            fprintf(f, " %s", val);
            if (unit[0]) {
                fputc(' ', f);
                prv_puts(f, unit);
            }
        }
        fputs("\n    -> ", f);
        prv_puts(f, x->recommendation);
        fputc('\n', f);
    }
}

static void prv_breakdown(FILE *f, const rp_report_t *r)
{
    const rp_agg_t *a = r->agg;
    if (!a || !rp_agg_totals(a)->events)
        return;
    const rp_agg_totals_t *t = rp_agg_totals(a);
    uint64_t hz = rp_report_clock(r);
    unsigned ops[RP_AGG_MAX_OPS], n = rp_report_ops(ops);
    char nb[8];
    fputs("\ntime breakdown (busy time per op, share of the run)\n", f);
    for (unsigned i = 0; i < n; i++) {
        const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
        if (!s || !s->count)
            continue;
        rp_report_stat_t d;
        rp_report_stat_derive(r, s, &d);
        char busy[32], p50[32], p99[32];
        rp_report_fmt_time((double)s->busy_ticks, hz, busy, sizeof busy);
        rp_report_fmt_time(d.p50, hz, p50, sizeof p50);
        rp_report_fmt_time(d.p99, hz, p99, sizeof p99);
        fprintf(f, "  %-9s %10" PRIu64 "  %12s %6.1f %% ", rp_report_op_name(ops[i], nb), s->count, busy,
                d.share * 100.0);
        prv_bar(f, d.share, 20);
        fprintf(f, "  p50 %s  p99 %s\n", p50, p99);
    }
    char gaps[32];
    rp_report_fmt_time((double)t->gap_ticks, hz, gaps, sizeof gaps);
    fprintf(f, "  %-9s %10" PRIu64 "  %12s %6.1f %% ", "idle gaps", t->gap_count, gaps,
            t->run_ticks ? 100.0 * (double)t->gap_ticks / (double)t->run_ticks : 0.0);
    prv_bar(f, t->run_ticks ? (double)t->gap_ticks / (double)t->run_ticks : 0.0, 20);
    fputc('\n', f);

    bool any = false;
    for (unsigned tile = 0; tile < t->tiles_seen && tile < RP_AGG_MAX_TILES; tile++) {
        const rp_agg_stat_t *s = rp_agg_tile(a, tile);
        if (!s || !s->count)
            continue;
        if (!any)
            fputs("\ntiles (utilization = busy time / run time)\n", f);
        any = true;
        double u = t->run_ticks ? (double)s->busy_ticks / (double)t->run_ticks : 0.0;
        fprintf(f, "  tile %-4u %10" PRIu64 " ops %6.1f %% ", tile, s->count, u * 100.0);
        prv_bar(f, u, 20);
        fputc('\n', f);
    }
}

/* One line: what the board's hardware counters say, or that it has none. */
static void prv_hw(FILE *f, const rp_report_t *r)
{
    rp_report_hw_t hw;
    rp_report_hw_derive(r->device, r->stats, &hw);
    char line[512];
    rp_report_hw_line(&hw, line, sizeof line);
    fputs("hardware   counters: ", f);
    prv_puts(f, line);
    fputc('\n', f);
}

static void prv_problems(FILE *f, const rp_report_t *r)
{
    if (!r->problem_count)
        return;
    fputs("\nnot read / caveats\n", f);
    for (uint32_t i = 0; i < r->problem_count && i < RP_REPORT_MAX_PROBLEMS; i++) {
        fputs("  - ", f);
        prv_puts(f, r->problems[i]);
        fputc('\n', f);
    }
}

int rp_report_write_text(FILE *f, const rp_report_t *r, unsigned max_findings)
{
    if (!f || !r)
        return RP_ERR_ARG;
    prv_header(f, r);
    prv_hw(f, r);
    prv_findings(f, r, max_findings);
    prv_breakdown(f, r);
    prv_problems(f, r);
    fflush(f);
    return ferror(f) ? RP_ERR_IO : RP_OK;
}
