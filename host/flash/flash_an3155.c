/* The STM32 ROM bootloader over a serial line (ST application note AN3155):
 * sync, Get, Get ID, Extended Erase, Write Memory, Read Memory, Go.
 *
 * The line is 8 data bits, even parity, 1 stop bit. Every command is the
 * command byte and its complement; the device answers ACK (0x79) or NACK
 * (0x1F). Addresses go MSB first followed by their XOR; data blocks carry
 * an XOR checksum. Every read has a deadline, so a silent or vanished
 * device ends the run with a message instead of a hang.
 *
 * Real ports are opened and configured through libserialport; pseudo-
 * terminals (the test simulator, socat) with termios directly, because
 * libserialport 0.1.1 refuses them. Either way the bytes then move through
 * the plain file descriptor. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "rp_flash.h"

#define PRV_ACK 0x79u
#define PRV_NACK 0x1Fu
#define PRV_BUSY 0x76u
#define PRV_SYNC 0x7Fu

enum {
    PRV_CMD_GET = 0x00,
    PRV_CMD_GET_ID = 0x02,
    PRV_CMD_READ = 0x11,
    PRV_CMD_GO = 0x21,
    PRV_CMD_WRITE = 0x31,
    PRV_CMD_ERASE = 0x43,
    PRV_CMD_EXT_ERASE = 0x44
};

#define PRV_BLOCK 256u
#define PRV_MAX_SECTORS 64u

/* Chips whose erase layout we know: the STM32F2/F4 single-bank sector map
 * (4 x 16 KiB, 1 x 64 KiB, then 128 KiB sectors). */
typedef struct prv_chip {
    uint16_t id;
    const char *name;
    uint32_t flash_size;
} prv_chip_t;

static const prv_chip_t prv_chips[] = {
    { 0x411, "STM32F2xx", 1024u * 1024u },       { 0x413, "STM32F405/407/415/417", 1024u * 1024u },
    { 0x421, "STM32F446xx", 512u * 1024u },      { 0x423, "STM32F401xB/C", 256u * 1024u },
    { 0x431, "STM32F411xx", 512u * 1024u },      { 0x433, "STM32F401xD/E", 512u * 1024u },
};

typedef struct prv_dev {
    int fd;
    struct sp_port *sp;      /* NULL for a pty opened with termios */
    int timeout_ms;
    rp_flash_ctx_t *ctx;
    uint8_t cmds[32];        /* Get: commands the bootloader supports */
    size_t ncmds;
} prv_dev_t;

static int prv_fail(rp_flash_ctx_t *ctx, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int prv_fail(rp_flash_ctx_t *ctx, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
    va_end(ap);
    return rc;
}

static const prv_chip_t *prv_chip(uint16_t id)
{
    for (size_t i = 0; i < sizeof prv_chips / sizeof prv_chips[0]; i++)
        if (prv_chips[i].id == id)
            return &prv_chips[i];
    return NULL;
}

static uint32_t prv_sector_size(uint32_t k)
{
    return k < 4 ? 16u * 1024u : k == 4 ? 64u * 1024u : 128u * 1024u;
}

/* Sector holding offset (from the flash base). */
static uint32_t prv_sector_of(uint32_t offset)
{
    uint32_t k = 0, start = 0;
    while (start + prv_sector_size(k) <= offset)
        start += prv_sector_size(k++);
    return k;
}

static int64_t prv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the line ---- */

static speed_t prv_speed(uint32_t baud)
{
    static const struct { uint32_t baud; speed_t speed; } table[] = {
        { 1200, B1200 },     { 2400, B2400 },     { 4800, B4800 },     { 9600, B9600 },
        { 19200, B19200 },   { 38400, B38400 },   { 57600, B57600 },   { 115200, B115200 },
        { 230400, B230400 }, { 460800, B460800 }, { 921600, B921600 },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].baud == baud)
            return table[i].speed;
    return 0;
}

bool rp_flash_an3155_baud_ok(uint32_t baud)
{
    return prv_speed(baud) != 0;
}

static int prv_open_pty(prv_dev_t *d, const char *path, uint32_t baud)
{
    speed_t speed = prv_speed(baud);
    if (!speed)
        return prv_fail(d->ctx, RP_ERR_ARG, "baud rate %u is not supported", baud);
    d->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (d->fd < 0)
        return prv_fail(d->ctx, RP_ERR_NOT_FOUND, "cannot open %s: %s", path, strerror(errno));
    struct termios tio;
    if (tcgetattr(d->fd, &tio) != 0)
        return prv_fail(d->ctx, RP_ERR_NOT_FOUND, "%s is not a serial port: %s", path, strerror(errno));
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(PARODD | CSTOPB | CSIZE | CRTSCTS);
    tio.c_cflag |= CS8 | PARENB | CLOCAL | CREAD;   /* 8E1: the bootloader's framing */
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | INPCK);
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
    if (tcsetattr(d->fd, TCSANOW, &tio) != 0) {
        /* A pseudo-terminal has no parity to set: Linux applies the rest,
         * and glibc, reading back a PARENB that did not stick, reports
         * EINVAL. The speed that did stick decides. */
        int e = errno;
        struct termios got;
        if (e != EINVAL || tcgetattr(d->fd, &got) != 0 || cfgetospeed(&got) != speed)
            return prv_fail(d->ctx, RP_ERR_NOT_FOUND, "cannot configure %s: %s", path, strerror(e));
    }
    return RP_OK;
}

static int prv_sp_fail(prv_dev_t *d, const char *what, const char *path)
{
    char *msg = sp_last_error_message();
    prv_fail(d->ctx, RP_ERR_NOT_FOUND, "%s %s: %s", what, path, msg ? msg : "libserialport error");
    if (msg)
        sp_free_error_message(msg);
    return RP_ERR_NOT_FOUND;
}

static int prv_open(prv_dev_t *d, const char *port, uint32_t baud)
{
    if (strncmp(port, "serial:", 7) == 0)
        port += 7;
    struct stat st;
    if (stat(port, &st) != 0)
        return prv_fail(d->ctx, RP_ERR_NOT_FOUND, "no serial port %s: %s", port, strerror(errno));
    /* Unix98 pseudo-terminal slaves have majors 136..143. */
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143)
        return prv_open_pty(d, port, baud);
    if (sp_get_port_by_name(port, &d->sp) != SP_OK)   /* it exists: the stat above found it */
        return prv_fail(d->ctx, RP_ERR_NOT_FOUND, "%s is not a serial port", port);
    if (sp_open(d->sp, SP_MODE_READ_WRITE) != SP_OK)
        return prv_sp_fail(d, "cannot open", port);
    /* One configuration applied at once: setting the fields one by one
     * reads the port's settings back in between. */
    struct sp_port_config *cfg = NULL;
    if (sp_new_config(&cfg) != SP_OK)
        return prv_sp_fail(d, "out of memory for", port);
    bool ok = sp_set_config_baudrate(cfg, (int)baud) == SP_OK && sp_set_config_bits(cfg, 8) == SP_OK &&
              sp_set_config_parity(cfg, SP_PARITY_EVEN) == SP_OK && sp_set_config_stopbits(cfg, 1) == SP_OK &&
              sp_set_config_flowcontrol(cfg, SP_FLOWCONTROL_NONE) == SP_OK && sp_set_config(d->sp, cfg) == SP_OK;
    sp_free_config(cfg);
    if (!ok)
        return prv_sp_fail(d, "cannot set 8E1 at the baud rate on", port);
    int fd = -1;
    if (sp_get_port_handle(d->sp, &fd) != SP_OK || fd < 0)
        return prv_sp_fail(d, "cannot use", port);
    d->fd = fd;
    /* libserialport leaves VMIN = 0, where read() returns 0 for "no data";
     * with VMIN = 1 a 0 means what it means on the pty path: hung up. */
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {
        tio.c_cc[VMIN] = 1;
        tio.c_cc[VTIME] = 0;
        tcsetattr(fd, TCSANOW, &tio);
    }
    int fl = fcntl(d->fd, F_GETFL);
    if (fl < 0 || fcntl(d->fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return prv_fail(d->ctx, RP_ERR_NOT_FOUND, "cannot use %s: %s", port, strerror(errno));
    return RP_OK;
}

static void prv_close(prv_dev_t *d)
{
    if (d->sp) {
        sp_close(d->sp);
        sp_free_port(d->sp);
    } else if (d->fd >= 0) {
        close(d->fd);
    }
    d->sp = NULL;
    d->fd = -1;
}

static int prv_gone(prv_dev_t *d, const char *what)
{
    return prv_fail(d->ctx, RP_ERR_IO, "the device went away during %s (unplugged or reset?)", what);
}

static int prv_write(prv_dev_t *d, const uint8_t *buf, size_t n, const char *what)
{
    int64_t deadline = prv_now_ms() + d->timeout_ms;
    while (n > 0) {
        ssize_t w = write(d->fd, buf, n);
        if (w > 0) {
            buf += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN)
            return prv_gone(d, what);
        int left = (int)(deadline - prv_now_ms());
        if (left <= 0)
            return prv_fail(d->ctx, RP_ERR_TIMEOUT, "the line stayed blocked during %s", what);
        struct pollfd p = { d->fd, POLLOUT, 0 };
        if (poll(&p, 1, left) > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
            return prv_gone(d, what);
    }
    return RP_OK;
}

/* Reads exactly n bytes within timeout_ms. */
static int prv_read(prv_dev_t *d, uint8_t *buf, size_t n, int timeout_ms, const char *what)
{
    int64_t deadline = prv_now_ms() + timeout_ms;
    while (n > 0) {
        ssize_t r = read(d->fd, buf, n);
        if (r > 0) {
            buf += r;
            n -= (size_t)r;
            continue;
        }
        if (r == 0)
            return prv_gone(d, what);
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return prv_gone(d, what);
        int left = (int)(deadline - prv_now_ms());
        if (left <= 0)
            return prv_fail(d->ctx, RP_ERR_TIMEOUT, "no answer from the bootloader during %s (waited %d ms)", what,
                            timeout_ms);
        struct pollfd p = { d->fd, POLLIN, 0 };
        int pr = poll(&p, 1, left);
        if (pr > 0 && !(p.revents & POLLIN) && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
            return prv_gone(d, what);
    }
    return RP_OK;
}

/* Waits for ACK; NACK is the device refusing what came before. */
static int prv_ack(prv_dev_t *d, int timeout_ms, const char *what)
{
    for (;;) {
        uint8_t b;
        int rc = prv_read(d, &b, 1, timeout_ms, what);
        if (rc != RP_OK)
            return rc;
        if (b == PRV_ACK)
            return RP_OK;
        if (b == PRV_NACK)
            return prv_fail(d->ctx, RP_ERR_STATE, "the bootloader refused %s (NACK)", what);
        if (b != PRV_BUSY)
            return prv_fail(d->ctx, RP_ERR_MALFORMED, "unexpected byte 0x%02x instead of ACK during %s", b, what);
    }
}

static int prv_cmd(prv_dev_t *d, uint8_t cmd, const char *what)
{
    uint8_t buf[2] = { cmd, (uint8_t)(cmd ^ 0xFFu) };
    int rc = prv_write(d, buf, 2, what);
    return rc == RP_OK ? prv_ack(d, d->timeout_ms, what) : rc;
}

static int prv_send_address(prv_dev_t *d, uint32_t a, const char *what)
{
    uint8_t buf[5] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 0 };
    buf[4] = (uint8_t)(buf[0] ^ buf[1] ^ buf[2] ^ buf[3]);
    int rc = prv_write(d, buf, 5, what);
    return rc == RP_OK ? prv_ack(d, d->timeout_ms, what) : rc;
}

static bool prv_has(const prv_dev_t *d, uint8_t cmd)
{
    for (size_t i = 0; i < d->ncmds; i++)
        if (d->cmds[i] == cmd)
            return true;
    return false;
}

/* ---- protocol steps ---- */

/* 0x7F lets the bootloader measure the baud rate; a NACK means it was
 * already synchronised by an earlier run, which is fine too. */
static int prv_sync(prv_dev_t *d)
{
    tcflush(d->fd, TCIOFLUSH);
    uint8_t b = PRV_SYNC;
    int rc = prv_write(d, &b, 1, "sync");
    if (rc == RP_OK)
        rc = prv_read(d, &b, 1, d->timeout_ms, "sync");
    if (rc == RP_ERR_TIMEOUT)
        return prv_fail(d->ctx, RP_ERR_TIMEOUT,
                        "no answer to the bootloader sync (0x7F) on %s: is BOOT0 high, was the board reset, and "
                        "is this the right port?", d->ctx->port);
    if (rc != RP_OK)
        return rc;
    if (b != PRV_ACK && b != PRV_NACK)
        return prv_fail(d->ctx, RP_ERR_MALFORMED, "answer 0x%02x to the sync byte: not an STM32 bootloader?", b);
    return RP_OK;
}

static int prv_get(prv_dev_t *d, uint8_t *version)
{
    int rc = prv_cmd(d, PRV_CMD_GET, "Get");
    uint8_t n = 0;
    if (rc == RP_OK)
        rc = prv_read(d, &n, 1, d->timeout_ms, "Get");
    uint8_t buf[257];
    if (rc == RP_OK)
        rc = prv_read(d, buf, (size_t)n + 1, d->timeout_ms, "Get");
    if (rc == RP_OK)
        rc = prv_ack(d, d->timeout_ms, "Get");
    if (rc != RP_OK)
        return rc;
    *version = buf[0];
    d->ncmds = 0;
    for (size_t i = 1; i <= n && d->ncmds < sizeof d->cmds; i++)
        d->cmds[d->ncmds++] = buf[i];
    static const uint8_t needed[] = { PRV_CMD_GET_ID, PRV_CMD_READ, PRV_CMD_GO, PRV_CMD_WRITE };
    for (size_t i = 0; i < sizeof needed; i++)
        if (!prv_has(d, needed[i]))
            return prv_fail(d->ctx, RP_ERR_UNSUPPORTED, "the bootloader lacks command 0x%02x", needed[i]);
    if (!prv_has(d, PRV_CMD_EXT_ERASE) && !prv_has(d, PRV_CMD_ERASE))
        return prv_fail(d->ctx, RP_ERR_UNSUPPORTED, "the bootloader has no erase command");
    return RP_OK;
}

static int prv_get_id(prv_dev_t *d, uint16_t *id)
{
    int rc = prv_cmd(d, PRV_CMD_GET_ID, "Get ID");
    uint8_t n = 0, buf[257];
    if (rc == RP_OK)
        rc = prv_read(d, &n, 1, d->timeout_ms, "Get ID");
    if (rc == RP_OK)
        rc = prv_read(d, buf, (size_t)n + 1, d->timeout_ms, "Get ID");
    if (rc == RP_OK)
        rc = prv_ack(d, d->timeout_ms, "Get ID");
    if (rc != RP_OK)
        return rc;
    if (n < 1)
        return prv_fail(d->ctx, RP_ERR_MALFORMED, "Get ID answered %u byte(s), expected 2", n + 1u);
    *id = (uint16_t)(buf[0] << 8 | buf[1]);
    return RP_OK;
}

static int prv_erase(prv_dev_t *d, const uint16_t *sectors, size_t n)
{
    char what[64];
    snprintf(what, sizeof what, "the erase of %zu sector(s)", n);
    /* Erasing a 128 KiB sector takes a second or two on an F4. */
    int wait_ms = d->timeout_ms + (int)n * 4000;
    uint8_t buf[2 + 2 * PRV_MAX_SECTORS + 1];
    size_t len = 0;
    uint8_t sum = 0;
    int rc;
    if (prv_has(d, PRV_CMD_EXT_ERASE)) {
        rc = prv_cmd(d, PRV_CMD_EXT_ERASE, "Extended Erase");
        buf[len++] = (uint8_t)((n - 1) >> 8);
        buf[len++] = (uint8_t)(n - 1);
        for (size_t i = 0; i < n; i++) {
            buf[len++] = (uint8_t)(sectors[i] >> 8);
            buf[len++] = (uint8_t)sectors[i];
        }
    } else {
        rc = prv_cmd(d, PRV_CMD_ERASE, "Erase");
        buf[len++] = (uint8_t)(n - 1);
        for (size_t i = 0; i < n; i++)
            buf[len++] = (uint8_t)sectors[i];
    }
    if (rc != RP_OK)
        return rc;
    for (size_t i = 0; i < len; i++)
        sum ^= buf[i];
    buf[len++] = sum;
    rc = prv_write(d, buf, len, what);
    if (rc == RP_OK)
        rc = prv_ack(d, wait_ms, what);
    if (rc == RP_ERR_STATE) {
        char list[6 * PRV_MAX_SECTORS] = "";
        size_t at = 0;
        for (size_t i = 0; i < n && at < sizeof list; i++)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%u", i ? "," : "", sectors[i]);
        return prv_fail(d->ctx, RP_ERR_STATE,
                        "the bootloader refused to erase sector(s) %s (NACK): write-protected? (clear the write "
                        "protection in the option bytes)", list);
    }
    return rc;
}

static int prv_write_block(prv_dev_t *d, uint32_t a, const uint8_t *data, size_t n)
{
    char what[64];
    snprintf(what, sizeof what, "the write at 0x%08x", a);
    int rc = prv_cmd(d, PRV_CMD_WRITE, what);
    if (rc == RP_OK)
        rc = prv_send_address(d, a, what);
    if (rc != RP_OK)
        return rc;
    uint8_t buf[PRV_BLOCK + 2];
    buf[0] = (uint8_t)(n - 1);
    uint8_t sum = buf[0];
    for (size_t i = 0; i < n; i++) {
        buf[1 + i] = data[i];
        sum ^= data[i];
    }
    buf[1 + n] = sum;
    rc = prv_write(d, buf, n + 2, what);
    return rc == RP_OK ? prv_ack(d, d->timeout_ms, what) : rc;
}

static int prv_read_block(prv_dev_t *d, uint32_t a, uint8_t *out, size_t n)
{
    char what[64];
    snprintf(what, sizeof what, "the read at 0x%08x", a);
    int rc = prv_cmd(d, PRV_CMD_READ, what);
    if (rc == RP_OK)
        rc = prv_send_address(d, a, what);
    if (rc == RP_OK)
        rc = prv_cmd(d, (uint8_t)(n - 1), what);
    if (rc == RP_OK)
        rc = prv_read(d, out, n, d->timeout_ms, what);
    return rc;
}

static int prv_go(prv_dev_t *d, uint32_t a)
{
    int rc = prv_cmd(d, PRV_CMD_GO, "Go");
    return rc == RP_OK ? prv_send_address(d, a, "Go") : rc;
}

/* ---- the method ---- */

/* Word-aligned block i of a segment: the bootloader writes whole 32-bit
 * words, so the edges are padded with 0xFF (erased flash). */
static void prv_block(const rp_flash_segment_t *s, uint32_t a, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t x = (uint64_t)a + i;
        buf[i] = (x >= s->address && x < (uint64_t)s->address + s->size) ? s->data[x - s->address] : 0xFFu;
    }
}

static void prv_progress(rp_flash_ctx_t *ctx, const char *phase, uint64_t done, uint64_t total)
{
    if (ctx->progress)
        ctx->progress(ctx->progress_ctx, phase, done, total);
}

/* Checks every segment lies in flash and lists the sectors it touches. */
static int prv_plan(rp_flash_ctx_t *ctx, const rp_flash_image_t *img, uint32_t base, uint32_t size,
                    uint16_t *sectors, size_t *nsect)
{
    *nsect = 0;
    uint32_t out_first, out_last;
    if (rp_flash_image_outside(img, base, size, &out_first, &out_last))
        return prv_fail(ctx, RP_ERR_RANGE,
                        "the image does not fit: bytes 0x%08x-0x%08x lie outside the flash 0x%08x-0x%08llx (%u KiB)",
                        out_first, out_last, base, (unsigned long long)base + size - 1, size / 1024u);
    for (uint32_t i = 0; i < img->count; i++) {
        const rp_flash_segment_t *s = &img->seg[i];
        uint64_t s_end = (uint64_t)s->address + s->size;
        uint32_t first = prv_sector_of(s->address - base), last = prv_sector_of((uint32_t)(s_end - 1 - base));
        for (uint32_t k = first; k <= last; k++) {
            if (*nsect && sectors[*nsect - 1] >= k)
                continue;
            if (*nsect == PRV_MAX_SECTORS)
                return prv_fail(ctx, RP_ERR_RANGE, "the image touches more than %u sectors", PRV_MAX_SECTORS);
            sectors[(*nsect)++] = (uint16_t)k;
        }
    }
    return RP_OK;
}

static int prv_run(prv_dev_t *d, const rp_flash_image_t *img, uint32_t base)
{
    rp_flash_ctx_t *ctx = d->ctx;
    int rc = prv_sync(d);
    uint8_t version = 0;
    if (rc == RP_OK)
        rc = prv_get(d, &version);
    uint16_t id = 0;
    if (rc == RP_OK)
        rc = prv_get_id(d, &id);
    if (rc != RP_OK)
        return rc;
    const prv_chip_t *chip = prv_chip(id);
    snprintf(ctx->info, sizeof ctx->info, "%s (ID 0x%03x), bootloader %u.%u", chip ? chip->name : "unknown STM32",
             id, version >> 4, version & 0xFu);
    if (ctx->expect_chip_id && id != ctx->expect_chip_id) {
        const prv_chip_t *want = prv_chip(ctx->expect_chip_id);
        return prv_fail(ctx, RP_ERR_UNSUPPORTED,
                        "wrong chip: the device is %s (ID 0x%03x), the board expects %s (ID 0x%03x); nothing "
                        "was written", chip ? chip->name : "an unknown STM32", id,
                        want ? want->name : "another chip", ctx->expect_chip_id);
    }
    if (!chip)
        return prv_fail(ctx, RP_ERR_UNSUPPORTED,
                        "chip ID 0x%03x: its flash sector layout is unknown to rramprof; nothing was written", id);
    uint32_t size = ctx->flash_size ? ctx->flash_size : chip->flash_size;
    uint16_t sectors[PRV_MAX_SECTORS];
    size_t nsect = 0;
    rc = prv_plan(ctx, img, base, size, sectors, &nsect);
    if (rc != RP_OK)
        return rc;

    prv_progress(ctx, "erase", 0, nsect);
    rc = prv_erase(d, sectors, nsect);
    if (rc != RP_OK)
        return rc;
    prv_progress(ctx, "erase", nsect, nsect);

    uint64_t total = 0, done = 0;
    for (uint32_t i = 0; i < img->count; i++) {
        const rp_flash_segment_t *s = &img->seg[i];
        total += (((uint64_t)s->address + s->size + 3u) & ~3ull) - (s->address & ~3u);
    }
    uint8_t buf[PRV_BLOCK], back[PRV_BLOCK];
    prv_progress(ctx, "write", 0, total);
    for (uint32_t i = 0; i < img->count; i++) {
        const rp_flash_segment_t *s = &img->seg[i];
        uint64_t end = ((uint64_t)s->address + s->size + 3u) & ~3ull;
        for (uint64_t a = s->address & ~3u; a < end; a += PRV_BLOCK) {
            size_t n = end - a < PRV_BLOCK ? (size_t)(end - a) : PRV_BLOCK;
            prv_block(s, (uint32_t)a, buf, n);
            rc = prv_write_block(d, (uint32_t)a, buf, n);
            if (rc == RP_ERR_STATE)
                return prv_fail(ctx, RP_ERR_STATE,
                                "the bootloader refused the write at 0x%08x (NACK): write-protected or read-out "
                                "protected flash?", (uint32_t)a);
            if (rc != RP_OK)
                return rc;
            done += n;
            prv_progress(ctx, "write", done, total);
        }
    }

    done = 0;
    prv_progress(ctx, "verify", 0, total);
    for (uint32_t i = 0; i < img->count; i++) {
        const rp_flash_segment_t *s = &img->seg[i];
        uint64_t end = (uint64_t)s->address + s->size;
        for (uint64_t a = s->address; a < end; a += PRV_BLOCK) {
            size_t n = end - a < PRV_BLOCK ? (size_t)(end - a) : PRV_BLOCK;
            rc = prv_read_block(d, (uint32_t)a, back, n);
            if (rc != RP_OK)
                return rc;
            const uint8_t *want = s->data + (a - s->address);
            for (size_t k = 0; k < n; k++)
                if (back[k] != want[k])
                    return prv_fail(ctx, RP_ERR_CRC,
                                    "verify failed at 0x%08llx: wrote 0x%02x, read back 0x%02x",
                                    (unsigned long long)(a + k), want[k], back[k]);
            done += n;
            prv_progress(ctx, "verify", done, total);
        }
    }

    if (!ctx->no_start) {
        /* Go loads SP and PC from the vector table: the image's first
         * address (checked by rp_flash_image_check_start). */
        rc = prv_go(d, img->seg[0].address);
        if (rc != RP_OK)
            return rc;
    }
    return RP_OK;
}

int rp_flash_serial_an3155(rp_flash_ctx_t *ctx, const rp_flash_image_t *img)
{
    if (!ctx)
        return RP_ERR_ARG;
    ctx->err[0] = '\0';
    ctx->info[0] = '\0';
    if (!img || img->count == 0)
        return prv_fail(ctx, RP_ERR_ARG, "empty image");
    uint32_t base = ctx->flash_base ? ctx->flash_base : 0x08000000u;
    /* Checked before the device is touched: a misfit never erases anything. */
    if (ctx->flash_size) {
        uint16_t sectors[PRV_MAX_SECTORS];
        size_t n;
        int rc = prv_plan(ctx, img, base, ctx->flash_size, sectors, &n);
        if (rc != RP_OK)
            return rc;
    }
    /* Go jumps through the image's first two words; refused before the
     * device is touched rather than written and left unstarted, so a
     * run that exits 0 has done what was asked (stm32flash, too, refuses
     * a bad -g address before it opens the port). */
    if (!ctx->no_start) {
        char why[RP_FLASH_ERR_MAX];
        int rc = rp_flash_image_check_start(img, why, sizeof why);
        if (rc != RP_OK)
            return prv_fail(ctx, rc,
                            "cannot start the image with Go: %.120s; nothing was written (flash it where it was "
                            "linked, or add --no-start)", why);
    }
    if (ctx->dry_run)
        return RP_OK;
    if (!ctx->port || !*ctx->port)
        return prv_fail(ctx, RP_ERR_NOT_FOUND, "no serial port given (--port /dev/ttyUSB0)");
    prv_dev_t d = { .fd = -1, .sp = NULL, .ctx = ctx };
    double t = ctx->timeout_s > 0 ? ctx->timeout_s : 1.0;
    d.timeout_ms = t > 600 ? 600000 : (int)(t * 1000);
    int rc = prv_open(&d, ctx->port, ctx->baud ? ctx->baud : 115200u);
    if (rc == RP_OK)
        rc = prv_run(&d, img, base);
    prv_close(&d);
    return rc;
}

/* Sectors of the image, for --dry-run. Returns the count or a negative
 * rp_err_t with ctx->err. */
int rp_flash_an3155_sectors(rp_flash_ctx_t *ctx, const rp_flash_image_t *img, uint16_t *sectors, size_t cap)
{
    uint16_t all[PRV_MAX_SECTORS];
    size_t n = 0;
    uint32_t base = ctx->flash_base ? ctx->flash_base : 0x08000000u;
    uint32_t size = ctx->flash_size ? ctx->flash_size : 0xFFFFFFFFu - base;
    int rc = prv_plan(ctx, img, base, size, all, &n);
    if (rc != RP_OK)
        return rc;
    for (size_t i = 0; i < n && i < cap; i++)
        sectors[i] = all[i];
    return (int)n;
}
