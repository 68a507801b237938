/* rramprof flash: writes a firmware image to a board through the board's
 * own boot path (docs/flash.md), verifies it and starts it. The methods
 * live in host/flash/; this file picks one, shows progress and turns
 * their errors into messages and exit statuses. */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boards.h"
#include "cli.h"
#include "rp_flash.h"

typedef enum prv_method {
    PRV_M_NONE = 0,
    PRV_M_SERIAL,
    PRV_M_DFU,
    PRV_M_QEMU,
    PRV_M_OPENOCD
} prv_method_t;

static const char *const prv_method_names[] = { "none", "serial", "dfu", "qemu", "openocd" };

typedef struct prv_progress {
    bool tty;
    char phase[16];
    int last_pct;
} prv_progress_t;

static void prv_usage(FILE *f)
{
    fprintf(f,
            "usage: rramprof flash --board NAME [--port PORT] [options] IMAGE\n"
            "       rramprof flash --method METHOD --port PORT [options] IMAGE\n"
            "\n"
            "Writes IMAGE (.elf, .hex or .bin) to the board, reads it back to verify it\n"
            "and starts it.\n"
            "\n"
            "  --board NAME        board metadata (boards/NAME/board.conf): flash method,\n"
            "                      flash address and size, expected chip, bootloader rate\n"
            "  --port PORT         serial: the port (/dev/ttyUSB0); dfu: usb:VID:PID;\n"
            "                      default: the one attached board with the board's USB ID\n"
            "  --method M          serial (STM32 ROM bootloader, AN3155), dfu (USB DfuSe),\n"
            "                      qemu (boot the image in the emulator), openocd (SWD\n"
            "                      probe); default: the board's flash_method\n"
            "  --address ADDR      where a .bin goes (default: the board's flash_base)\n"
            "  --baud N            serial bootloader rate (default: bootloader_baud, 115200)\n"
            "  --timeout T         wait per device answer (default 2 s; qemu: for the Hello)\n"
            "  --dry-run           show what would be written where; touch nothing\n"
            "  --no-start          write and verify, but do not start the image\n"
            "\n"
            "Exit: 0 success (read back, started), 1 other failure, 2 usage, 3 no device (or\n"
            "openocd/QEMU missing), 4 the device did not answer, 5 the device went away,\n"
            "8 the device refused (NACK, write protection, wrong chip), 10 image\n"
            "unreadable, corrupt, too large for the flash or (serial, dfu) not startable,\n"
            "11 read-back differs.\n"
            "Details: docs/flash.md\n");
}

/* ---- progress: a bar on a terminal, a line per phase otherwise ---- */

static void prv_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    prv_progress_t *p = ctx;
    bool fresh = strcmp(p->phase, phase) != 0;
    if (fresh) {
        if (p->tty && p->phase[0])
            fputc('\n', stderr);
        snprintf(p->phase, sizeof p->phase, "%s", phase);
        p->last_pct = -1;
        if (!p->tty) {
            if (strcmp(phase, "erase") == 0)
                fprintf(stderr, "rramprof flash: erasing %llu sector(s)\n", (unsigned long long)total);
            else
                fprintf(stderr, "rramprof flash: %s %llu bytes\n", strcmp(phase, "write") == 0 ? "writing" :
                        strcmp(phase, "verify") == 0 ? "verifying" : phase, (unsigned long long)total);
        }
    }
    if (!p->tty)
        return;
    int pct = total ? (int)(done * 100u / total) : 100;
    if (pct == p->last_pct)
        return;
    p->last_pct = pct;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r%-6s [%s] %3d%%  %llu/%llu", phase, bar, pct, (unsigned long long)done,
            (unsigned long long)total);
    fflush(stderr);
}

static void prv_progress_end(prv_progress_t *p)
{
    if (p->tty && p->phase[0])
        fputc('\n', stderr);
    p->phase[0] = '\0';
}

/* ---- errors ---- */

static int prv_exit_of(int rc)
{
    switch (rc) {
    case RP_OK:
        return RP_EXIT_OK;
    case RP_ERR_ARG:
        return RP_EXIT_USAGE;
    case RP_ERR_NOT_FOUND:
        return RP_EXIT_NO_DEVICE;
    case RP_ERR_TIMEOUT:
        return RP_EXIT_TIMEOUT;
    case RP_ERR_IO:
        return RP_EXIT_GONE;
    case RP_ERR_STATE:
    case RP_ERR_UNSUPPORTED:
    case RP_ERR_MALFORMED:
    case RP_ERR_HAL:
        return RP_EXIT_DEVICE;
    case RP_ERR_RANGE:
    case RP_ERR_NOSPACE:
        return RP_EXIT_IMAGE;
    case RP_ERR_CRC:
        return RP_EXIT_VERIFY;
    default:
        return RP_EXIT_FAIL;
    }
}

/* ---- board lookup ---- */

static int prv_load_board(const char *name, rp_cli_board_t *b)
{
    char self[4096];
    rp_cli_self_dir(self, sizeof self);
    char storage[RP_CLI_BOARD_DIRS_MAX][RP_CLI_BOARD_PATH_MAX];
    const char *dirs[RP_CLI_BOARD_DIRS_MAX];
    size_t nd = rp_cli_board_dirs(self, storage, dirs, RP_CLI_BOARD_DIRS_MAX);
    char err[600];
    if (rp_cli_board_env_check(err, sizeof err) != 0) {
        fprintf(stderr, "rramprof flash: %s\n", err);
        return RP_EXIT_USAGE;
    }
    int rc = rp_cli_board_find(name, dirs, nd, b, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "rramprof flash: %s\n", err);
        return RP_EXIT_FAIL;
    }
    if (rc > 0) {
        fprintf(stderr, "rramprof flash: %s; the known boards are:\n", err);
        rp_cli_board_show(stderr, stderr, self);
        return RP_EXIT_USAGE;
    }
    return RP_EXIT_OK;
}

static prv_method_t prv_method_of_board(const rp_cli_board_t *b)
{
    switch (b->flash) {
    case RP_CLI_BOARD_FLASH_QEMU:
        return PRV_M_QEMU;
    case RP_CLI_BOARD_FLASH_STLINK_SWD:
        return PRV_M_OPENOCD;
    case RP_CLI_BOARD_FLASH_SERIAL_BOOTLOADER:
        return PRV_M_SERIAL;
    case RP_CLI_BOARD_FLASH_DFU:
        return PRV_M_DFU;
    default:
        return PRV_M_NONE;
    }
}

/* The one attached serial port with the board's USB ID. */
static int prv_find_port(const rp_cli_board_t *b, char *out, size_t cap)
{
    if (!b->has_usb_id) {
        fprintf(stderr, "rramprof flash: name the serial port with --port (board %s has no USB ID)\n", b->name);
        return RP_EXIT_USAGE;
    }
    rp_port_info_t *ports = NULL;
    size_t n = 0, found = 0;
    if (rp_transport_list(&ports, &n) != RP_OK) {
        fprintf(stderr, "rramprof flash: cannot list serial ports; name one with --port\n");
        return RP_EXIT_NO_DEVICE;
    }
    for (size_t i = 0; i < n; i++) {
        if (ports[i].kind != RP_PORT_SERIAL || ports[i].vid != b->usb_vid || ports[i].pid != b->usb_pid)
            continue;
        if (found++ == 0)
            snprintf(out, cap, "%s", ports[i].uri);
    }
    free(ports);
    if (found == 1)
        return RP_EXIT_OK;
    fprintf(stderr, "rramprof flash: %s %s board (USB %04x:%04x) attached; name the port with --port\n",
            found ? "several" : "no", b->name, b->usb_vid, b->usb_pid);
    return RP_EXIT_NO_DEVICE;
}

/* ---- QEMU: "flashing" boots the image and waits for the firmware's Hello ---- */

static int prv_flash_qemu(const rp_cli_board_t *b, const char *image, const rp_flash_image_t *img, double timeout_s,
                          bool dry_run)
{
    if (!b || !b->qemu_machine[0]) {
        fprintf(stderr, "rramprof flash: --method qemu needs a board with a qemu_machine (--board NAME)\n");
        return RP_EXIT_USAGE;
    }
    if (strcmp(img->format, "elf") != 0) {
        fprintf(stderr, "rramprof flash: QEMU boots ELF images; %s is %s\n", image, img->format);
        return RP_EXIT_IMAGE;
    }
    char uri[4600];
    size_t n = (size_t)snprintf(uri, sizeof uri, "qemu:%s?kernel=", b->qemu_machine);
    for (const char *s = image; *s && n + 4 < sizeof uri; s++)
        n += (size_t)(*s == '%' || *s == '&' ? snprintf(uri + n, sizeof uri - n, "%%%02X", (unsigned char)*s)
                                             : snprintf(uri + n, sizeof uri - n, "%c", *s));
    if (b->qemu_cpu[0])
        snprintf(uri + n, sizeof uri - n, "&cpu=%s", b->qemu_cpu);
    if (dry_run) {
        printf("would boot %s in QEMU (%s) and wait up to %.1f s for the firmware's Hello\n", image, uri, timeout_s);
        return RP_EXIT_OK;
    }
    char board[128] = "", fw[128] = "", why[600] = "";
    fprintf(stderr, "rramprof flash: booting %s in QEMU (machine %s)\n", image, b->qemu_machine);
    int rc = rp_link_probe(uri, (int)(timeout_s * 1000), board, sizeof board, fw, sizeof fw, why, sizeof why);
    if (rc == RP_ERR_TIMEOUT) {
        fprintf(stderr, "rramprof flash: failed: the image did not say Hello under QEMU within %.1f s\n", timeout_s);
        return RP_EXIT_TIMEOUT;
    }
    if (rc != RP_OK) {
        /* The link closed after QEMU connected it: QEMU stopped the image
         * (a lockup at reset, say), the device went away, in QEMU's words.
         * Anything before that (QEMU missing, or gone before connecting):
         * no device. */
        fprintf(stderr, "rramprof flash: failed: %s\n", why[0] ? why : rp_transport_strerror(rc));
        return rc == RP_TRANSPORT_ERR_CLOSED ? RP_EXIT_GONE : RP_EXIT_NO_DEVICE;
    }
    printf("rramprof flash: booted in QEMU: board %s, firmware %s\n", board, fw);
    return RP_EXIT_OK;
}

/* ---- the command ---- */

static bool prv_parse_addr(const char *s, uint32_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *s == '-' || !end || *end || v > 0xFFFFFFFFull)
        return false;
    *out = (uint32_t)v;
    return true;
}

static void prv_print_plan(const char *image, const rp_flash_image_t *img)
{
    printf("image %s: %s, %u segment(s), %u bytes", image, img->format, img->count, rp_flash_image_bytes(img));
    if (img->entry)
        printf(", entry 0x%08x", img->entry);
    if (img->board[0])
        printf(", built for %s", img->board);
    printf("\n");
    for (uint32_t i = 0; i < img->count; i++)
        printf("  0x%08x-0x%08x  %u bytes\n", img->seg[i].address, img->seg[i].address + img->seg[i].size - 1,
               img->seg[i].size);
}

int rp_cli_flash(int argc, char **argv)
{
    static const struct option opts[] = {
        { "board", required_argument, NULL, 'b' },   { "port", required_argument, NULL, 'p' },
        { "method", required_argument, NULL, 'm' },  { "address", required_argument, NULL, 'a' },
        { "baud", required_argument, NULL, 'B' },    { "timeout", required_argument, NULL, 't' },
        { "dry-run", no_argument, NULL, 'n' },       { "no-start", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    const char *board_name = NULL, *port = NULL;
    prv_method_t method = PRV_M_NONE;
    bool have_addr = false, dry_run = false, no_start = false, have_timeout = false;
    uint32_t addr = 0, baud = 0;
    double timeout_s = 2.0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "b:p:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            board_name = optarg;
            break;
        case 'p':
            port = optarg;
            break;
        case 'm': {
            method = PRV_M_NONE;
            for (int i = 1; i < (int)(sizeof prv_method_names / sizeof prv_method_names[0]); i++)
                if (strcmp(optarg, prv_method_names[i]) == 0)
                    method = (prv_method_t)i;
            if (method == PRV_M_NONE) {
                fprintf(stderr, "rramprof flash: --method '%s' is not one of serial, dfu, qemu, openocd\n", optarg);
                return RP_EXIT_USAGE;
            }
            break;
        }
        case 'a':
            if (!prv_parse_addr(optarg, &addr)) {
                fprintf(stderr, "rramprof flash: --address '%s' is not a 32-bit address\n", optarg);
                return RP_EXIT_USAGE;
            }
            have_addr = true;
            break;
        case 'B': {
            uint64_t v;
            if (!rp_cli_parse_count(optarg, &v) || v == 0 || v > 4000000) {
                fprintf(stderr, "rramprof flash: --baud '%s' is not a baud rate\n", optarg);
                return RP_EXIT_USAGE;
            }
            baud = (uint32_t)v;
            break;
        }
        case 't':
            if (!rp_cli_parse_seconds(optarg, &timeout_s) || timeout_s <= 0) {
                fprintf(stderr, "rramprof flash: --timeout '%s' is not a positive time\n", optarg);
                return RP_EXIT_USAGE;
            }
            have_timeout = true;
            break;
        case 'n':
            dry_run = true;
            break;
        case 'S':
            no_start = true;
            break;
        case 'h':
            prv_usage(stdout);
            return RP_EXIT_OK;
        default:
            prv_usage(stderr);
            return RP_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "rramprof flash: %s\n", optind >= argc ? "no image given" : "one image at a time");
        prv_usage(stderr);
        return RP_EXIT_USAGE;
    }
    const char *image = argv[optind];
    if (!board_name && method == PRV_M_NONE) {
        fprintf(stderr, "rramprof flash: name the board (--board NAME) or the method (--method M)\n");
        return RP_EXIT_USAGE;
    }

    rp_cli_board_t board;
    memset(&board, 0, sizeof board);
    if (board_name) {
        int ex = prv_load_board(board_name, &board);
        if (ex != RP_EXIT_OK)
            return ex;
        prv_method_t own = prv_method_of_board(&board);
        if (own == PRV_M_NONE) {
            fprintf(stderr, "rramprof flash: board %s has no flash method (flash_method = %s); it needs no image\n",
                    board.name, rp_cli_board_flash_name(board.flash));
            return RP_EXIT_USAGE;
        }
        /* A real MCU can be reached several ways (probe, ROM bootloader,
         * DFU); an emulated board only through QEMU. */
        if (method != PRV_M_NONE && method != own && (own == PRV_M_QEMU || method == PRV_M_QEMU)) {
            fprintf(stderr, "rramprof flash: board %s is flashed with %s, not --method %s\n", board.name,
                    rp_cli_board_flash_name(board.flash), prv_method_names[method]);
            return RP_EXIT_USAGE;
        }
        if (method == PRV_M_NONE)
            method = own;
    }
    /* Refused rather than ignored: a user who names a port or a rate
     * expects it to be used. QEMU's UART is a socket of rramprof's own
     * and openocd finds its probe through the interface config. */
    if (port && (method == PRV_M_QEMU || method == PRV_M_OPENOCD)) {
        fprintf(stderr, "rramprof flash: --port does not apply to --method %s\n", prv_method_names[method]);
        return RP_EXIT_USAGE;
    }
    if (baud && method != PRV_M_SERIAL) {
        fprintf(stderr, "rramprof flash: --baud is for --method serial, not %s\n", prv_method_names[method]);
        return RP_EXIT_USAGE;
    }

    uint32_t base = have_addr ? addr : board.flash_size ? board.flash_base : 0x08000000u;
    rp_flash_image_t img;
    char err[RP_FLASH_ERR_MAX + 4200];
    int rc = rp_flash_image_load(image, base, &img, err, sizeof err);
    if (rc != RP_OK) {
        fprintf(stderr, "rramprof flash: failed: %s\n", err);
        return RP_EXIT_IMAGE;
    }
    if (have_addr && strcmp(img.format, "bin") != 0)
        fprintf(stderr, "rramprof flash: note: --address is for .bin images; %s carries its own addresses\n", image);

    /* An image built for another board (its board tag, or bytes outside
     * this board's flash) is refused before anything is opened, dry run
     * included. */
    if (board_name) {
        rc = rp_flash_image_check_board(&img, image, board.name, board.flash_base, board.flash_size, err, sizeof err);
        if (rc != RP_OK) {
            fprintf(stderr, "rramprof flash: failed: %s\n", err);
            rp_flash_image_free(&img);
            return RP_EXIT_IMAGE;
        }
    }

    const char *mname = prv_method_names[method];
    if (dry_run) {
        printf("dry run: nothing is written\n");
        prv_print_plan(image, &img);
    }
    int ex;
    if (method == PRV_M_QEMU) {
        ex = prv_flash_qemu(board_name ? &board : NULL, image, &img, have_timeout ? timeout_s : 10.0, dry_run);
        rp_flash_image_free(&img);
        return ex;
    }

    prv_progress_t prog = { isatty(STDERR_FILENO) != 0, "", -1 };
    char port_buf[512] = "";
    rp_flash_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.baud = baud ? baud : board.bootloader_baud ? board.bootloader_baud : 115200u;
    ctx.flash_base = board.flash_base ? board.flash_base : 0x08000000u;
    ctx.flash_size = board.flash_size;
    ctx.expect_chip_id = board.chip_id;
    ctx.dry_run = dry_run;
    ctx.no_start = no_start;
    ctx.timeout_s = timeout_s;
    ctx.progress = prv_progress;
    ctx.progress_ctx = &prog;

    switch (method) {
    case PRV_M_SERIAL:
        if (!port && !dry_run) {
            ex = board_name ? prv_find_port(&board, port_buf, sizeof port_buf) : RP_EXIT_USAGE;
            if (!board_name)
                fprintf(stderr, "rramprof flash: --method serial needs --port PORT\n");
            if (ex != RP_EXIT_OK) {
                rp_flash_image_free(&img);
                return ex;
            }
            port = port_buf;
        }
        ctx.port = port;
        rc = rp_flash_serial_an3155(&ctx, &img);
        /* The plan only for an image the method accepts (it fits, and Go
         * can start it). */
        if (dry_run && rc == RP_OK) {
            uint16_t sectors[64];
            int n = rp_flash_an3155_sectors(&ctx, &img, sectors, 64);
            if (n < 0) {
                rc = n;
                break;
            }
            printf("method serial (STM32 ROM bootloader, AN3155) on %s at %u baud, 8E1\n",
                   port ? port : "(the attached board)", ctx.baud);
            printf("erase sector(s)");
            for (int i = 0; i < n && i < 64; i++)
                printf("%s%u", i ? "," : " ", sectors[i]);
            printf(", write, verify%s\n", no_start ? "" : ", then Go");
        }
        break;
    case PRV_M_DFU:
        /* Not the board's usb_vid/usb_pid: those name its link (an
         * ST-LINK's serial port), while the ROM bootloader in DFU mode
         * enumerates as a device of its own. */
        ctx.port = port;
        if (dry_run)
            printf("method dfu (USB DfuSe) on %s\n", port ? port : "the DFU device 0483:df11");
        rc = rp_flash_dfuse(&ctx, &img);
        break;
    case PRV_M_OPENOCD: {
        const char *ifc = board.openocd_interface[0] ? board.openocd_interface : "interface/stlink.cfg";
        const char *tgt = board.openocd_target[0] ? board.openocd_target : "target/stm32f4x.cfg";
        ctx.flash_base = base;   /* where openocd puts a .bin */
        rc = rp_flash_openocd(&ctx, image, img.format, ifc, tgt);
        if (dry_run && ctx.info[0])
            printf("method openocd: %s\n", ctx.info);
        break;
    }
    default:
        rc = RP_ERR_ARG;
        snprintf(ctx.err, sizeof ctx.err, "no method");
        break;
    }
    prv_progress_end(&prog);
    uint32_t bytes = rp_flash_image_bytes(&img);
    rp_flash_image_free(&img);

    if (rc != RP_OK) {
        fprintf(stderr, "rramprof flash: failed: %s\n", ctx.err[0] ? ctx.err : rp_err_str(rc));
        if (rc == RP_ERR_IO)
            fprintf(stderr, "  the image on the board is incomplete: flash it again\n");
        return prv_exit_of(rc);
    }
    if (dry_run)
        return RP_EXIT_OK;
    const char *who = board_name ? board.name : mname;
    if (method == PRV_M_OPENOCD)
        printf("rramprof flash: %s: openocd wrote %u bytes, verified, %s\n", who, bytes,
               no_start ? "not started (--no-start)" : "started");
    else
        printf("rramprof flash: %s: %u bytes written, verified, %s%s%s%s\n", who, bytes,
               no_start ? "not started (--no-start)" : "started", ctx.info[0] ? " (" : "", ctx.info,
               ctx.info[0] ? ")" : "");
    return RP_EXIT_OK;
}
