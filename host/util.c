/* Small parsing and formatting helpers of the CLI. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rramprof/rp_record.h"

bool rp_cli_parse_count(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return false;
    double mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1e3;
    else if (*end == 'M')
        mul = 1e6;
    else if (*end == 'G')
        mul = 1e9;
    if (mul != 1)
        end++;
    if (*end != '\0')
        return false;
    v *= mul;
    if (v > 1.8e19 || v != floor(v))
        return false;
    *out = (uint64_t)v;
    return true;
}

bool rp_cli_parse_seconds(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return false;
    if (strcmp(end, "ms") == 0)
        v /= 1000;
    else if (strcmp(end, "s") != 0 && *end != '\0')
        return false;
    *out = v;
    return true;
}

bool rp_cli_parse_op_mask(const char *s, uint32_t *out)
{
    if (!s || !*s)
        return false;
    if (strcasecmp(s, "all") == 0) {
        *out = 0;
        return true;
    }
    if (isdigit((unsigned char)s[0])) {
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 0);
        /* Bit n selects op n (op values are < 16 on the wire); bit 0 is
         * NONE, no op at all. 0 is the protocol's "every op". */
        if (errno || *end || v > 0xFFFFu || (v != 0 && (v & 0xFFFEu) == 0))
            return false;
        *out = (uint32_t)v;
        return true;
    }
    uint32_t mask = 0;
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned op;
        for (op = 1; op < RP_OP_COUNT; op++)
            if (strcasecmp(tok, rp_op_name(op)) == 0)
                break;
        if (op == RP_OP_COUNT)
            return false;
        mask |= 1u << op;
    }
    if (!mask)
        return false;
    *out = mask;
    return true;
}

uint64_t rp_cli_ns_to_ticks(uint64_t ns, uint64_t clock_hz)
{
    unsigned __int128 t = (unsigned __int128)ns * clock_hz + 999999999u;
    t /= 1000000000u;
    return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

void rp_cli_si(double v, char *buf, size_t cap)
{
    if (v >= 1e9)
        snprintf(buf, cap, "%.2fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, cap, "%.2fM", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, cap, "%.1fk", v / 1e3);
    else
        snprintf(buf, cap, "%.0f", v);
}

void rp_cli_self_dir(char *buf, size_t cap)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0 || cap == 0) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
    snprintf(buf, cap, "%s", path);
}

int64_t rp_cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
