/* rramprof: the host tool. Dispatches to one subcommand per file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct prv_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} prv_cmd_t;

static const prv_cmd_t prv_cmds[] = {
    { "list", rp_cli_list, "serial ports and USB devices; which are rramprof devices" },
    { "capture", rp_cli_capture, "record a device's events into a capture file" },
    { "info", rp_cli_info, "describe a capture file" },
    { "report", rp_cli_report, "analyse a capture: findings, breakdown, HTML/Markdown/JSON/CSV" },
    { "export", rp_cli_export, "convert a capture to a Chrome trace (Perfetto, chrome://tracing)" },
    { "flash", rp_cli_flash, "write a firmware image to a board, verify it and start it" },
    { "demo", rp_cli_demo, "capture the sim board, describe it and report on it" },
};

static void prv_usage(FILE *f)
{
    fprintf(f, "usage: rramprof <command> [options]   (rramprof <command> --help for more)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof prv_cmds / sizeof prv_cmds[0]; i++)
        fprintf(f, "  %-9s %s\n", prv_cmds[i].name, prv_cmds[i].summary);
    fprintf(f, "\ndocumentation: docs/cli.md\n");
}

/* Output that never reached stdout (a full disk, an I/O error) fails the
 * command: a summary redirected to a file must not vanish with exit 0. A
 * reader that closed its pipe early (`| head`) chose to stop reading. */
static int prv_check_stdout(int ex)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return ex;
    if (errno == EPIPE)
        return ex;
    if (errno != 0)
        fprintf(stderr, "rramprof: writing to standard output failed: %s\n", strerror(errno));
    else
        fprintf(stderr, "rramprof: writing to standard output failed\n");
    return ex == RP_EXIT_OK ? RP_EXIT_OUTPUT : ex;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        prv_usage(stdout);
        return RP_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("rramprof %s\n", RRAMPROF_VERSION);
        return RP_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof prv_cmds / sizeof prv_cmds[0]; i++)
        if (strcmp(argv[1], prv_cmds[i].name) == 0)
            return prv_check_stdout(prv_cmds[i].run(argc - 1, argv + 1));
    fprintf(stderr, "rramprof: unknown command '%s'\n", argv[1]);
    prv_usage(stderr);
    return RP_EXIT_USAGE;
}
