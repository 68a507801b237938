/* report.html: one self-contained page (inline CSS and SVG; no scripts,
 * no network resources). Every text that comes from the device or the
 * analyzer is escaped; every SVG coordinate is a finite number. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_report_int.h"

#define PRV_W 760.0            /* chart width (px) */
#define PRV_HIST_PER_OCTAVE 4  /* latency histogram bins per power of two */
#define PRV_HIST_BINS (2 + 64 * PRV_HIST_PER_OCTAVE)
#define PRV_MAX_HEAT_TILES 64u
#define PRV_WEAR_BINS 128u

static const char *prv_op_color(unsigned op)
{
    switch (op) {
    case RP_OP_WRITE: return "#d62728";
    case RP_OP_VERIFY: return "#ff7f0e";
    case RP_OP_READ: return "#2ca02c";
    case RP_OP_MVM: return "#1f77b4";
    case RP_OP_TRANSFER: return "#9467bd";
    case RP_OP_COMPUTE: return "#8c564b";
    case RP_OP_SPAN: return "#7f7f7f";
    case RP_OP_NONE: return "#bcbd22";
    default: return "#17becf";
    }
}

/* A coordinate: finite, two decimals. */
static void prv_n(FILE *f, double v)
{
    if (!isfinite(v))
        v = 0;
    fprintf(f, "%.2f", v);
}

static void prv_esc(FILE *f, const char *s)
{
    rp_report_html_str(f, s);
}

static void prv_time(FILE *f, const rp_report_t *r, double ticks)
{
    char b[32];
    rp_report_fmt_time(ticks, rp_report_clock(r), b, sizeof b);
    prv_esc(f, b);
}

static void prv_rect(FILE *f, double x, double y, double w, double h, const char *fill)
{
    fputs("<rect x=\"", f);
    prv_n(f, x);
    fputs("\" y=\"", f);
    prv_n(f, y);
    fputs("\" width=\"", f);
    prv_n(f, w > 0 ? w : 0);
    fputs("\" height=\"", f);
    prv_n(f, h > 0 ? h : 0);
    fprintf(f, "\" fill=\"%s\">", fill);
}

static void prv_text(FILE *f, double x, double y, const char *anchor, const char *s)
{
    fputs("<text x=\"", f);
    prv_n(f, x);
    fputs("\" y=\"", f);
    prv_n(f, y);
    fprintf(f, "\" text-anchor=\"%s\">", anchor);
    prv_esc(f, s);
    fputs("</text>", f);
}

static void prv_svg_open(FILE *f, double w, double h, const char *label)
{
    fputs("<svg class=\"chart\" width=\"", f);
    prv_n(f, w);
    fputs("\" height=\"", f);
    prv_n(f, h);
    fputs("\" viewBox=\"0 0 ", f);
    prv_n(f, w);
    fputc(' ', f);
    prv_n(f, h);
    fputs("\" role=\"img\" aria-label=\"", f);
    prv_esc(f, label);
    fputs("\">\n", f);
}

static const char prv_css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;"
    "color:#222;background:#fff}\n"
    "h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}\n"
    "table{border-collapse:collapse;margin:.6em 0;font-size:.92em}td,th{border:1px solid #ddd;padding:.25em .6em;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".badge{display:inline-block;padding:.1em .6em;border-radius:.8em;color:#fff;font-weight:600}\n"
    ".v-clean{background:#2a8a3e}.v-marginal{background:#c98a00}.v-contaminated{background:#c0392b}"
    ".v-unknown{background:#777}\n"
    ".callout{border-left:6px solid #c0392b;background:#fdf1ef;padding:.8em 1.2em;margin:1em 0}\n"
    ".problems{border-left:6px solid #c98a00;background:#fff8e6;padding:.6em 1.2em}\n"
    ".finding{border:1px solid #ddd;border-radius:6px;padding:.2em 1em .6em;margin:1em 0}\n"
    ".sev-critical,.sev-high{border-left:6px solid #c0392b}.sev-medium{border-left:6px solid #c98a00}"
    ".sev-low,.sev-info{border-left:6px solid #5b8fd6}\n"
    ".chart{display:block;margin:.6em 0;font-size:11px;font-family:inherit}.chart text{fill:#333}\n"
    ".legend span{display:inline-block;margin-right:1.2em}.legend i{display:inline-block;width:.9em;height:.9em;"
    "margin-right:.3em;vertical-align:middle}\n"
    ".muted{color:#666}footer{margin-top:3em;color:#777;font-size:.85em}\n";

static void prv_head(FILE *f, const rp_report_t *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rramprof report: ",
          f);
    prv_esc(f, r->capture_path ? r->capture_path : "?");
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", prv_css);
    fputs("<header>\n<h1>rramprof report</h1>\n<p class=\"muted\">", f);
    prv_esc(f, r->capture_path ? r->capture_path : "?");
    fputs("</p>\n<table>\n", f);
    const rp_device_info_t *d = r->device;
    fputs("<tr><th>device</th><td>", f);
    if (d && d->valid) {
        fputs("board ", f);
        prv_esc(f, d->board);
        fputs(", firmware ", f);
        prv_esc(f, d->firmware_version);
        fprintf(f, ", clock %.6g MHz, %" PRIu32 " tile(s) of %" PRIu32 " &times; %" PRIu32 " cells, %" PRIu32
                   " ADC(s)/tile, model ",
                (double)d->clock_hz / 1e6, d->tiles, d->rows, d->cols, d->adcs_per_tile);
        prv_esc(f, d->model);
    } else {
        fputs("unknown (no Hello received)", f);
    }
    char reset[160];
    if (rp_report_reset_line(r, reset, sizeof reset)) {
        fputs("</td></tr>\n<tr><th>last reset</th><td>", f);
        prv_esc(f, reset);
    }
    fputs("</td></tr>\n<tr><th>capture</th><td>", f);
    prv_esc(f, rp_report_integrity_word(r));
    if (r->header) {
        fprintf(f, ", format %u.%u, written by ", (unsigned)r->header->version_major,
                (unsigned)r->header->version_minor);
        prv_esc(f, r->header->tool_version[0] ? r->header->tool_version : "?");
    }
    fputs("</td></tr>\n", f);
    if (r->stats) {
        fprintf(f, "<tr><th>events</th><td>%" PRIu64 " in %" PRIu32 " segment(s); lost %" PRIu64 " (link %" PRIu64
                   ", device %" PRIu64 ", unsent at resets %" PRIu64 ")</td></tr>\n",
                r->stats->events, r->stats->segments, r->stats->loss.total_events, r->stats->loss.link_events,
                r->stats->loss.device_events, r->stats->loss.unsent_events);
    }
    fputs("<tr><th>run time</th><td>", f);
    prv_time(f, r, (double)rp_report_run_ticks(r));
    fputs("</td></tr>\n", f);
    const char *v = rp_report_validity(r);
    char why[128];
    rp_report_validity_detail(r, why, sizeof why);
    fprintf(f, "<tr><th>validity</th><td><span class=\"badge v-%s\">%s</span> %s", v, v, why);
    fprintf(f, " <span class=\"muted\">(each share clean &lt; %.0f %%, marginal &lt; %.0f %%, contaminated above)</span>"
               "</td></tr>\n</table>\n</header>\n",
            RP_VALIDITY_CLEAN_MAX * 100.0, RP_VALIDITY_MARGINAL_MAX * 100.0);

    if (r->problem_count) {
        fputs("<section id=\"problems\" class=\"problems\">\n<h2>Not read / caveats</h2>\n<ul>\n", f);
        for (uint32_t i = 0; i < r->problem_count && i < RP_REPORT_MAX_PROBLEMS; i++) {
            fputs("<li>", f);
            prv_esc(f, r->problems[i]);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n</section>\n", f);
    }
}

static void prv_findings(FILE *f, const rp_report_t *r)
{
    const rp_analysis_t *a = r->analysis;
    if (a && a->count) {
        const rp_finding_t *p = &a->findings[0];
        fputs("<section id=\"primary\" class=\"callout\">\n<strong>Primary bottleneck: ", f);
        prv_esc(f, p->id);
        fputs("</strong><br>\n", f);
        prv_esc(f, p->title);
        fputs("<br>\n<span class=\"muted\">estimated gain ", f);
        prv_time(f, r, p->gain_ticks);
        fprintf(f, " (%.1f %% of the run)</span><br>\n&rarr; ", p->gain_share * 100.0);
        prv_esc(f, p->recommendation);
        fputs("\n</section>\n", f);
    }
    fputs("<section id=\"findings\">\n<h2>Findings</h2>\n<p class=\"muted\">Ranked by estimated gain: the run time "
          "saved by fixing the cause, against each rule's reference (an anomaly removed, an "
          "intrinsic cost such as ADC time halved).</p>\n",
          f);
    if (!a || !a->count) {
        fputs("<p>No rule fired.</p>\n</section>\n", f);
        return;
    }
    for (uint32_t i = 0; i < a->count && i < RP_FINDINGS_MAX; i++) {
        const rp_finding_t *x = &a->findings[i];
        const char *sev = rp_severity_name(x->severity);
        fprintf(f, "<div class=\"finding sev-%s\">\n<h3>%u. ", sev, i + 1);
        prv_esc(f, x->id);
        fputs(" <span class=\"muted\">[", f);
        prv_esc(f, sev);
        fputs(", ", f);
        prv_esc(f, x->scope);
        fputs("]</span></h3>\n<p><strong>", f);
        prv_esc(f, x->title);
        fputs("</strong></p>\n<p>", f);
        prv_esc(f, x->explanation);
        fputs("</p>\n<p><strong>Recommendation:</strong> ", f);
        prv_esc(f, x->recommendation);
        fputs("</p>\n<p>Estimated gain: ", f);
        prv_time(f, r, x->gain_ticks);
        fprintf(f, " (%.1f %% of the run)</p>\n", x->gain_share * 100.0);
        if (x->evidence_count) {
            fputs("<table><tr><th>evidence</th><th>value</th><th>unit</th></tr>\n", f);
            for (uint32_t e = 0; e < x->evidence_count && e < RP_FINDING_MAX_EVIDENCE; e++) {
                fputs("<tr><td>", f);
                prv_esc(f, x->evidence[e].name);
                char val[48];
                const char *unit;
                rp_report_fmt_evidence(&x->evidence[e], val, sizeof val, &unit);
                fprintf(f, "</td><td class=\"n\">%s</td><td>", val);
                prv_esc(f, unit);
                fputs("</td></tr>\n", f);
            }
            fputs("</table>\n", f);
        }
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
}

static void prv_legend(FILE *f, const rp_report_t *r, bool gaps)
{
    unsigned ops[RP_AGG_MAX_OPS], n = rp_report_ops(ops);
    char nb[8];
    fputs("<p class=\"legend\">", f);
    for (unsigned i = 0; i < n; i++) {
        const rp_agg_stat_t *s = rp_agg_op(r->agg, ops[i]);
        if (!s || !s->count || ops[i] == RP_OP_SPAN)
            continue;
        fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>", prv_op_color(ops[i]),
                rp_report_op_name(ops[i], nb));
    }
    if (gaps)
        fputs("<span><i style=\"background:#cccccc\"></i>idle gaps</span>", f);
    fputs("</p>\n", f);
}

/* Horizontal bars: busy share of each op, and the idle gaps. */
static void prv_breakdown(FILE *f, const rp_report_t *r)
{
    const rp_agg_t *a = r->agg;
    const rp_agg_totals_t *t = rp_agg_totals(a);
    unsigned ops[RP_AGG_MAX_OPS], n = rp_report_ops(ops);
    char nb[8], label[96], busy[32];
    uint64_t hz = rp_report_clock(r);
    fputs("<section id=\"breakdown\">\n<h2>Time breakdown by op</h2>\n<p class=\"muted\">Busy time of each op "
          "(sum of durations) as a share of the run time; ops may overlap or nest (an op recorded from an interrupt during another), so the shares "
          "can add up to more than 100 %.</p>\n",
          f);
    unsigned rows = 0;
    double maxs = 0.0;
    for (unsigned i = 0; i < n; i++) {
        const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
        if (s && s->count) {
            rows++;
            double sh = t->run_ticks ? (double)s->busy_ticks / (double)t->run_ticks : 0;
            if (sh > maxs)
                maxs = sh;
        }
    }
    double gshare = t->run_ticks ? (double)t->gap_ticks / (double)t->run_ticks : 0;
    if (gshare > maxs)
        maxs = gshare;
    if (maxs < 1.0)
        maxs = 1.0;
    rows++;
    double left = 110, barw = PRV_W - left - 170, rowh = 22, h = rows * rowh + 24;
    prv_svg_open(f, PRV_W, h, "time breakdown by op");
    unsigned row = 0;
    for (unsigned i = 0; i <= n; i++) {
        const char *color = "#cccccc";
        double sh;
        uint64_t ticks;
        const char *name;
        if (i < n) {
            const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
            if (!s || !s->count)
                continue;
            ticks = s->busy_ticks;
            name = rp_report_op_name(ops[i], nb);
            color = prv_op_color(ops[i]);
        } else {
            ticks = t->gap_ticks;
            name = "idle gaps";
        }
        sh = t->run_ticks ? (double)ticks / (double)t->run_ticks : 0;
        double y = 8 + row * rowh;
        prv_text(f, left - 6, y + 14, "end", name);
        prv_rect(f, left, y + 2, barw * sh / maxs, rowh - 6, color);
        rp_report_fmt_time((double)ticks, hz, busy, sizeof busy);
        snprintf(label, sizeof label, "%s: %s, %.1f %% of the run", name, busy, sh * 100.0);
        fputs("<title>", f);
        prv_esc(f, label);
        fputs("</title></rect>", f);
        snprintf(label, sizeof label, "%.1f %%  %s", sh * 100.0, busy);
        prv_text(f, left + barw * sh / maxs + 6, y + 14, "start", label);
        fputc('\n', f);
        row++;
    }
    /* 100 % mark */
    fputs("<line x1=\"", f);
    prv_n(f, left + barw / maxs);
    fputs("\" y1=\"4\" x2=\"", f);
    prv_n(f, left + barw / maxs);
    fputs("\" y2=\"", f);
    prv_n(f, h - 14);
    fputs("\" stroke=\"#999\" stroke-dasharray=\"3,3\"/>", f);
    prv_text(f, left + barw / maxs, h - 3, "middle", "100 % of run time");
    fputs("</svg>\n", f);

    /* Table with the exact figures. */
    fputs("<table><tr><th>op</th><th>count</th><th>busy</th><th>share</th><th>mean</th><th>p50</th><th>p90</th>"
          "<th>p99</th><th>p99.9</th><th>max</th><th>ops/s</th><th>bytes/s</th><th>MAC/s</th></tr>\n",
          f);
    for (unsigned i = 0; i < n; i++) {
        const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
        if (!s || !s->count)
            continue;
        rp_report_stat_t d;
        rp_report_stat_derive(r, s, &d);
        char x1[32], x2[32], x3[32];
        rp_report_fmt_si(d.ops_per_s, x1, sizeof x1);
        rp_report_fmt_si(d.bytes_per_s, x2, sizeof x2);
        rp_report_fmt_si(d.macs_per_s, x3, sizeof x3);
        fprintf(f, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">", rp_report_op_name(ops[i], nb),
                s->count);
        prv_time(f, r, (double)s->busy_ticks);
        fprintf(f, "</td><td class=\"n\">%.1f %%</td><td class=\"n\">", d.share * 100.0);
        double q[] = { d.mean, d.p50, d.p90, d.p99, d.p999, (double)d.max };
        for (unsigned k = 0; k < 6; k++) {
            prv_time(f, r, q[k]);
            fputs("</td><td class=\"n\">", f);
        }
        fprintf(f, "%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", x1, s->bytes ? x2 : "-",
                s->macs ? x3 : "-");
    }
    fputs("</table>\n</section>\n", f);
}

static unsigned prv_bin_of(uint64_t v)
{
    if (v == 0)
        return 0;
    double b = floor(PRV_HIST_PER_OCTAVE * log2((double)v));
    if (b < 0)
        b = 0;
    unsigned i = 1u + (unsigned)b;
    return i < PRV_HIST_BINS ? i : PRV_HIST_BINS - 1;
}

/* Lower edge (ticks) of bin i. */
static double prv_bin_lo(unsigned i)
{
    return i == 0 ? 0.0 : exp2((double)(i - 1) / PRV_HIST_PER_OCTAVE);
}

/* Latency histogram of one op: log-x bins built from the rp_hist buckets. */
static void prv_hist_chart(FILE *f, const rp_report_t *r, unsigned op, const rp_agg_stat_t *s)
{
    const rp_hist_t *h = s->hist;
    if (!h || !h->count)
        return;
    double bins[PRV_HIST_BINS] = { 0 };
    for (uint32_t i = 0; i < RP_HIST_BUCKETS; i++) {
        if (!h->buckets[i])
            continue;
        uint64_t lo, hi;
        rp_hist_bucket_range(i, &lo, &hi);
        bins[prv_bin_of(lo + (hi - lo) / 2)] += (double)h->buckets[i];
    }
    unsigned b0 = PRV_HIST_BINS, b1 = 0;
    double maxc = 0;
    for (unsigned i = 0; i < PRV_HIST_BINS; i++) {
        if (bins[i] <= 0)
            continue;
        if (i < b0)
            b0 = i;
        b1 = i;
        if (bins[i] > maxc)
            maxc = bins[i];
    }
    if (b0 > b1)
        return;
    /* At least two octaves wide so a single-valued op still reads well. */
    while (b1 - b0 + 1 < 2 * PRV_HIST_PER_OCTAVE) {
        if (b0 > 1)
            b0--;
        if (b1 + 1 < PRV_HIST_BINS)
            b1++;
        else if (b0 <= 1)
            break;
    }
    rp_report_stat_t d;
    rp_report_stat_derive(r, s, &d);
    char nb[8], title[160], p50[32], p99[32], p999[32];
    uint64_t hz = rp_report_clock(r);
    rp_report_fmt_time(d.p50, hz, p50, sizeof p50);
    rp_report_fmt_time(d.p99, hz, p99, sizeof p99);
    rp_report_fmt_time(d.p999, hz, p999, sizeof p999);
    snprintf(title, sizeof title, "%s: %" PRIu64 " ops, p50 %s, p99 %s, p99.9 %s", rp_report_op_name(op, nb), s->count,
             p50, p99, p999);
    fputs("<h3>", f);
    prv_esc(f, title);
    fputs("</h3>\n", f);
    double left = 50, top = 10, w = PRV_W - left - 20, hh = 120, H = top + hh + 36;
    unsigned nb_bins = b1 - b0 + 1;
    double bw = w / nb_bins;
    char label[160], t1[32], t2[32];
    prv_svg_open(f, PRV_W, H, title);
    fputs("<line x1=\"", f);
    prv_n(f, left);
    fputs("\" y1=\"", f);
    prv_n(f, top + hh);
    fputs("\" x2=\"", f);
    prv_n(f, left + w);
    fputs("\" y2=\"", f);
    prv_n(f, top + hh);
    fputs("\" stroke=\"#999\"/>\n", f);
    for (unsigned i = b0; i <= b1; i++) {
        if (bins[i] <= 0)
            continue;
        double bh = hh * bins[i] / maxc;
        if (bh < 1)
            bh = 1;
        prv_rect(f, left + (i - b0) * bw + 0.5, top + hh - bh, bw - 1, bh, prv_op_color(op));
        rp_report_fmt_time(prv_bin_lo(i), hz, t1, sizeof t1);
        rp_report_fmt_time(prv_bin_lo(i + 1), hz, t2, sizeof t2);
        snprintf(label, sizeof label, "%s to %s: %.0f ops", t1, t2, bins[i]);
        fputs("<title>", f);
        prv_esc(f, label);
        fputs("</title></rect>\n", f);
    }
    /* Axis labels at every octave (log x). */
    unsigned step = PRV_HIST_PER_OCTAVE * (nb_bins > 40 ? 2 : 1);
    for (unsigned i = b0; i <= b1 + 1; i++) {
        if (i == 0 || (i - 1) % step != 0)
            continue;
        rp_report_fmt_time(prv_bin_lo(i), hz, t1, sizeof t1);
        /* Centred, but kept inside the chart at its right end. */
        double x = left + (i - b0) * bw;
        prv_text(f, x, top + hh + 14, x > left + w - 30 ? "end" : "middle", t1);
    }
    /* p50 and p99 markers. */
    double marks[2] = { d.p50, d.p99 };
    const char *mname[2] = { "p50", "p99" };
    for (unsigned k = 0; k < 2; k++) {
        unsigned bi = prv_bin_of((uint64_t)marks[k]);
        if (bi < b0 || bi > b1)
            continue;
        double lo = prv_bin_lo(bi), hi = prv_bin_lo(bi + 1), frac = 0.5;
        if (bi > 0 && hi > lo && marks[k] >= lo)
            frac = (log2(marks[k]) - log2(lo)) / (log2(hi) - log2(lo));
        double x = left + (bi - b0 + frac) * bw;
        fputs("<line x1=\"", f);
        prv_n(f, x);
        fputs("\" y1=\"", f);
        prv_n(f, top);
        fputs("\" x2=\"", f);
        prv_n(f, x);
        fputs("\" y2=\"", f);
        prv_n(f, top + hh);
        fputs("\" stroke=\"#000\" stroke-dasharray=\"2,2\"/>", f);
        prv_text(f, x + 3, top + 10 + 12 * k, "start", mname[k]);
    }
    prv_text(f, left + w / 2, H - 4, "middle", "duration (log scale); bar height = ops");
    fputs("</svg>\n", f);
}

static void prv_histograms(FILE *f, const rp_report_t *r)
{
    unsigned ops[RP_AGG_MAX_OPS], n = rp_report_ops(ops);
    fputs("<section id=\"latency\">\n<h2>Latency histograms</h2>\n<p class=\"muted\">Durations per op on a "
          "logarithmic axis, four bins per doubling, from the bounded histograms (quantile error &le; 1 %). Hover a "
          "bar for its range and count.</p>\n",
          f);
    for (unsigned i = 0; i < n; i++) {
        const rp_agg_stat_t *s = rp_agg_op(r->agg, ops[i]);
        if (s && s->count)
            prv_hist_chart(f, r, ops[i], s);
    }
    fputs("</section>\n", f);
}

/* The time axis of the series charts: interval i covers [i w, (i + 1) w)
 * of the run, and the last one ends with the run. Columns are drawn to
 * scale so that the axis ends at the run time, and a cut interval's share
 * is of its own length (at full width it would read as activity falling
 * off at the end). */
typedef struct prv_axis {
    double w;      /* interval, ticks */
    double span;   /* axis length, ticks: the run time when it fits the series */
    double scale;  /* pixels per tick */
} prv_axis_t;

static prv_axis_t prv_axis(const rp_report_t *r, double w, uint32_t used, double cw)
{
    double run = (double)rp_report_run_ticks(r), full = w * used;
    double span = run > full - w && run <= full ? run : full;
    return (prv_axis_t){ w, span, cw / span };
}

/* Length of interval i in ticks (the last may be cut). */
static double prv_axis_len(const prv_axis_t *a, uint32_t i)
{
    double rest = a->span - a->w * i;
    return rest < a->w ? rest : a->w;
}

/* Stacked per-op columns over the time series: busy share of each
 * interval (with the idle gaps), or ops per second. */
static void prv_series_chart(FILE *f, const rp_report_t *r, bool rates)
{
    const rp_agg_totals_t *t = rp_agg_totals(r->agg);
    const rp_agg_bucket_t *b = rp_agg_series(r->agg);
    uint32_t used = t->series_used <= RP_AGG_SERIES_BUCKETS ? t->series_used : RP_AGG_SERIES_BUCKETS;
    if (!b || !used || !t->series_width)
        return;
    unsigned ops[RP_AGG_MAX_OPS], n = rp_report_ops(ops);
    uint64_t hz = rp_report_clock(r);
    double w = (double)t->series_width;
    double left = 60, top = 10, cw = PRV_W - left - 20, ch = 160, H = top + ch + 34;
    prv_axis_t ax = prv_axis(r, w, used, cw);
    double maxsum = rates ? 0.0 : 1.0;
    for (uint32_t i = 0; i < used; i++) {
        double len = prv_axis_len(&ax, i);
        /* Rates are per second of run time (per tick without a clock). */
        double len_s = hz ? len / (double)hz : len;
        double sum = rates ? 0.0 : (double)b[i].gap_ticks / len;
        for (unsigned k = 0; k < n; k++)
            if (ops[k] != RP_OP_SPAN)
                sum += rates ? (double)b[i].count[ops[k]] / len_s : (double)b[i].busy[ops[k]] / len;
        if (sum > maxsum)
            maxsum = sum;
    }
    if (!(maxsum > 0))
        return;
    char tw[32], label[160], nb[8], num[32];
    rp_report_fmt_time(w, hz, tw, sizeof tw);
    if (rates) {
        fputs("<h3>Operations per second over the run</h3>\n<p class=\"muted\">Each column is one interval of ", f);
        prv_esc(f, tw);
        fputs("; its stacked height is the rate of each op started in it.</p>\n", f);
    } else {
        fputs("<h3>Busy time per op over the run</h3>\n<p class=\"muted\">Each column is one interval of ", f);
        prv_esc(f, tw);
        fputs("; its stacked height is the busy time of each op (and the idle gaps starting there) as a share of "
              "the interval.</p>\n",
              f);
    }
    prv_legend(f, r, !rates);
    prv_svg_open(f, PRV_W, H, rates ? "operations per second over the run" : "busy time per op over the run");
    for (uint32_t i = 0; i < used; i++) {
        double len = prv_axis_len(&ax, i), len_s = hz ? len / (double)hz : len;
        double col_x = left + i * w * ax.scale, colw = len * ax.scale;
        double y = top + ch;
        for (unsigned k = 0; k <= n; k++) {
            double v;
            const char *color;
            const char *name;
            if (k < n) {
                uint64_t x = rates ? b[i].count[ops[k]] : b[i].busy[ops[k]];
                if (ops[k] == RP_OP_SPAN || !x)
                    continue;
                v = rates ? (double)x / len_s : (double)x / len;
                color = prv_op_color(ops[k]);
                name = rp_report_op_name(ops[k], nb);
            } else {
                if (rates || !b[i].gap_ticks)
                    continue;
                v = (double)b[i].gap_ticks / len;
                color = "#cccccc";
                name = "idle gaps";
            }
            double hh = ch * v / maxsum;
            y -= hh;
            prv_rect(f, col_x, y, colw > 1.5 ? colw - 0.5 : colw, hh, color);
            if (rates) {
                rp_report_fmt_si(v, num, sizeof num);
                snprintf(label, sizeof label, "interval %u: %s %s ops/s", (unsigned)i, name, num);
            } else {
                snprintf(label, sizeof label, "interval %u: %s %.1f %%, %" PRIu64 " op(s)", (unsigned)i, name,
                         v * 100.0, k < n ? b[i].count[ops[k]] : (uint64_t)0);
            }
            fputs("<title>", f);
            prv_esc(f, label);
            fputs("</title></rect>", f);
        }
        fputc('\n', f);
    }
    /* y axis: the top value, and 100 % for shares */
    double ref = rates ? maxsum : 1.0;
    fputs("<line x1=\"", f);
    prv_n(f, left);
    fputs("\" y1=\"", f);
    prv_n(f, top + ch - ch * ref / maxsum);
    fputs("\" x2=\"", f);
    prv_n(f, left + cw);
    fputs("\" y2=\"", f);
    prv_n(f, top + ch - ch * ref / maxsum);
    fputs("\" stroke=\"#999\" stroke-dasharray=\"3,3\"/>", f);
    if (rates) {
        rp_report_fmt_si(maxsum, num, sizeof num);
        snprintf(label, sizeof label, "%s/s", num);
    } else {
        snprintf(label, sizeof label, "100 %%");
    }
    prv_text(f, left - 4, top + ch - ch * ref / maxsum + 4, "end", label);
    prv_text(f, left - 4, top + ch + 4, "end", "0");
    prv_text(f, left, top + ch + 16, "start", "0");
    char end[32];
    rp_report_fmt_time(ax.span, hz, end, sizeof end);
    prv_text(f, left + cw, top + ch + 16, "end", end);
    prv_text(f, left + cw / 2, H - 4, "middle", "run time");
    fputs("</svg>\n", f);
}

typedef struct prv_span {
    uint64_t start, end;
    uint32_t arg;
} prv_span_t;

static int prv_span_cmp(const void *a, const void *b)
{
    const prv_span_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return 0;
}

/* Gantt chart of the first events (rp_agg_timeline): one lane per tile, the
 * MCU's COMPUTE, and the spans nested by depth. */
static void prv_gantt(FILE *f, const rp_report_t *r)
{
    size_t n = 0;
    const rp_record_t *ev = rp_agg_timeline(r->agg, &n);
    if (!ev || !n)
        return;
    uint64_t t0 = UINT64_MAX, t1 = 0;
    bool tile_used[256] = { false };
    bool mcu = false, other = false;
    size_t nspans = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].start < t0)
            t0 = ev[i].start;
        if (ev[i].start + ev[i].duration > t1)
            t1 = ev[i].start + ev[i].duration;
        switch (ev[i].op) {
        case RP_OP_SPAN: nspans++; break;
        case RP_OP_COMPUTE: mcu = true; break;
        case RP_OP_WRITE:
        case RP_OP_VERIFY:
        case RP_OP_READ:
        case RP_OP_MVM:
        case RP_OP_TRANSFER: tile_used[ev[i].tile] = true; break;
        default: other = true; break;
        }
    }
    if (t1 <= t0)
        t1 = t0 + 1;
    /* Span depths: sorted by start (longest first), a stack of ends. */
    prv_span_t *sp = nspans ? calloc(nspans, sizeof *sp) : NULL;
    unsigned *depth = nspans ? calloc(nspans, sizeof *depth) : NULL;
    unsigned maxdepth = 0;
    if (nspans && (!sp || !depth)) {
        nspans = 0;
    } else if (nspans) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (ev[i].op == RP_OP_SPAN)
                sp[k++] = (prv_span_t){ ev[i].start, ev[i].start + ev[i].duration, ev[i].arg };
        qsort(sp, nspans, sizeof *sp, prv_span_cmp);
        uint64_t stack[8];
        unsigned top = 0;
        for (size_t i = 0; i < nspans; i++) {
            while (top && stack[top - 1] <= sp[i].start)
                top--;
            depth[i] = top;
            if (top > maxdepth)
                maxdepth = top;
            if (top < 8)
                stack[top++] = sp[i].end;
        }
    }
    unsigned lanes_tile = 0;
    for (unsigned t = 0; t < 256; t++)
        lanes_tile += tile_used[t];
    double left = 70, laneh = 16, spanh = 10, cw = PRV_W - left - 20;
    double span_lane = nspans ? (maxdepth + 1) * spanh + 6 : 0;
    double H = 10 + span_lane + (lanes_tile + mcu + other) * laneh + 30;
    double scale = cw / (double)(t1 - t0);
    uint64_t hz = rp_report_clock(r);
    char label[200], nb[8], d1[32], d2[32];

    rp_report_fmt_time((double)(t1 - t0), hz, d1, sizeof d1);
    fprintf(f, "<h3>The first %zu events, per tile</h3>\n<p class=\"muted\">A Gantt chart of the first ", n);
    prv_esc(f, d1);
    fputs(" of the run (the first events the aggregator kept); spans on top, nested by depth. `rramprof export "
          "--format chrome-trace` gives the whole run for Perfetto.</p>\n",
          f);
    prv_svg_open(f, PRV_W, H, "timeline of the first events");
    double y = 10;
    if (nspans) {
        prv_text(f, left - 6, y + 10, "end", "spans");
        for (size_t i = 0; i < nspans; i++) {
            double x = left + (double)(sp[i].start - t0) * scale;
            double w = (double)(sp[i].end - sp[i].start) * scale;
            prv_rect(f, x, y + depth[i] * spanh, w < 0.5 ? 0.5 : w, spanh - 1, "#9e9e9e");
            char name[RP_SESSION_STR_MAX * 2];
            rp_report_group_name(r, sp[i].arg, name, sizeof name);
            rp_report_fmt_time((double)(sp[i].end - sp[i].start), hz, d2, sizeof d2);
            snprintf(label, sizeof label, "span %s: %s", name, d2);
            fputs("<title>", f);
            prv_esc(f, label);
            fputs("</title></rect>\n", f);
        }
        y += span_lane;
    }
    for (unsigned lane = 0; lane < 258; lane++) {
        /* lanes: tiles in order, then mcu (256), then other (257) */
        if ((lane < 256 && !tile_used[lane]) || (lane == 256 && !mcu) || (lane == 257 && !other))
            continue;
        char lname[32];
        if (lane < 256)
            snprintf(lname, sizeof lname, "tile %u", lane);
        else
            snprintf(lname, sizeof lname, "%s", lane == 256 ? "mcu" : "other");
        prv_text(f, left - 6, y + 12, "end", lname);
        for (size_t i = 0; i < n; i++) {
            const rp_record_t *e = &ev[i];
            unsigned el;
            if (e->op == RP_OP_SPAN)
                continue;
            if (e->op == RP_OP_COMPUTE)
                el = 256;
            else if (e->op >= RP_OP_WRITE && e->op <= RP_OP_TRANSFER)
                el = e->tile;
            else
                el = 257;
            if (el != lane)
                continue;
            double x = left + (double)(e->start - t0) * scale;
            double w = (double)e->duration * scale;
            /* TRANSFER sits in the lower half so an MVM it serves stays visible. */
            bool low = e->op == RP_OP_TRANSFER;
            prv_rect(f, x, y + (low ? laneh / 2 : 1), w < 0.3 ? 0.3 : w, low ? laneh / 2 - 1 : laneh - 2,
                     prv_op_color(e->op));
            rp_report_fmt_time((double)e->duration, hz, d2, sizeof d2);
            snprintf(label, sizeof label, "%s row %u+%u: %s", rp_report_op_name(e->op, nb), e->row, e->rows, d2);
            fputs("<title>", f);
            prv_esc(f, label);
            fputs("</title></rect>\n", f);
        }
        y += laneh;
    }
    prv_text(f, left, H - 6, "start", "0");
    prv_text(f, left + cw, H - 6, "end", d1);
    fputs("</svg>\n", f);
    prv_legend(f, r, false);
    free(sp);
    free(depth);
}

/* White (0) to a full colour (1). */
static void prv_heat_color(double v, unsigned r1, unsigned g1, unsigned b1, char out[8])
{
    if (!(v > 0))
        v = 0;
    if (v > 1)
        v = 1;
    unsigned rr = (unsigned)(255 - (255 - r1) * v + 0.5), gg = (unsigned)(255 - (255 - g1) * v + 0.5),
             bb = (unsigned)(255 - (255 - b1) * v + 0.5);
    snprintf(out, 8, "#%02x%02x%02x", rr & 0xFF, gg & 0xFF, bb & 0xFF);
}

static void prv_util_heatmap(FILE *f, const rp_report_t *r)
{
    const rp_agg_totals_t *t = rp_agg_totals(r->agg);
    uint32_t used = t->series_used <= RP_AGG_SERIES_BUCKETS ? t->series_used : RP_AGG_SERIES_BUCKETS;
    unsigned tiles[PRV_MAX_HEAT_TILES], nt = 0;
    for (unsigned tile = 0; tile < t->tiles_seen && tile < RP_AGG_MAX_TILES && nt < PRV_MAX_HEAT_TILES; tile++)
        if (rp_agg_tile_series(r->agg, tile))
            tiles[nt++] = tile;
    fputs("<h3>Utilization per tile over time</h3>\n", f);
    if (!nt || !used || !t->series_width) {
        fputs("<p>No tile activity.</p>\n", f);
        return;
    }
    uint64_t hz = rp_report_clock(r);
    char tw[32], label[120], color[8];
    rp_report_fmt_time((double)t->series_width, hz, tw, sizeof tw);
    fputs("<p class=\"muted\">Busy time of each tile's ops per interval of ", f);
    prv_esc(f, tw);
    fputs(" (white idle, dark blue fully busy).</p>\n", f);
    double left = 70, top = 6, cw = PRV_W - left - 20, rowh = 18, H = top + nt * rowh + 24;
    double w = (double)t->series_width;
    prv_axis_t ax = prv_axis(r, w, used, cw);
    prv_svg_open(f, PRV_W, H, "utilization per tile over time");
    for (unsigned k = 0; k < nt; k++) {
        const uint64_t *ts = rp_agg_tile_series(r->agg, tiles[k]);
        double y = top + k * rowh;
        char lname[24];
        snprintf(lname, sizeof lname, "tile %u", tiles[k]);
        prv_text(f, left - 6, y + 13, "end", lname);
        for (uint32_t i = 0; i < used; i++) {
            double len = prv_axis_len(&ax, i);
            double v = (double)ts[i] / len;
            prv_heat_color(v, 8, 48, 107, color);
            prv_rect(f, left + i * w * ax.scale, y, len * ax.scale, rowh - 2, color);
            snprintf(label, sizeof label, "tile %u, interval %u: %.1f %% busy", tiles[k], (unsigned)i, v * 100.0);
            fputs("<title>", f);
            prv_esc(f, label);
            fputs("</title></rect>", f);
        }
        fputc('\n', f);
    }
    char end[32];
    rp_report_fmt_time(ax.span, hz, end, sizeof end);
    prv_text(f, left, H - 6, "start", "0");
    prv_text(f, left + cw, H - 6, "end", end);
    fputs("</svg>\n", f);
}

static void prv_wear_heatmap(FILE *f, const rp_report_t *r)
{
    fputs("<h3>Wear: write pulses per row</h3>\n", f);
    const rp_memuse_totals_t *t = r->mem ? rp_memuse_totals(r->mem) : NULL;
    if (!t || !t->tiles || !t->rows_per_tile) {
        fputs("<p>No array geometry known.</p>\n", f);
        return;
    }
    unsigned nt = t->tiles < PRV_MAX_HEAT_TILES ? t->tiles : PRV_MAX_HEAT_TILES;
    uint32_t rows = t->rows_per_tile;
    unsigned bins = rows < PRV_WEAR_BINS ? rows : PRV_WEAR_BINS;
    uint32_t per = (rows + bins - 1) / bins;
    bins = (rows + per - 1) / per;
    uint64_t maxp = 0;
    for (unsigned tile = 0; tile < nt; tile++) {
        const uint32_t *p = rp_memuse_row_pulses(r->mem, tile);
        for (uint32_t i = 0; p && i < rows; i++)
            if (p[i] > maxp)
                maxp = p[i];
    }
    fprintf(f, "<p class=\"muted\">Most pulses on a row of each block of %u row(s) (white none, dark red %" PRIu64
               " pulses, the most on any row)",
            per, maxp);
    if (t->endurance_cycles)
        fprintf(f, "; endurance %" PRIu64 " cycles", t->endurance_cycles);
    fputs(".</p>\n", f);
    double left = 70, top = 6, cw = PRV_W - left - 20, rowh = 18, H = top + nt * rowh + 24;
    double colw = cw / bins;
    char label[120], color[8];
    prv_svg_open(f, PRV_W, H, "write pulses per row");
    for (unsigned tile = 0; tile < nt; tile++) {
        const uint32_t *p = rp_memuse_row_pulses(r->mem, tile);
        double y = top + tile * rowh;
        char lname[24];
        snprintf(lname, sizeof lname, "tile %u", tile);
        prv_text(f, left - 6, y + 13, "end", lname);
        for (unsigned b = 0; p && b < bins; b++) {
            uint32_t m = 0;
            for (uint32_t i = b * per; i < (b + 1) * per && i < rows; i++)
                if (p[i] > m)
                    m = p[i];
            prv_heat_color(maxp ? (double)m / (double)maxp : 0.0, 165, 15, 21, color);
            prv_rect(f, left + b * colw, y, colw, rowh - 2, color);
            snprintf(label, sizeof label, "tile %u rows %u-%u: up to %u pulses", tile, b * per,
                     (b + 1) * per - 1 < rows - 1 ? (b + 1) * per - 1 : rows - 1, m);
            fputs("<title>", f);
            prv_esc(f, label);
            fputs("</title></rect>", f);
        }
        fputc('\n', f);
    }
    prv_text(f, left, H - 6, "start", "row 0");
    char last[24];
    snprintf(last, sizeof last, "row %u", rows - 1);
    prv_text(f, left + cw, H - 6, "end", last);
    fputs("</svg>\n", f);
}

static void prv_area_row(FILE *f, const rp_report_t *r, const char *what, const rp_memuse_area_t *x)
{
    fputs("<tr><td>", f);
    prv_esc(f, what);
    fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.2f</td><td class=\"n\">%.2f</td>"
               "<td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
            x->rows_accessed, x->write_once_ratio, x->reads_per_write, x->dead_writes);
    prv_time(f, r, x->retention_mean);
    fputs("</td><td class=\"n\">", f);
    prv_time(f, r, x->interval_mean);
    fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">", x->max_row_pulses);
    if (x->lifetime_s >= 0)
        fprintf(f, "%.3g days", x->lifetime_s / 86400.0);
    else
        fputs("-", f);
    fprintf(f, "</td><td><strong>%s</strong></td><td>", rp_memuse_label_name(x->label));
    prv_esc(f, x->reason);
    fputs("</td></tr>\n", f);
}

static void prv_memory(FILE *f, const rp_report_t *r)
{
    fputs("<section id=\"memory\">\n<h2>RRAM memory analytics</h2>\n", f);
    const rp_memuse_totals_t *t = r->mem ? rp_memuse_totals(r->mem) : NULL;
    if (!t || !t->tiles) {
        fputs("<p>No array geometry known: nothing to show.</p>\n</section>\n", f);
        return;
    }
    fputs("<p class=\"muted\">Per tile and region (blocks of rows). write-once = rows programmed once / rows "
          "programmed; reads/write = row reads / programs; retention = time from a program to the last read of it; "
          "lifetime, all pulses = the most pulsed row's time to its endurance limit at this run's pulse rate; "
          "the label looks at recurring rewrites alone (\"rewrites wear out in\"); "
          "label: whether to keep that data in RRAM (docs/report.md gives the criteria).</p>\n",
          f);
    fputs("<table><tr><th>area</th><th>rows accessed</th><th>write-once</th><th>reads/write</th><th>dead writes</th>"
          "<th>retention</th><th>inter-access</th><th>max row pulses</th><th>lifetime, all pulses</th><th>label</th>"
          "<th>why</th></tr>\n",
          f);
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
            snprintf(what, sizeof what, "  rows %u-%u", y->row_first, y->row_first + y->row_count - 1);
            prv_area_row(f, r, what, y);
        }
    }
    fputs("</table>\n", f);
    if (t->hotspot_count) {
        fputs("<h3>Endurance hotspots</h3>\n<table><tr><th>tile</th><th>row</th><th>pulses</th><th>pulses/s</th>"
              "<th>time to endurance limit</th></tr>\n",
              f);
        for (uint32_t i = 0; i < t->hotspot_count && i < RP_MEMUSE_MAX_HOTSPOTS; i++) {
            const rp_memuse_hotspot_t *h = &t->hotspots[i];
            fprintf(f, "<tr><td class=\"n\">%u</td><td class=\"n\">%u</td><td class=\"n\">%" PRIu64
                       "</td><td class=\"n\">%.4g</td><td class=\"n\">",
                    h->tile, h->row, h->pulses, h->pulses_per_s);
            if (h->lifetime_s >= 0)
                fprintf(f, "%.3g days", h->lifetime_s / 86400.0);
            else
                fputs("unknown", f);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("</section>\n", f);
}

static void prv_tiles_names(FILE *f, const rp_report_t *r)
{
    const rp_agg_t *a = r->agg;
    const rp_agg_totals_t *t = rp_agg_totals(a);
    fputs("<section id=\"tables\">\n<h2>Tiles, spans, write-verify</h2>\n<table><tr><th>tile</th><th>utilization"
          "</th><th>ops</th><th>busy</th><th>mean</th><th>p99</th></tr>\n",
          f);
    for (unsigned tile = 0; tile < t->tiles_seen && tile < RP_AGG_MAX_TILES; tile++) {
        const rp_agg_stat_t *s = rp_agg_tile(a, tile);
        if (!s || !s->count)
            continue;
        rp_report_stat_t d;
        rp_report_stat_derive(r, s, &d);
        fprintf(f, "<tr><td>tile %u</td><td class=\"n\">%.1f %%</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
                tile, d.share * 100.0, s->count);
        prv_time(f, r, (double)s->busy_ticks);
        fputs("</td><td class=\"n\">", f);
        prv_time(f, r, d.mean);
        fputs("</td><td class=\"n\">", f);
        prv_time(f, r, d.p99);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    uint32_t nn = rp_agg_name_count(a);
    if (nn) {
        char nb[8];
        fputs("<table><tr><th>name</th><th>kind</th><th>count</th><th>busy</th><th>share</th><th>mean</th>"
              "<th>p99</th></tr>\n",
              f);
        for (uint32_t i = 0; i < nn; i++) {
            const rp_agg_name_t *g = rp_agg_name(a, i);
            if (!g)
                continue;
            char name[RP_SESSION_STR_MAX * 2];
            rp_report_group_name(r, g->id, name, sizeof name);
            rp_report_stat_t d;
            rp_report_stat_derive(r, &g->stat, &d);
            fputs("<tr><td>", f);
            prv_esc(f, name);
            fprintf(f, "</td><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
                    rp_report_op_name(g->op, nb), g->stat.count);
            prv_time(f, r, (double)g->stat.busy_ticks);
            fprintf(f, "</td><td class=\"n\">%.1f %%</td><td class=\"n\">", d.share * 100.0);
            prv_time(f, r, d.mean);
            fputs("</td><td class=\"n\">", f);
            prv_time(f, r, d.p99);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    const rp_agg_wv_t *wv = rp_agg_wv(a);
    if (wv->episodes) {
        fprintf(f, "<p>Write-verify: %" PRIu64 " programming episode(s), %.2f pulses each on average, %" PRIu64
                   " not converged; ",
                wv->episodes, (double)wv->pulses / (double)wv->episodes, wv->not_converged);
        prv_time(f, r, (double)wv->ticks);
        fputs(" of WRITE + VERIFY time.</p>\n<table><tr><th>pulses</th><th>episodes</th></tr>\n", f);
        for (unsigned p = 0; p < RP_AGG_WV_MAX_PULSES; p++)
            if (wv->by_pulses[p])
                fprintf(f, "<tr><td class=\"n\">%u</td><td class=\"n\">%" PRIu64 "</td></tr>\n", p, wv->by_pulses[p]);
        fputs("</table>\n", f);
    }
    fputs("</section>\n", f);
}

static void prv_workloads(FILE *f, const rp_report_t *r)
{
    if (!r->stats || !r->session || !r->stats->workload_names)
        return;
    fputs("<section id=\"workloads\">\n<h2>Workloads</h2>\n<table><tr><th>workload</th><th>runs</th><th>passed</th>"
          "<th>failed</th><th>worst error (ppm)</th><th>time</th></tr>\n",
          f);
    for (uint32_t i = 0; i < r->stats->workload_names; i++) {
        const rp_workload_stats_t *w = rp_session_workload(r->session, i);
        if (!w)
            break;
        fputs("<tr><td>", f);
        prv_esc(f, w->name);
        fprintf(f, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td><td class=\"n\">%u</td><td class=\"n\">%" PRId64
                   "</td><td class=\"n\">",
                w->runs, w->passed, w->failed, w->worst_error_ppm);
        prv_time(f, r, (double)w->ticks_total);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</section>\n", f);
}

static void prv_hw(FILE *f, const rp_report_t *r)
{
    rp_report_hw_t hw;
    rp_report_hw_derive(r->device, r->stats, &hw);
    fputs("<section id=\"hw-counters\">\n<h2>Hardware counters</h2>\n<table><tr><th>counter</th><th>value</th></tr>\n",
          f);
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++) {
        fprintf(f, "<tr><td>%s</td>", rp_report_hw_name(i));
        if (hw.state[i] == RP_REPORT_HW_VALUE)
            fprintf(f, "<td class=\"n\">%" PRIu64 "</td></tr>\n", hw.value[i]);
        else
            fprintf(f, "<td class=\"muted\">%s</td></tr>\n", rp_report_hw_state_text(hw.state[i]));
    }
    fputs("</table>\n", f);
    if (hw.derived) {
        fprintf(f, "<table><tr><th>derived</th><th>value</th></tr>\n<tr><td>instructions <span class=\"muted\">(%s)</span>"
                   "</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
                RP_REPORT_HW_FORMULA, hw.instructions);
        fprintf(f, "<tr><td>CPI (cycles / instructions)</td><td class=\"n\">%.3f</td></tr>\n", hw.cpi);
        fprintf(f, "<tr><td>exception overhead (EXCCNT / CYCCNT)</td><td class=\"n\">%.2f %%</td></tr>\n",
                hw.exc_share * 100.0);
        fprintf(f, "<tr><td>sleep (SLEEPCNT / CYCCNT)</td><td class=\"n\">%.2f %%</td></tr>\n", hw.sleep_share * 100.0);
        fprintf(f, "<tr><td>load-store stalls (LSUCNT / CYCCNT)</td><td class=\"n\">%.2f %%</td></tr>\n",
                hw.lsu_share * 100.0);
        fprintf(f, "<tr><td>other multi-cycle stalls (CPICNT / CYCCNT)</td><td class=\"n\">%.2f %%</td></tr>\n</table>\n",
                hw.cpi_share * 100.0);
    } else {
        fprintf(f, "<p>CPI, exception, sleep and load-store shares need all six counters: %s.</p>\n",
                hw.why_not);
    }
    if (hw.valid & ~1u)
        fputs("<p class=\"muted\">" RP_REPORT_HW_NOTE ".</p>\n", f);
    fputs("</section>\n", f);
}

int rp_report_write_html(const char *path, const rp_report_t *r)
{
    rp_report_out_t o;
    if (rp_report_out_open(&o, path) != RP_OK)
        return RP_ERR_IO;
    FILE *f = o.f;
    prv_head(f, r);
    prv_findings(f, r);
    if (r->agg && rp_agg_totals(r->agg)->events) {
        prv_breakdown(f, r);
        prv_histograms(f, r);
        fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", f);
        prv_series_chart(f, r, false);
        prv_series_chart(f, r, true);
        prv_gantt(f, r);
        fputs("</section>\n<section id=\"heatmaps\">\n<h2>Heatmaps</h2>\n", f);
        prv_util_heatmap(f, r);
        prv_wear_heatmap(f, r);
        fputs("</section>\n", f);
        prv_memory(f, r);
        prv_tiles_names(f, r);
        prv_workloads(f, r);
    } else {
        fputs("<section id=\"breakdown\"><h2>Time breakdown by op</h2><p>No events were read.</p></section>\n", f);
    }
    prv_hw(f, r);
    fputs("<footer>Written by rramprof ", f);
    prv_esc(f, r->tool_version ? r->tool_version : "");
    fputs(". summary.json and metrics.csv hold every number; manifest.json the SHA-256 of each file.</footer>\n"
          "</body>\n</html>\n",
          f);
    return rp_report_out_commit(&o);
}
