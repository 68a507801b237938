/* findings_driver: runs the analysis pipeline on capture files and prints
 * the findings, for tuning the rules against the sim scenarios without the
 * full report writers:
 *   replay -> session -> aggregator + memory analytics -> rp_analyze.
 * Usage: findings_driver FILE... (one block of output per file). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_findings.h"
#include "rramprof/rp_memuse.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

typedef struct prv_pipe {
    rp_session_t *session;
    rp_agg_t *agg;
    rp_memuse_t *mem;
} prv_pipe_t;

static void prv_on_segment(void *ctx, uint32_t segment, const rp_device_info_t *info)
{
    prv_pipe_t *p = ctx;
    rp_agg_segment(p->agg, segment, info);
    rp_memuse_segment(p->mem, segment, info);
}

static int prv_on_events(void *ctx, uint32_t segment, const rp_record_t *ev, size_t n)
{
    prv_pipe_t *p = ctx;
    (void)rp_agg_add(p->agg, segment, ev, n);
    (void)rp_memuse_add(p->mem, ev, n, rp_agg_time_shift(p->agg));
    return RP_OK;
}

static int prv_on_msg(void *ctx, const rp_msg_t *msg)
{
    prv_pipe_t *p = ctx;
    return rp_session_apply(p->session, msg);
}

static int prv_one(const char *path)
{
    prv_pipe_t p = {NULL, rp_agg_create(), rp_memuse_create()};
    rp_session_callbacks_t cb = {prv_on_events, prv_on_segment, &p};
    p.session = rp_session_create(&cb);
    rp_decoder_t *d = rp_decoder_create();
    static rp_analysis_t an;
    static rp_session_stats_t st;
    int rc = RP_ERR_ARG;
    if (p.session == NULL || p.agg == NULL || p.mem == NULL || d == NULL) {
        goto out;
    }
    rp_capture_integrity_t integ;
    rc = rp_capture_replay(path, d, prv_on_msg, &p, &integ, NULL);
    if (rc != RP_OK) {
        fprintf(stderr, "%s: %s\n", path, rp_err_str(rc));
        goto out;
    }
    rp_agg_finish(p.agg);
    const rp_agg_totals_t *tot = rp_agg_totals(p.agg);
    rp_memuse_finish(p.mem, tot->run_ticks, tot->clock_hz);
    rp_session_stats(p.session, &st);
    rp_analysis_input_t in = {rp_session_device(p.session), &st, p.agg, p.mem};
    rc = rp_analyze(&in, &an);
    if (rc != RP_OK) {
        goto out;
    }
    printf("== %s: %" PRIu64 " events, run %.3f s, validity %s (recorder %.2f%%, lost %.2f%%)\n",
           path, tot->events, tot->clock_hz ? (double)tot->run_ticks / (double)tot->clock_hz : 0.0,
           rp_validity_name((int)an.validity.cls), an.validity.recorder_share * 100.0,
           an.validity.loss_share * 100.0);
    for (uint32_t i = 0; i < an.count; i++) {
        const rp_finding_t *f = &an.findings[i];
        printf("%u. [%s] %s (%s) gain %.1f%%: %s\n", i + 1u, rp_severity_name((int)f->severity),
               f->id, f->scope, f->gain_share * 100.0, f->title);
        for (uint32_t k = 0; k < f->evidence_count; k++) {
            printf("     %-40s %.6g %s\n", f->evidence[k].name, f->evidence[k].value,
                   f->evidence[k].unit);
        }
        if (getenv("FINDINGS_TEXT") != NULL) {
            printf("     why: %s\n     fix: %s\n", f->explanation, f->recommendation);
        }
    }
out:
    rp_decoder_destroy(d);
    rp_session_destroy(p.session);
    rp_agg_destroy(p.agg);
    rp_memuse_destroy(p.mem);
    return rc;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        bad |= prv_one(argv[i]) != RP_OK;
    }
    return bad;
}
