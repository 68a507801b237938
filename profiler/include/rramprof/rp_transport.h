/* Host-side link transports: one small API over every way a board can be
 * reached.
 *
 * A transport is opened from a URI and then moves raw bytes; framing is
 * the caller's job (rp_frame.h). Schemes:
 *
 *   serial:/dev/ttyACM0[?baud=921600]   libserialport, 8N1, no flow control
 *   usb:VID:PID[/SERIAL]                libusb, vendor interface (class 0xFF),
 *                                       bulk IN = frames, bulk OUT = commands
 *                                       (docs/usb-interface.md); hex IDs
 *   usb:                                the default test ID, 1209:0001
 *   tcp://HOST:PORT                     TCP client
 *   unix:PATH                           Unix stream socket client
 *   exec:COMMAND                        runs COMMAND with /bin/sh -c; its
 *                                       stdin/stdout is the link (a socketpair)
 *   file:PATH                           replays a raw byte stream, then EOF
 *
 * Every function returns 0 or a byte count on success and a negative error
 * code on failure: an rp_err_t (rp_status.h) or one of RP_TRANSPORT_ERR_*
 * below. rp_transport_strerror() names any of them; rp_transport_detail()
 * gives the operating-system detail of the last failure on a handle. No
 * function prints. */
#ifndef RP_TRANSPORT_H
#define RP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Transport failures that rp_err_t does not name. */
enum rp_transport_err {
    RP_TRANSPORT_ERR_CLOSED = -100,  /* the peer closed the link (EOF) */
    RP_TRANSPORT_ERR_ACCESS = -101,  /* permission denied opening the device */
    RP_TRANSPORT_ERR_BUSY = -102,    /* device claimed by another program */
    RP_TRANSPORT_ERR_SCHEME = -103,  /* unknown URI scheme or malformed URI */
    RP_TRANSPORT_ERR_GONE = -104     /* the device disappeared (unplugged) */
};

/* Default USB IDs (pid.codes test VID:PID, a placeholder until the project
 * has its own). */
#define RP_USB_DEFAULT_VID 0x1209u
#define RP_USB_DEFAULT_PID 0x0001u
#define RP_USB_INTERFACE_CLASS 0xFFu
/* Interface string that marks the rramprof vendor interface. */
#define RP_USB_INTERFACE_STRING "rramprof"

#define RP_SERIAL_DEFAULT_BAUD 921600

/* Longest detail message kept per handle, terminator included. */
#define RP_TRANSPORT_DETAIL_MAX 256u

typedef struct rp_transport rp_transport_t;

/* Opens uri. On success *out is a new handle and 0 is returned. On failure
 * *out is NULL, the error code is returned and, when detail is not NULL,
 * a human-readable explanation (with the OS error) is written to it. */
int rp_transport_open(const char *uri, rp_transport_t **out, char *detail, size_t detail_cap);

/* Waits up to timeout_ms (negative = forever) for data and copies up to cap
 * bytes into buf. Returns the count (> 0), 0 on timeout or when a signal
 * interrupted the wait (so callers can check their flags), or an error;
 * RP_TRANSPORT_ERR_CLOSED when the peer is gone and everything it sent has
 * been read. */
int rp_transport_read(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms);

/* Writes all len bytes, waiting up to timeout_ms for room. Returns len or an
 * error (RP_ERR_TIMEOUT if not everything could be written in time). */
int rp_transport_write(rp_transport_t *t, const uint8_t *buf, size_t len, int timeout_ms);

/* Closes the link and frees the handle. exec: closes the child's link, then
 * terminates and reaps it. NULL is ignored. */
void rp_transport_close(rp_transport_t *t);

/* Scheme of an open handle ("serial", "usb", "tcp", "unix", "exec", "file"). */
const char *rp_transport_scheme(const rp_transport_t *t);

/* Detail of the last failure on t (empty string when none). */
const char *rp_transport_detail(const rp_transport_t *t);

/* Static English name of any code returned above, never NULL. */
const char *rp_transport_strerror(int err);

/* Process id of an exec: child (for tests and tools), or -1. */
long rp_transport_child_pid(const rp_transport_t *t);

/* ---- enumeration (rramprof list) ---- */

typedef enum rp_port_kind {
    RP_PORT_SERIAL = 0,
    RP_PORT_USB = 1
} rp_port_kind_t;

typedef struct rp_port_info {
    rp_port_kind_t kind;
    char uri[128];          /* ready for rp_transport_open */
    char name[96];          /* /dev/ttyACM0, or usb bus-address */
    uint16_t vid, pid;      /* 0 when not a USB device */
    char serial[64];        /* USB serial number, may be empty */
    char product[96];       /* USB product string, may be empty */
    char manufacturer[96];
} rp_port_info_t;

/* Lists serial ports and USB devices with an rramprof vendor interface
 * (class 0xFF whose interface string is RP_USB_INTERFACE_STRING, or any
 * vendor interface on the default VID:PID). *out is heap memory the caller
 * frees with free(); *count may be 0. Returns 0 or an error; USB being
 * unavailable (no usbfs) is not an error, those devices are just absent. */
int rp_transport_list(rp_port_info_t **out, size_t *count);

#ifdef __cplusplus
}
#endif
#endif
