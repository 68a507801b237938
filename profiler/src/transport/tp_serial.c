/* serial:PATH[?baud=N] through libserialport: it opens and configures the
 * port (8N1, no flow control) and enumerates ports with their USB identity;
 * the bytes then move through the generic descriptor I/O so timeouts and
 * signals behave as on every other fd transport.
 *
 * Pseudo-terminals (the sim board's --transport pty, socat, QEMU's -serial
 * pty) are opened with termios directly: libserialport 0.1.1 refuses them
 * (no sysfs entry, no modem-control ioctls). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "rp_transport_priv.h"

static void prv_close(rp_transport_t *t)
{
    struct sp_port *port = t->impl;
    if (port) {
        sp_close(port);
        sp_free_port(port);
    } else if (t->fd >= 0) {
        close(t->fd);
    }
    t->impl = NULL;
    t->fd = -1;
}

static const rp_transport_ops_t prv_serial_ops = {
    "serial", rp_transport_fd_read, rp_transport_fd_write, prv_close,
};

/* Parses "PATH[?baud=N]" into path and baud. */
static int prv_parse(rp_transport_t *t, const char *rest, char *path, size_t cap, int *baud)
{
    *baud = RP_SERIAL_DEFAULT_BAUD;
    const char *q = strchr(rest, '?');
    size_t plen = q ? (size_t)(q - rest) : strlen(rest);
    if (plen == 0 || plen >= cap)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "malformed serial URI 'serial:%s'", rest);
    memcpy(path, rest, plen);
    path[plen] = '\0';
    if (!q)
        return RP_OK;
    const char *opt = q + 1;
    if (strncmp(opt, "baud=", 5) != 0)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "unknown serial option '%s' (only baud=N)", opt);
    char *end = NULL;
    long b = strtol(opt + 5, &end, 10);
    if (!end || *end != '\0' || b <= 0 || b > 100000000)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "bad baud rate '%s'", opt + 5);
    *baud = (int)b;
    return RP_OK;
}

static int prv_sp_fail(rp_transport_t *t, const char *what, const char *path)
{
    int e = sp_last_error_code();
    char *msg = sp_last_error_message();
    rp_transport_fail(t, rp_transport_errno_code(e), "%s %s: %s", what, path, msg ? msg : strerror(e));
    if (msg)
        sp_free_error_message(msg);
    return rp_transport_errno_code(e);
}

/* Unix98 pseudo-terminal slaves have majors 136..143. */
static int prv_is_pty(const struct stat *st)
{
    return S_ISCHR(st->st_mode) && major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143;
}

static speed_t prv_speed(int baud)
{
    static const struct { int baud; speed_t speed; } table[] = {
        { 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
        { 230400, B230400 }, { 460800, B460800 }, { 921600, B921600 }, { 1000000, B1000000 },
        { 2000000, B2000000 }, { 3000000, B3000000 }, { 4000000, B4000000 },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].baud == baud)
            return table[i].speed;
    return 0;
}

static int prv_open_pty(rp_transport_t *t, const char *path, int baud)
{
    speed_t speed = prv_speed(baud);
    if (!speed)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "baud rate %d not supported on %s", baud, path);
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return rp_transport_fail(t, rp_transport_errno_code(e), "cannot open %s: %s", path, strerror(e));
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        int e = errno;
        close(fd);
        return rp_transport_fail(t, RP_ERR_IO, "%s is not a terminal: %s", path, strerror(e));
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        int e = errno;
        close(fd);
        return rp_transport_fail(t, RP_ERR_IO, "cannot configure %s: %s", path, strerror(e));
    }
    tcflush(fd, TCIFLUSH);
    t->fd = fd;
    t->ops = &prv_serial_ops;
    return RP_OK;
}

int rp_transport_open_serial(rp_transport_t *t, const char *rest)
{
    char path[256];
    int baud;
    int rc = prv_parse(t, rest, path, sizeof path, &baud);
    if (rc != RP_OK)
        return rc;

    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        return rp_transport_fail(t, rp_transport_errno_code(e), "no serial port %s: %s", path, strerror(e));
    }
    if (prv_is_pty(&st))
        return prv_open_pty(t, path, baud);
    struct sp_port *port = NULL;
    if (sp_get_port_by_name(path, &port) != SP_OK)
        return rp_transport_fail(t, RP_ERR_NOT_FOUND,
                                 "%s is not a serial port libserialport knows (not under /sys/class/tty)", path);
    if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
        rc = prv_sp_fail(t, "cannot open", path);
        sp_free_port(port);
        return rc;
    }
    if (sp_set_baudrate(port, baud) != SP_OK || sp_set_bits(port, 8) != SP_OK ||
        sp_set_parity(port, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(port, 1) != SP_OK ||
        sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE) != SP_OK) {
        rc = prv_sp_fail(t, "cannot configure", path);
        sp_close(port);
        sp_free_port(port);
        return rc;
    }
    int fd = -1;
    if (sp_get_port_handle(port, &fd) != SP_OK || fd < 0) {
        sp_close(port);
        sp_free_port(port);
        return rp_transport_fail(t, RP_ERR_IO, "no descriptor for %s", path);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    /* Whatever the device sent before we listened is stale. */
    sp_flush(port, SP_BUF_INPUT);
    t->fd = fd;
    t->impl = port;
    t->ops = &prv_serial_ops;
    return RP_OK;
}

static void prv_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int rp_transport_list_serial(rp_port_list_t *list)
{
    struct sp_port **ports = NULL;
    enum sp_return r = sp_list_ports(&ports);
    if (r != SP_OK)
        return r == SP_ERR_MEM ? RP_ERR_NOSPACE : RP_OK; /* no /sys/class/tty: no ports */
    int rc = RP_OK;
    for (size_t i = 0; ports[i] && rc == RP_OK; i++) {
        rp_port_info_t info;
        memset(&info, 0, sizeof info);
        info.kind = RP_PORT_SERIAL;
        const char *name = sp_get_port_name(ports[i]);
        prv_copy(info.name, sizeof info.name, name);
        snprintf(info.uri, sizeof info.uri, "serial:%s", info.name);
        if (sp_get_port_transport(ports[i]) == SP_TRANSPORT_USB) {
            int vid = 0, pid = 0;
            if (sp_get_port_usb_vid_pid(ports[i], &vid, &pid) == SP_OK) {
                info.vid = (uint16_t)vid;
                info.pid = (uint16_t)pid;
            }
            prv_copy(info.serial, sizeof info.serial, sp_get_port_usb_serial(ports[i]));
            prv_copy(info.product, sizeof info.product, sp_get_port_usb_product(ports[i]));
            prv_copy(info.manufacturer, sizeof info.manufacturer, sp_get_port_usb_manufacturer(ports[i]));
        }
        rc = rp_transport_list_push(list, &info);
    }
    sp_free_port_list(ports);
    return rc;
}
