/* LD_PRELOAD shim for tests: pseudo-terminals behave like a USB CDC-ACM
 * port towards libserialport.
 *
 * A umockdev testbed backs /dev/ttyACM0 with a pty, but it routes every
 * ioctl() on the emulated node to its own handler, which knows no tty
 * requests; and the kernel's pty driver has no modem lines anyway. So for
 * a pty slave this shim
 *   - answers the modem-control requests (TIOCMGET, TIOCMSET, TIOCMBIS,
 *     TIOCMBIC) from one modem state per process, and
 *   - sends every other request straight to the kernel (the real pty
 *     driver: termios, termios2 for custom baud rates, flushes, ...).
 * Any other descriptor goes down the normal chain (umockdev, libc). Load it
 * before libumockdev-preload.so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Lines a connected CDC-ACM device reports: carrier, DSR and CTS up. */
static int prv_lines = TIOCM_CAR | TIOCM_DSR | TIOCM_CTS;

/* Unix98 pty slaves have majors 136..143. */
static int prv_is_pty(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
        return 0;
    return major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143;
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);

    if (!prv_is_pty(fd)) {
        static int (*next)(int, unsigned long, ...);
        if (!next)
            next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
        return next(fd, request, arg);
    }
    int *bits = arg;
    switch (request) {
    case TIOCMGET:
        *bits = prv_lines;
        return 0;
    case TIOCMSET:
        prv_lines = *bits;
        return 0;
    case TIOCMBIS:
        prv_lines |= *bits;
        return 0;
    case TIOCMBIC:
        prv_lines &= ~*bits;
        return 0;
    default:
        return (int)syscall(SYS_ioctl, fd, request, arg);
    }
}
