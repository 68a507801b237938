/* rramprof export: a capture in another tool's format (Chrome Trace Event
 * Format for Perfetto UI and chrome://tracing). */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report/rp_report.h"

static void prv_usage(FILE *f)
{
    fprintf(f, "usage: rramprof export FILE --format chrome-trace -o OUT.json\n"
               "\n"
               "Writes the events of a capture file (or raw link stream) as a Chrome\n"
               "Trace Event Format JSON file that Perfetto UI (ui.perfetto.dev) and\n"
               "chrome://tracing load: one track per tile with its ops, a \"spans\"\n"
               "track with the nested named spans, an \"mcu\" track with COMPUTE\n"
               "events, lost events as instant events. Times are microseconds of run\n"
               "time.\n"
               "\n"
               "  --format chrome-trace   the only format so far (default)\n"
               "  -o, --output FILE       where to write (required)\n"
               "  -h, --help              this text\n"
               "\n"
               "Exit: 0 written, 7 the file is empty, truncated, corrupt or not a capture\n"
               "      (what was readable is written), 9 capture format newer than this\n"
               "      rramprof, 6 OUT cannot be written, 1 FILE cannot be read, 2 usage.\n");
}

int rp_cli_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        if (ch == 'f') {
            if (strcmp(optarg, "chrome-trace") != 0) {
                fprintf(stderr, "rramprof export: unknown --format '%s' (chrome-trace)\n", optarg);
                return RP_EXIT_USAGE;
            }
        } else if (ch == 'o') {
            out = optarg;
        } else if (ch == 'h') {
            prv_usage(stdout);
            return RP_EXIT_OK;
        } else {
            prv_usage(stderr);
            return RP_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }
    if (!out) {
        fprintf(stderr, "rramprof export: -o FILE is required\n");
        return RP_EXIT_USAGE;
    }
    const char *path = argv[optind];
    /* The trace replaces OUT: never the capture it is made from. */
    struct stat in_st, out_st;
    if (stat(path, &in_st) == 0 && stat(out, &out_st) == 0 && in_st.st_dev == out_st.st_dev &&
        in_st.st_ino == out_st.st_ino) {
        fprintf(stderr, "rramprof export: -o %s is the capture itself: choose another output file\n", out);
        return RP_EXIT_USAGE;
    }
    char err[512];
    rp_export_result_t res;
    int rc = rp_export_chrome_trace_ex(path, out, &res, err, sizeof err);
    if (rc == RP_ERR_UNSUPPORTED) {
        fprintf(stderr, "rramprof export: %s\n", err);
        return RP_EXIT_TOO_NEW;
    }
    if (rc == RP_ERR_MALFORMED) {
        fprintf(stderr, "rramprof export: %s\n", err);
        return RP_EXIT_DAMAGED;
    }
    if (rc == RP_ERR_IO && res.good_frames == 0 && res.events == 0 && strstr(err, "cannot write") == NULL) {
        fprintf(stderr, "rramprof export: %s\n", err);
        return RP_EXIT_FAIL;
    }
    if (rc == RP_ERR_IO || rc == RP_ERR_NOSPACE) {
        fprintf(stderr, "rramprof export: %s\n", err[0] ? err : rp_err_str(rc));
        return rc == RP_ERR_IO ? RP_EXIT_OUTPUT : RP_EXIT_FAIL;
    }
    printf("export     %s: %" PRIu64 " events -> %s (Chrome Trace Event Format)\n", path, res.events, out);
    if (res.out_of_order)
        printf("note       %" PRIu64 " events are out of start order on their track (beyond the reorder window "
               "of %u); viewers sort them\n",
               res.out_of_order, RP_EXPORT_REORDER);
    int ex = RP_EXIT_OK;
    const rp_capture_integrity_t *in = &res.integrity;
    if (res.is_capture && in->stop != RP_CAPTURE_STOP_END && in->stop != RP_CAPTURE_STOP_EOF) {
        fprintf(stderr, "rramprof export: %s is damaged (%s at byte %" PRIu64 " of %" PRIu64 "); the %" PRIu64
                        " frame(s) before it were exported, the rest was not read\n",
                path, rp_capture_stop_str(in->stop), in->valid_bytes, in->file_size, in->frames);
        ex = RP_EXIT_DAMAGED;
    } else if (res.is_capture && in->stop == RP_CAPTURE_STOP_END && in->tail_bytes) {
        fprintf(stderr, "rramprof export: %s has %" PRIu64 " byte(s) after its end marker, not read\n", path,
                in->tail_bytes);
        ex = RP_EXIT_DAMAGED;
    } else if (!res.is_capture && res.good_frames == 0) {
        fprintf(stderr, "rramprof export: %s is empty or neither a capture file nor a recorded rramprof link "
                        "stream: the trace has no events\n", path);
        ex = RP_EXIT_DAMAGED;
    }
    if (res.bad_frames)
        fprintf(stderr, "rramprof export: %" PRIu64 " corrupt or undecodable frame(s) were skipped\n", res.bad_frames);
    if (res.lost_events)
        fprintf(stderr, "rramprof export: %" PRIu64 " event(s) were lost before reaching the file (marked in the "
                        "\"loss\" track)\n", res.lost_events);
    return ex;
}
