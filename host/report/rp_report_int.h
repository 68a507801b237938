/* Pieces shared by the report writers (not part of the public contract):
 * crash-safe output files, escaping for JSON / HTML / CSV / Markdown,
 * number and time formatting, and the few derived figures every writer
 * shows the same way. */
#ifndef RP_REPORT_INT_H
#define RP_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rp_report.h"
#include "rramprof/rp_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An output written under a temporary name and renamed into place by
 * rp_report_out_commit, so readers never see a partial file. */
typedef struct rp_report_out {
    FILE *f;
    char path[4096];
    char tmp[4200];
    bool direct;     /* written in place: path is a device, FIFO or symlink */
} rp_report_out_t;

/* RP_OK or RP_ERR_IO (errno kept). A regular file is written to a
 * temporary beside it and renamed over it at commit (never half written);
 * a device, FIFO or symlink is written in place, so that it stays what it
 * is (/dev/stdout, a link to elsewhere). */
int rp_report_out_open(rp_report_out_t *o, const char *path);
/* Flushes, closes and renames; on any write error removes the temporary
 * file and returns RP_ERR_IO with errno of the first failure. */
int rp_report_out_commit(rp_report_out_t *o);

/* "..." with JSON escapes (control bytes as \u00XX; bytes >= 0x80 that do
 * not form valid UTF-8 become U+FFFD so the output stays valid UTF-8). */
void rp_report_json_str(FILE *f, const char *s);
/* A number that reads back to the same double; null for NaN / inf. */
void rp_report_json_num(FILE *f, double v);
/* Text with &, <, >, ", ' escaped (invalid UTF-8 replaced as above). */
void rp_report_html_str(FILE *f, const char *s);
/* A CSV field, quoted when it holds a comma, quote or line break. */
void rp_report_csv_str(FILE *f, const char *s);
/* A Markdown table cell: | escaped, line breaks as spaces, HTML-escaped. */
void rp_report_md_cell(FILE *f, const char *s);

/* Copies s into out (cap bytes) replacing invalid UTF-8 with U+FFFD. */
void rp_report_utf8_clean(const char *s, char *out, size_t cap);
/* rp_report_utf8_clean, and control characters (terminal escapes) as
 * spaces: a device-supplied string safe to print on a terminal. Returns
 * out. */
const char *rp_report_text_clean(const char *s, char *out, size_t cap);

/* Ticks as "12.345 ms" with 3-4 significant digits (raw ticks when
 * clock_hz is 0). */
void rp_report_fmt_time(double ticks, uint64_t clock_hz, char *buf, size_t cap);
/* Rates as "12.3k", "4.56M". */
void rp_report_fmt_si(double v, char *buf, size_t cap);
/* A finding's evidence for people: counts exact (no exponent), seconds as
 * a time with its unit ("131.000" "us"), other values to four significant
 * digits. *unit points at the unit to show: into buf or the evidence. */
void rp_report_fmt_evidence(const rp_evidence_t *e, char *buf, size_t cap, const char **unit);

/* The clock of the run: aggregator's, else the device's, else 0. */
uint64_t rp_report_clock(const rp_report_t *r);
/* Ticks -> seconds (0 when the clock is unknown). */
double rp_report_seconds(const rp_report_t *r, double ticks);
/* Run ticks (0 when nothing was aggregated). */
uint64_t rp_report_run_ticks(const rp_report_t *r);

/* Derived figures of one statistic. */
typedef struct rp_report_stat {
    double share;             /* busy / run ticks */
    double mean, p50, p90, p99, p999;   /* ticks */
    uint64_t min, max;
    double ops_per_s, bytes_per_s, macs_per_s;   /* over run time; 0 if unknown */
} rp_report_stat_t;
void rp_report_stat_derive(const rp_report_t *r, const rp_agg_stat_t *s, rp_report_stat_t *out);

/* Name of a named group ("span #7" when the table lacks it). */
void rp_report_group_name(const rp_report_t *r, uint32_t id, char *buf, size_t cap);

/* "WRITE", ..., "OP9" for op values without a name. */
const char *rp_report_op_name(unsigned op, char buf[8]);

/* Device ops in the order reports list them; returns how many. */
unsigned rp_report_ops(unsigned out[RP_AGG_MAX_OPS]);
/* Why the device booted, in one line: the last segment's cause ("power-on",
 * "fatal error: HardFault (exception 3)", ...) and the resets during the
 * capture; NULL without a Hello. */
const char *rp_report_reset_line(const rp_report_t *r, char *buf, size_t cap);
/* Capture state in one line ("complete", "truncated inside a chunk", ...). */
const char *rp_report_integrity_word(const rp_report_t *r);
/* Validity class name, "unknown" without an analysis. */
const char *rp_report_validity(const rp_report_t *r);
/* Why the class: the recorder's share of the run (or that it is unknown)
 * and, when events were lost, their share; plain text for every writer. */
void rp_report_validity_detail(const rp_report_t *r, char *buf, size_t size);

/* ---- hardware counters (Counters.hw_*, the ARMv7-M DWT) ----
 * One derivation for every writer (and `rramprof info`), so all show the
 * same numbers. Counter i is HwCounter bit (1 << i): CYCCNT, CPICNT,
 * EXCCNT, SLEEPCNT, LSUCNT, FOLDCNT. Values are the session totals of the
 * last Counters (counted on the device from Start). */
#define RP_REPORT_HW_COUNTERS 6u
#define RP_REPORT_HW_MISSING "not available on this board"
/* Per the ARMv7-M DWT definition (ARM DDI 0403, DWT profiling counters). */
#define RP_REPORT_HW_FORMULA "instructions = CYCCNT - CPICNT - EXCCNT - SLEEPCNT - LSUCNT + FOLDCNT"
/* The caveat every writer gives with 8-bit counter values. */
#define RP_REPORT_HW_NOTE                                                                          \
    "CPICNT, EXCCNT, SLEEPCNT, LSUCNT and FOLDCNT are 8-bit counters the firmware samples after "  \
    "every crossbar operation, at every drain and for every Counters; a total is exact when the "  \
    "counter counted fewer than 256 events between two samples, else it is low by a multiple of " \
    "256 (and instructions and CPI are then estimates)"

typedef enum rp_report_hw_state {
    RP_REPORT_HW_VALUE = 0,     /* value holds the total */
    RP_REPORT_HW_NOT_ON_BOARD,  /* the board has no such counter (Hello) */
    RP_REPORT_HW_NOT_SENT,      /* the board has it, no Counters carried it */
    RP_REPORT_HW_UNKNOWN        /* no Hello: nothing is known */
} rp_report_hw_state_t;

typedef struct rp_report_hw {
    uint32_t available;         /* Hello.counters_available (0 without Hello) */
    uint32_t valid;             /* hw_valid of the last Counters */
    rp_report_hw_state_t state[RP_REPORT_HW_COUNTERS];
    uint64_t value[RP_REPORT_HW_COUNTERS];   /* 0 unless state is VALUE */
    /* Derived, only when all six are VALUE, CYCCNT > 0 and the formula
     * gives a positive count. */
    bool derived;
    uint64_t instructions;
    double cpi;                 /* cycles / instructions */
    double exc_share;           /* EXCCNT / CYCCNT: exception entry/exit overhead */
    double sleep_share;         /* SLEEPCNT / CYCCNT */
    double lsu_share;           /* LSUCNT / CYCCNT: load-store stalls */
    double cpi_share;           /* CPICNT / CYCCNT: other multi-cycle stalls */
    const char *why_not;        /* without derived figures: why (static text) */
} rp_report_hw_t;

/* d or st may be NULL. Returns true when at least one counter has a value. */
bool rp_report_hw_derive(const rp_device_info_t *d, const rp_session_stats_t *st, rp_report_hw_t *out);
/* "CYCCNT", ... for i < RP_REPORT_HW_COUNTERS. */
const char *rp_report_hw_name(unsigned i);
/* What a reader sees for a counter without value: RP_REPORT_HW_MISSING,
 * "not sent by the device", "unknown (no Hello received)". */
const char *rp_report_hw_state_text(rp_report_hw_state_t s);
/* One line for the terminal (no label, no newline): the derived figures or
 * which counters are missing. */
void rp_report_hw_line(const rp_report_hw_t *hw, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
