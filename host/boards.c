/* Board metadata files (boards.h): parser, lookup and listing. */
#define _GNU_SOURCE
#include "boards.h"
#include "rp_flash.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct prv_key {
    const char *name;
    bool required;
} prv_key_t;

/* Order matters: indices below are used as bit positions in `seen`. */
enum {
    PRV_K_NAME,
    PRV_K_MCU,
    PRV_K_CORE,
    PRV_K_CLOCK,
    PRV_K_FLASH,
    PRV_K_TRANSPORT,
    PRV_K_BAUD,
    PRV_K_VID,
    PRV_K_PID,
    PRV_K_MACHINE,
    PRV_K_CPU,
    PRV_K_FLASH_BASE,
    PRV_K_FLASH_SIZE,
    PRV_K_CHIP_ID,
    PRV_K_BL_BAUD,
    PRV_K_OCD_IF,
    PRV_K_OCD_TARGET,
    PRV_K_COUNT
};

static const prv_key_t prv_keys[PRV_K_COUNT] = {
    { "name", true },          { "mcu", true },       { "core", true },     { "clock_hz", true },
    { "flash_method", true },  { "transport", true }, { "baud", false },    { "usb_vid", false },
    { "usb_pid", false },      { "qemu_machine", false }, { "qemu_cpu", false },
    { "flash_base", false },   { "flash_size", false },   { "chip_id", false },
    { "bootloader_baud", false }, { "openocd_interface", false }, { "openocd_target", false },
};

static const char *const prv_flash_names[] = { "none", "qemu", "stlink-swd", "serial-bootloader", "dfu" };
static const char *const prv_link_names[] = { "exec", "qemu", "serial", "usb" };

#define PRV_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int prv_fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int prv_fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

const char *rp_cli_board_flash_name(rp_cli_board_flash_t f)
{
    return (size_t)f < PRV_COUNT(prv_flash_names) ? prv_flash_names[f] : "?";
}

const char *rp_cli_board_link_name(rp_cli_board_link_t l)
{
    return (size_t)l < PRV_COUNT(prv_link_names) ? prv_link_names[l] : "?";
}

static int prv_lookup(const char *const *names, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], v) == 0)
            return (int)i;
    return -1;
}

static bool prv_parse_dec(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* A USB ID: 1 to 4 hex digits, optional 0x. */
static bool prv_parse_hex16(const char *s, uint16_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    size_t n = strlen(s);
    if (n == 0 || n > 4)
        return false;
    uint32_t v = 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return false;
        v = v * 16u + (uint32_t)d;
    }
    *out = (uint16_t)v;
    return true;
}

/* An address or size: hex with 0x, else decimal; at most 32 bits. */
static bool prv_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!*s || strlen(s) > 8)
            return false;
        for (; *s; s++) {
            int d;
            if (*s >= '0' && *s <= '9')
                d = *s - '0';
            else if (*s >= 'a' && *s <= 'f')
                d = *s - 'a' + 10;
            else if (*s >= 'A' && *s <= 'F')
                d = *s - 'A' + 10;
            else
                return false;
            v = v * 16u + (uint64_t)d;
        }
    } else if (!prv_parse_dec(s, UINT32_MAX, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* Board names become file names and URI parts: keep them plain. */
static bool prv_valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.'))
            return false;
    return true;
}

static int prv_copy(char *dst, size_t cap, const char *v, const char *origin, unsigned line, const char *key,
                    char *err, size_t err_cap)
{
    if (strlen(v) >= cap)
        return prv_fail(err, err_cap, "%s:%u: %s is too long (at most %zu characters)", origin, line, key, cap - 1);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* Applies one key = value. */
static int prv_set(rp_cli_board_t *b, int key, const char *v, const char *origin, unsigned line, char *err,
                   size_t cap)
{
    uint64_t n;
    int i;
    switch (key) {
    case PRV_K_NAME:
        if (!prv_valid_name(v))
            return prv_fail(err, cap, "%s:%u: name '%s' may only hold letters, digits, '-', '_' and '.'", origin,
                            line, v);
        return prv_copy(b->name, sizeof b->name, v, origin, line, "name", err, cap);
    case PRV_K_MCU:
        return prv_copy(b->mcu, sizeof b->mcu, v, origin, line, "mcu", err, cap);
    case PRV_K_CORE:
        return prv_copy(b->core, sizeof b->core, v, origin, line, "core", err, cap);
    case PRV_K_CLOCK:
        if (!prv_parse_dec(v, UINT64_MAX, &n) || n == 0)
            return prv_fail(err, cap, "%s:%u: clock_hz '%s' is not a positive whole number of Hz", origin, line, v);
        b->clock_hz = n;
        return 0;
    case PRV_K_FLASH:
        i = prv_lookup(prv_flash_names, PRV_COUNT(prv_flash_names), v);
        if (i < 0)
            return prv_fail(err, cap,
                            "%s:%u: flash_method '%s' is not one of none, qemu, stlink-swd, serial-bootloader, dfu",
                            origin, line, v);
        b->flash = (rp_cli_board_flash_t)i;
        return 0;
    case PRV_K_TRANSPORT:
        i = prv_lookup(prv_link_names, PRV_COUNT(prv_link_names), v);
        if (i < 0)
            return prv_fail(err, cap, "%s:%u: transport '%s' is not one of exec, qemu, serial, usb", origin, line,
                            v);
        b->transport = (rp_cli_board_link_t)i;
        return 0;
    case PRV_K_BAUD:
        if (!prv_parse_dec(v, UINT32_MAX, &n))
            return prv_fail(err, cap, "%s:%u: baud '%s' is not a whole number", origin, line, v);
        b->baud = (uint32_t)n;
        return 0;
    case PRV_K_VID:
        if (!prv_parse_hex16(v, &b->usb_vid))
            return prv_fail(err, cap, "%s:%u: usb_vid '%s' is not a 16-bit hex ID (e.g. 0483)", origin, line, v);
        return 0;
    case PRV_K_PID:
        if (!prv_parse_hex16(v, &b->usb_pid))
            return prv_fail(err, cap, "%s:%u: usb_pid '%s' is not a 16-bit hex ID (e.g. 374b)", origin, line, v);
        return 0;
    case PRV_K_MACHINE:
    case PRV_K_CPU:
        /* One QEMU name each (-M NAME, -cpu NAME), not more options. */
        if (!prv_valid_name(v))
            return prv_fail(err, cap, "%s:%u: %s '%s' is not a QEMU %s name (letters, digits, '-', '_', '.')",
                            origin, line, prv_keys[key].name, v, key == PRV_K_MACHINE ? "machine" : "CPU");
        if (key == PRV_K_MACHINE)
            return prv_copy(b->qemu_machine, sizeof b->qemu_machine, v, origin, line, "qemu_machine", err, cap);
        return prv_copy(b->qemu_cpu, sizeof b->qemu_cpu, v, origin, line, "qemu_cpu", err, cap);
    case PRV_K_FLASH_BASE:
        if (!prv_parse_u32(v, &b->flash_base))
            return prv_fail(err, cap, "%s:%u: flash_base '%s' is not a 32-bit address (e.g. 0x08000000)", origin,
                            line, v);
        return 0;
    case PRV_K_FLASH_SIZE:
        if (!prv_parse_u32(v, &b->flash_size) || b->flash_size == 0)
            return prv_fail(err, cap, "%s:%u: flash_size '%s' is not a positive number of bytes", origin, line, v);
        return 0;
    case PRV_K_CHIP_ID:
        if (!prv_parse_hex16(v, &b->chip_id))
            return prv_fail(err, cap, "%s:%u: chip_id '%s' is not a 16-bit hex ID (e.g. 0x421)", origin, line, v);
        return 0;
    case PRV_K_BL_BAUD:
        if (!prv_parse_dec(v, UINT32_MAX, &n) || !rp_flash_an3155_baud_ok((uint32_t)n))
            return prv_fail(err, cap, "%s:%u: bootloader_baud '%s' is not a rate the serial method supports (%s)",
                            origin, line, v, RP_FLASH_AN3155_BAUDS);
        b->bootloader_baud = (uint32_t)n;
        return 0;
    case PRV_K_OCD_IF:
        return prv_copy(b->openocd_interface, sizeof b->openocd_interface, v, origin, line, "openocd_interface",
                        err, cap);
    case PRV_K_OCD_TARGET:
        return prv_copy(b->openocd_target, sizeof b->openocd_target, v, origin, line, "openocd_target", err, cap);
    default:
        return prv_fail(err, cap, "%s:%u: internal error", origin, line);
    }
}

/* Cross-key rules, checked once every line is read. */
static int prv_check(const rp_cli_board_t *b, unsigned seen, const char *origin, char *err, size_t cap)
{
    for (int k = 0; k < PRV_K_COUNT; k++)
        if (prv_keys[k].required && !(seen & (1u << k)))
            return prv_fail(err, cap, "%s: missing '%s'", origin, prv_keys[k].name);
    if ((uint64_t)b->flash_base + b->flash_size > (uint64_t)UINT32_MAX + 1u)
        return prv_fail(err, cap, "%s: flash_base 0x%08x plus flash_size %u runs past 4 GiB", origin,
                        (unsigned)b->flash_base, (unsigned)b->flash_size);
    bool vid = (seen & (1u << PRV_K_VID)) != 0, pid = (seen & (1u << PRV_K_PID)) != 0;
    if (vid != pid)
        return prv_fail(err, cap, "%s: usb_vid and usb_pid go together", origin);
    switch (b->transport) {
    case RP_CLI_BOARD_LINK_QEMU:
        if (!(seen & (1u << PRV_K_MACHINE)))
            return prv_fail(err, cap, "%s: transport qemu needs 'qemu_machine'", origin);
        break;
    case RP_CLI_BOARD_LINK_SERIAL:
        if (!(seen & (1u << PRV_K_BAUD)) || b->baud == 0)
            return prv_fail(err, cap, "%s: transport serial needs a non-zero 'baud'", origin);
        if (!b->has_usb_id)
            return prv_fail(err, cap, "%s: transport serial needs 'usb_vid' and 'usb_pid' to find the board",
                            origin);
        break;
    case RP_CLI_BOARD_LINK_USB:
        if (!b->has_usb_id)
            return prv_fail(err, cap, "%s: transport usb needs 'usb_vid' and 'usb_pid'", origin);
        break;
    default:
        break;
    }
    return 0;
}

static char *prv_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int rp_cli_board_parse(const char *text, size_t len, const char *origin, rp_cli_board_t *out, char *err,
                       size_t err_cap)
{
    if (err && err_cap)
        err[0] = '\0';
    if (!origin)
        origin = "board file";
    if (!text || !out)
        return prv_fail(err, err_cap, "%s: nothing to read", origin);
    memset(out, 0, sizeof *out);
    unsigned seen = 0, line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char buf[512];
        if (n >= sizeof buf)
            return prv_fail(err, err_cap, "%s:%u: line too long", origin, line);
        memcpy(buf, text + pos, n);
        buf[n] = '\0';
        pos += n + (nl ? 1 : 0);
        if (memchr(buf, '\0', n))
            return prv_fail(err, err_cap, "%s:%u: not a text file (NUL byte)", origin, line);
        /* Values end up on the terminal (list --boards, error messages):
         * no escape sequences or other control bytes. Tabs are blanks; a
         * CR may only end the line (CRLF files). */
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)buf[i];
            if ((ch < 0x20u && ch != '\t' && !(ch == '\r' && i == n - 1)) || ch == 0x7Fu)
                return prv_fail(err, err_cap, "%s:%u: not a text file (control byte 0x%02x)", origin, line, ch);
        }
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *s = prv_trim(buf);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (!eq)
            return prv_fail(err, err_cap, "%s:%u: expected 'key = value', got '%s'", origin, line, s);
        *eq = '\0';
        char *key = prv_trim(s);
        char *val = prv_trim(eq + 1);
        int k;
        for (k = 0; k < PRV_K_COUNT; k++)
            if (strcmp(prv_keys[k].name, key) == 0)
                break;
        if (k == PRV_K_COUNT)
            return prv_fail(err, err_cap, "%s:%u: unknown key '%s'", origin, line, key);
        if (seen & (1u << k))
            return prv_fail(err, err_cap, "%s:%u: '%s' given twice", origin, line, key);
        if (*val == '\0')
            return prv_fail(err, err_cap, "%s:%u: '%s' has no value", origin, line, key);
        if (prv_set(out, k, val, origin, line, err, err_cap) != 0)
            return -1;
        seen |= 1u << k;
        if (k == PRV_K_VID || k == PRV_K_PID)
            out->has_usb_id = (seen & (1u << PRV_K_VID)) && (seen & (1u << PRV_K_PID));
    }
    return prv_check(out, seen, origin, err, err_cap);
}

int rp_cli_board_load(const char *path, rp_cli_board_t *out, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return prv_fail(err, err_cap, "%s: %s", path, strerror(errno));
    char *text = malloc(RP_CLI_BOARD_FILE_MAX + 1);
    if (!text) {
        fclose(f);
        return prv_fail(err, err_cap, "%s: out of memory", path);
    }
    size_t n = fread(text, 1, RP_CLI_BOARD_FILE_MAX + 1, f);
    int read_err = ferror(f);
    fclose(f);
    int rc;
    if (read_err)
        rc = prv_fail(err, err_cap, "%s: read error", path);
    else if (n > RP_CLI_BOARD_FILE_MAX)
        rc = prv_fail(err, err_cap, "%s: larger than %u bytes", path, RP_CLI_BOARD_FILE_MAX);
    else
        rc = rp_cli_board_parse(text, n, path, out, err, err_cap);
    free(text);
    if (rc == 0)
        snprintf(out->path, sizeof out->path, "%s", path);
    return rc;
}

static bool prv_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads dir's file for name, trying both layouts. 1 = none there. */
static int prv_load_in(const char *dir, const char *name, rp_cli_board_t *out, char *err, size_t cap)
{
    char path[RP_CLI_BOARD_PATH_MAX];
    const char *const fmts[] = { "%s/%s.conf", "%s/%s/board.conf" };
    for (size_t i = 0; i < PRV_COUNT(fmts); i++) {
        if (snprintf(path, sizeof path, fmts[i], dir, name) >= (int)sizeof path)
            continue;
        if (!prv_is_file(path))
            continue;
        if (rp_cli_board_load(path, out, err, cap) != 0)
            return -1;
        if (strcmp(out->name, name) != 0)
            return prv_fail(err, cap, "%s: name is '%s' but the file is for board '%s'", path, out->name, name);
        return 0;
    }
    return 1;
}

int rp_cli_board_find(const char *name, const char *const *dirs, size_t ndirs, rp_cli_board_t *out, char *err,
                      size_t err_cap)
{
    if (err && err_cap)
        err[0] = '\0';
    if (!name || !prv_valid_name(name) || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        prv_fail(err, err_cap, "'%s' is not a board name", name ? name : "");
        return 1;
    }
    for (size_t i = 0; i < ndirs; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        int rc = prv_load_in(dirs[i], name, out, err, err_cap);
        if (rc <= 0)
            return rc;
    }
    prv_fail(err, err_cap, "unknown board '%s'", name);
    return 1;
}

static int prv_by_name(const void *a, const void *b)
{
    return strcmp(((const rp_cli_board_t *)a)->name, ((const rp_cli_board_t *)b)->name);
}

static bool prv_has(const rp_cli_board_t *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return true;
    return false;
}

/* Names of invalid board files: like a valid file, one hides the same
 * name in later dirs, so the list shows what --board NAME would load. */
typedef struct prv_names {
    char (*name)[RP_CLI_BOARD_NAME_MAX];
    size_t n, cap;
} prv_names_t;

static bool prv_names_has(const prv_names_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0)
            return true;
    return false;
}

static bool prv_names_add(prv_names_t *s, const char *name)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 4;
        char(*nv)[RP_CLI_BOARD_NAME_MAX] = realloc(s->name, ncap * sizeof *nv);
        if (!nv)
            return false;
        s->name = nv;
        s->cap = ncap;
    }
    snprintf(s->name[s->n++], RP_CLI_BOARD_NAME_MAX, "%s", name);
    return true;
}

int rp_cli_board_list(const char *const *dirs, size_t ndirs, rp_cli_board_t **out, size_t *count, char *err,
                      size_t err_cap)
{
    *out = NULL;
    *count = 0;
    if (err && err_cap)
        err[0] = '\0';
    rp_cli_board_t *v = NULL;
    prv_names_t broken = { NULL, 0, 0 };
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < ndirs; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char name[RP_CLI_BOARD_NAME_MAX];
            size_t len = strlen(e->d_name);
            if (e->d_name[0] == '.' || len >= sizeof name)
                continue;
            memcpy(name, e->d_name, len + 1);
            if (len > 5 && strcmp(name + len - 5, ".conf") == 0)
                name[len - 5] = '\0';
            if (!prv_valid_name(name) || prv_has(v, n, name) || prv_names_has(&broken, name))
                continue;
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                rp_cli_board_t *nv = realloc(v, ncap * sizeof *nv);
                if (!nv) {
                    closedir(d);
                    free(v);
                    free(broken.name);
                    return prv_fail(err, err_cap, "out of memory");
                }
                v = nv;
                cap = ncap;
            }
            char one[512];
            int rc = prv_load_in(dirs[i], name, &v[n], one, sizeof one);
            if (rc == 0) {
                n++;
            } else if (rc < 0) {
                if (err && err_cap && err[0] == '\0')
                    snprintf(err, err_cap, "%s", one);
                if (!prv_names_add(&broken, name)) {
                    closedir(d);
                    free(v);
                    free(broken.name);
                    return prv_fail(err, err_cap, "out of memory");
                }
            }
            /* rc == 1: a folder without board.conf (e.g. boards/common) */
        }
        closedir(d);
    }
    free(broken.name);
    if (n > 1)
        qsort(v, n, sizeof *v, prv_by_name);
    *out = v;
    *count = n;
    return 0;
}

int rp_cli_board_env_check(char *err, size_t err_cap)
{
    const char *env = getenv("RRAMPROF_BOARDS_DIR");
    if (!env || !env[0])
        return 0;
    struct stat st;
    if (stat(env, &st) != 0)
        return prv_fail(err, err_cap, "RRAMPROF_BOARDS_DIR=%s: %s", env, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return prv_fail(err, err_cap, "RRAMPROF_BOARDS_DIR=%s: not a directory", env);
    return 0;
}

size_t rp_cli_board_dirs(const char *self_dir, char storage[][RP_CLI_BOARD_PATH_MAX], const char **ptrs,
                         size_t max)
{
    size_t n = 0;
    const char *env = getenv("RRAMPROF_BOARDS_DIR");
    if (env && env[0] && n < max)
        snprintf(storage[n++], RP_CLI_BOARD_PATH_MAX, "%s", env);
    if (self_dir && self_dir[0] && n < max)
        snprintf(storage[n++], RP_CLI_BOARD_PATH_MAX, "%s/boards", self_dir);
#ifdef RRAMPROF_SOURCE_DIR
    if (n < max)
        snprintf(storage[n++], RP_CLI_BOARD_PATH_MAX, "%s/boards", RRAMPROF_SOURCE_DIR);
#endif
    for (size_t i = 0; i < n; i++)
        ptrs[i] = storage[i];
    return n;
}

void rp_cli_board_print(FILE *f, const rp_cli_board_t *boards, size_t n)
{
    fprintf(f, "%-18s %-36s %-10s %-9s %-18s %s\n", "BOARD", "MCU", "CLOCK", "TRANSPORT", "FLASH", "LINK");
    for (size_t i = 0; i < n; i++) {
        const rp_cli_board_t *b = &boards[i];
        char clock[32], link[256];
        if (b->clock_hz % 1000000u == 0)
            snprintf(clock, sizeof clock, "%llu MHz", (unsigned long long)(b->clock_hz / 1000000u));
        else
            snprintf(clock, sizeof clock, "%llu Hz", (unsigned long long)b->clock_hz);
        switch (b->transport) {
        case RP_CLI_BOARD_LINK_QEMU:
            snprintf(link, sizeof link, "qemu-system-arm -M %s%s%s", b->qemu_machine, b->qemu_cpu[0] ? " -cpu " : "",
                     b->qemu_cpu);
            break;
        case RP_CLI_BOARD_LINK_SERIAL:
            snprintf(link, sizeof link, "USB %04x:%04x, %lu baud", b->usb_vid, b->usb_pid, (unsigned long)b->baud);
            break;
        case RP_CLI_BOARD_LINK_USB:
            snprintf(link, sizeof link, "USB %04x:%04x", b->usb_vid, b->usb_pid);
            break;
        default:
            snprintf(link, sizeof link, "rramprof-%s next to rramprof", b->name);
            break;
        }
        fprintf(f, "%-18s %-36s %-10s %-9s %-18s %s\n", b->name, b->mcu, clock, rp_cli_board_link_name(b->transport),
                rp_cli_board_flash_name(b->flash), link);
    }
}

int rp_cli_board_show(FILE *out, FILE *errf, const char *self_dir)
{
    char storage[RP_CLI_BOARD_DIRS_MAX][RP_CLI_BOARD_PATH_MAX];
    const char *dirs[RP_CLI_BOARD_DIRS_MAX];
    size_t nd = rp_cli_board_dirs(self_dir, storage, dirs, RP_CLI_BOARD_DIRS_MAX);
    rp_cli_board_t *v = NULL;
    size_t n = 0;
    char err[512];
    if (rp_cli_board_env_check(err, sizeof err) != 0 || rp_cli_board_list(dirs, nd, &v, &n, err, sizeof err) != 0) {
        fprintf(errf, "rramprof: %s\n", err);
        return -1;
    }
    if (err[0])
        fprintf(errf, "rramprof: warning: skipped %s\n", err);
    if (n == 0) {
        fprintf(errf, "rramprof: no board files found in:");
        for (size_t i = 0; i < nd; i++)
            fprintf(errf, " %s", dirs[i]);
        fprintf(errf, "\n");
        free(v);
        return -1;
    }
    rp_cli_board_print(out, v, n);
    free(v);
    return 0;
}
