/* `rramprof flash --method openocd`: SWD probes (ST-LINK, CMSIS-DAP) are
 * driven by openocd, which knows them far better than we could; this runs
 * its `program` command and lets its output through unchanged. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rp_flash.h"

extern char **environ;

#define PRV_INSTALL_HINT "install it (Debian/Ubuntu: sudo apt-get install openocd) or name it with RRAMPROF_OPENOCD=PATH"

static int prv_fail(rp_flash_ctx_t *ctx, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int prv_fail(rp_flash_ctx_t *ctx, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
    va_end(ap);
    return rc;
}

static bool prv_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* $RRAMPROF_OPENOCD (then *named is true), else the first openocd on
 * PATH. */
static bool prv_find(char *out, size_t cap, bool *named)
{
    const char *env = getenv("RRAMPROF_OPENOCD");
    *named = env && *env;
    if (*named) {
        snprintf(out, cap, "%s", env);
        return prv_executable(out);
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0 && snprintf(out, cap, "%.*s/openocd", (int)n, path) < (int)cap && prv_executable(out))
            return true;
        path += n + (colon ? 1 : 0);
    }
    return false;
}

int rp_flash_openocd(rp_flash_ctx_t *ctx, const char *image_path, const char *format, const char *interface_cfg,
                     const char *target_cfg)
{
    if (!ctx)
        return RP_ERR_ARG;
    ctx->err[0] = '\0';
    ctx->info[0] = '\0';
    if (!image_path || !interface_cfg || !*interface_cfg || !target_cfg || !*target_cfg)
        return prv_fail(ctx, RP_ERR_ARG, "openocd needs an interface and a target config (board.conf keys "
                                         "openocd_interface and openocd_target)");
    if (strpbrk(image_path, "{}"))
        return prv_fail(ctx, RP_ERR_ARG, "openocd cannot take an image path with '{' or '}': %s", image_path);
    /* A .bin has no addresses of its own: openocd needs the flash base. */
    char program[4400];
    char addr[16] = "";
    if (format && strcmp(format, "bin") == 0)
        snprintf(addr, sizeof addr, " 0x%08x", ctx->flash_base ? ctx->flash_base : 0x08000000u);
    if (snprintf(program, sizeof program, "program {%s}%s verify%s exit", image_path, addr,
                 ctx->no_start ? "" : " reset") >= (int)sizeof program)
        return prv_fail(ctx, RP_ERR_ARG, "image path too long");
    snprintf(ctx->info, sizeof ctx->info, "openocd -f %s -f %s -c \"%.150s\"", interface_cfg, target_cfg, program);
    char exe[4096];
    bool named;
    bool found = prv_find(exe, sizeof exe, &named);
    if (ctx->dry_run)
        return RP_OK;
    if (!found && named)
        return prv_fail(ctx, RP_ERR_NOT_FOUND, "RRAMPROF_OPENOCD=%s is not an executable file", exe);
    if (!found)
        return prv_fail(ctx, RP_ERR_NOT_FOUND, "openocd is not installed: %s", PRV_INSTALL_HINT);

    char *argv[] = { exe, "-f", (char *)interface_cfg, "-f", (char *)target_cfg, "-c", program, NULL };
    pid_t pid;
    int e = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
    if (e != 0)
        return prv_fail(ctx, RP_ERR_NOT_FOUND, "cannot run %s: %s", exe, strerror(e));
    /* Programming a large image over SWD takes a while; a wedged probe must
     * still end the run. */
    double limit_s = ctx->timeout_s > 300 ? ctx->timeout_s : 300;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return prv_fail(ctx, RP_ERR_IO, "lost track of openocd: %s", strerror(errno));
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9 > limit_s) {
            kill(pid, SIGTERM);
            waitpid(pid, &status, 0);
            return prv_fail(ctx, RP_ERR_TIMEOUT, "openocd did not finish within %.0f s: stopped it", limit_s);
        }
        struct timespec nap = { 0, 50 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
    if (WIFSIGNALED(status))
        return prv_fail(ctx, RP_ERR_HAL, "openocd was killed by signal %d", WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        return prv_fail(ctx, RP_ERR_HAL,
                        "openocd failed (exit status %d): its output above says why (probe not connected, wrong "
                        "target config, verify mismatch?)", WEXITSTATUS(status));
    return RP_OK;
}
