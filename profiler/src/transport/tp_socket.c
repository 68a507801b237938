/* tcp://HOST:PORT and unix:PATH stream-socket clients. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rp_transport_priv.h"

static void prv_close(rp_transport_t *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

static const rp_transport_ops_t prv_tcp_ops = {
    "tcp", rp_transport_fd_read, rp_transport_fd_write, prv_close,
};
static const rp_transport_ops_t prv_unix_ops = {
    "unix", rp_transport_fd_read, rp_transport_fd_write, prv_close,
};

/* Non-blocking after connect: reads and writes wait in poll() instead, so a
 * timeout or a signal can always end the wait. */
static void prv_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int rp_transport_open_tcp(rp_transport_t *t, const char *rest)
{
    char host[256];
    const char *colon = strrchr(rest, ':');
    if (!colon || colon == rest || colon[1] == '\0' || (size_t)(colon - rest) >= sizeof host)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "malformed TCP URI 'tcp://%s' (want tcp://HOST:PORT)",
                                 rest);
    memcpy(host, rest, (size_t)(colon - rest));
    host[colon - rest] = '\0';
    /* [::1]:port form */
    char *h = host;
    size_t hl = strlen(h);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h[hl - 1] = '\0';
        h++;
    }
    const char *port = colon + 1;
    /* getaddrinfo takes a number modulo 65536 (99999 would reach 34463):
     * a numeric port must be a real one. Service names pass through. */
    if (port[strspn(port, "0123456789")] == '\0' && (strlen(port) > 5 || atol(port) < 1 || atol(port) > 65535))
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "malformed TCP URI 'tcp://%s': port %s is not 1-65535",
                                 rest, port);

    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(h, port, &hints, &res);
    if (gai != 0)
        return rp_transport_fail(t, RP_ERR_NOT_FOUND, "cannot resolve %s:%s: %s", h, port, gai_strerror(gai));

    int err = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            int one = 1;
            /* Commands are tiny and latency matters for the handshake. */
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            prv_nonblock(fd);
            t->fd = fd;
            break;
        }
        err = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (t->fd < 0)
        return rp_transport_fail(t, rp_transport_errno_code(err), "cannot connect to %s:%s: %s", h, port,
                                 strerror(err));
    t->ops = &prv_tcp_ops;
    t->use_send = 1;
    return RP_OK;
}

int rp_transport_open_unix(rp_transport_t *t, const char *rest)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (rest[0] == '\0' || strlen(rest) >= sizeof sa.sun_path)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "malformed unix socket path '%s'", rest);
    memcpy(sa.sun_path, rest, strlen(rest));

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return rp_transport_fail(t, RP_ERR_IO, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        return rp_transport_fail(t, rp_transport_errno_code(e), "cannot connect to %s: %s", rest, strerror(e));
    }
    prv_nonblock(fd);
    t->fd = fd;
    t->ops = &prv_unix_ops;
    t->use_send = 1;
    return RP_OK;
}
