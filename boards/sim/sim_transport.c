/* The sim board's link: rp_hal_transport.h over file descriptors.
 * See sim_transport.h for the behaviour; this is host code (a process on
 * Linux), not firmware core, so it uses POSIX freely. */
#define _DEFAULT_SOURCE /* openpty, cfmakeraw */

#include "sim_transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "rramprof/rp_config.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_status.h"

/* A frame waits until a DMA buffer has room for the largest one. */
_Static_assert(RP_SIM_LINK_DMA_BYTES >= RP_FRAME_ENCODED_MAX(RP_FRAME_MAX_PAYLOAD),
               "a DMA buffer holds a whole frame");

/* A point in virtual time: tick + frac / baud. Kept as a pair because a
 * byte rarely lasts a whole number of ticks and the error must not pile
 * up over a long run. */
typedef struct prv_vtime {
    uint64_t tick;
    uint64_t frac;
} prv_vtime_t;

typedef struct prv_link {
    rp_sim_link_spec_t spec;
    int listen_fd;          /* tcp, unix: until accepted */
    int rx_fd;              /* commands from the host */
    int tx_fd;              /* frames to the host */
    bool opened;
    bool down;
    bool rx_closed;         /* no more input will come */
    bool eof_is_down;
    bool host_seen;         /* pty: the slave has been opened */

    uint8_t queue[RP_SIM_LINK_QUEUE_BYTES];
    size_t queued;
    uint64_t bytes_written;
    uint64_t bytes_read;

    /* Modelled UART (see the header): the DMA transfer in flight ends at
     * dma_end; `fill` bytes wait in the other buffer. */
    uint64_t baud;
    uint64_t hz;
    prv_vtime_t dma_end;
    uint64_t fill;
} prv_link_t;

static prv_link_t s_link = {
    .listen_fd = -1, .rx_fd = -1, .tx_fd = -1, .eof_is_down = true,
};

/* ---- setup ------------------------------------------------------------ */

int rp_sim_transport_parse(const char *text, rp_sim_link_spec_t *out)
{
    if (text == NULL || out == NULL) {
        return RP_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (strcmp(text, "stdio") == 0) {
        out->kind = RP_SIM_LINK_STDIO;
        return RP_OK;
    }
    if (strcmp(text, "pty") == 0) {
        out->kind = RP_SIM_LINK_PTY;
        return RP_OK;
    }
    if (strncmp(text, "tcp:", 4) == 0) {
        const char *digits = text + 4;
        char *end = NULL;
        if (*digits < '0' || *digits > '9') {
            return RP_ERR_ARG;
        }
        errno = 0;
        unsigned long port = strtoul(digits, &end, 10);
        if (errno != 0 || *end != '\0' || port > 65535u) {
            return RP_ERR_ARG;
        }
        out->kind = RP_SIM_LINK_TCP;
        out->port = (uint16_t)port;
        return RP_OK;
    }
    if (strncmp(text, "unix:", 5) == 0) {
        size_t n = strlen(text + 5);
        if (n == 0 || n >= sizeof(out->path)) {
            return RP_ERR_ARG;
        }
        out->kind = RP_SIM_LINK_UNIX;
        memcpy(out->path, text + 5, n + 1);
        return RP_OK;
    }
    return RP_ERR_ARG;
}

static int prv_fail(char *msg, size_t cap, const char *what)
{
    if (msg != NULL && cap > 0) {
        snprintf(msg, cap, "%s: %s", what, strerror(errno));
    }
    return RP_ERR_IO;
}

static int prv_open_tcp(uint16_t port, char *where, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return prv_fail(where, cap, "socket");
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 1) != 0) {
        int rc = prv_fail(where, cap, "listen on 127.0.0.1");
        close(fd);
        return rc;
    }
    socklen_t len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        int rc = prv_fail(where, cap, "getsockname");
        close(fd);
        return rc;
    }
    s_link.listen_fd = fd;
    snprintf(where, cap, "127.0.0.1:%u", (unsigned)ntohs(addr.sin_port));
    return RP_OK;
}

static int prv_open_unix(const char *path, char *where, size_t cap)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return prv_fail(where, cap, path);
    }
    strcpy(addr.sun_path, path);

    /* Replace a stale socket left by an earlier run, but never a file
     * that is not a socket. */
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            errno = EEXIST;
            return prv_fail(where, cap, path);
        }
        (void)unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return prv_fail(where, cap, "socket");
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 1) != 0) {
        int rc = prv_fail(where, cap, path);
        close(fd);
        return rc;
    }
    s_link.listen_fd = fd;
    snprintf(where, cap, "%s", path);
    return RP_OK;
}

static int prv_open_pty(char *where, size_t cap)
{
    int master = -1;
    int slave = -1;
    char name[128];
    if (openpty(&master, &slave, name, NULL, NULL) != 0) {
        return prv_fail(where, cap, "openpty");
    }
    /* Raw 8-bit bytes both ways: no echo, no CR/LF translation, no
     * signals from control characters. The slave's settings are the
     * line's settings, so set them there. */
    struct termios tio;
    if (tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        (void)tcsetattr(slave, TCSANOW, &tio);
    }
    /* Keeping our slave fd open would hide the host's hang-up; with it
     * closed, the master reports POLLHUP while no host has it open. */
    close(slave);
    (void)fcntl(master, F_SETFD, FD_CLOEXEC);
    s_link.rx_fd = master;
    s_link.tx_fd = master;
    snprintf(where, cap, "%s", name);
    return RP_OK;
}

int rp_sim_transport_open(const rp_sim_link_spec_t *spec, char *where, size_t where_cap)
{
    if (spec == NULL || where == NULL || where_cap == 0 || s_link.opened) {
        return RP_ERR_ARG;
    }
    s_link.spec = *spec;
    s_link.hz = rp_hal_timer_hz();
    int rc = RP_OK;
    switch (spec->kind) {
    case RP_SIM_LINK_STDIO:
        s_link.rx_fd = STDIN_FILENO;
        s_link.tx_fd = STDOUT_FILENO;
        snprintf(where, where_cap, "stdio");
        break;
    case RP_SIM_LINK_TCP:
        rc = prv_open_tcp(spec->port, where, where_cap);
        break;
    case RP_SIM_LINK_UNIX:
        rc = prv_open_unix(spec->path, where, where_cap);
        break;
    case RP_SIM_LINK_PTY:
        rc = prv_open_pty(where, where_cap);
        break;
    default:
        rc = RP_ERR_ARG;
        break;
    }
    s_link.opened = (rc == RP_OK);
    return rc;
}

static void prv_sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* pty: the master polls POLLHUP exactly while no process has the slave
 * open. */
static bool prv_pty_hung_up(void)
{
    struct pollfd p = { .fd = s_link.rx_fd, .events = POLLIN };
    int n = poll(&p, 1, 0);
    return n > 0 && (p.revents & POLLHUP) != 0;
}

int rp_sim_transport_accept(char *err, size_t err_cap)
{
    if (!s_link.opened) {
        errno = EBADF;
        return prv_fail(err, err_cap, "link not open");
    }
    if (s_link.spec.kind == RP_SIM_LINK_PTY) {
        /* The hang-up state has no wake-up of its own: poll() returns at
         * once while it lasts, so look again every few milliseconds. */
        while (prv_pty_hung_up()) {
            prv_sleep_ms(5);
        }
        s_link.host_seen = true;
        return RP_OK;
    }
    if (s_link.listen_fd < 0) {
        return RP_OK;
    }
    int fd;
    do {
        fd = accept(s_link.listen_fd, NULL, NULL);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return prv_fail(err, err_cap, "accept");
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* One host per run: stop listening. */
    close(s_link.listen_fd);
    s_link.listen_fd = -1;
    s_link.rx_fd = fd;
    s_link.tx_fd = fd;
    return RP_OK;
}

void rp_sim_transport_set_baud(uint64_t baud)
{
    s_link.baud = baud;
    s_link.dma_end.tick = 0;
    s_link.dma_end.frac = 0;
    s_link.fill = 0;
}

void rp_sim_transport_set_eof_is_down(bool eof_is_down)
{
    s_link.eof_is_down = eof_is_down;
}

/* ---- the modelled UART ------------------------------------------------ */

static bool prv_modelled(void)
{
    return s_link.baud != 0 && s_link.hz != 0;
}

/* a <= now */
static bool prv_passed(prv_vtime_t a, uint64_t now)
{
    return a.tick < now || (a.tick == now && a.frac == 0);
}

/* First whole tick at or after a. */
static uint64_t prv_ceil(prv_vtime_t a)
{
    return a.tick + (a.frac != 0 ? 1u : 0u);
}

/* t plus the time n bytes take on the wire (10 bits each). */
static prv_vtime_t prv_after_bytes(prv_vtime_t t, uint64_t n)
{
    uint64_t units = n * 10u * s_link.hz + t.frac;
    t.tick += units / s_link.baud;
    t.frac = units % s_link.baud;
    return t;
}

/* Brings the model up to tick now: if the DMA finished while bytes were
 * waiting in the other buffer, that buffer started at that very moment. */
static void prv_dma_sync(uint64_t now)
{
    if (s_link.fill != 0 && prv_passed(s_link.dma_end, now)) {
        s_link.dma_end = prv_after_bytes(s_link.dma_end, s_link.fill);
        s_link.fill = 0;
    }
}

/* Bytes the modelled driver accepts at tick now. */
static size_t prv_dma_space(uint64_t now)
{
    prv_dma_sync(now);
    if (prv_passed(s_link.dma_end, now)) {
        return RP_SIM_LINK_DMA_BYTES; /* idle: a write starts a transfer */
    }
    return RP_SIM_LINK_DMA_BYTES - (size_t)s_link.fill;
}

/* Queues n bytes (n <= prv_dma_space(now)) at tick now. */
static void prv_dma_write(uint64_t now, size_t n)
{
    prv_dma_sync(now);
    if (prv_passed(s_link.dma_end, now)) {
        prv_vtime_t start = { now, 0 };
        s_link.dma_end = prv_after_bytes(start, n);
    } else {
        s_link.fill += n;
    }
}

uint64_t rp_sim_transport_tx_wake_at(void)
{
    uint64_t now = rp_hal_timer_now();
    if (!prv_modelled()) {
        return now;
    }
    prv_dma_sync(now);
    if (s_link.fill == 0 || prv_passed(s_link.dma_end, now)) {
        return now; /* the filling buffer is empty: nothing to wait for */
    }
    return prv_ceil(s_link.dma_end);
}

/* ---- rp_hal_transport.h ----------------------------------------------- */

size_t rp_hal_transport_tx_space(void)
{
    size_t space = sizeof(s_link.queue) - s_link.queued;
    if (prv_modelled()) {
        size_t dma_space = prv_dma_space(rp_hal_timer_now());
        if (dma_space < space) {
            space = dma_space;
        }
    }
    return space;
}

static void prv_set_down(void)
{
    s_link.down = true;
    s_link.rx_closed = true;
    s_link.queued = 0;
}

void rp_sim_transport_flush(void)
{
    size_t off = 0;
    while (off < s_link.queued && !s_link.down) {
        ssize_t n = write(s_link.tx_fd, s_link.queue + off, s_link.queued - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                /* Someone made the fd non-blocking (a shared stdout):
                 * wait for room instead of spinning. */
                struct pollfd p = { .fd = s_link.tx_fd, .events = POLLOUT };
                (void)poll(&p, 1, -1);
                continue;
            }
            prv_set_down(); /* EPIPE: the host has gone */
            return;
        }
        off += (size_t)n;
    }
    s_link.queued = 0;
}

size_t rp_hal_transport_write(const uint8_t *data, size_t len)
{
    if (data == NULL || len == 0) {
        return 0;
    }
    if (len > rp_hal_transport_tx_space()) {
        len = rp_hal_transport_tx_space();
    }
    if (prv_modelled()) {
        prv_dma_write(rp_hal_timer_now(), len);
    }
    s_link.bytes_written += len;
    if (s_link.down) {
        return len; /* nobody is listening; see the header */
    }
    memcpy(s_link.queue + s_link.queued, data, len);
    s_link.queued += len;
    /* Batch syscalls, but never let the queue, rather than the modelled
     * link, decide tx_space for a whole frame. */
    if (s_link.queued > sizeof(s_link.queue) / 2u) {
        rp_sim_transport_flush();
    }
    return len;
}

size_t rp_hal_transport_read(uint8_t *buf, size_t cap)
{
    if (buf == NULL || cap == 0 || s_link.rx_closed || s_link.rx_fd < 0) {
        return 0;
    }
    struct pollfd p = { .fd = s_link.rx_fd, .events = POLLIN };
    int ready = poll(&p, 1, 0);
    if (ready <= 0) {
        return 0;
    }
    if (s_link.spec.kind == RP_SIM_LINK_PTY && (p.revents & POLLIN) == 0 &&
        (p.revents & POLLHUP) != 0) {
        prv_set_down(); /* the host closed the pty */
        return 0;
    }
    ssize_t n = read(s_link.rx_fd, buf, cap);
    if (n > 0) {
        s_link.bytes_read += (uint64_t)n;
        return (size_t)n;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
        return 0;
    }
    /* EOF, or EIO from a pty master whose slave was closed. */
    s_link.rx_closed = true;
    if (s_link.spec.kind != RP_SIM_LINK_STDIO || s_link.eof_is_down) {
        prv_set_down();
    }
    return 0;
}

bool rp_hal_transport_up(void)
{
    return !s_link.down;
}

/* The host's pipe, pty or socket buffers what the sim has not read yet
 * and pushes back when full: nothing is lost on the way in. */
uint32_t rp_hal_transport_rx_lost(void)
{
    return 0u;
}

bool rp_sim_transport_wait(int timeout_ms)
{
    if (s_link.down) {
        return true;
    }
    if (s_link.rx_closed || s_link.rx_fd < 0) {
        /* Nothing can arrive: just let the time pass. */
        if (timeout_ms < 0) {
            return false; /* never block forever on a closed input */
        }
        prv_sleep_ms(timeout_ms);
        return false;
    }
    struct pollfd p = { .fd = s_link.rx_fd, .events = POLLIN };
    int n;
    do {
        n = poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    return n > 0;
}

uint64_t rp_sim_transport_bytes_written(void)
{
    return s_link.bytes_written;
}

bool rp_sim_transport_rx_open(void)
{
    return !s_link.rx_closed && s_link.rx_fd >= 0;
}

uint64_t rp_sim_transport_bytes_read(void)
{
    return s_link.bytes_read;
}

void rp_sim_transport_close(void)
{
    rp_sim_transport_flush();
    if (s_link.spec.kind != RP_SIM_LINK_STDIO) {
        if (s_link.rx_fd >= 0) {
            close(s_link.rx_fd);
        }
    }
    if (s_link.listen_fd >= 0) {
        close(s_link.listen_fd);
    }
    if (s_link.spec.kind == RP_SIM_LINK_UNIX && s_link.opened) {
        (void)unlink(s_link.spec.path);
    }
    s_link.rx_fd = -1;
    s_link.tx_fd = -1;
    s_link.listen_fd = -1;
    s_link.opened = false;
    s_link.down = true;
}
