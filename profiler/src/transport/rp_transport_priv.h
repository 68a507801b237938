/* Internal to the transport library: the handle and the per-scheme hooks. */
#ifndef RP_TRANSPORT_PRIV_H
#define RP_TRANSPORT_PRIV_H

#include <stdarg.h>

#include "rramprof/rp_transport.h"

typedef struct rp_transport_ops {
    const char *scheme;
    int (*read)(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms);
    int (*write)(rp_transport_t *t, const uint8_t *buf, size_t len, int timeout_ms);
    void (*close)(rp_transport_t *t);
} rp_transport_ops_t;

struct rp_transport {
    const rp_transport_ops_t *ops;
    int fd;        /* descriptor the generic fd read/write use, or -1 */
    int use_send;  /* fd is a socket: write with send(MSG_NOSIGNAL) */
    long pid;      /* exec: child process, else -1 */
    void *impl;    /* scheme-private state (serial, usb) */
    char detail[RP_TRANSPORT_DETAIL_MAX];
};

/* Per-scheme openers: fill t (ops, fd, impl) or return an error with
 * t->detail explaining it. `rest` is the URI after "scheme:". */
int rp_transport_open_tcp(rp_transport_t *t, const char *rest);
int rp_transport_open_unix(rp_transport_t *t, const char *rest);
int rp_transport_open_exec(rp_transport_t *t, const char *rest);
int rp_transport_open_file(rp_transport_t *t, const char *rest);
int rp_transport_open_serial(rp_transport_t *t, const char *rest);
int rp_transport_open_usb(rp_transport_t *t, const char *rest);
int rp_transport_open_qemu(rp_transport_t *t, const char *rest);

/* Enumeration helpers: append to a growing array. */
typedef struct rp_port_list {
    rp_port_info_t *items;
    size_t count;
    size_t cap;
} rp_port_list_t;
int rp_transport_list_push(rp_port_list_t *list, const rp_port_info_t *info);
int rp_transport_list_serial(rp_port_list_t *list);
int rp_transport_list_usb(rp_port_list_t *list);

/* Generic descriptor I/O shared by every fd-based scheme. */
int rp_transport_fd_read(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms);
int rp_transport_fd_write(rp_transport_t *t, const uint8_t *buf, size_t len, int timeout_ms);

/* printf into t->detail; returns err so callers can `return` it. */
int rp_transport_fail(rp_transport_t *t, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an errno from open/connect to a transport error code. */
int rp_transport_errno_code(int e);
/* Milliseconds on the monotonic clock. */
int64_t rp_transport_now_ms(void);

#endif
