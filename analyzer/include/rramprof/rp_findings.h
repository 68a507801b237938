/* Findings: the rules that say where the time goes, why, and what to change.
 *
 * rp_analyze() reads the aggregated profile (rp_aggregate.h), the memory
 * analytics (rp_memuse.h), the session (device, loss, the device's own
 * Counters) and produces ranked findings. Each finding has a stable id, a
 * severity, the evidence (the numbers behind it), an explanation, a
 * concrete recommendation and an estimated gain: the run time the run
 * would save if the cause were fixed, by the rule's stated reference
 * (an anomaly removed, an intrinsic cost halved)
 * (docs/findings.md gives every rule: what it detects, its thresholds,
 * its gain formula).
 *
 * Rule ids (stable, used by tests and summary.json):
 *   device-reset            the device rebooted during the capture (or a
 *                           failure started the boot it ran in)
 *   write-verify-inflation  pulses per program above need; non-converging rows
 *   adc-bound-mvm           MVM time dominated by ADC conversions / column sharing
 *   interface-bound         data movement (TRANSFER, bus) dominates array ops
 *   mcu-gaps                time between operations spent in MCU software
 *   transport-loss          the link could not keep up: lost events, stalls
 *   tile-imbalance          one tile slower or busier than the others
 *   latency-tail            outliers and jitter (tail over median) per op
 *   endurance-hotspot       rows approaching the endurance limit
 *   observer-effect         the recorder's own share of the run
 *
 * Ranking: findings that make the capture itself untrustworthy come first
 * (device-reset when the device reset during the capture, then
 * transport-loss when more than RP_FINDINGS_LOSS_FIRST of the events were
 * lost: the other numbers are then incomplete); the rest by estimated gain,
 * largest first; ties by severity. findings[0] is the primary bottleneck.
 *
 * Validity: two shares, each classed clean below RP_VALIDITY_CLEAN_MAX,
 * marginal below RP_VALIDITY_MARGINAL_MAX and contaminated above: the
 * observer effect, recorder share = (Counters.record_ticks +
 * Counters.drain_ticks) / run ticks (unknown when no Counters arrived),
 * and the lost share, lost / (delivered + lost) events. The capture's
 * class is the worse of the two; unknown only while the recorder share is
 * unknown and the loss leaves the capture clean. */
#ifndef RP_FINDINGS_H
#define RP_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_memuse.h"
#include "rramprof/rp_session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_FINDINGS_MAX 32u
#define RP_FINDING_MAX_EVIDENCE 8u
#define RP_FINDINGS_LOSS_FIRST 0.01       /* lost share that puts transport-loss first */
#define RP_VALIDITY_CLEAN_MAX 0.01        /* recorder share */
#define RP_VALIDITY_MARGINAL_MAX 0.05

typedef enum rp_severity {
    RP_SEVERITY_INFO = 0,
    RP_SEVERITY_LOW = 1,
    RP_SEVERITY_MEDIUM = 2,
    RP_SEVERITY_HIGH = 3,
    RP_SEVERITY_CRITICAL = 4
} rp_severity_t;

/* "info", "low", "medium", "high", "critical". */
const char *rp_severity_name(int severity);

typedef struct rp_evidence {
    char name[48];        /* e.g. "ADC share of MVM time" */
    double value;
    char unit[16];        /* "%", "ticks", "s", "x", "ops/s", "pulses", "" */
} rp_evidence_t;

typedef struct rp_finding {
    char id[32];              /* rule id above */
    rp_severity_t severity;
    char scope[32];           /* what it is about: "run", "MVM", "tile 1", ... */
    char title[160];          /* one line, with the key number */
    char explanation[640];    /* why, in the engineer's terms */
    char recommendation[640]; /* what to change */
    double gain_ticks;        /* estimated run time saved, ticks (0: none) */
    double gain_share;        /* gain_ticks / run ticks */
    uint32_t evidence_count;
    rp_evidence_t evidence[RP_FINDING_MAX_EVIDENCE];
} rp_finding_t;

typedef enum rp_validity_class {
    RP_VALIDITY_UNKNOWN = 0,  /* no Counters: recorder cost not known */
    RP_VALIDITY_CLEAN = 1,
    RP_VALIDITY_MARGINAL = 2,
    RP_VALIDITY_CONTAMINATED = 3
} rp_validity_class_t;

/* "unknown", "clean", "marginal", "contaminated". */
const char *rp_validity_name(int cls);

typedef struct rp_validity {
    rp_validity_class_t cls;           /* the capture's: the worse of the two */
    rp_validity_class_t recorder_cls;  /* of recorder_share */
    rp_validity_class_t loss_cls;      /* of loss_share */
    double recorder_share;    /* see above; 0 when unknown */
    double loss_share;        /* lost / (delivered + lost) events */
} rp_validity_t;

typedef struct rp_analysis {
    uint32_t count;
    rp_finding_t findings[RP_FINDINGS_MAX];   /* ranked; [0] is primary */
    rp_validity_t validity;
} rp_analysis_t;

typedef struct rp_analysis_input {
    const rp_device_info_t *device;       /* may be NULL (no Hello) */
    const rp_session_stats_t *session;    /* required */
    const rp_agg_t *agg;                  /* required, finished */
    const rp_memuse_t *mem;               /* may be NULL; finished */
} rp_analysis_input_t;

/* Runs every rule. Returns RP_OK or RP_ERR_ARG. An empty capture gives no
 * findings (count 0) and validity unknown. */
int rp_analyze(const rp_analysis_input_t *in, rp_analysis_t *out);

#ifdef __cplusplus
}
#endif
#endif
