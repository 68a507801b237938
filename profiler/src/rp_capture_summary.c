/* rp_capture_summarize: one pass over a file through decoder and session,
 * for `rramprof info`. */
#include <string.h>

#include "rramprof/rp_capture.h"
#include "rramprof/rp_status.h"

static int prv_apply(void *ctx, const rp_msg_t *msg)
{
    return rp_session_apply(ctx, msg);
}

int rp_capture_summarize(const char *path, rp_capture_summary_t *out)
{
    if (path == NULL || out == NULL) {
        return RP_ERR_ARG;
    }
    memset(out, 0, sizeof *out);
    rp_decoder_t *d = rp_decoder_create();
    rp_session_t *s = rp_session_create(NULL);
    if (d == NULL || s == NULL) {
        rp_decoder_destroy(d);
        rp_session_destroy(s);
        return RP_ERR_NOSPACE;
    }
    /* The header fields come from a reader of their own: cheap, and
     * replay keeps its reader private. */
    rp_capture_reader_t *r;
    if (rp_capture_reader_open(path, &r) == RP_OK) {
        const rp_capture_header_t *h = rp_capture_reader_header(r);
        out->version_major = h->version_major;
        out->version_minor = h->version_minor;
        out->host_time_ns = h->host_time_ns;
        memcpy(out->tool_version, h->tool_version, sizeof out->tool_version);
        rp_capture_reader_close(r);
    }
    int rc = rp_capture_replay(path, d, prv_apply, s, &out->integrity, &out->is_capture);
    if (rc == RP_OK || rc == RP_ERR_IO) {
        /* On a read error the summary still covers what was read. */
        out->device = *rp_session_device(s);
        rp_session_stats(s, &out->stats);
        for (uint32_t i = 0; i < out->stats.workload_names; i++) {
            out->workloads[i] = *rp_session_workload(s, i);
        }
        out->decode = *rp_decoder_stats(d);
    }
    rp_decoder_destroy(d);
    rp_session_destroy(s);
    return rc;
}
