/* Shared helpers of the report writers. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp_report_int.h"
#include "rramprof/rp_status.h"

int rp_report_out_open(rp_report_out_t *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (snprintf(o->path, sizeof o->path, "%s", path) >= (int)sizeof o->path) {
        errno = ENAMETOOLONG;
        return RP_ERR_IO;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        o->direct = true;
        o->f = fopen(path, "w");
        return o->f ? RP_OK : RP_ERR_IO;
    }
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    return o->f ? RP_OK : RP_ERR_IO;
}

int rp_report_out_commit(rp_report_out_t *o)
{
    if (!o->f)
        return RP_ERR_IO;
    int bad = ferror(o->f);
    int saved = bad ? (errno ? errno : EIO) : 0;
    if (fflush(o->f) != 0 && !saved)
        saved = errno ? errno : EIO;
    if (fclose(o->f) != 0 && !saved)
        saved = errno ? errno : EIO;
    o->f = NULL;
    if (o->direct) {
        errno = saved;
        return saved ? RP_ERR_IO : RP_OK;
    }
    if (!saved && rename(o->tmp, o->path) != 0)
        saved = errno;
    if (saved) {
        unlink(o->tmp);
        errno = saved;
        return RP_ERR_IO;
    }
    return RP_OK;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t prv_utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0xFFu >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static const char prv_replacement[] = "\xEF\xBF\xBD";

void rp_report_utf8_clean(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (!cap)
        return;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
        size_t n = prv_utf8_len(p);
        const char *src = n ? (const char *)p : prv_replacement;
        size_t len = n ? n : 3;
        if (o + len + 1 > cap)
            break;
        memcpy(out + o, src, len);
        o += len;
        p += n ? n : 1;
    }
    out[o] = '\0';
}

const char *rp_report_text_clean(const char *s, char *out, size_t cap)
{
    rp_report_utf8_clean(s, out, cap);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = ' ';
    return out;
}

/* Writes s to f: valid multi-byte UTF-8 sequences as they are, invalid
 * bytes as U+FFFD, and each single byte through ascii(), which escapes it
 * for the output format. */
static void prv_utf8_escape(FILE *f, const char *s, void (*ascii)(FILE *, unsigned char))
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
        size_t n = prv_utf8_len(p);
        if (n == 0) {
            fputs(prv_replacement, f);
            p++;
        } else if (n > 1) {
            fwrite(p, 1, n, f);
            p += n;
        } else {
            ascii(f, *p++);
        }
    }
}

static void prv_json_ascii(FILE *f, unsigned char c)
{
    switch (c) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
        if (c < 0x20 || c == 0x7F)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
}

static void prv_html_ascii(FILE *f, unsigned char c)
{
    switch (c) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default:
        /* Control bytes are not allowed in HTML text. */
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            fputs(prv_replacement, f);
        else
            fputc(c, f);
    }
}

void rp_report_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    prv_utf8_escape(f, s, prv_json_ascii);
    fputc('"', f);
}

void rp_report_json_num(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    /* Integers print as integers (exact up to 2^53), the rest with 17
     * significant digits, which reads back to the same double. */
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.17g", v);
}

void rp_report_html_str(FILE *f, const char *s)
{
    prv_utf8_escape(f, s, prv_html_ascii);
}

void rp_report_csv_str(FILE *f, const char *s)
{
    char clean[1024];
    rp_report_utf8_clean(s, clean, sizeof clean);
    if (!strpbrk(clean, ",\"\r\n")) {
        fputs(clean, f);
        return;
    }
    fputc('"', f);
    for (const char *p = clean; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void rp_report_md_cell(FILE *f, const char *s)
{
    char clean[1024];
    rp_report_utf8_clean(s, clean, sizeof clean);
    for (const char *p = clean; *p; p++) {
        switch (*p) {
        case '|': fputs("\\|", f); break;
        case '\n':
        case '\r': fputc(' ', f); break;
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '`': fputs("\\`", f); break;
        case '*': fputs("\\*", f); break;
        case '_': fputs("\\_", f); break;
        case '[': fputs("\\[", f); break;
        case ']': fputs("\\]", f); break;
        default:
            if ((unsigned char)*p < 0x20)
                fputc(' ', f);
            else
                fputc(*p, f);
        }
    }
}

void rp_report_fmt_time(double ticks, uint64_t clock_hz, char *buf, size_t cap)
{
    if (!isfinite(ticks)) {
        snprintf(buf, cap, "-");
        return;
    }
    if (clock_hz == 0) {
        snprintf(buf, cap, "%.0f ticks", ticks);
        return;
    }
    double s = ticks / (double)clock_hz, a = fabs(s);
    if (a >= 1.0)
        snprintf(buf, cap, "%.3f s", s);
    else if (a >= 1e-3)
        snprintf(buf, cap, "%.3f ms", s * 1e3);
    else if (a >= 1e-6)
        snprintf(buf, cap, "%.3f us", s * 1e6);
    else
        snprintf(buf, cap, "%.1f ns", s * 1e9);
}

void rp_report_fmt_evidence(const rp_evidence_t *e, char *buf, size_t cap, const char **unit)
{
    double v = e->value, a = fabs(v);
    *unit = e->unit;
    if (!isfinite(v)) {
        snprintf(buf, cap, "-");
    } else if (strcmp(e->unit, "s") == 0) {
        /* As rp_report_fmt_time writes it (seconds are ticks of a 1 Hz
         * clock), the unit split off for tables. */
        rp_report_fmt_time(v, 1u, buf, cap);
        char *space = strrchr(buf, ' ');
        if (space) {
            *space = '\0';
            *unit = space + 1;
        }
    } else if ((v == floor(v) && a < 1e15) || a >= 1000.0) {
        snprintf(buf, cap, "%.0f", v);
    } else {
        snprintf(buf, cap, a >= 1e-4 ? "%.4g" : "%.3g", v);
    }
}

void rp_report_fmt_si(double v, char *buf, size_t cap)
{
    static const char *const suffix[] = { "", "k", "M", "G", "T", "P" };
    unsigned i = 0;
    if (!isfinite(v)) {
        snprintf(buf, cap, "-");
        return;
    }
    while (fabs(v) >= 1000.0 && i + 1 < sizeof suffix / sizeof suffix[0]) {
        v /= 1000.0;
        i++;
    }
    snprintf(buf, cap, i ? "%.3g%s" : "%.4g%s", v, suffix[i]);
}

uint64_t rp_report_clock(const rp_report_t *r)
{
    if (r->agg) {
        uint64_t hz = rp_agg_totals(r->agg)->clock_hz;
        if (hz)
            return hz;
    }
    return r->device && r->device->valid ? r->device->clock_hz : 0;
}

double rp_report_seconds(const rp_report_t *r, double ticks)
{
    uint64_t hz = rp_report_clock(r);
    return hz ? ticks / (double)hz : 0.0;
}

uint64_t rp_report_run_ticks(const rp_report_t *r)
{
    return r->agg ? rp_agg_totals(r->agg)->run_ticks : 0;
}

void rp_report_stat_derive(const rp_report_t *r, const rp_agg_stat_t *s, rp_report_stat_t *out)
{
    memset(out, 0, sizeof *out);
    uint64_t run = rp_report_run_ticks(r);
    double run_s = rp_report_seconds(r, (double)run);
    out->share = run ? (double)s->busy_ticks / (double)run : 0.0;
    if (s->hist && s->hist->count) {
        out->mean = rp_hist_mean(s->hist);
        out->p50 = (double)rp_hist_quantile(s->hist, 0.5);
        out->p90 = (double)rp_hist_quantile(s->hist, 0.9);
        out->p99 = (double)rp_hist_quantile(s->hist, 0.99);
        out->p999 = (double)rp_hist_quantile(s->hist, 0.999);
        out->min = s->hist->min;
        out->max = s->hist->max;
    } else if (s->count) {
        out->mean = (double)s->busy_ticks / (double)s->count;
    }
    if (run_s > 0) {
        out->ops_per_s = (double)s->count / run_s;
        out->bytes_per_s = (double)s->bytes / run_s;
        out->macs_per_s = (double)s->macs / run_s;
    }
}

void rp_report_group_name(const rp_report_t *r, uint32_t id, char *buf, size_t cap)
{
    const char *n = r->session ? rp_session_name(r->session, id) : NULL;
    if (n)
        rp_report_utf8_clean(n, buf, cap);
    else
        snprintf(buf, cap, "name #%u", (unsigned)id);
}

const char *rp_report_op_name(unsigned op, char buf[8])
{
    if (op < RP_OP_COUNT)
        return rp_op_name(op);
    snprintf(buf, 8, "OP%u", op & 0xFFu);
    return buf;
}

unsigned rp_report_ops(unsigned out[RP_AGG_MAX_OPS])
{
    static const unsigned order[] = { RP_OP_WRITE, RP_OP_VERIFY, RP_OP_READ, RP_OP_MVM,
                                      RP_OP_TRANSFER, RP_OP_COMPUTE, RP_OP_SPAN, RP_OP_NONE };
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        out[n++] = order[i];
    for (unsigned op = RP_OP_COUNT; op < RP_AGG_MAX_OPS; op++)
        out[n++] = op;
    return n;
}

const char *rp_report_reset_line(const rp_report_t *r, char *buf, size_t cap)
{
    const rp_device_info_t *d = r->device;
    if (!d || !d->valid || cap == 0)
        return NULL;
    char why[96];
    rp_reset_text(d->reset_cause, d->fatal_reason, why, sizeof why);
    uint32_t resets = r->stats ? r->stats->boots.resets : 0;
    if (resets)
        snprintf(buf, cap, "%s; %" PRIu32 " reset(s) during the capture", why, resets);
    else
        snprintf(buf, cap, "%s", why);
    return buf;
}

const char *rp_report_integrity_word(const rp_report_t *r)
{
    if (!r->is_capture)
        return "raw link stream";
    if (!r->integrity)
        return "unknown";
    switch (r->integrity->stop) {
    case RP_CAPTURE_STOP_END: return "complete";
    case RP_CAPTURE_STOP_EOF: return "not closed cleanly (all chunks recovered)";
    case RP_CAPTURE_STOP_NONE: return "not read";
    default: return "damaged";
    }
}

const char *rp_report_validity(const rp_report_t *r)
{
    return r->analysis ? rp_validity_name(r->analysis->validity.cls) : "unknown";
}

void rp_report_validity_detail(const rp_report_t *r, char *buf, size_t size)
{
    const rp_validity_t *v = r->analysis ? &r->analysis->validity : NULL;
    int n;
    if (v && v->recorder_cls != RP_VALIDITY_UNKNOWN)
        n = snprintf(buf, size, "the recorder took %.2f %% of the run", v->recorder_share * 100.0);
    else
        n = snprintf(buf, size, "the recorder's own cost is unknown (no Counters)");
    if (v && v->loss_share > 0.0 && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "; %.2f %% of the events were lost", v->loss_share * 100.0);
}

/* ---- hardware counters ---- */

const char *rp_report_hw_name(unsigned i)
{
    static const char *const names[RP_REPORT_HW_COUNTERS] = { "CYCCNT", "CPICNT", "EXCCNT",
                                                              "SLEEPCNT", "LSUCNT", "FOLDCNT" };
    return i < RP_REPORT_HW_COUNTERS ? names[i] : "?";
}

const char *rp_report_hw_state_text(rp_report_hw_state_t s)
{
    switch (s) {
    case RP_REPORT_HW_VALUE:
        return "";
    case RP_REPORT_HW_NOT_ON_BOARD:
        return RP_REPORT_HW_MISSING;
    case RP_REPORT_HW_NOT_SENT:
        return "not sent by the device";
    default:
        return "unknown (no Hello received)";
    }
}

bool rp_report_hw_derive(const rp_device_info_t *d, const rp_session_stats_t *st, rp_report_hw_t *out)
{
    memset(out, 0, sizeof *out);
    bool hello = d && d->valid;
    bool counters = st && st->has_counters;
    out->available = hello ? d->counters_available : 0;
    out->valid = counters ? st->counters.hw_valid : 0;
    uint64_t v[RP_REPORT_HW_COUNTERS] = { 0 };
    if (counters) {
        const rp_counters_t *c = &st->counters;
        v[0] = c->hw_cycles;
        v[1] = c->hw_cpi;
        v[2] = c->hw_exc;
        v[3] = c->hw_sleep;
        v[4] = c->hw_lsu;
        v[5] = c->hw_fold;
    }
    bool any = false;
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++) {
        uint32_t bit = 1u << i;
        /* A value the Counters mark valid is shown even without a Hello
         * saying so; a zero that is not marked valid is never shown. */
        if (out->valid & bit) {
            out->state[i] = RP_REPORT_HW_VALUE;
            out->value[i] = v[i];
            any = true;
        } else if (!hello) {
            out->state[i] = RP_REPORT_HW_UNKNOWN;
        } else if (out->available & bit) {
            out->state[i] = RP_REPORT_HW_NOT_SENT;
        } else {
            out->state[i] = RP_REPORT_HW_NOT_ON_BOARD;
        }
    }
    bool all = true;
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++)
        all = all && out->state[i] == RP_REPORT_HW_VALUE;
    uint64_t cyc = out->value[0];
    uint64_t spent = out->value[1] + out->value[2] + out->value[3] + out->value[4];
    if (all && cyc > 0 && cyc + out->value[5] > spent) {
        out->derived = true;
        out->instructions = cyc + out->value[5] - spent;
        out->cpi = (double)cyc / (double)out->instructions;
        out->exc_share = (double)out->value[2] / (double)cyc;
        out->sleep_share = (double)out->value[3] / (double)cyc;
        out->lsu_share = (double)out->value[4] / (double)cyc;
        out->cpi_share = (double)out->value[1] / (double)cyc;
    } else if (all) {
        out->why_not = "no cycles were counted";
    } else {
        /* The reason of the first counter missing. */
        for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS && !out->why_not; i++)
            if (out->state[i] != RP_REPORT_HW_VALUE)
                out->why_not = rp_report_hw_state_text(out->state[i]);
    }
    return any;
}

void rp_report_hw_line(const rp_report_hw_t *hw, char *buf, size_t cap)
{
    size_t at = 0;
#define PRV_PUT(...)                                                                   \
    do {                                                                               \
        if (at < cap) {                                                                \
            int n_ = snprintf(buf + at, cap - at, __VA_ARGS__);                        \
            at = n_ < 0 ? cap : at + (size_t)n_;                                       \
        }                                                                              \
    } while (0)
    if (cap)
        buf[0] = '\0';
    if (hw->derived) {
        char cyc[32];
        rp_report_fmt_si((double)hw->value[0], cyc, sizeof cyc);
        PRV_PUT("%s cycles, CPI %.3f, exceptions %.2f %%, sleep %.2f %%, load-store stalls %.2f %% of cycles", cyc,
                hw->cpi, hw->exc_share * 100.0, hw->sleep_share * 100.0, hw->lsu_share * 100.0);
        return;
    }
    /* Values first, then the counters without one, grouped by reason. */
    bool first = true;
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++) {
        if (hw->state[i] != RP_REPORT_HW_VALUE)
            continue;
        PRV_PUT("%s%s %" PRIu64, first ? "" : ", ", rp_report_hw_name(i), hw->value[i]);
        first = false;
    }
    for (int s = RP_REPORT_HW_NOT_ON_BOARD; s <= RP_REPORT_HW_UNKNOWN; s++) {
        unsigned n = 0;
        for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++)
            n += hw->state[i] == (rp_report_hw_state_t)s;
        if (!n)
            continue;
        if (n == RP_REPORT_HW_COUNTERS) {
            PRV_PUT("%s", rp_report_hw_state_text((rp_report_hw_state_t)s));
            continue;
        }
        PRV_PUT("%s", first ? "" : "; ");
        bool lead = true;
        for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++) {
            if (hw->state[i] != (rp_report_hw_state_t)s)
                continue;
            PRV_PUT("%s%s", lead ? "" : ", ", rp_report_hw_name(i));
            lead = false;
        }
        PRV_PUT(" %s", rp_report_hw_state_text((rp_report_hw_state_t)s));
        first = false;
    }
#undef PRV_PUT
}
