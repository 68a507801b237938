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
 *   qemu:MACHINE?kernel=ELF[&cpu=CPU][&qemu=PATH]
 *                                       runs ELF under qemu-system-arm -M
 *                                       MACHINE [-cpu CPU]; the link is its
 *                                       first UART (details below)
 *
 * qemu: parameters are separated by '&', in any order; a value may carry
 * %XX escapes (a path with '&' or '%' in it: %26, %25). kernel is required.
 * The QEMU binary is qemu=PATH, else $RRAMPROF_QEMU, else qemu-system-arm
 * from $PATH. Open creates a private directory (mkdtemp under $TMPDIR or
 * /tmp) for QEMU's output (qemu.log) and pid file, listens on 127.0.0.1
 * with a 4 MB receive buffer, and starts, in its own process group,
 *   qemu-system-arm -M MACHINE [-cpu CPU] -icount shift=0,sleep=off
 *     -display none -monitor none
 *     -chardev socket,id=rp0,host=127.0.0.1,port=P,server=off
 *     -serial chardev:rp0 -semihosting-config enable=on,target=native
 *     -pidfile DIR/qemu.pid -kernel ELF
 * then waits up to 10 s for QEMU to connect. A TCP socket, not a Unix one:
 * QEMU sends the UART byte by byte and a Unix socket would push back after
 * a few hundred bytes, making the firmware's output depend on host timing.
 * Errors: RP_ERR_NOT_FOUND (ELF missing, QEMU not installed: the detail
 * says how to install it), RP_ERR_IO (QEMU exited early: the detail has the
 * last line QEMU printed itself, such as "qemu: fatal: Lockup: ...", else
 * the last line of its output), RP_ERR_TIMEOUT. Close closes the link, sends
 * SIGTERM to QEMU's process group, SIGKILL after 1 s, reaps QEMU and removes
 * the directory. A read that finds the link closed puts QEMU's exit status
 * (and last output line) in the detail. If rramprof itself is killed, QEMU
 * gets SIGTERM (PR_SET_PDEATHSIG); only the small directory stays behind.
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

/* Closes the link and frees the handle. exec: and qemu: close the child's
 * link, then terminate and reap it. NULL is ignored. */
void rp_transport_close(rp_transport_t *t);

/* Scheme of an open handle ("serial", "usb", "tcp", "unix", "exec", "file",
 * "qemu"). */
const char *rp_transport_scheme(const rp_transport_t *t);

/* Detail of the last failure on t (empty string when none). */
const char *rp_transport_detail(const rp_transport_t *t);

/* Static English name of any code returned above, never NULL. */
const char *rp_transport_strerror(int err);

/* Process id of an exec: or qemu: child (for tests and tools), or -1. */
long rp_transport_child_pid(const rp_transport_t *t);

/* A parsed qemu: URI (see above); strings are "" when not given. */
typedef struct rp_qemu_uri {
    char machine[64];
    char cpu[64];
    char kernel[4096];
    char qemu[4096];
} rp_qemu_uri_t;

/* Parses a whole "qemu:..." URI, %XX escapes decoded. Returns RP_OK, or
 * RP_TRANSPORT_ERR_SCHEME with the reason in err (may be NULL). Checks
 * syntax only: no file is looked at. */
int rp_transport_parse_qemu(const char *uri, rp_qemu_uri_t *out, char *err, size_t err_cap);

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
