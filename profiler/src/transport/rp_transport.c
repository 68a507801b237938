/* URI dispatch, generic descriptor I/O and error strings. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rp_transport_priv.h"

typedef struct prv_scheme {
    const char *prefix;
    int (*open)(rp_transport_t *t, const char *rest);
} prv_scheme_t;

/* "tcp://" must come before a bare "tcp:" would; every prefix is unique. */
static const prv_scheme_t prv_schemes[] = {
    { "serial:", rp_transport_open_serial },
    { "usb:", rp_transport_open_usb },
    { "tcp://", rp_transport_open_tcp },
    { "unix:", rp_transport_open_unix },
    { "exec:", rp_transport_open_exec },
    { "file:", rp_transport_open_file },
    { "qemu:", rp_transport_open_qemu },
};

int rp_transport_fail(rp_transport_t *t, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->detail, sizeof t->detail, fmt, ap);
    va_end(ap);
    return err;
}

int rp_transport_errno_code(int e)
{
    switch (e) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
        return RP_ERR_NOT_FOUND;
    case EACCES:
    case EPERM:
        return RP_TRANSPORT_ERR_ACCESS;
    case EBUSY:
        return RP_TRANSPORT_ERR_BUSY;
    case ETIMEDOUT:
        return RP_ERR_TIMEOUT;
    default:
        return RP_ERR_IO;
    }
}

int64_t rp_transport_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rp_transport_open(const char *uri, rp_transport_t **out, char *detail, size_t detail_cap)
{
    if (out)
        *out = NULL;
    if (detail && detail_cap)
        detail[0] = '\0';
    if (!uri || !out)
        return RP_ERR_ARG;

    rp_transport_t *t = calloc(1, sizeof *t);
    if (!t)
        return RP_ERR_NOSPACE;
    t->fd = -1;
    t->pid = -1;

    int rc = RP_TRANSPORT_ERR_SCHEME;
    snprintf(t->detail, sizeof t->detail,
             "unknown transport '%s' (use serial:, usb:, tcp://, unix:, exec:, file: or qemu:)", uri);
    for (size_t i = 0; i < sizeof prv_schemes / sizeof prv_schemes[0]; i++) {
        size_t n = strlen(prv_schemes[i].prefix);
        if (strncmp(uri, prv_schemes[i].prefix, n) == 0) {
            t->detail[0] = '\0';
            rc = prv_schemes[i].open(t, uri + n);
            break;
        }
    }
    if (rc != RP_OK) {
        if (detail && detail_cap)
            snprintf(detail, detail_cap, "%s", t->detail);
        free(t);
        return rc;
    }
    *out = t;
    return RP_OK;
}

int rp_transport_read(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms)
{
    if (!t || !buf || cap == 0)
        return RP_ERR_ARG;
    return t->ops->read(t, buf, cap, timeout_ms);
}

int rp_transport_write(rp_transport_t *t, const uint8_t *buf, size_t len, int timeout_ms)
{
    if (!t || (!buf && len))
        return RP_ERR_ARG;
    if (len == 0)
        return 0;
    return t->ops->write(t, buf, len, timeout_ms);
}

void rp_transport_close(rp_transport_t *t)
{
    if (!t)
        return;
    t->ops->close(t);
    free(t);
}

const char *rp_transport_scheme(const rp_transport_t *t)
{
    return t ? t->ops->scheme : "";
}

const char *rp_transport_detail(const rp_transport_t *t)
{
    return t ? t->detail : "";
}

long rp_transport_child_pid(const rp_transport_t *t)
{
    return t ? t->pid : -1;
}

const char *rp_transport_strerror(int err)
{
    switch (err) {
    case RP_TRANSPORT_ERR_CLOSED:
        return "link closed by the device";
    case RP_TRANSPORT_ERR_ACCESS:
        return "permission denied";
    case RP_TRANSPORT_ERR_BUSY:
        return "device busy";
    case RP_TRANSPORT_ERR_SCHEME:
        return "unknown or malformed transport URI";
    case RP_TRANSPORT_ERR_GONE:
        return "device disconnected";
    default:
        return rp_err_str(err);
    }
}

/* ---- generic descriptor I/O ---- */

static int prv_wait(rp_transport_t *t, short events, int timeout_ms)
{
    struct pollfd p = { .fd = t->fd, .events = events, .revents = 0 };
    int n = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        return rp_transport_fail(t, RP_ERR_IO, "poll: %s", strerror(errno));
    }
    return n;
}

int rp_transport_fd_read(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms)
{
    if (cap > (size_t)INT32_MAX)
        cap = (size_t)INT32_MAX;
    int ready = prv_wait(t, POLLIN, timeout_ms);
    if (ready <= 0)
        return ready;
    ssize_t n = read(t->fd, buf, cap);
    if (n > 0)
        return (int)n;
    if (n == 0)
        return RP_TRANSPORT_ERR_CLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    if (errno == ECONNRESET)
        return RP_TRANSPORT_ERR_CLOSED;
    /* A tty whose hardware vanished (USB CDC unplugged) reports EIO/ENODEV. */
    if (errno == EIO || errno == ENODEV || errno == ENXIO)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_GONE, "read: %s", strerror(errno));
    return rp_transport_fail(t, RP_ERR_IO, "read: %s", strerror(errno));
}

int rp_transport_fd_write(rp_transport_t *t, const uint8_t *buf, size_t len, int timeout_ms)
{
    if (len > (size_t)INT32_MAX)
        return RP_ERR_ARG;
    int64_t deadline = timeout_ms < 0 ? -1 : rp_transport_now_ms() + timeout_ms;
    size_t done = 0;
    while (done < len) {
        ssize_t n = t->use_send ? send(t->fd, buf + done, len - done, MSG_NOSIGNAL)
                                : write(t->fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EPIPE)
            return rp_transport_fail(t, RP_TRANSPORT_ERR_CLOSED, "write: %s", strerror(errno));
        if (n < 0 && (errno == EIO || errno == ENODEV || errno == ENXIO))
            return rp_transport_fail(t, RP_TRANSPORT_ERR_GONE, "write: %s", strerror(errno));
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return rp_transport_fail(t, RP_ERR_IO, "write: %s", strerror(errno));
        int left = -1;
        if (deadline >= 0) {
            int64_t now = rp_transport_now_ms();
            if (now >= deadline)
                return rp_transport_fail(t, RP_ERR_TIMEOUT, "write: link did not accept %zu bytes in time",
                                         len - done);
            left = (int)(deadline - now);
        }
        int ready = prv_wait(t, POLLOUT, left);
        if (ready < 0)
            return ready;
    }
    return (int)len;
}
