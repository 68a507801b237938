/* rramprof-sim: the sim board as a host process.
 *
 * The firmware core (recorder, workloads, device loop) runs unchanged over
 * the sim HAL (virtual clock + crossbar model, sim_hal.c) and a link to the
 * host over stdio, a socket or a pseudo-terminal (sim_transport.c). This
 * file parses the flags, sets both up and runs the device main loop.
 *
 * Main loop and virtual time. Each iteration calls rp_device_poll() once
 * and writes what it produced to the link. The clock moves only through
 * modelled work, so an iteration that changed nothing (no tick passed, no
 * byte moved) is an idle one, and the loop charges time for it itself:
 *   - output waits for the modelled link: advance to the moment its DMA
 *     transfer ends and the waiting buffer starts (sim_transport.h);
 *   - work is pending (events in the ring, a workload step): advance
 *     RP_SIM_IDLE_STEP_NS, the cost of one pass of an MCU idle loop;
 *   - nothing to do: block in poll() on the link until the host sends
 *     something, at most until the next heartbeat or Counters period (or
 *     RP_SIM_IDLE_WAIT_MS); a wake-up by input costs RP_SIM_IDLE_STEP_NS,
 *     a timeout the time waited (so periodic frames keep their period).
 * Nothing in a run started with --autostart depends on wall-clock time, so
 * the same flags and seed give a byte-identical stream. */
#define _DEFAULT_SOURCE

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rramprof/rp_device.h"
#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_ring.h"
#include "rramprof/rp_salvage.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_workload.h"
#include "rramprof/rp_xmodel.h"
#include "sim_hal.h"
#include "sim_transport.h"

#ifndef RRAMPROF_VERSION
#define RRAMPROF_VERSION "0.0.0"
#endif

#define PRV_NAME "rramprof-sim"

/* Workload when neither --workload nor the parameter file names one. */
#define PRV_DEFAULT_WORKLOAD "mlp"

/* Scenario files in the source tree, for a binary run from its build. */
#ifndef RP_SIM_SCENARIO_DIR
#define RP_SIM_SCENARIO_DIR ""
#endif
#define PRV_MAX_SCENARIOS 64u

/* Virtual time charged for an idle pass of the main loop (see above). */
#define RP_SIM_IDLE_STEP_NS 1000u
/* Longest wait for the host in one idle pass, in ms. */
#define RP_SIM_IDLE_WAIT_MS 1000u

enum { PRV_EXIT_OK = 0, PRV_EXIT_FAIL = 1, PRV_EXIT_USAGE = 2 };

typedef struct prv_opts {
    const char *workload;   /* NULL: from the parameter file, else the default */
    char file_workload[RP_XMODEL_NAME_MAX];
    uint64_t seed;
    const char *preset;
    const char *params;
    const char *scenario;
    char scenario_path[PATH_MAX];
    uint64_t events;
    uint64_t reset_after;   /* reset the board after this many events a session; 0 = never */
    bool autostart;
    const char *transport;
    uint64_t link_baud;
    bool link_baud_set;     /* --link-baud given: overrides the file */
    const char *truth;
    uint32_t heartbeat_ms;
    uint32_t counters_ms;
    bool quiet;
} prv_opts_t;

/* ---- scenarios ----------------------------------------------------------- */

#define PRV_SCENARIO_EXT ".params"
#define PRV_SCENARIO_NAME_MAX 64u

/* Directories searched for --scenario NAME, in order: `scenarios` next to
 * the binary (the build copies the files there), an installed tree
 * (<bindir>/../share/rramprof/scenarios), then the source tree the binary
 * was built from. Returns how many were filled. */
static unsigned prv_scenario_dirs(char dirs[3][PATH_MAX])
{
    unsigned n = 0;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1u);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            int a = snprintf(dirs[n], PATH_MAX, "%s/scenarios", exe);
            n += a > 0 && a < PATH_MAX;
            int b = snprintf(dirs[n], PATH_MAX, "%s/../share/rramprof/scenarios", exe);
            n += b > 0 && b < PATH_MAX;
        }
    }
    if (RP_SIM_SCENARIO_DIR[0] != '\0' && strlen(RP_SIM_SCENARIO_DIR) < PATH_MAX) {
        memcpy(dirs[n++], RP_SIM_SCENARIO_DIR, strlen(RP_SIM_SCENARIO_DIR) + 1u);
    }
    return n;
}

/* A scenario name is a plain file stem: no path, no leading dot. */
static bool prv_scenario_name_ok(const char *name, size_t len)
{
    if (len == 0 || len >= PRV_SCENARIO_NAME_MAX || name[0] == '.') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Path of scenario `name` into out; false if no directory has it. */
static bool prv_scenario_find(const char *name, char *out, size_t cap)
{
    if (!prv_scenario_name_ok(name, strlen(name))) {
        return false;
    }
    char dirs[3][PATH_MAX];
    unsigned n = prv_scenario_dirs(dirs);
    for (unsigned i = 0; i < n; i++) {
        int len = snprintf(out, cap, "%s/%s" PRV_SCENARIO_EXT, dirs[i], name);
        if (len > 0 && (size_t)len < cap && access(out, R_OK) == 0) {
            return true;
        }
    }
    return false;
}

static int prv_cmp_names(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Names of every scenario found, sorted, without duplicates. */
static unsigned prv_scenario_list(char names[PRV_MAX_SCENARIOS][PRV_SCENARIO_NAME_MAX])
{
    char dirs[3][PATH_MAX];
    unsigned ndirs = prv_scenario_dirs(dirs);
    unsigned n = 0;
    const size_t ext = strlen(PRV_SCENARIO_EXT);
    for (unsigned d = 0; d < ndirs; d++) {
        DIR *dir = opendir(dirs[d]);
        if (dir == NULL) {
            continue;
        }
        struct dirent *e;
        while ((e = readdir(dir)) != NULL && n < PRV_MAX_SCENARIOS) {
            size_t len = strlen(e->d_name);
            if (len <= ext || strcmp(e->d_name + len - ext, PRV_SCENARIO_EXT) != 0 ||
                !prv_scenario_name_ok(e->d_name, len - ext)) {
                continue;
            }
            bool seen = false;
            for (unsigned i = 0; i < n && !seen; i++) {
                seen = strncmp(names[i], e->d_name, len - ext) == 0 && names[i][len - ext] == '\0';
            }
            if (!seen) {
                memcpy(names[n], e->d_name, len - ext);
                names[n][len - ext] = '\0';
                n++;
            }
        }
        closedir(dir);
    }
    qsort(names, n, sizeof(names[0]), prv_cmp_names);
    return n;
}

static void prv_print_scenarios(FILE *out)
{
    char names[PRV_MAX_SCENARIOS][PRV_SCENARIO_NAME_MAX];
    unsigned n = prv_scenario_list(names);
    if (n == 0) {
        fprintf(out, " (none found)");
    }
    for (unsigned i = 0; i < n; i++) {
        fprintf(out, " %s", names[i]);
    }
}

static void prv_usage(FILE *out)
{
    fprintf(out,
            "Usage: " PRV_NAME " [options]\n"
            "The rramprof sim board: the firmware core over a simulated RRAM crossbar\n"
            "with a virtual clock, streaming rramprof frames to a host.\n"
            "\n"
            "Options (defaults in brackets):\n"
            "  --workload NAME     workload run at every Start, repeated until Stop:\n"
            "                      program, mlp, scan or solver [the parameter file's\n"
            "                      'workload', else mlp]\n"
            "  --seed N            seed of the crossbar model and the workloads [1]\n"
            "  --preset NAME       crossbar parameter preset: testchip or macro [testchip]\n"
            "  --params FILE       crossbar parameter file instead of a preset\n"
            "                      (key = value lines; may start with 'preset = NAME')\n"
            "  --scenario NAME     shipped parameter file that injects one known\n"
            "                      bottleneck (listed below), instead of a preset\n"
            "  --events N          stop recording after N events and exit once they are\n"
            "                      sent; 0 = no limit [0]\n"
            "  --autostart         record from boot instead of waiting for the host's\n"
            "                      Start command [off]\n"
            "  --reset-after N     reset the board (a watchdog reset) once a recording\n"
            "                      session has recorded N events: the events not yet\n"
            "                      sent are lost, and the board boots again, says why\n"
            "                      in its Hello and waits for Start; 0 = never [0]\n"
            "  --transport LINK    stdio, tcp:PORT (listen on 127.0.0.1; 0 = any port),\n"
            "                      unix:PATH or pty [stdio]\n"
            "  --link-baud N       model the link as a UART of N bit/s in virtual time\n"
            "                      (10 bits per byte); 0 = unlimited [the parameter\n"
            "                      file's 'link_baud', else 0]\n"
            "  --truth FILE        write the ground truth of every crossbar operation as\n"
            "                      CSV: op,tile,row,start,duration (ticks)\n"
            "  --heartbeat-ms N    Heartbeat period in virtual ms; 0 = none [1000]\n"
            "  --counters-ms N     Counters period in virtual ms; 0 = only at Stop [1000]\n"
            "  --quiet             no messages on stderr except errors and the link\n"
            "                      address (tcp, unix, pty)\n"
            "  --version           print the version and exit\n"
            "  --help              print this help and exit\n"
            "\n"
            "Frames go to stdout with --transport stdio (commands come from stdin).\n"
            "Without --events the board runs until the host sends Stop and closes the\n"
            "link, or closes it. Exit status: 0 done, 1 link or model failure, 2 bad\n"
            "usage.\n"
            "\n"
            "Scenarios:");
    prv_print_scenarios(out);
    fprintf(out,
            "\n"
            "(NAME.params in <bindir>/scenarios, <bindir>/../share/rramprof/scenarios or\n"
            "the source tree's boards/sim/scenarios; each file's header says what it\n"
            "injects)\n");
}

static int prv_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, PRV_NAME ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '" PRV_NAME " --help' for usage.\n");
    return PRV_EXIT_USAGE;
}

/* Strict unsigned decimal: digits only, no sign, no junk, in range. */
static bool prv_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static int prv_unknown_workload(const char *name)
{
    fprintf(stderr, PRV_NAME ": unknown workload '%s'; available:", name);
    for (uint32_t i = 0; i < rp_workload_count(); i++) {
        fprintf(stderr, " %s", rp_workloads[i].name);
    }
    fprintf(stderr, "\nTry '" PRV_NAME " --help' for usage.\n");
    return PRV_EXIT_USAGE;
}

/* Parses argv into o. Returns -1 to go on, else the exit status. */
static int prv_parse_args(int argc, char **argv, prv_opts_t *o)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        char name[32];
        const char *value = NULL;
        const char *eq = strchr(arg, '=');
        if (strncmp(arg, "--", 2) == 0 && eq != NULL) {
            size_t n = (size_t)(eq - arg);
            if (n >= sizeof(name)) {
                return prv_usage_error("unknown option '%s'", arg);
            }
            memcpy(name, arg, n);
            name[n] = '\0';
            value = eq + 1;
        } else {
            snprintf(name, sizeof(name), "%s", arg);
            if (strlen(arg) >= sizeof(name)) {
                return prv_usage_error("unknown option '%s'", arg);
            }
        }

        /* Flags without a value. */
        bool *flag = NULL;
        if (strcmp(name, "--autostart") == 0) {
            flag = &o->autostart;
        } else if (strcmp(name, "--quiet") == 0) {
            flag = &o->quiet;
        } else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            if (value != NULL) {
                return prv_usage_error("option '%s' takes no value", name);
            }
            prv_usage(stdout);
            return PRV_EXIT_OK;
        } else if (strcmp(name, "--version") == 0) {
            if (value != NULL) {
                return prv_usage_error("option '%s' takes no value", name);
            }
            printf(PRV_NAME " %s\n", RRAMPROF_VERSION);
            return PRV_EXIT_OK;
        }
        if (flag != NULL) {
            if (value != NULL) {
                return prv_usage_error("option '%s' takes no value", name);
            }
            *flag = true;
            continue;
        }

        /* Flags with a value: --name VALUE or --name=VALUE. */
        static const char *const valued[] = {
            "--workload", "--seed", "--preset", "--params", "--scenario", "--events", "--reset-after",
            "--transport", "--link-baud", "--truth", "--heartbeat-ms", "--counters-ms",
        };
        bool known = false;
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
            known = known || strcmp(name, valued[k]) == 0;
        }
        if (!known) {
            return prv_usage_error("unknown option '%s'", name);
        }
        if (value == NULL) {
            if (i + 1 >= argc) {
                return prv_usage_error("option '%s' needs a value", name);
            }
            value = argv[++i];
        }

        uint64_t n = 0;
        if (strcmp(name, "--workload") == 0) {
            o->workload = value;
        } else if (strcmp(name, "--preset") == 0) {
            o->preset = value;
        } else if (strcmp(name, "--params") == 0) {
            o->params = value;
        } else if (strcmp(name, "--scenario") == 0) {
            o->scenario = value;
        } else if (strcmp(name, "--transport") == 0) {
            o->transport = value;
        } else if (strcmp(name, "--truth") == 0) {
            o->truth = value;
        } else if (strcmp(name, "--seed") == 0) {
            if (!prv_parse_u64(value, UINT64_MAX, &o->seed)) {
                return prv_usage_error("--seed needs an unsigned integer, not '%s'", value);
            }
        } else if (strcmp(name, "--events") == 0) {
            if (!prv_parse_u64(value, UINT64_MAX, &o->events)) {
                return prv_usage_error("--events needs an unsigned integer, not '%s'", value);
            }
        } else if (strcmp(name, "--reset-after") == 0) {
            if (!prv_parse_u64(value, UINT64_MAX, &o->reset_after)) {
                return prv_usage_error("--reset-after needs an unsigned integer, not '%s'", value);
            }
        } else if (strcmp(name, "--link-baud") == 0) {
            /* Up to 10 Gbit/s keeps the link arithmetic far from overflow. */
            if (!prv_parse_u64(value, 10000000000ull, &o->link_baud)) {
                return prv_usage_error("--link-baud needs bits per second (0 .. 10000000000), "
                                       "not '%s'", value);
            }
            o->link_baud_set = true;
        } else if (strcmp(name, "--heartbeat-ms") == 0) {
            if (!prv_parse_u64(value, 3600000u, &n)) {
                return prv_usage_error("--heartbeat-ms needs milliseconds (0 .. 3600000), "
                                       "not '%s'", value);
            }
            o->heartbeat_ms = (uint32_t)n;
        } else if (strcmp(name, "--counters-ms") == 0) {
            if (!prv_parse_u64(value, 3600000u, &n)) {
                return prv_usage_error("--counters-ms needs milliseconds (0 .. 3600000), "
                                       "not '%s'", value);
            }
            o->counters_ms = (uint32_t)n;
        }
    }

    if (o->params != NULL && o->preset != NULL) {
        return prv_usage_error("%s", "--preset and --params exclude each other");
    }
    if (o->scenario != NULL && (o->params != NULL || o->preset != NULL)) {
        return prv_usage_error("%s", "--scenario excludes --preset and --params");
    }
    if (o->scenario != NULL) {
        if (!prv_scenario_find(o->scenario, o->scenario_path, sizeof(o->scenario_path))) {
            fprintf(stderr, PRV_NAME ": unknown scenario '%s'; available:", o->scenario);
            prv_print_scenarios(stderr);
            fprintf(stderr, "\nTry '" PRV_NAME " --help' for usage.\n");
            return PRV_EXIT_USAGE;
        }
        o->params = o->scenario_path;
    }
    if (o->workload != NULL && rp_workload_find(o->workload) < 0) {
        return prv_unknown_workload(o->workload);
    }
    return -1;
}

/* ---- ground truth ----------------------------------------------------- */

static void prv_truth_line(void *ctx, const rp_sim_truth_t *t)
{
    FILE *f = ctx;
    fprintf(f, "%s,%u,%u,%llu,%llu\n", rp_op_name(t->op), (unsigned)t->tile, (unsigned)t->row,
            (unsigned long long)t->start, (unsigned long long)t->duration);
}

/* ---- model ------------------------------------------------------------ */

/* Loads the parameters, creates the model, and settles what the file may
 * set but a flag overrides: the workload and the link rate. */
static int prv_setup_model(prv_opts_t *o)
{
    rp_xmodel_params_t params;
    char err[256] = "";
    int rc;
    if (o->params != NULL) {
        rc = rp_xmodel_params_load(o->params, &params, err, sizeof(err));
        if (rc != RP_OK) {
            fprintf(stderr, PRV_NAME ": %s\n", err[0] != '\0' ? err : rp_err_str(rc));
            return PRV_EXIT_USAGE;
        }
    } else {
        const char *preset = o->preset != NULL ? o->preset : "testchip";
        if (rp_xmodel_preset(preset, &params) != RP_OK) {
            fprintf(stderr, PRV_NAME ": unknown preset '%s'; available:", preset);
            for (unsigned i = 0; rp_xmodel_preset_name(i) != NULL; i++) {
                fprintf(stderr, " %s", rp_xmodel_preset_name(i));
            }
            fprintf(stderr, "\nTry '" PRV_NAME " --help' for usage.\n");
            return PRV_EXIT_USAGE;
        }
    }
    if (o->workload == NULL) {
        o->workload = PRV_DEFAULT_WORKLOAD;
        if (params.workload[0] != '\0') {
            memcpy(o->file_workload, params.workload, sizeof(o->file_workload));
            o->workload = o->file_workload;
        }
        if (rp_workload_find(o->workload) < 0) {
            fprintf(stderr, PRV_NAME ": %s: ", o->params);
            return prv_unknown_workload(o->workload);
        }
    }
    if (!o->link_baud_set) {
        o->link_baud = params.link_baud;
    }
    rc = rp_sim_hal_init(&params, o->seed, err, sizeof(err));
    if (rc != RP_OK) {
        fprintf(stderr, PRV_NAME ": crossbar model: %s\n", err[0] != '\0' ? err : rp_err_str(rc));
        return rc == RP_ERR_ARG ? PRV_EXIT_USAGE : PRV_EXIT_FAIL;
    }
    return -1;
}

/* ---- main loop -------------------------------------------------------- */

static uint64_t prv_ms_to_ticks(uint64_t ms)
{
    return ms * (rp_hal_timer_hz() / 1000u) + ms * (rp_hal_timer_hz() % 1000u) / 1000u;
}

/* How long an idle board sleeps waiting for the host: the shortest
 * periodic-frame period, at most RP_SIM_IDLE_WAIT_MS (the host may turn
 * heartbeats on later with Configure). */
static int prv_idle_timeout_ms(const prv_opts_t *o)
{
    uint32_t t = RP_SIM_IDLE_WAIT_MS;
    if (o->heartbeat_ms != 0 && o->heartbeat_ms < t) {
        t = o->heartbeat_ms;
    }
    if (o->counters_ms != 0 && o->counters_ms < t) {
        t = o->counters_ms;
    }
    return (int)t;
}

/* Charges an idle pass (see the top of the file). Returns false when the
 * board should stop: nothing can happen any more. */
static bool prv_idle(const prv_opts_t *o, uint64_t idle_step)
{
    uint64_t now = rp_hal_timer_now();
    uint64_t wake = rp_sim_transport_tx_wake_at();
    if (wake > now) {
        rp_sim_hal_advance(wake - now); /* the modelled link frees a buffer */
        return true;
    }
    if (rp_ring_count(&rp_recorder.ring) != 0 || rp_workload_busy()) {
        rp_sim_hal_advance(idle_step);
        return true;
    }
    if (!rp_hal_transport_up()) {
        /* Down and drained: rp_device_poll() ends the run next time. */
        rp_sim_hal_advance(idle_step);
        return true;
    }
    if (!rp_sim_transport_rx_open() && !rp_device_recording()) {
        return false; /* no Start can come any more */
    }
    int timeout = prv_idle_timeout_ms(o);
    if (rp_sim_transport_wait(timeout)) {
        rp_sim_hal_advance(idle_step);
    } else {
        rp_sim_hal_advance(prv_ms_to_ticks((uint64_t)timeout));
    }
    return true;
}

static int prv_run(const prv_opts_t *o)
{
    const uint64_t idle_step = rp_sim_hal_ps_to_ticks((uint64_t)RP_SIM_IDLE_STEP_NS * 1000u);
    rp_device_config_t cfg = {
        .default_workload = o->workload,
        .seed = o->seed,
        .event_limit = o->events,
        .autostart = o->autostart,
        .heartbeat_ms = o->heartbeat_ms,
        .counters_ms = o->counters_ms,
    };
    rp_device_init(&cfg);
    for (;;) {
        uint64_t t0 = rp_hal_timer_now();
        uint64_t tx0 = rp_sim_transport_bytes_written();
        uint64_t rx0 = rp_sim_transport_bytes_read();
        bool more = rp_device_poll();
        rp_sim_transport_flush();
        if (o->reset_after != 0 && rp_device_recording() && rp_recorder_recorded() >= o->reset_after) {
            /* A watchdog reset: what the ring still holds and the session
             * are gone; the core boots again with a new boot id. RAM is
             * kept, so the new boot reports the old one's counts, as a
             * Cortex-M board's reset handler salvages them (rp_salvage.h);
             * said on stderr too. */
            fprintf(stderr, "rramprof-sim: watchdog reset after %" PRIu64 " recorded event(s)\n",
                    rp_recorder_recorded());
            rp_salvage_read();
            rp_sim_hal_reset(RP_RESET_WATCHDOG);
            rp_device_init(&cfg);
            rp_sim_transport_flush();
            continue;
        }
        if (!more) {
            break;
        }
        bool progressed = rp_hal_timer_now() != t0 || rp_sim_transport_bytes_written() != tx0 ||
                          rp_sim_transport_bytes_read() != rx0;
        if (!progressed && !prv_idle(o, idle_step != 0 ? idle_step : 1u)) {
            break;
        }
    }
    return PRV_EXIT_OK;
}

int main(int argc, char **argv)
{
    prv_opts_t o = {
        .seed = 1,
        .transport = "stdio",
        .heartbeat_ms = 1000,
        .counters_ms = 1000,
    };
    int rc = prv_parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    rp_sim_link_spec_t link;
    if (rp_sim_transport_parse(o.transport, &link) != RP_OK) {
        return prv_usage_error("bad --transport '%s' (stdio, tcp:PORT, unix:PATH or pty)",
                               o.transport);
    }
    rc = prv_setup_model(&o);
    if (rc >= 0) {
        return rc;
    }

    FILE *truth = NULL;
    if (o.truth != NULL) {
        truth = fopen(o.truth, "w");
        if (truth == NULL) {
            fprintf(stderr, PRV_NAME ": cannot write %s: %s\n", o.truth, strerror(errno));
            return PRV_EXIT_FAIL;
        }
        fputs("op,tile,row,start,duration\n", truth);
        rp_sim_hal_set_truth(prv_truth_line, truth);
    }

    /* A host that goes away shows as EPIPE on write, not as a signal. */
    signal(SIGPIPE, SIG_IGN);

    char where[256];
    if (rp_sim_transport_open(&link, where, sizeof(where)) != RP_OK) {
        fprintf(stderr, PRV_NAME ": cannot open link %s: %s\n", o.transport, where);
        return PRV_EXIT_FAIL;
    }
    /* The address is printed even with --quiet: the host needs it. */
    if (link.kind == RP_SIM_LINK_PTY) {
        fprintf(stderr, PRV_NAME ": pty %s\n", where);
    } else if (link.kind == RP_SIM_LINK_TCP) {
        fprintf(stderr, PRV_NAME ": tcp %s\n", where);
    } else if (link.kind == RP_SIM_LINK_UNIX) {
        fprintf(stderr, PRV_NAME ": unix %s\n", where);
    }
    fflush(stderr);
    char err[256];
    if (rp_sim_transport_accept(err, sizeof(err)) != RP_OK) {
        fprintf(stderr, PRV_NAME ": %s\n", err);
        rp_sim_transport_close();
        return PRV_EXIT_FAIL;
    }
    rp_sim_transport_set_baud(o.link_baud);
    /* A bounded run ends by itself; stdin ending early only ends the
     * commands (e.g. `rramprof-sim --autostart --events N </dev/null`). */
    rp_sim_transport_set_eof_is_down(o.events == 0);

    rc = prv_run(&o);

    rp_sim_transport_close();
    if (truth != NULL) {
        rp_sim_hal_set_truth(NULL, NULL);
        if (fclose(truth) != 0) {
            fprintf(stderr, PRV_NAME ": writing %s failed\n", o.truth);
            rc = PRV_EXIT_FAIL;
        }
    }
    if (!o.quiet) {
        rp_counters_t c;
        memset(&c, 0, sizeof(c));
        rp_recorder_counters(&c);
        fprintf(stderr,
                PRV_NAME ": done: %llu events recorded, %llu dropped, %llu bytes to the link, "
                "%.6f s virtual\n",
                (unsigned long long)c.events_recorded, (unsigned long long)c.events_dropped,
                (unsigned long long)rp_sim_transport_bytes_written(),
                (double)rp_hal_timer_now() / (double)rp_hal_timer_hz());
    }
    rp_sim_hal_deinit();
    return rc;
}
