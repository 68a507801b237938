/* Test driver of rp_flash_dfuse(): builds an image from raw files and
 * flashes it, like `rramprof flash --method dfu` would.
 *
 *   dfu_driver [--port usb:VID:PID] [--no-start] [--dry-run] [--flash BASE:SIZE]
 *              FILE@ADDR...
 *
 * Prints "info: ..." and, per phase, the last progress seen ("progress
 * write 40960/40960"); on failure "error: <ctx.err>" on stderr and exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_flash.h"

typedef struct drv_progress {
    char phase[4][16];
    unsigned long long done[4], total[4];
    unsigned n;
} drv_progress_t;

static void drv_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    drv_progress_t *p = ctx;
    unsigned i = 0;
    while (i < p->n && strcmp(p->phase[i], phase) != 0)
        i++;
    if (i == p->n) {
        if (p->n == 4)
            return;
        snprintf(p->phase[i], sizeof p->phase[i], "%s", phase);
        p->n++;
    }
    p->done[i] = done;
    p->total[i] = total;
}

static int drv_load(const char *arg, rp_flash_segment_t *seg)
{
    const char *at = strrchr(arg, '@');
    if (!at)
        return -1;
    char path[512];
    snprintf(path, sizeof path, "%.*s", (int)(at - arg), arg);
    seg->address = (uint32_t)strtoul(at + 1, NULL, 0);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    seg->data = malloc(n > 0 ? (size_t)n : 1);
    seg->size = (uint32_t)n;
    size_t got = seg->data ? fread(seg->data, 1, (size_t)n, f) : 0;
    fclose(f);
    return got == (size_t)n ? 0 : -1;
}

int main(int argc, char **argv)
{
    static rp_flash_image_t img;
    rp_flash_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    drv_progress_t prog;
    memset(&prog, 0, sizeof prog);
    ctx.timeout_s = 5.0;
    ctx.progress = drv_progress;
    ctx.progress_ctx = &prog;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            ctx.port = argv[++i];
        } else if (strcmp(argv[i], "--no-start") == 0) {
            ctx.no_start = true;
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            ctx.dry_run = true;
        } else if (strcmp(argv[i], "--flash") == 0 && i + 1 < argc) {
            char *end;
            ctx.flash_base = (uint32_t)strtoul(argv[++i], &end, 0);
            ctx.flash_size = *end == ':' ? (uint32_t)strtoul(end + 1, NULL, 0) : 0;
        } else if (img.count < RP_FLASH_MAX_SEGMENTS && drv_load(argv[i], &img.seg[img.count]) == 0) {
            img.count++;
        } else {
            fprintf(stderr,
                    "usage: dfu_driver [--port usb:VID:PID] [--no-start] [--dry-run] [--flash BASE:SIZE] "
                    "FILE@ADDR... (bad '%s')\n",
                    argv[i]);
            return 2;
        }
    }
    snprintf(img.format, sizeof img.format, "bin");
    int rc = rp_flash_dfuse(&ctx, &img);
    if (ctx.info[0])
        printf("info: %s\n", ctx.info);
    for (unsigned i = 0; i < prog.n; i++)
        printf("progress %s %llu/%llu\n", prog.phase[i], prog.done[i], prog.total[i]);
    for (uint32_t s = 0; s < img.count; s++)
        free(img.seg[s].data);
    if (rc != 0) {
        fprintf(stderr, "error: %s (rc %d)\n", ctx.err, rc);
        return 1;
    }
    printf("ok\n");
    return 0;
}
