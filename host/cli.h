/* Shared pieces of the rramprof command: subcommand entry points, exit
 * codes, the device link and small parsing/formatting helpers. */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rramprof/rp_decode.h"
#include "rramprof/rp_transport.h"

/* Exit statuses (docs/cli.md). */
enum {
    RP_EXIT_OK = 0,
    RP_EXIT_FAIL = 1,        /* anything else that went wrong */
    RP_EXIT_USAGE = 2,       /* bad command line */
    RP_EXIT_NO_DEVICE = 3,   /* unknown port, cannot open, none or several attached */
    RP_EXIT_TIMEOUT = 4,     /* the device did not answer */
    RP_EXIT_GONE = 5,        /* the device went away in the middle of a capture */
    RP_EXIT_OUTPUT = 6,      /* the capture file or a report file could not be written */
    RP_EXIT_DAMAGED = 7,     /* info/report/export: the file is empty, truncated, corrupt or not a capture */
    RP_EXIT_DEVICE = 8,      /* the device refused a command */
    RP_EXIT_TOO_NEW = 9,     /* report/export: capture format newer than this rramprof */
    RP_EXIT_IMAGE = 10,      /* flash, capture --board: image corrupt, for another board, or outside its flash */
    RP_EXIT_VERIFY = 11,     /* flash: the read-back differs from the image */
    RP_EXIT_SIGHUP = 129,    /* capture ended by a closed terminal (SIGHUP) */
    RP_EXIT_SIGINT = 130,    /* second Ctrl-C: drain abandoned */
    RP_EXIT_SIGTERM = 143
};

int rp_cli_capture(int argc, char **argv);
int rp_cli_list(int argc, char **argv);
/* `list --boards` and `capture --board list`: the board table on stdout.
 * Exit 2 when RRAMPROF_BOARDS_DIR is set but not a directory (as capture
 * and flash), 1 when no valid board file was found; cmd names the command
 * in messages. */
int rp_cli_list_boards(const char *cmd);
int rp_cli_info(int argc, char **argv);
int rp_cli_demo(int argc, char **argv);
int rp_cli_report(int argc, char **argv);
int rp_cli_export(int argc, char **argv);
int rp_cli_flash(int argc, char **argv);

/* ---- report engine, shared by `report` and `demo` ---- */

enum {
    RP_REPORT_FMT_TEXT = 1u << 0,   /* terminal summary on stdout */
    RP_REPORT_FMT_HTML = 1u << 1,
    RP_REPORT_FMT_MD = 1u << 2,
    RP_REPORT_FMT_JSON = 1u << 3,
    RP_REPORT_FMT_CSV = 1u << 4,
    RP_REPORT_FMT_ALL = (1u << 5) - 1u
};

typedef struct rp_report_opts {
    const char *path;         /* capture file or raw link stream */
    const char *dir;          /* run directory, or NULL: terminal only */
    unsigned formats;         /* RP_REPORT_FMT_* */
    unsigned top;             /* findings in the terminal summary */
    bool force;               /* write into an existing non-empty dir */
} rp_report_opts_t;

/* Reads the file once, analyses it, writes the outputs; returns the exit
 * status `rramprof report` documents (docs/cli.md). */
int rp_cli_report_run(const rp_report_opts_t *o);

/* ---- capture engine, shared by `capture` and `demo` ---- */

typedef struct rp_capture_opts {
    const char *from;         /* URI, or NULL: the one attached device */
    const char *out;          /* capture file path */
    uint64_t events;          /* stop after this many events (0 = no limit) */
    double duration_s;        /* stop after this much wall time (0 = none) */
    const char *workload;     /* RunWorkload name, or NULL */
    uint32_t op_mask;         /* Start.op_mask (0 = all) */
    uint64_t threshold_ns;    /* Start threshold, converted with clock_hz */
    double timeout_s;         /* GetInfo / command answer timeout */
    bool quiet;               /* no device banner */
    bool passive;             /* send no command: record what the device
                                 sends by itself (firmware recording from
                                 boot); its Hello stands for GetInfo */
    bool follow_resets;       /* after a device reset, Start the new boot
                                 and go on, instead of ending the capture */
} rp_capture_opts_t;

int rp_cli_capture_run(const rp_capture_opts_t *o);

/* ---- device link: transport + decoder + commands ---- */

typedef struct rp_link {
    rp_transport_t *t;
    rp_decoder_t *dec;
    uint32_t next_request;
    uint64_t bytes_in;
    int last_err;             /* last transport error, RP_OK if none */
} rp_link_t;

/* Opens uri; on failure returns the transport error and writes a message
 * for the user (with the udev hint where it applies) into msg. */
int rp_link_open(rp_link_t *l, const char *uri, char *msg, size_t cap);
void rp_link_close(rp_link_t *l);
/* Sends GetInfo/Start/... kind with the given fields (request_id is
 * assigned and returned through *request_id). */
struct rp_command;
int rp_link_send(rp_link_t *l, struct rp_command *cmd, uint32_t *request_id);
/* One read (up to timeout_ms) fed through the decoder into fn. Returns the
 * bytes read (0 on timeout or signal), or a transport error. */
int rp_link_pump(rp_link_t *l, int timeout_ms, rp_msg_fn fn, void *ctx);

/* Probes uri: opens it, sends GetInfo and waits up to timeout_ms for the
 * Hello. Returns RP_OK and fills *board / *fw (may be NULL); on failure
 * returns the error and, when why is not NULL, what the transport said
 * about it (empty if nothing). */
int rp_link_probe(const char *uri, int timeout_ms, char *board, size_t board_cap, char *fw, size_t fw_cap,
                  char *why, size_t why_cap);

/* Writes the udev hint for a permission error to f. */
void rp_cli_udev_hint(FILE *f);

/* ---- helpers ---- */

/* "100000", "200k", "1.5M" -> count. false if malformed. */
bool rp_cli_parse_count(const char *s, uint64_t *out);
/* "2", "0.5", "250ms" -> seconds. false if malformed or negative. */
bool rp_cli_parse_seconds(const char *s, double *out);
/* "write,verify", "all", "0x1e" -> op mask (bit n = op n). */
bool rp_cli_parse_op_mask(const char *s, uint32_t *out);
/* ns -> ticks of clock_hz, rounded up so the threshold is never below ns. */
uint64_t rp_cli_ns_to_ticks(uint64_t ns, uint64_t clock_hz);
/* Human-readable "12.3k", "4.56M" for rates. */
void rp_cli_si(double v, char *buf, size_t cap);
/* Monotonic milliseconds. */
int64_t rp_cli_now_ms(void);
/* Directory holding the running rramprof binary ("" if unknown). */
void rp_cli_self_dir(char *buf, size_t cap);

#endif
