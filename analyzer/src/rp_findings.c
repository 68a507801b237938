/* Findings: the rules; contract in rp_findings.h, every threshold and gain
 * formula explained in docs/findings.md.
 *
 * Two kinds of gain, so that gains compare across rules:
 *   - anomalies (write-verify rounds beyond need, a slow tile, latency
 *     outliers, waiting on the link, the recorder): the whole excess over
 *     the normal reference is saved when the cause is removed;
 *   - intrinsic costs with no "normal" reference (ADC conversions, data
 *     movement, MCU software): the time a 2x improvement of that resource
 *     saves, i.e. half of its time.
 * Severity comes from the gain share alone (PRV_SEV_*), the same scale for
 * every rule, with the few exceptions the rules state (loss, validity,
 * endurance, which cost data or lifetime rather than run time). */
#include "rramprof/rp_findings.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rramprof/rp_status.h"

/* Severity scale on gain share (docs/findings.md, "Severity"). */
#define PRV_SEV_LOW 0.02
#define PRV_SEV_MEDIUM 0.25
#define PRV_SEV_HIGH 0.35
#define PRV_SEV_CRITICAL 0.50

/* Smallest gain share that makes a time rule fire. */
#define PRV_MIN_GAIN 0.02

/* write-verify-inflation */
#define PRV_WV_MIN_EPISODES 10u
#define PRV_WV_NC_FIRE 0.05         /* non-converged share that fires alone */
#define PRV_WV_NC_MEDIUM 0.10       /* ... and makes it at least medium */

/* adc-bound-mvm */
#define PRV_ADC_MIN_SHARE 0.50      /* conversions' share of MVM time */

/* interface-bound */
#define PRV_IF_MIN_SHARE 0.50       /* data movement's share of crossbar time */

/* mcu-gaps */
#define PRV_MCU_MIN_SHARE 0.10      /* MCU software share of the run */

/* tile-imbalance */
#define PRV_TILE_MIN_RATIO 1.15     /* slowdown against the other tiles */
#define PRV_TILE_SIZE_TOL 0.10      /* per-op sizes compared must agree */

/* latency-tail */
#define PRV_TAIL_MIN_COUNT 200u     /* ops needed for a meaningful p99 */
#define PRV_TAIL_MIN_RATIO 2.0      /* max / median */
#define PRV_TAIL_MIN_GAIN 0.01

/* endurance-hotspot: lifetime thresholds in seconds; writes must spread
 * over this share of the run for their rate to be projected */
#define PRV_END_MIN_SPAN 0.5
#define PRV_DAY_S 86400.0
#define PRV_YEAR_S (365.25 * PRV_DAY_S)

/* transport-loss: lost share that makes it critical */
#define PRV_LOSS_CRITICAL 0.10

/* observer-effect: recorder share that makes it critical */
#define PRV_OBS_CRITICAL 0.20

typedef struct prv_ctx {
    const rp_analysis_input_t *in;
    const rp_device_info_t *dev;    /* NULL unless a Hello was seen */
    const rp_agg_totals_t *tot;
    rp_analysis_t *out;
    double run;                     /* run ticks */
    double hz;                      /* tick rate, 0 = unknown */
    bool counters;
    double rec;                     /* recorder ticks: record + drain */
    double stall;                   /* Counters.tx_stall_ticks */
    double link_span;               /* ticks the link was in use: the run, to the
                                     * last Counters if the backlog went on after it */
    double lost;                    /* events lost */
    double loss_share;
    double link_lost;               /* of them, lost on the link or dropped by a
                                     * full ring (not taken by resets) */
    double link_loss_share;
    double lost_time;               /* device time of the lost events (est.) */
    double idle_gap;                /* gaps not explained by recorder or loss */
    double wait;                    /* part of idle_gap spent waiting on the link */
    double soft_gap;                /* the rest: software between ops */
} prv_ctx_t;

/* ---- names ---------------------------------------------------------------- */

const char *rp_severity_name(int severity)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    if (severity < 0 || severity > (int)RP_SEVERITY_CRITICAL) {
        return "?";
    }
    return names[severity];
}

const char *rp_validity_name(int cls)
{
    static const char *const names[] = {"unknown", "clean", "marginal", "contaminated"};
    if (cls < 0 || cls > (int)RP_VALIDITY_CONTAMINATED) {
        return "?";
    }
    return names[cls];
}

/* ---- helpers -------------------------------------------------------------- */

/* vsnprintf into a fixed field: truncation is acceptable for text. */
static void prv_text(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

static double prv_min(double a, double b)
{
    return a < b ? a : b;
}

static double prv_max(double a, double b)
{
    return a > b ? a : b;
}

static double prv_share(double part, double whole)
{
    return whole > 0.0 ? part / whole : 0.0;
}

static double prv_ps_to_ticks(uint64_t ps, double hz)
{
    return (double)ps * hz / 1e12;
}

/* A duration for text: "131.0 us", or ticks when the clock is unknown. */
static void prv_fmt_time(char *buf, size_t cap, double ticks, double hz)
{
    if (hz <= 0.0) {
        prv_text(buf, cap, "%.0f ticks", ticks);
        return;
    }
    double s = ticks / hz;
    if (s >= 1.0) {
        prv_text(buf, cap, "%.2f s", s);
    } else if (s >= 1e-3) {
        prv_text(buf, cap, "%.2f ms", s * 1e3);
    } else if (s >= 1e-6) {
        prv_text(buf, cap, "%.1f us", s * 1e6);
    } else {
        prv_text(buf, cap, "%.0f ns", s * 1e9);
    }
}

/* A lifetime for text: hours, days or years. */
static void prv_fmt_life(char *buf, size_t cap, double s)
{
    if (s < 60.0) {
        prv_text(buf, cap, "%.1f s", s);
    } else if (s < 3600.0) {
        prv_text(buf, cap, "%.1f minutes", s / 60.0);
    } else if (s < PRV_DAY_S) {
        prv_text(buf, cap, "%.1f hours", s / 3600.0);
    } else if (s < PRV_YEAR_S) {
        prv_text(buf, cap, "%.1f days", s / PRV_DAY_S);
    } else {
        prv_text(buf, cap, "%.1f years", s / PRV_YEAR_S);
    }
}

static rp_severity_t prv_severity(double gain_share)
{
    if (gain_share >= PRV_SEV_CRITICAL) {
        return RP_SEVERITY_CRITICAL;
    }
    if (gain_share >= PRV_SEV_HIGH) {
        return RP_SEVERITY_HIGH;
    }
    if (gain_share >= PRV_SEV_MEDIUM) {
        return RP_SEVERITY_MEDIUM;
    }
    if (gain_share >= PRV_SEV_LOW) {
        return RP_SEVERITY_LOW;
    }
    return RP_SEVERITY_INFO;
}

/* A new finding, zeroed, or NULL when the table is full. */
static rp_finding_t *prv_new(prv_ctx_t *c, const char *id, const char *scope)
{
    if (c->out->count >= RP_FINDINGS_MAX) {
        return NULL;
    }
    rp_finding_t *f = &c->out->findings[c->out->count++];
    memset(f, 0, sizeof *f);
    prv_text(f->id, sizeof f->id, "%s", id);
    prv_text(f->scope, sizeof f->scope, "%s", scope);
    return f;
}

static void prv_ev(rp_finding_t *f, const char *name, double value, const char *unit)
{
    if (f->evidence_count >= RP_FINDING_MAX_EVIDENCE) {
        return;
    }
    rp_evidence_t *e = &f->evidence[f->evidence_count++];
    prv_text(e->name, sizeof e->name, "%s", name);
    e->value = value;
    prv_text(e->unit, sizeof e->unit, "%s", unit);
}

/* A duration as evidence: seconds when the clock is known, else ticks. */
static void prv_ev_time(const prv_ctx_t *c, rp_finding_t *f, const char *name, double ticks)
{
    if (c->hz > 0.0) {
        prv_ev(f, name, ticks / c->hz, "s");
    } else {
        prv_ev(f, name, ticks, "ticks");
    }
}

static void prv_set_gain(const prv_ctx_t *c, rp_finding_t *f, double gain)
{
    f->gain_ticks = prv_max(gain, 0.0);
    f->gain_share = prv_share(f->gain_ticks, c->run);
}

static double prv_mean(const rp_agg_stat_t *s)
{
    return s->count != 0u ? (double)s->busy_ticks / (double)s->count : 0.0;
}

/* ---- run-level context ---------------------------------------------------- */

static void prv_context(prv_ctx_t *c)
{
    const rp_session_stats_t *s = c->in->session;
    c->tot = rp_agg_totals(c->in->agg);
    c->run = (double)c->tot->run_ticks;
    c->hz = (double)c->tot->clock_hz;
    if (c->hz <= 0.0 && c->dev != NULL) {
        c->hz = (double)c->dev->clock_hz;
    }
    c->counters = s->has_counters;
    c->link_span = c->run;
    if (c->counters) {
        c->rec = (double)s->counters.record_ticks + (double)s->counters.drain_ticks;
        c->stall = (double)s->counters.tx_stall_ticks;
        /* The drain sends what the ring still holds after the last event:
         * the link's counters run to the last Counters (same segment). */
        if (s->last_tick != 0u && s->counters.timestamp > s->last_tick) {
            c->link_span += (double)(s->counters.timestamp - s->last_tick);
        }
    }
    c->lost = (double)s->loss.total_events;
    c->loss_share = prv_share(c->lost, (double)s->events + c->lost);
    c->link_lost = (double)s->loss.link_events + (double)s->loss.device_events;
    c->link_loss_share = prv_share(c->link_lost, (double)s->events + c->link_lost);

    /* Lost events took device time too; assume they resemble the
     * delivered ones, so their share of the covered time is theirs. */
    double events = (double)c->tot->events;
    c->lost_time = events > 0.0 ? (double)c->tot->covered_ticks * c->lost / events : 0.0;
    c->idle_gap = prv_max(0.0, (double)c->tot->gap_ticks - c->rec - c->lost_time);
    c->wait = prv_min(c->stall, c->idle_gap);
    c->soft_gap = c->idle_gap - c->wait;
}

static rp_validity_class_t prv_validity_class(double share)
{
    if (share < RP_VALIDITY_CLEAN_MAX) {
        return RP_VALIDITY_CLEAN;
    }
    return share < RP_VALIDITY_MARGINAL_MAX ? RP_VALIDITY_MARGINAL : RP_VALIDITY_CONTAMINATED;
}

/* The recorder's share (unknown without Counters or a run) and the lost
 * share: a capture that lost most of its events is not clean however
 * little the recorder cost. */
static void prv_validity(prv_ctx_t *c)
{
    rp_validity_t *v = &c->out->validity;
    v->loss_share = c->loss_share;
    v->loss_cls = prv_validity_class(v->loss_share);
    if (!c->counters || c->run <= 0.0) {
        v->recorder_cls = RP_VALIDITY_UNKNOWN;
        v->recorder_share = 0.0;
        v->cls = v->loss_cls > RP_VALIDITY_CLEAN ? v->loss_cls : RP_VALIDITY_UNKNOWN;
        return;
    }
    v->recorder_share = c->rec / c->run;
    v->recorder_cls = prv_validity_class(v->recorder_share);
    v->cls = v->recorder_cls > v->loss_cls ? v->recorder_cls : v->loss_cls;
}

/* ---- transport-loss ------------------------------------------------------- */

static void prv_rule_transport(prv_ctx_t *c)
{
    const rp_session_stats_t *s = c->in->session;
    double wait_share = prv_share(c->wait, c->run);
    if (c->link_lost <= 0.0 && s->loss.lost_batches == 0u && wait_share < PRV_MIN_GAIN) {
        return;
    }
    rp_finding_t *f = prv_new(c, "transport-loss", "link");
    if (f == NULL) {
        return;
    }
    prv_set_gain(c, f, c->wait);
    f->severity = prv_severity(f->gain_share);
    if (c->link_loss_share >= PRV_LOSS_CRITICAL) {
        f->severity = RP_SEVERITY_CRITICAL;
    } else if (c->link_loss_share > RP_FINDINGS_LOSS_FIRST && f->severity < RP_SEVERITY_HIGH) {
        f->severity = RP_SEVERITY_HIGH;
    } else if (c->link_lost > 0.0 && f->severity < RP_SEVERITY_MEDIUM) {
        f->severity = RP_SEVERITY_MEDIUM;
    }

    double total = (double)s->events + c->link_lost;
    double sent = c->counters ? (double)s->counters.bytes_sent : 0.0;
    double ev_sent = c->counters ? (double)s->counters.events_sent : 0.0;
    /* Bytes over the time the link was in use, backlog included: within
     * what the link can carry. */
    double rate = c->hz > 0.0 && c->link_span > 0.0 ? sent / (c->link_span / c->hz) : 0.0;
    /* The rate that carries every event, at the bytes per event sent, as
     * fast as the workload makes them: its run without the time it lost
     * waiting on the link. */
    double own = c->run - c->wait;
    double need = (c->hz > 0.0 && own > 0.0 && ev_sent > 0.0) ? sent / ev_sent * total / (own / c->hz)
                                                               : 0.0;
    uint32_t cap = c->dev != NULL ? c->dev->ring_capacity : 0u;
    uint32_t hw = c->counters ? s->counters.ring_high_water : 0u;

    prv_ev(f, "events lost", c->link_lost, "");
    prv_ev(f, "lost share", c->link_loss_share * 100.0, "%");
    prv_ev(f, "lost on the link", (double)s->loss.link_events, "");
    prv_ev(f, "dropped on the device", (double)s->loss.device_events, "");
    prv_ev_time(c, f, "time the drain waited on the link", c->stall);
    prv_ev(f, "ring high water", (double)hw, "events");
    prv_ev(f, "link throughput", rate, "B/s");
    prv_ev(f, "link throughput needed", need, "B/s");

    char t_wait[32];
    prv_fmt_time(t_wait, sizeof t_wait, c->wait, c->hz);
    if (c->link_lost > 0.0) {
        prv_text(f->title, sizeof f->title,
                 "%.1f%% of the events never reached the host (%.0f of %.0f, %s): the capture is "
                 "incomplete",
                 c->link_loss_share * 100.0, c->link_lost, total,
                 s->loss.device_events == 0u ? "lost on the link"
                 : s->loss.link_events == 0u ? "dropped by the device's full ring"
                                             : "dropped by the device's full ring or lost on the link");
    } else {
        prv_text(f->title, sizeof f->title,
                 "The device waited %s on a full link (%.1f%% of the run)", t_wait,
                 wait_share * 100.0);
    }
    prv_text(f->explanation, sizeof f->explanation,
             "The device produced events faster than the link carried them: the drain had output "
             "waiting with no room for it (%.1f%% of the time the link was in use, the backlog "
             "after the last event included), the ring filled (high water %u of "
             "%u events) and %.0f events were dropped on the device, %.0f more lost between device "
             "and host (%llu batches missing). The link moved %.0f B/s; recording everything "
             "needed about %.0f B/s. Counts and rates of this capture are lower bounds (projected "
             "lifetimes upper bounds); time the workload itself lost waiting: %s.",
             prv_min(1.0, prv_share(c->stall, c->link_span)) * 100.0, hw, cap,
             (double)s->loss.device_events,
             (double)s->loss.link_events, (unsigned long long)s->loss.lost_batches, rate, need,
             t_wait);
    prv_text(f->recommendation, sizeof f->recommendation,
             "Raise the link rate to at least %.0f B/s (a faster UART baud rate, or USB instead "
             "of a UART); record fewer events: an op mask that leaves out what you do not need "
             "(SPAN, TRANSFER) or a duration threshold; a larger ring (now %u events) only "
             "absorbs bursts, not a sustained excess. Until then, read this report's counts as "
             "lower bounds and its projected lifetimes as upper bounds.",
             need * 1.25, cap);
}

/* ---- device-reset --------------------------------------------------------- */

/* Every reset cause, most serious first (the title names the first one
 * seen); the first PRV_FAILURE_COUNT are failures, the rest someone
 * resetting the board. */
static const uint32_t prv_causes[RP_RESET_CAUSE_COUNT] = {
    RP_RESET_FATAL, RP_RESET_WATCHDOG, RP_RESET_BROWN_OUT, RP_RESET_LOW_POWER,
    RP_RESET_PIN,   RP_RESET_SOFTWARE, RP_RESET_POWER_ON,  RP_RESET_UNKNOWN,
};
#define PRV_FAILURE_COUNT 4u

static bool prv_is_failure(uint32_t cause)
{
    for (size_t k = 0; k < PRV_FAILURE_COUNT; k++) {
        if (prv_causes[k] == cause) {
            return true;
        }
    }
    return false;
}

static const char *prv_reset_advice(uint32_t cause)
{
    switch (cause) {
    case RP_RESET_FATAL:
        return "Find the fault with a debugger attached: the firmware then stops on a breakpoint at "
               "the fault with its context on the stack (read CFSR, HFSR, MMFAR and BFAR for a "
               "HardFault, MemManage, BusFault or UsageFault), and without one it parks after "
               "three fatal resets in a row, where a debugger can attach; rp_cm_last_fatal in "
               ".noinit RAM keeps the reason. An IRQ without a handler needs one, or must stay "
               "disabled; a clock or timestamp failure points at the board's oscillator.";
    case RP_RESET_WATCHDOG:
        return "Something ran longer than the watchdog period: a write-verify loop on cells that "
               "never converge is the usual one. Feed the watchdog between rows, bound the "
               "pulses per cell, or lengthen the period.";
    case RP_RESET_BROWN_OUT:
        return "The supply fell below the brown-out threshold: programming pulses draw current "
               "bursts, from the rail the MCU shares with the array. Decouple and strengthen the "
               "array supply, power the board from a source that can deliver the programming "
               "current, or program fewer columns at once.";
    case RP_RESET_LOW_POWER:
        return "The firmware entered Stop or Standby mode while the option bytes make that a "
               "reset (nRST_STOP, nRST_STDBY): change the option bytes or the idle code.";
    default:
        return "Nothing in the firmware failed: the button, a debugger, the host or the power "
               "reset the board. If nobody did, check the reset line, the cable and the supply.";
    }
}

static void prv_rule_reset(prv_ctx_t *c)
{
    const rp_boot_stats_t *b = &c->in->session->boots;
    bool before = b->first_known && prv_is_failure(b->first_cause);
    if (b->resets == 0u && !before) {
        return;
    }
    rp_finding_t *f = prv_new(c, "device-reset", "device");
    if (f == NULL) {
        return;
    }
    uint32_t failures = 0u;
    for (size_t k = 0; k < PRV_FAILURE_COUNT; k++) {
        failures += b->by_cause[prv_causes[k]];
    }
    uint32_t cause = RP_RESET_UNKNOWN; /* the most serious cause during the capture */
    for (size_t k = 0; k < RP_RESET_CAUSE_COUNT; k++) {
        if (b->by_cause[prv_causes[k]] != 0u) {
            cause = prv_causes[k];
            break;
        }
    }
    f->severity = failures != 0u ? RP_SEVERITY_CRITICAL
                  : b->resets != 0u ? RP_SEVERITY_HIGH
                                    : RP_SEVERITY_MEDIUM;
    prv_set_gain(c, f, 0.0);
    prv_ev(f, "resets during the capture", (double)b->resets, "");
    prv_ev(f, "fatal errors", (double)b->by_cause[RP_RESET_FATAL], "");
    prv_ev(f, "watchdog resets", (double)b->by_cause[RP_RESET_WATCHDOG], "");
    prv_ev(f, "brown-outs", (double)b->by_cause[RP_RESET_BROWN_OUT], "");
    prv_ev(f, "other resets", (double)(b->resets - failures), "");
    prv_ev(f, "last fatal reason", (double)b->last_fatal_reason, "");
    const rp_loss_t *loss = &c->in->session->loss;
    prv_ev(f, loss->resets_unreported ? "events the resets took from the ring (at least)"
                                      : "events the resets took from the ring",
           (double)loss->unsent_events, "");

    char what[128];
    if (b->resets != 0u) {
        rp_reset_text(cause, b->last_fatal_reason, what, sizeof what);
        prv_text(f->title, sizeof f->title, "The device reset %u time(s) during the capture (%s)",
                 (unsigned)b->resets, what);
        prv_text(f->explanation, sizeof f->explanation,
                 "Each reset started a new boot, and the capture a new timeline (%u segments). "
                 "What the device was doing at the reset did not finish, and the events still in "
                 "its ring were lost with it: %s%llu%s. %u of the resets were failures (fatal "
                 "error, watchdog, brown-out or low-power), %u had another cause.",
                 (unsigned)c->in->session->segments, loss->resets_unreported ? "at least " : "",
                 (unsigned long long)loss->unsent_events,
                 loss->resets_unreported
                     ? ", counted from the last Counters before each reset the new boot did not "
                       "report on (events recorded after it are not known)"
                     : ", as each new boot reported the counts of the boot before",
                 (unsigned)failures, (unsigned)(b->resets - failures));
        prv_text(f->recommendation, sizeof f->recommendation, "%s", prv_reset_advice(cause));
    } else {
        rp_reset_text(b->first_cause, b->first_fatal_reason, what, sizeof what);
        prv_text(f->title, sizeof f->title, "The device's boot before the capture followed a failure (%s)",
                 what);
        prv_text(f->explanation, sizeof f->explanation,
                 "This capture is whole: the device did not reset while it ran. But the boot it ran "
                 "in began with a reset the firmware or the board did not ask for, so the same "
                 "failure may come back during a longer run.");
        prv_text(f->recommendation, sizeof f->recommendation, "%s", prv_reset_advice(b->first_cause));
    }
}

/* ---- observer-effect ------------------------------------------------------ */

static void prv_rule_observer(prv_ctx_t *c)
{
    const rp_validity_t *v = &c->out->validity;
    if (v->recorder_cls != RP_VALIDITY_MARGINAL && v->recorder_cls != RP_VALIDITY_CONTAMINATED) {
        return;
    }
    rp_finding_t *f = prv_new(c, "observer-effect", "run");
    if (f == NULL) {
        return;
    }
    const rp_counters_t *k = &c->in->session->counters;
    prv_set_gain(c, f, c->rec);
    if (v->recorder_share >= PRV_OBS_CRITICAL) {
        f->severity = RP_SEVERITY_CRITICAL;
    } else if (v->recorder_cls == RP_VALIDITY_CONTAMINATED) {
        f->severity = RP_SEVERITY_HIGH;
    } else {
        f->severity = RP_SEVERITY_LOW;
    }
    double rec_per = k->events_recorded != 0u ? (double)k->record_ticks / (double)k->events_recorded
                                              : 0.0;
    double drain_per = k->events_sent != 0u ? (double)k->drain_ticks / (double)k->events_sent : 0.0;
    prv_ev(f, "recorder share of run", v->recorder_share * 100.0, "%");
    prv_ev_time(c, f, "record time", (double)k->record_ticks);
    prv_ev_time(c, f, "drain time", (double)k->drain_ticks);
    prv_ev(f, "record cost per event", rec_per, "ticks");
    prv_ev(f, "drain cost per event", drain_per, "ticks");
    prv_ev(f, "events recorded", (double)k->events_recorded, "");

    char per[32];
    prv_fmt_time(per, sizeof per, rec_per + drain_per, c->hz);
    prv_text(f->title, sizeof f->title, "The recorder took %.1f%% of the run: capture is %s",
             v->recorder_share * 100.0, rp_validity_name((int)v->recorder_cls));
    prv_text(f->explanation, sizeof f->explanation,
             "Recording and draining cost %s per event (%.0f + %.0f ticks). Operation durations "
             "are measured around each HAL call and stay exact, but the run time, the gaps "
             "between operations and the throughput include this cost. Validity classes: clean "
             "below %.0f%%, marginal below %.0f%%, contaminated above.",
             per, rec_per, drain_per, RP_VALIDITY_CLEAN_MAX * 100.0,
             RP_VALIDITY_MARGINAL_MAX * 100.0);
    prv_text(f->recommendation, sizeof f->recommendation,
             "Record fewer events: an op mask without SPAN/TRANSFER or a duration threshold "
             "removes most of the cost when those ops are frequent; drain in idle time or by DMA; "
             "when comparing gaps or MCU time with an unprofiled build, subtract %s per event.",
             per);
}

/* ---- write-verify-inflation ----------------------------------------------- */

/* Smallest p with at least ceil(q * n) episodes at or below it. */
static unsigned prv_pulse_quantile(const uint64_t *by, uint64_t n, double q)
{
    if (n == 0u) {
        return 0u;
    }
    uint64_t want = (uint64_t)ceil(q * (double)n);
    if (want == 0u) {
        want = 1u;
    }
    uint64_t acc = 0u;
    for (unsigned p = 0; p < RP_AGG_WV_MAX_PULSES; p++) {
        acc += by[p];
        if (acc >= want) {
            return p;
        }
    }
    return RP_AGG_WV_MAX_PULSES - 1u;
}

static void prv_rule_write_verify(prv_ctx_t *c)
{
    const rp_agg_wv_t *wv = rp_agg_wv(c->in->agg);
    if (wv->episodes < PRV_WV_MIN_EPISODES) {
        return;
    }
    /* Non-converged episodes ran to the step limit: take them off the top
     * of the distribution to get the converged one. */
    uint64_t conv[RP_AGG_WV_MAX_PULSES];
    memcpy(conv, wv->by_pulses, sizeof conv);
    uint64_t nc_left = wv->not_converged;
    double nc_pulses = 0.0;
    unsigned limit = 0u;
    for (unsigned i = RP_AGG_WV_MAX_PULSES; i-- > 0u && nc_left > 0u;) {
        uint64_t take = conv[i] < nc_left ? conv[i] : nc_left;
        if (take != 0u) {
            if (limit == 0u) {
                limit = i;
            }
            conv[i] -= take;
            nc_left -= take;
            nc_pulses += (double)take * (double)i;
        }
    }
    uint64_t n_conv = 0u;
    for (unsigned p = 0; p < RP_AGG_WV_MAX_PULSES; p++) {
        n_conv += conv[p];
    }
    unsigned need = prv_pulse_quantile(conv, n_conv, 0.5);
    unsigned p90 = prv_pulse_quantile(conv, n_conv, 0.9);
    unsigned p99 = prv_pulse_quantile(wv->by_pulses, wv->episodes, 0.99);
    unsigned tail_ref = need * 2u > need + 2u ? need * 2u : need + 2u;

    double nc = (double)wv->not_converged;
    double wasted_nc = prv_max(0.0, nc_pulses - nc * (double)need);
    double wasted_tail = 0.0;
    double n_tail = 0.0;
    for (unsigned p = tail_ref + 1u; p < RP_AGG_WV_MAX_PULSES; p++) {
        wasted_tail += (double)conv[p] * (double)(p - need);
        n_tail += (double)conv[p];
    }
    double round = prv_mean(rp_agg_op(c->in->agg, RP_OP_WRITE)) +
                   prv_mean(rp_agg_op(c->in->agg, RP_OP_VERIFY));
    double wasted = wasted_nc + wasted_tail;
    double gain = wasted * round;
    double nc_share = nc / (double)wv->episodes;
    if (prv_share(gain, c->run) < PRV_MIN_GAIN && nc_share < PRV_WV_NC_FIRE) {
        return;
    }
    rp_finding_t *f = prv_new(c, "write-verify-inflation", "WRITE/VERIFY");
    if (f == NULL) {
        return;
    }
    prv_set_gain(c, f, gain);
    f->severity = prv_severity(f->gain_share);
    if (nc_share >= PRV_WV_NC_MEDIUM && f->severity < RP_SEVERITY_MEDIUM) {
        f->severity = RP_SEVERITY_MEDIUM;
    }
    double rows_failed = (double)wv->failed_count + (double)wv->failed_overflow;
    prv_ev(f, "programs (write-verify episodes)", (double)wv->episodes, "");
    prv_ev(f, "median pulses, converged programs", (double)need, "pulses");
    prv_ev(f, "p99 pulses per program", (double)p99, "pulses");
    prv_ev(f, "programs not converged", nc_share * 100.0, "%");
    prv_ev(f, "rows that never converged", rows_failed, "");
    prv_ev_time(c, f, "pulse + verify round", round);
    prv_ev(f, "pulse rounds beyond need", wasted, "pulses");
    prv_ev(f, "write-verify share of run", prv_share((double)wv->ticks, c->run) * 100.0, "%");

    char t_round[32], t_gain[32];
    prv_fmt_time(t_round, sizeof t_round, round, c->hz);
    prv_fmt_time(t_gain, sizeof t_gain, gain, c->hz);
    prv_text(f->title, sizeof f->title,
             "Write-verify spends %s on %.0f pulse rounds beyond need; %.1f%% of programs never "
             "converge",
             t_gain, wasted, nc_share * 100.0);
    if (nc > 0.0) {
        prv_text(f->explanation, sizeof f->explanation,
                 "Rows that converge need a median of %u pulse+verify rounds (p90 %u). %.0f of %llu "
                 "programs (%.1f%%) stopped at the %u-round limit with cells still outside the "
                 "verify window: stuck or very slow cells (%.0f distinct rows); each spends about "
                 "%u rounds for nothing. %.0f converged programs needed more than %u rounds. Each "
                 "round costs a WRITE pulse and a VERIFY, %s on average.",
                 need, p90, nc, (unsigned long long)wv->episodes, nc_share * 100.0, limit,
                 rows_failed, limit > need ? limit - need : 0u, n_tail, tail_ref, t_round);
    } else {
        prv_text(f->explanation, sizeof f->explanation,
                 "Rows need a median of %u pulse+verify rounds (p90 %u, p99 %u), but %.0f of %llu "
                 "programs needed more than %u rounds: slow cells in the tail of the ISPP "
                 "distribution. Every program converged. Each round costs a WRITE pulse and a "
                 "VERIFY, %s on average.",
                 need, p90, p99, n_tail, (unsigned long long)wv->episodes, tail_ref, t_round);
    }
    if (wasted_nc >= wasted_tail) {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Retire stuck cells: remap the %.0f failing rows to spare rows or mask their stuck "
                 "cells, and end write-verify early when the same cells stay pending for a few "
                 "rounds instead of running to the %u-round limit; then tune ISPP (a larger start "
                 "amplitude or step brings slow cells in with fewer pulses) and widen the verify "
                 "window where the accuracy budget allows.",
                 rows_failed, limit);
    } else {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Tune ISPP: a larger start amplitude or step closes the gap of slow cells in fewer "
                 "pulses (median now %u, tail beyond %u); widen the verify window where the "
                 "accuracy budget allows; pulse only cells whose level changes; retire or remap "
                 "rows whose cells keep needing the most rounds.",
                 need, tail_ref);
    }
}

/* ---- adc-bound-mvm -------------------------------------------------------- */

static void prv_rule_adc(prv_ctx_t *c)
{
    const rp_agg_stat_t *m = rp_agg_op(c->in->agg, RP_OP_MVM);
    if (m->count == 0u || m->adc_rounds == 0u || m->busy_ticks == 0u) {
        return;
    }
    double busy = (double)m->busy_ticks;
    double n = (double)m->count;
    double rounds = (double)m->adc_rounds;
    double slices = (double)m->slices;
    const rp_device_info_t *d = c->dev;
    bool nominal = d != NULL && d->adc_conversion_ps != 0u && c->hz > 0.0;
    double adc, nominal_mvm = 0.0, share;
    if (nominal) {
        adc = rounds * prv_ps_to_ticks(d->adc_conversion_ps, c->hz);
        nominal_mvm = n * prv_ps_to_ticks(d->read_latency_ps, c->hz) +
                      slices * prv_ps_to_ticks(d->dac_settle_ps, c->hz) + adc;
        share = prv_min(1.0, adc / busy);
        adc = share * busy;
    } else {
        /* No nominal timing: count a conversion, a DAC settle and the read
         * latency as one unit each (docs/findings.md). */
        share = rounds / (rounds + slices + n);
        adc = share * busy;
    }
    double gain = adc / 2.0;
    if (share < PRV_ADC_MIN_SHARE || prv_share(gain, c->run) < PRV_MIN_GAIN) {
        return;
    }
    rp_finding_t *f = prv_new(c, "adc-bound-mvm", "MVM");
    if (f == NULL) {
        return;
    }
    prv_set_gain(c, f, gain);
    f->severity = prv_severity(f->gain_share);
    if (!nominal && f->severity > RP_SEVERITY_MEDIUM) {
        f->severity = RP_SEVERITY_MEDIUM;   /* an estimate claims no more */
    }
    double per_slice = slices > 0.0 ? rounds / slices : rounds / n;
    prv_ev(f, nominal ? "ADC share of MVM time" : "ADC share of MVM time (estimated)",
           share * 100.0, "%");
    prv_ev(f, "MVM share of run", prv_share(busy, c->run) * 100.0, "%");
    prv_ev_time(c, f, "mean MVM time", busy / n);
    prv_ev_time(c, f, "ADC time per MVM", adc / n);
    prv_ev(f, "conversion rounds per slice", per_slice, "");
    prv_ev(f, "input bit slices per MVM", slices / n, "");
    if (nominal) {
        prv_ev(f, "measured / nominal MVM time", prv_share(busy, nominal_mvm), "x");
    } else {
        prv_ev(f, "nominal ADC timing known", 0.0, "");
    }

    char t_mvm[32], t_adc[32];
    prv_fmt_time(t_mvm, sizeof t_mvm, busy / n, c->hz);
    prv_fmt_time(t_adc, sizeof t_adc, adc / n, c->hz);
    prv_text(f->title, sizeof f->title,
             "MVM is ADC-bound: conversions take %.1f%% of MVM time (%.0f rounds per slice)",
             share * 100.0, per_slice);
    if (nominal) {
        prv_text(f->explanation, sizeof f->explanation,
                 "An MVM takes %s, of which %s is ADC conversion: each of %.1f input-bit slices "
                 "needs %.0f conversion rounds because the columns share the ADCs, and a round "
                 "costs one conversion time. MVMs are %.0f%% of the run. The DAC settle and read "
                 "latency are the small rest (from the array's nominal timing).",
                 t_mvm, t_adc, slices / n, per_slice, prv_share(busy, c->run) * 100.0);
    } else {
        prv_text(f->explanation, sizeof f->explanation,
                 "An MVM takes %s and needs %.0f ADC conversion rounds per input-bit slice "
                 "(%.1f slices) because the columns share the ADCs. The device gave no nominal "
                 "timing, so the ADC share is estimated from the events alone, counting a "
                 "conversion, a DAC settle and the read latency as one unit each. MVMs are %.0f%% "
                 "of the run.",
                 t_mvm, per_slice, slices / n, prv_share(busy, c->run) * 100.0);
    }
    if (d != NULL && d->adcs_per_tile != 0u && d->cols != 0u) {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Add ADCs per tile / share fewer columns per ADC (%u columns on %u ADCs = %.0f "
                 "conversion rounds per slice; twice the ADCs halve them), use fewer input bits "
                 "(%.0f slices per MVM now), or lower the ADC resolution (%u bits) where accuracy "
                 "allows: a faster conversion shortens every round.",
                 d->cols, d->adcs_per_tile, per_slice, slices / n, d->adc_bits);
    } else {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Add ADCs per tile / share fewer columns per ADC (%.0f conversion rounds per "
                 "slice now; twice the ADCs halve them), use fewer input bits (%.0f slices per "
                 "MVM), or lower the ADC resolution where accuracy allows.",
                 per_slice, slices / n);
    }
}

/* ---- interface-bound ------------------------------------------------------ */

static void prv_rule_interface(prv_ctx_t *c)
{
    const rp_agg_t *a = c->in->agg;
    const rp_agg_stat_t *tr = rp_agg_op(a, RP_OP_TRANSFER);
    const rp_device_info_t *d = c->dev;
    bool nominal = d != NULL && c->hz > 0.0 &&
                   (d->interface_overhead_ps != 0u || d->interface_bytes_per_s != 0u);
    double ovh = nominal ? prv_ps_to_ticks(d->interface_overhead_ps, c->hz) : 0.0;
    double bits = (d != NULL && d->bits_per_cell != 0u) ? (double)d->bits_per_cell : 0.0;

    /* Bus time inside the array ops: the bytes each op moves to or from
     * the array (docs/crossbar-model.md, Timing). */
    double embedded = 0.0;
    double array_busy = 0.0;
    static const unsigned ops[] = {RP_OP_WRITE, RP_OP_VERIFY, RP_OP_READ, RP_OP_MVM};
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const rp_agg_stat_t *s = rp_agg_op(a, ops[i]);
        array_busy += (double)s->busy_ticks;
        if (!nominal || ops[i] == RP_OP_MVM || s->count == 0u) {
            continue;
        }
        double bytes = (double)s->cells * bits / 8.0;
        if (ops[i] == RP_OP_WRITE) {
            bytes += (double)s->cells / 8.0;   /* the pulse mask */
        }
        double t = (double)s->count * ovh;
        if (d->interface_bytes_per_s != 0u) {
            t += bytes / (double)d->interface_bytes_per_s * c->hz;
        }
        embedded += prv_min(t, (double)s->busy_ticks);
    }
    double moving = (double)tr->busy_ticks + embedded;
    double array_side = array_busy - embedded;
    double share = prv_share(moving, moving + array_side);
    double gain = moving / 2.0;
    if (share < PRV_IF_MIN_SHARE || prv_share(gain, c->run) < PRV_MIN_GAIN) {
        return;
    }
    rp_finding_t *f = prv_new(c, "interface-bound", "TRANSFER/bus");
    if (f == NULL) {
        return;
    }
    prv_set_gain(c, f, gain);
    f->severity = prv_severity(f->gain_share);
    double tr_s = c->hz > 0.0 ? (double)tr->busy_ticks / c->hz : 0.0;
    double bw = tr_s > 0.0 ? (double)tr->bytes / tr_s : 0.0;
    double ovh_share = prv_share((double)tr->count * ovh, (double)tr->busy_ticks);
    prv_ev(f, "data movement share of crossbar time", share * 100.0, "%");
    prv_ev(f, "data movement share of run", prv_share(moving, c->run) * 100.0, "%");
    prv_ev_time(c, f, "TRANSFER time", (double)tr->busy_ticks);
    prv_ev_time(c, f, nominal ? "bus time inside array ops" : "bus time inside array ops (unknown)",
                embedded);
    prv_ev(f, "bytes moved by TRANSFER", (double)tr->bytes, "bytes");
    prv_ev(f, "effective TRANSFER bandwidth", bw, "B/s");
    if (nominal) {
        prv_ev(f, "per-transaction overhead share", ovh_share * 100.0, "%");
        prv_ev(f, "nominal interface bandwidth", (double)d->interface_bytes_per_s, "B/s");
    }

    char t_move[32], t_ovh[32];
    prv_fmt_time(t_move, sizeof t_move, moving, c->hz);
    prv_fmt_time(t_ovh, sizeof t_ovh, ovh, c->hz);
    prv_text(f->title, sizeof f->title,
             "Data movement between MCU and array takes %.0f%% of crossbar time (%s)",
             share * 100.0, t_move);
    prv_text(f->explanation, sizeof f->explanation,
             "Moving inputs, outputs, targets and read-back data between MCU and array takes %s "
             "(%.0f%% of the run): %.0f TRANSFERs moved %.0f bytes at an effective %.0f B/s%s. "
             "The array itself is busy less than the bus that feeds it.%s",
             t_move, prv_share(moving, c->run) * 100.0, (double)tr->count, (double)tr->bytes, bw,
             nominal ? ", plus the bus part of every WRITE/VERIFY/READ" : "",
             nominal ? "" : " No nominal interface timing: bus time inside array ops not counted.");
    if (nominal) {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Widen or speed up the MCU-array link (now %.2f MB/s: e.g. quad SPI, a parallel "
                 "bus or DMA); batch inputs and outputs into fewer, larger transactions (%s fixed "
                 "cost each, %.0f%% of TRANSFER time); move less: fewer output bits, reuse loaded "
                 "inputs across MVMs, compare read-back levels on the array side.",
                 (double)d->interface_bytes_per_s / 1e6, t_ovh, ovh_share * 100.0);
    } else {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Widen or speed up the MCU-array link (e.g. quad SPI, a parallel bus or DMA); "
                 "batch inputs and outputs into fewer, larger transactions; move less: fewer "
                 "output bits, reuse loaded inputs across MVMs.");
    }
}

/* ---- mcu-gaps ------------------------------------------------------------- */

static void prv_rule_mcu(prv_ctx_t *c)
{
    /* With events lost, gaps hide lost operations: only the marked
     * COMPUTE time (measured, if incomplete) is trusted then. */
    bool gaps_trusted = c->loss_share <= RP_FINDINGS_LOSS_FIRST;
    double unmarked = gaps_trusted ? c->soft_gap : 0.0;
    const rp_agg_stat_t *cmp = rp_agg_op(c->in->agg, RP_OP_COMPUTE);
    double marked = (double)cmp->busy_ticks;
    double soft = marked + unmarked;
    double gain = soft / 2.0;
    if (prv_share(soft, c->run) < PRV_MCU_MIN_SHARE || prv_share(gain, c->run) < PRV_MIN_GAIN) {
        return;
    }
    rp_finding_t *f = prv_new(c, "mcu-gaps", "MCU");
    if (f == NULL) {
        return;
    }
    prv_set_gain(c, f, gain);
    f->severity = prv_severity(f->gain_share);
    const rp_hist_t *g = rp_agg_gaps(c->in->agg);
    double p99 = g != NULL ? (double)rp_hist_quantile(g, 0.99) : 0.0;
    double gmax = g != NULL ? (double)g->max : 0.0;
    prv_ev(f, "MCU software share of run", prv_share(soft, c->run) * 100.0, "%");
    prv_ev_time(c, f, "marked COMPUTE time", marked);
    prv_ev_time(c, f, gaps_trusted ? "unmarked time between ops" : "unmarked time (lost events, ignored)",
                unmarked);
    prv_ev_time(c, f, c->counters ? "recorder time excluded" : "recorder time (unknown, kept)",
                c->rec);
    prv_ev_time(c, f, "link wait excluded", c->wait);
    prv_ev(f, "gaps between ops", (double)c->tot->gap_count, "");
    prv_ev_time(c, f, "p99 gap", p99);
    prv_ev_time(c, f, "largest gap", gmax);

    char t_soft[32], t_mark[32], t_gap[32];
    prv_fmt_time(t_soft, sizeof t_soft, soft, c->hz);
    prv_fmt_time(t_mark, sizeof t_mark, marked, c->hz);
    prv_fmt_time(t_gap, sizeof t_gap, unmarked, c->hz);
    prv_text(f->title, sizeof f->title,
             "MCU software between array ops takes %.0f%% of the run (%s)",
             prv_share(soft, c->run) * 100.0, t_soft);
    prv_text(f->explanation, sizeof f->explanation,
             "The array waits while the MCU runs code between operations: %s in marked COMPUTE "
             "regions (%llu of them) and %s of unmarked time between ops, after taking out the "
             "recorder's own time and time waiting on the link.%s%s",
             t_mark, (unsigned long long)cmp->count, t_gap,
             c->counters ? "" : " No Counters arrived, so recorder time is still included.",
             gaps_trusted ? "" : " Events were lost, so gaps are not counted: they hide lost ops.");
    if (marked >= unmarked) {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Speed up the marked digital code between crossbar calls (reference, refinement "
                 "and activation work): use the MCU's SIMD/DSP multiply-accumulate instructions "
                 "and fixed point, take checks out of the per-MVM loop or run them less often, or "
                 "overlap the code with array ops (start the next MVM before post-processing the "
                 "last).");
    } else {
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Find the unmarked code between array ops: wrap it in rp_compute_mark or spans "
                 "to see which it is; then remove busy-waits and polling, move logging and "
                 "bookkeeping out of the loop, and overlap the rest with array operations.");
    }
}

/* ---- tile-imbalance ------------------------------------------------------- */

/* Op size for comparing tiles: cells for array ops, bytes for TRANSFER. */
static double prv_size(const rp_agg_stat_t *s, unsigned op)
{
    return op == RP_OP_TRANSFER ? (double)s->bytes : (double)s->cells;
}

static void prv_rule_tiles(prv_ctx_t *c)
{
    const rp_agg_t *a = c->in->agg;
    static const unsigned ops[] = {RP_OP_WRITE, RP_OP_VERIFY, RP_OP_READ, RP_OP_MVM,
                                   RP_OP_TRANSFER};
    enum { NOPS = sizeof ops / sizeof ops[0] };
    unsigned tiles = c->tot->tiles_seen;
    if (tiles > RP_AGG_MAX_TILES) {
        tiles = RP_AGG_MAX_TILES;
    }
    if (tiles < 2u) {
        return;
    }
    double all_n[NOPS] = {0}, all_busy[NOPS] = {0}, all_size[NOPS] = {0};
    double crossbar = 0.0;
    for (unsigned t = 0; t < tiles; t++) {
        for (unsigned i = 0; i < NOPS; i++) {
            const rp_agg_stat_t *s = rp_agg_tile_op(a, t, ops[i]);
            all_n[i] += (double)s->count;
            all_busy[i] += (double)s->busy_ticks;
            all_size[i] += prv_size(s, ops[i]);
        }
    }
    for (unsigned i = 0; i < NOPS; i++) {
        crossbar += all_busy[i];
    }
    for (unsigned t = 0; t < tiles; t++) {
        double expected = 0.0, busy = 0.0, ops_n = 0.0;
        double worst = 0.0, worst_here = 0.0, worst_other = 0.0;
        unsigned worst_op = RP_OP_NONE;
        for (unsigned i = 0; i < NOPS; i++) {
            const rp_agg_stat_t *s = rp_agg_tile_op(a, t, ops[i]);
            double on = all_n[i] - (double)s->count;
            if (s->count == 0u || on <= 0.0) {
                continue;
            }
            double size_here = prv_size(s, ops[i]) / (double)s->count;
            double size_other = (all_size[i] - prv_size(s, ops[i])) / on;
            if (fabs(size_here - size_other) > PRV_TILE_SIZE_TOL * prv_max(size_here, size_other)) {
                continue;   /* different work: not comparable */
            }
            double mean_other = (all_busy[i] - (double)s->busy_ticks) / on;
            double exp_i = (double)s->count * mean_other;
            expected += exp_i;
            busy += (double)s->busy_ticks;
            ops_n += (double)s->count;
            if ((double)s->busy_ticks - exp_i > worst) {
                worst = (double)s->busy_ticks - exp_i;
                worst_op = ops[i];
                worst_here = prv_mean(s);
                worst_other = mean_other;
            }
        }
        double excess = busy - expected;
        if (expected <= 0.0 || busy / expected < PRV_TILE_MIN_RATIO ||
            prv_share(excess, c->run) < PRV_MIN_GAIN) {
            continue;
        }
        char scope[32];
        prv_text(scope, sizeof scope, "tile %u", t);
        rp_finding_t *f = prv_new(c, "tile-imbalance", scope);
        if (f == NULL) {
            return;
        }
        prv_set_gain(c, f, excess);
        f->severity = prv_severity(f->gain_share);
        double ratio = busy / expected;
        prv_ev(f, "slowdown against the other tiles", ratio, "x");
        prv_ev_time(c, f, "time beyond the other tiles' pace", excess);
        prv_ev(f, "tile share of crossbar time",
               prv_share((double)rp_agg_tile(a, t)->busy_ticks, crossbar) * 100.0, "%");
        prv_ev(f, "ops compared on this tile", ops_n, "");
        prv_ev_time(c, f, "slowest op: mean on this tile", worst_here);
        prv_ev_time(c, f, "slowest op: mean on other tiles", worst_other);
        prv_ev(f, "tiles seen", (double)tiles, "");

        char t_here[32], t_other[32], t_ex[32];
        prv_fmt_time(t_here, sizeof t_here, worst_here, c->hz);
        prv_fmt_time(t_other, sizeof t_other, worst_other, c->hz);
        prv_fmt_time(t_ex, sizeof t_ex, excess, c->hz);
        prv_text(f->title, sizeof f->title,
                 "Tile %u is %.2fx slower than the other tiles for the same operations", t, ratio);
        prv_text(f->explanation, sizeof f->explanation,
                 "For the same op kinds and sizes, tile %u takes %.2fx the time the other tiles "
                 "take per operation (%s per %s here, %s elsewhere). Over its %.0f operations that "
                 "is %s beyond the other tiles' pace, %.1f%% of the run. The driver issues ops "
                 "one after another, so every slow op delays the run.",
                 t, ratio, t_here, rp_op_name(worst_op), t_other, ops_n, t_ex,
                 prv_share(excess, c->run) * 100.0);
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Check tile %u's hardware path: its drivers, sense amplifiers and ADC reference, "
                 "supply, and the bus or chip select that reaches it, against the other tiles; "
                 "until it is fixed, map latency-critical layers and rows to the other tiles or "
                 "give tile %u less work.",
                 t, t);
    }
}

/* ---- latency-tail --------------------------------------------------------- */

static void prv_rule_tail(prv_ctx_t *c)
{
    static const unsigned ops[] = {RP_OP_WRITE, RP_OP_VERIFY, RP_OP_READ, RP_OP_MVM,
                                   RP_OP_TRANSFER, RP_OP_COMPUTE};
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const rp_agg_stat_t *s = rp_agg_op(c->in->agg, ops[i]);
        const rp_hist_t *h = s->hist;
        if (h == NULL || s->count < PRV_TAIL_MIN_COUNT) {
            continue;
        }
        uint64_t p50 = rp_hist_quantile(h, 0.5);
        uint64_t p99 = rp_hist_quantile(h, 0.99);
        uint64_t p999 = rp_hist_quantile(h, 0.999);
        if (p50 == 0u || (double)h->max < PRV_TAIL_MIN_RATIO * (double)p50) {
            continue;
        }
        /* Ops above p99 and their time beyond the median. */
        double above = 0.0;
        for (uint32_t b = rp_hist_bucket_of(p99) + 1u; b < RP_HIST_BUCKETS; b++) {
            above += (double)h->buckets[b];
        }
        double excess = rp_hist_excess_over(h, p99) + above * (double)(p99 - p50);
        if (prv_share(excess, c->run) < PRV_TAIL_MIN_GAIN) {
            continue;
        }
        rp_finding_t *f = prv_new(c, "latency-tail", rp_op_name(ops[i]));
        if (f == NULL) {
            return;
        }
        prv_set_gain(c, f, excess);
        f->severity = prv_severity(f->gain_share);
        prv_ev_time(c, f, "median", (double)p50);
        prv_ev_time(c, f, "p99", (double)p99);
        prv_ev_time(c, f, "p99.9", (double)p999);
        prv_ev_time(c, f, "max", (double)h->max);
        prv_ev(f, "p99 / median", (double)p99 / (double)p50, "x");
        prv_ev(f, "max / median", (double)h->max / (double)p50, "x");
        prv_ev(f, "ops above p99", above, "");
        prv_ev_time(c, f, "time above p99 beyond the median", excess);

        char t50[32], t99[32], tmax[32], tex[32];
        prv_fmt_time(t50, sizeof t50, (double)p50, c->hz);
        prv_fmt_time(t99, sizeof t99, (double)p99, c->hz);
        prv_fmt_time(tmax, sizeof tmax, (double)h->max, c->hz);
        prv_fmt_time(tex, sizeof tex, excess, c->hz);
        prv_text(f->title, sizeof f->title, "%s latency outliers: max %.1fx the median (%s vs %s)",
                 rp_op_name(ops[i]), (double)h->max / (double)p50, tmax, t50);
        prv_text(f->explanation, sizeof f->explanation,
                 "Most %s operations take about %s (median) but the slowest 1%% run long: p99 %s, "
                 "p99.9 and max up to %s. The %.0f operations above p99 spend %s beyond the "
                 "median, %.1f%% of the run: jitter the operation itself does not explain.",
                 rp_op_name(ops[i]), t50, t99, tmax, above, tex,
                 prv_share(excess, c->run) * 100.0);
        prv_text(f->recommendation, sizeof f->recommendation,
                 "Find what stretches the slow %s calls: interrupts or DMA contention during the "
                 "call (mask interrupts or raise the array driver's priority around array ops), "
                 "retries inside the HAL, clock or supply events; see whether the outliers cluster "
                 "in time (timeline) or on one tile. Where the op is on a deadline, budget for its "
                 "p99 (%s), not its median.",
                 rp_op_name(ops[i]), t99);
    }
}

/* ---- endurance-hotspot ---------------------------------------------------- */

/* Share of the run's time-series buckets from the first to the last one
 * with a WRITE: how much of the run the writes are spread over. */
static double prv_write_span(const prv_ctx_t *c)
{
    const rp_agg_bucket_t *b = rp_agg_series(c->in->agg);
    uint32_t used = c->tot->series_used;
    if (b == NULL || used == 0u || used > RP_AGG_SERIES_BUCKETS) {
        return 0.0;
    }
    uint32_t first = used, last = 0u;
    for (uint32_t i = 0; i < used; i++) {
        if (b[i].count[RP_OP_WRITE] != 0u) {
            if (first == used) {
                first = i;
            }
            last = i;
        }
    }
    return first == used ? 0.0 : (double)(last - first + 1u) / (double)used;
}

static void prv_rule_endurance(prv_ctx_t *c)
{
    const rp_memuse_t *m = c->in->mem;
    if (m == NULL) {
        return;
    }
    const rp_memuse_totals_t *t = rp_memuse_totals(m);
    if (t == NULL || t->endurance_cycles == 0u || t->hotspot_count == 0u) {
        return;
    }
    const rp_memuse_hotspot_t *hs = &t->hotspots[0];
    if (hs->lifetime_s < 0.0 || hs->lifetime_s >= RP_MEMUSE_POOR_LIFETIME_S) {
        return;
    }
    /* A rate needs repetition: a tile whose rows were each programmed once,
     * or writes that only happen in a loading phase (weights programmed at
     * the start), give no steady write rate to project. */
    const rp_memuse_area_t *area = rp_memuse_tile(m, hs->tile);
    if (area == NULL || area->programs <= area->rows_programmed) {
        return;
    }
    double span = prv_write_span(c);
    if (span < PRV_END_MIN_SPAN) {
        return;
    }
    uint32_t at_risk = 0u;
    for (uint32_t i = 0; i < t->hotspot_count && i < RP_MEMUSE_MAX_HOTSPOTS; i++) {
        if (t->hotspots[i].lifetime_s >= 0.0 &&
            t->hotspots[i].lifetime_s < RP_MEMUSE_POOR_LIFETIME_S) {
            at_risk++;
        }
    }
    char scope[32];
    prv_text(scope, sizeof scope, "tile %u row %u", hs->tile, hs->row);
    rp_finding_t *f = prv_new(c, "endurance-hotspot", scope);
    if (f == NULL) {
        return;
    }
    prv_set_gain(c, f, 0.0);   /* wear costs lifetime, not run time */
    if (hs->lifetime_s < PRV_DAY_S) {
        f->severity = RP_SEVERITY_HIGH;
    } else if (hs->lifetime_s < 30.0 * PRV_DAY_S) {
        f->severity = RP_SEVERITY_MEDIUM;
    } else if (hs->lifetime_s < PRV_YEAR_S) {
        f->severity = RP_SEVERITY_LOW;
    } else {
        f->severity = RP_SEVERITY_INFO;
    }
    double per_row = prv_share((double)area->programs, (double)area->rows_programmed);
    prv_ev(f, "pulses on the hottest row", (double)hs->pulses, "pulses");
    prv_ev(f, "pulse rate on it", hs->pulses_per_s, "pulses/s");
    prv_ev(f, "projected time to endurance limit", hs->lifetime_s, "s");
    prv_ev(f, "endurance limit", (double)t->endurance_cycles, "pulses");
    /* The memory analytics keep the most pulsed rows only: say how many. */
    char at_risk_name[64];
    prv_text(at_risk_name, sizeof at_risk_name, "of the %u most pulsed rows, under 10 years",
             (unsigned)t->hotspot_count);
    prv_ev(f, at_risk_name, (double)at_risk, "");
    prv_ev(f, "programs per programmed row (tile)", per_row, "");
    prv_ev(f, "write-once ratio (tile)", area->write_once_ratio * 100.0, "%");
    prv_ev(f, "share of the run with writes", span * 100.0, "%");

    char life[32];
    prv_fmt_life(life, sizeof life, hs->lifetime_s);
    prv_text(f->title, sizeof f->title,
             "Tile %u row %u reaches its endurance limit in %s at this write rate", hs->tile,
             hs->row, life);
    prv_text(f->explanation, sizeof f->explanation,
             "Row %u of tile %u received %llu pulses in this capture (%.2f pulses/s); at that "
             "rate its cells reach the %llu-cycle endurance limit in %s and then stick. Rows of "
             "tile %u were programmed %.1f times each on average: the workload rewrites the "
             "array instead of keeping data in it. Wear costs lifetime, not run time: gain 0.%s",
             hs->row, hs->tile, (unsigned long long)hs->pulses, hs->pulses_per_s,
             (unsigned long long)t->endurance_cycles, life, hs->tile, per_row,
             c->loss_share > 0.0 ? " Events were lost (see the loss line): the pulses counted are a lower "
                                   "bound, so the true lifetime may be shorter."
                                 : "");
    prv_text(f->recommendation, sizeof f->recommendation,
             "Spread the writes: wear-level by rotating which rows hold frequently rewritten data "
             "and remapping hot rows; pulse only cells whose level changes (verify first); keep "
             "data that changes every run in SRAM/DRAM and write RRAM less often (see the memory "
             "analytics labels).");
}

/* ---- ranking -------------------------------------------------------------- */

/* Findings that make the capture itself incomplete rank first: resets
 * during it (2), then heavy loss (1). */
static int prv_first_rank(const prv_ctx_t *c, const rp_finding_t *f)
{
    if (c->in->session->boots.resets != 0u && strcmp(f->id, "device-reset") == 0) {
        return 2;
    }
    if (c->link_loss_share > RP_FINDINGS_LOSS_FIRST && strcmp(f->id, "transport-loss") == 0) {
        return 1;
    }
    return 0;
}

/* True when a should be listed before b. */
static bool prv_before(const prv_ctx_t *c, const rp_finding_t *a, const rp_finding_t *b)
{
    int a_first = prv_first_rank(c, a);
    int b_first = prv_first_rank(c, b);
    if (a_first != b_first) {
        return a_first > b_first;
    }
    if (a->gain_ticks != b->gain_ticks) {
        return a->gain_ticks > b->gain_ticks;
    }
    return a->severity > b->severity;
}

/* Insertion sort: stable, so equal findings keep rule order. */
static void prv_rank(prv_ctx_t *c)
{
    rp_finding_t tmp;
    rp_finding_t *v = c->out->findings;
    for (uint32_t i = 1; i < c->out->count; i++) {
        uint32_t j = i;
        if (!prv_before(c, &v[i], &v[i - 1u])) {
            continue;
        }
        tmp = v[i];
        while (j > 0u && prv_before(c, &tmp, &v[j - 1u])) {
            v[j] = v[j - 1u];
            j--;
        }
        v[j] = tmp;
    }
}

/* ---- entry point ---------------------------------------------------------- */

int rp_analyze(const rp_analysis_input_t *in, rp_analysis_t *out)
{
    if (in == NULL || out == NULL || in->session == NULL || in->agg == NULL) {
        return RP_ERR_ARG;
    }
    memset(out, 0, sizeof *out);
    prv_ctx_t c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.out = out;
    c.dev = (in->device != NULL && in->device->valid) ? in->device : NULL;
    prv_context(&c);
    prv_rule_reset(&c);   /* also for a capture the reset left without events */
    if (c.tot->events == 0u) {
        c.counters = false;   /* no run to share: the recorder's class is unknown */
        prv_validity(&c);
        return RP_OK;
    }
    prv_validity(&c);

    prv_rule_transport(&c);
    prv_rule_observer(&c);
    prv_rule_write_verify(&c);
    prv_rule_adc(&c);
    prv_rule_interface(&c);
    prv_rule_mcu(&c);
    prv_rule_tiles(&c);
    prv_rule_tail(&c);
    prv_rule_endurance(&c);

    prv_rank(&c);
    return RP_OK;
}
