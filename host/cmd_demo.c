/* rramprof demo: the sim board, captured and described, with no hardware. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define PRV_DEMO_EVENTS 200000u
#define PRV_DEFAULT_DIR "out/demo"

/* mkdir -p */
static int prv_mkdirs(const char *dir)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Single-quotes s for /bin/sh. */
static int prv_shell_quote(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (cap < 3)
        return -1;
    out[o++] = '\'';
    for (; *s; s++) {
        const char *piece = *s == '\'' ? "'\\''" : NULL;
        size_t len = piece ? strlen(piece) : 1;
        if (o + len + 2 > cap)
            return -1;
        if (piece)
            memcpy(out + o, piece, len);
        else
            out[o] = *s;
        o += len;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return 0;
}

static void prv_usage(FILE *f)
{
    fprintf(f, "usage: rramprof demo [-o DIR]\n"
               "\n"
               "Starts the sim board (rramprof-sim next to this binary) over its stdio\n"
               "link, captures %u events of its default workload into DIR/demo.rpcap,\n"
               "prints the capture summary and `rramprof info` of the file, then the\n"
               "report: the terminal summary, and the run directory DIR/report/\n"
               "(report.html, report.md, summary.json, metrics.csv, manifest.json;\n"
               "replaced on every run).\n"
               "\n"
               "  -o, --output DIR   where to write (default %s, created if needed)\n"
               "  -h, --help         this text\n",
            PRV_DEMO_EVENTS, PRV_DEFAULT_DIR);
}

int rp_cli_demo(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = PRV_DEFAULT_DIR;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        if (ch == 'o') {
            dir = optarg;
        } else if (ch == 'h') {
            prv_usage(stdout);
            return RP_EXIT_OK;
        } else {
            prv_usage(stderr);
            return RP_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }

    char self[4096], sim[4200], quoted[8500], uri[8600], out[4200];
    rp_cli_self_dir(self, sizeof self);
    snprintf(sim, sizeof sim, "%s/rramprof-sim", self);
    if (access(sim, X_OK) != 0) {
        fprintf(stderr, "rramprof demo: the sim board %s is missing (build it: cmake --build build --target "
                        "rramprof-sim)\n", sim);
        return RP_EXIT_NO_DEVICE;
    }
    if (prv_shell_quote(sim, quoted, sizeof quoted) != 0) {
        fprintf(stderr, "rramprof demo: path too long: %s\n", sim);
        return RP_EXIT_FAIL;
    }
    snprintf(uri, sizeof uri, "exec:%s --transport stdio --quiet", quoted);
    if (prv_mkdirs(dir) != 0) {
        fprintf(stderr, "rramprof demo: cannot create %s: %s\n", dir, strerror(errno));
        return RP_EXIT_OUTPUT;
    }
    snprintf(out, sizeof out, "%s/demo.rpcap", dir);

    printf("== capture: %u events from the sim board -> %s\n", PRV_DEMO_EVENTS, out);
    fflush(stdout);
    rp_capture_opts_t o;
    memset(&o, 0, sizeof o);
    o.from = uri;
    o.out = out;
    o.events = PRV_DEMO_EVENTS;
    o.timeout_s = 5.0;
    int ex = rp_cli_capture_run(&o);
    if (ex != RP_EXIT_OK)
        return ex;
    printf("\n== rramprof info %s\n", out);
    fflush(stdout);
    char *info_argv[] = { "info", out, NULL };
    ex = rp_cli_info(2, info_argv);
    if (ex != RP_EXIT_OK)
        return ex;

    char report_dir[4200];
    snprintf(report_dir, sizeof report_dir, "%s/report", dir);
    printf("\n== rramprof report %s -o %s\n", out, report_dir);
    fflush(stdout);
    /* The demo owns DIR: its report directory is replaced each run. */
    rp_report_opts_t ro = { out, report_dir, RP_REPORT_FMT_ALL, 5, true };
    /* It ends by naming report.html ("open DIR/report.html ..."). */
    return rp_cli_report_run(&ro);
}
