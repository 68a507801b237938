/* file:PATH - replays a raw byte stream recorded from a link (or crafted by
 * a test) and reports EOF at its end. Commands written to it are accepted
 * and discarded: a recording cannot answer. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "rp_transport_priv.h"

static int prv_write(rp_transport_t *t, const uint8_t *buf, size_t len, int timeout_ms)
{
    (void)t;
    (void)buf;
    (void)timeout_ms;
    return (int)len;
}

static void prv_close(rp_transport_t *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

static const rp_transport_ops_t prv_file_ops = {
    "file", rp_transport_fd_read, prv_write, prv_close,
};

int rp_transport_open_file(rp_transport_t *t, const char *rest)
{
    if (rest[0] == '\0')
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "file: needs a path");
    int fd = open(rest, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return rp_transport_fail(t, rp_transport_errno_code(e), "cannot open %s: %s", rest, strerror(e));
    }
    t->fd = fd;
    t->ops = &prv_file_ops;
    return RP_OK;
}
