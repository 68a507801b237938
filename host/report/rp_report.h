/* Report writers: one analysed capture -> what people read.
 *
 * `rramprof report` (host/cmd_report.c) reads a capture once through the
 * decoder, session, aggregator and memory analytics, runs the analyzer,
 * fills an rp_report_t and calls the writers below. The writers only read
 * it; they never re-read the capture.
 *
 * Outputs (docs/report.md describes each):
 *   text      terminal summary: validity, top findings, time breakdown
 *   report.md the same and the full tables, GitHub-flavoured Markdown
 *   report.html one self-contained file (inline CSS and SVG, no scripts or
 *             network resources): breakdown by op, latency histograms, a
 *             timeline, per-tile heatmaps of utilization and wear, findings,
 *             memory analytics
 *   summary.json every number of the report, "schema": RP_REPORT_SCHEMA
 *   metrics.csv one row per metric: scope,metric,value,unit
 *   manifest.json every file of the run directory with its size and SHA-256
 * All writers return RP_OK or RP_ERR_IO (errno kept) and write nothing
 * partial under the final name (temp file + rename). */
#ifndef RP_REPORT_H
#define RP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rramprof/rp_aggregate.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_findings.h"
#include "rramprof/rp_memuse.h"
#include "rramprof/rp_session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_REPORT_SCHEMA "rramprof.report/1"
#define RP_REPORT_MAX_PROBLEMS 16u

/* Everything a writer may show. Pointers are borrowed. */
typedef struct rp_report {
    const char *capture_path;
    const char *tool_version;
    bool is_capture;                      /* false: raw link stream */
    const rp_capture_header_t *header;    /* NULL for raw streams */
    const rp_capture_integrity_t *integrity;
    const rp_decode_stats_t *decode;
    const rp_session_t *session;          /* names, workloads */
    const rp_session_stats_t *stats;
    const rp_device_info_t *device;       /* valid == false without Hello */
    const rp_agg_t *agg;
    const rp_memuse_t *mem;
    const rp_analysis_t *analysis;
    /* What could not be read, one sentence each ("the file ends inside
     * chunk 12: 3.1 KiB after byte 40960 were not read"). */
    uint32_t problem_count;
    char problems[RP_REPORT_MAX_PROBLEMS][160];
} rp_report_t;

int rp_report_write_text(FILE *f, const rp_report_t *r, unsigned max_findings);
int rp_report_write_md(const char *path, const rp_report_t *r);
int rp_report_write_html(const char *path, const rp_report_t *r);
int rp_report_write_json(const char *path, const rp_report_t *r);
int rp_report_write_csv(const char *path, const rp_report_t *r);
/* manifest.json in dir listing files[0..n) (names relative to dir). */
int rp_report_write_manifest(const char *dir, const char *const *files, size_t n,
                             const rp_report_t *r);

/* SHA-256 (FIPS 180-4). */
typedef struct rp_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t fill;
} rp_sha256_t;
void rp_sha256_init(rp_sha256_t *s);
void rp_sha256_update(rp_sha256_t *s, const void *data, size_t len);
void rp_sha256_final(rp_sha256_t *s, uint8_t digest[32]);
/* Hashes a file; RP_OK or RP_ERR_IO. hex gets 64 hex digits + NUL. */
int rp_sha256_file(const char *path, char hex[65]);

/* Chrome Trace Event Format (JSON object form) of a capture, streamed in
 * bounded memory: ops as complete events on one track per tile, SPAN
 * events nested on a "spans" track, COMPUTE on an "mcu" track, drops and
 * gaps as instant events; timestamps in microseconds of run time. Loads in
 * Perfetto UI and chrome://tracing. On failure writes a one-line message
 * into err and returns RP_ERR_IO / RP_ERR_MALFORMED / RP_ERR_UNSUPPORTED
 * like rp_capture_reader_open. */
int rp_export_chrome_trace(const char *capture_path, const char *out_path, char *err,
                           size_t errlen);

/* What an export read, so the caller can say what was not read (the
 * trace itself is written whenever the file could be opened, damaged or
 * not). */
typedef struct rp_export_result {
    bool is_capture;                  /* false: raw link stream */
    rp_capture_integrity_t integrity; /* capture files only */
    uint64_t good_frames;             /* frames decoded */
    uint64_t bad_frames;              /* corrupt link frames + undecodable payloads */
    uint64_t events;                  /* events written as trace events */
    uint64_t lost_events;             /* session loss.total_events */
    uint64_t out_of_order;            /* events written after a later one on
                                         their track (reorder window exceeded) */
} rp_export_result_t;

/* rp_export_chrome_trace with the result (res may be NULL). Timestamps:
 * run time as in rp_aggregate.h (segments end to end; a segment's origin
 * is the earliest start in its first batch), printed in microseconds with
 * nanosecond decimals, truncated, so a child span never leaves its
 * parent. Events are written sorted by start (longest first on ties, so
 * parents precede children) within a window of RP_EXPORT_REORDER events. */
#define RP_EXPORT_REORDER 16384u
int rp_export_chrome_trace_ex(const char *capture_path, const char *out_path, rp_export_result_t *res,
                              char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
