/* rramprof list: serial ports and USB devices, and which of them answer as
 * rramprof devices. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "cli.h"

static void prv_usage(FILE *f)
{
    fprintf(f, "usage: rramprof list [--no-probe] [--all] [--timeout S]\n"
               "       rramprof list --boards\n"
               "\n"
               "Lists serial ports (name, USB VID:PID, serial number, product) and USB\n"
               "devices with the rramprof vendor interface. Each USB device and USB serial\n"
               "port is probed: rramprof sends GetInfo and marks those that answer.\n"
               "\n"
               "  --no-probe    do not send anything to the devices\n"
               "  --all         also probe serial ports that are not USB (they may belong\n"
               "                to other equipment)\n"
               "  --timeout S   how long each probe waits for the answer (default 0.5)\n"
               "  --boards      list the known boards (capture --board NAME) instead\n"
               "  -h, --help    this text\n"
               "\n"
               "Exit: 0 (also when nothing is attached), 1 enumeration failed (--boards: no\n"
               "valid board file), 2 usage (also RRAMPROF_BOARDS_DIR set but not a directory).\n");
}

int rp_cli_list_boards(const char *cmd)
{
    char err[600];
    if (rp_cli_board_env_check(err, sizeof err) != 0) {
        fprintf(stderr, "rramprof %s: %s\n", cmd, err);
        return RP_EXIT_USAGE;
    }
    char self[4096];
    rp_cli_self_dir(self, sizeof self);
    return rp_cli_board_show(stdout, stderr, self) == 0 ? RP_EXIT_OK : RP_EXIT_FAIL;
}

int rp_cli_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "no-probe", no_argument, NULL, 'n' },
        { "all", no_argument, NULL, 'a' },
        { "boards", no_argument, NULL, 'B' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int probe = 1, all = 0, boards = 0, probe_opts = 0, ch;
    double timeout_s = 0.5;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            probe = 0;
            probe_opts = 1;
            break;
        case 'a':
            all = 1;
            probe_opts = 1;
            break;
        case 'B':
            boards = 1;
            break;
        case 't':
            if (!rp_cli_parse_seconds(optarg, &timeout_s) || timeout_s <= 0) {
                fprintf(stderr, "rramprof list: bad --timeout '%s'\n", optarg);
                return RP_EXIT_USAGE;
            }
            probe_opts = 1;
            break;
        case 'h':
            prv_usage(stdout);
            return RP_EXIT_OK;
        default:
            prv_usage(stderr);
            return RP_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "rramprof list: unexpected argument '%s'\n", argv[optind]);
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }
    /* Refused rather than ignored, as elsewhere: they would change nothing. */
    if (boards && probe_opts) {
        fprintf(stderr, "rramprof list: --no-probe, --all and --timeout are for devices, not --boards\n");
        return RP_EXIT_USAGE;
    }
    if (boards)
        return rp_cli_list_boards("list");

    rp_port_info_t *ports = NULL;
    size_t n = 0;
    int rc = rp_transport_list(&ports, &n);
    if (rc != RP_OK) {
        fprintf(stderr, "rramprof list: cannot enumerate devices: %s\n", rp_transport_strerror(rc));
        return RP_EXIT_FAIL;
    }
    if (n == 0) {
        printf("no serial ports or rramprof USB devices found\n");
        free(ports);
        return RP_EXIT_OK;
    }
    printf("%-32s %-9s %-16s %-24s %s\n", "URI", "VID:PID", "SERIAL", "PRODUCT", "RRAMPROF");
    size_t devices = 0, denied = 0;
    for (size_t i = 0; i < n; i++) {
        const rp_port_info_t *p = &ports[i];
        char id[16] = "-";
        if (p->vid || p->pid)
            snprintf(id, sizeof id, "%04x:%04x", p->vid, p->pid);
        char verdict[160] = "not probed";
        int may_probe = probe && (p->kind == RP_PORT_USB || p->vid != 0 || all);
        if (may_probe) {
            char board[64], fw[64];
            int pr = rp_link_probe(p->uri, (int)(timeout_s * 1000.0), board, sizeof board, fw, sizeof fw, NULL, 0);
            if (pr == RP_OK) {
                snprintf(verdict, sizeof verdict, "yes: board %s, firmware %s", board, fw);
                devices++;
            } else if (pr == RP_TRANSPORT_ERR_ACCESS) {
                snprintf(verdict, sizeof verdict, "? permission denied");
                denied++;
            } else if (pr == RP_TRANSPORT_ERR_BUSY) {
                snprintf(verdict, sizeof verdict, "? busy (in use by another program)");
            } else {
                snprintf(verdict, sizeof verdict, "no");
            }
        }
        printf("%-32s %-9s %-16s %-24s %s\n", p->uri, id, p->serial[0] ? p->serial : "-",
               p->product[0] ? p->product : "-", verdict);
    }
    if (probe)
        printf("%zu rramprof device(s)\n", devices);
    if (denied)
        rp_cli_udev_hint(stdout);
    free(ports);
    return RP_EXIT_OK;
}
