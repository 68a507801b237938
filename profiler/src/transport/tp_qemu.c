/* qemu:MACHINE?kernel=ELF[&cpu=CPU][&qemu=PATH] - runs a firmware image
 * under qemu-system-arm and links to its first UART.
 *
 * The UART is a loopback TCP connection, not a Unix socket: QEMU writes the
 * UART one byte per send(), and a Unix stream socket charges each such
 * write a whole buffer's worth of overhead, so QEMU's sends would block
 * after a few hundred bytes whenever rramprof lags. The emulated UART then
 * reports TX full and the firmware's output depends on host timing. Here
 * rramprof listens with a large receive buffer and QEMU connects to it
 * (`-chardev socket,...,server=off`), so no port is guessed and nothing
 * pushes back on a run's output. QEMU's stdout and stderr go to a file in a
 * private temporary directory, to explain an early exit. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rp_transport_priv.h"

#define PRV_CONNECT_MS 10000      /* QEMU start-up until its UART connects */
#define PRV_TERM_GRACE_MS 1000    /* SIGTERM until SIGKILL */
#define PRV_RCVBUF (4 << 20)      /* far more than a test run's output */
#define PRV_DEFAULT_QEMU "qemu-system-arm"
#define PRV_INSTALL_HINT "install it (Debian/Ubuntu: sudo apt-get install qemu-system-arm) or name it with " \
                         "RRAMPROF_QEMU=PATH or qemu=PATH in the URI"

typedef struct prv_qemu {
    char dir[256];     /* private temporary directory, "" once removed */
    int reaped;
    int status;        /* waitpid status once reaped */
} prv_qemu_t;

/* ---- URI ---- */

static int prv_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Copies the n bytes at s into dst, decoding %XX. false if malformed or too
 * long. */
static bool prv_decode(const char *s, size_t n, char *dst, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || prv_hex(s[i + 1]) < 0 || prv_hex(s[i + 2]) < 0)
                return false;
            c = (char)(prv_hex(s[i + 1]) * 16 + prv_hex(s[i + 2]));
            if (c == '\0')
                return false;
            i += 2;
        }
        if (o + 1 >= cap)
            return false;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return true;
}

static int prv_uri_fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int prv_uri_fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return RP_TRANSPORT_ERR_SCHEME;
}

int rp_transport_parse_qemu(const char *uri, rp_qemu_uri_t *out, char *err, size_t err_cap)
{
    if (err && err_cap)
        err[0] = '\0';
    if (!uri || !out)
        return RP_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (strncmp(uri, "qemu:", 5) != 0)
        return prv_uri_fail(err, err_cap, "'%s' is not a qemu: URI", uri);
    const char *p = uri + 5;
    const char *q = strchr(p, '?');
    size_t mlen = q ? (size_t)(q - p) : strlen(p);
    if (mlen == 0)
        return prv_uri_fail(err, err_cap, "qemu: needs a machine: qemu:MACHINE?kernel=ELF");
    if (mlen >= sizeof out->machine)
        return prv_uri_fail(err, err_cap, "qemu: machine name too long");
    memcpy(out->machine, p, mlen);
    out->machine[mlen] = '\0';
    /* The machine and cpu become one argument each: no option smuggling. */
    if (out->machine[0] == '-' || strpbrk(out->machine, ", \t"))
        return prv_uri_fail(err, err_cap, "qemu: bad machine name '%s'", out->machine);
    bool have_kernel = false, have_cpu = false, have_qemu = false;
    while (q && *q) {
        const char *kv = q + 1;
        const char *amp = strchr(kv, '&');
        size_t len = amp ? (size_t)(amp - kv) : strlen(kv);
        const char *eq = memchr(kv, '=', len);
        if (!eq)
            return prv_uri_fail(err, err_cap, "qemu: parameter '%.*s' is not KEY=VALUE", (int)len, kv);
        size_t klen = (size_t)(eq - kv);
        const char *val = eq + 1;
        size_t vlen = len - klen - 1;
        char *dst;
        size_t cap;
        bool *have;
        if (klen == 6 && strncmp(kv, "kernel", 6) == 0) {
            dst = out->kernel, cap = sizeof out->kernel, have = &have_kernel;
        } else if (klen == 3 && strncmp(kv, "cpu", 3) == 0) {
            dst = out->cpu, cap = sizeof out->cpu, have = &have_cpu;
        } else if (klen == 4 && strncmp(kv, "qemu", 4) == 0) {
            dst = out->qemu, cap = sizeof out->qemu, have = &have_qemu;
        } else {
            return prv_uri_fail(err, err_cap, "qemu: unknown parameter '%.*s' (kernel, cpu, qemu)", (int)klen, kv);
        }
        if (*have)
            return prv_uri_fail(err, err_cap, "qemu: parameter '%.*s' given twice", (int)klen, kv);
        if (vlen == 0)
            return prv_uri_fail(err, err_cap, "qemu: parameter '%.*s' is empty", (int)klen, kv);
        if (!prv_decode(val, vlen, dst, cap))
            return prv_uri_fail(err, err_cap, "qemu: bad value for '%.*s' (too long, or a bad %%XX escape)",
                                (int)klen, kv);
        *have = true;
        q = amp;
    }
    if (!have_kernel)
        return prv_uri_fail(err, err_cap, "qemu: needs the firmware: qemu:%s?kernel=ELF", out->machine);
    if (have_cpu && (out->cpu[0] == '-' || strpbrk(out->cpu, ", \t")))
        return prv_uri_fail(err, err_cap, "qemu: bad cpu name '%s'", out->cpu);
    return RP_OK;
}

/* ---- process ---- */

/* Finds name in $PATH (or takes it as a path if it has a '/'). */
static bool prv_find_exe(const char *name, char *out, size_t cap)
{
    if (strchr(name, '/')) {
        if (access(name, X_OK) != 0)
            return false;
        snprintf(out, cap, "%s", name);
        return true;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0 && (size_t)snprintf(out, cap, "%.*s/%s", (int)n, path, name) < cap) {
            struct stat st;
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
                return true;
        }
        path += n + (colon ? 1 : 0);
    }
    return false;
}

/* The line of QEMU's output file that says why it stopped, or "": the last
 * one QEMU wrote itself ("qemu: fatal: Lockup: ..." before a register
 * dump, "qemu-system-arm: -kernel ...: ..."), else the last non-empty one
 * (the firmware's own semihosting output, say). */
static void prv_exit_line(const prv_qemu_t *x, char *out, size_t cap)
{
    out[0] = '\0';
    char path[300], buf[8192];
    snprintf(path, sizeof path, "%s/qemu.log", x->dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > (off_t)(sizeof buf - 1) ? size - (off_t)(sizeof buf - 1) : 0;
    ssize_t n = pread(fd, buf, sizeof buf - 1, from);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    const char *pick = NULL, *last = NULL;
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        size_t len = strlen(line);
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        if (len > 0) {
            last = line;
            if (strncmp(line, "qemu", 4) == 0)
                pick = line;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!pick)
        pick = last;
    if (pick)
        snprintf(out, cap, "%s", pick);
}

static int prv_reap(rp_transport_t *t, int wait_ms)
{
    prv_qemu_t *x = t->impl;
    if (x->reaped || t->pid <= 0)
        return 1;
    int64_t deadline = rp_transport_now_ms() + wait_ms;
    for (;;) {
        pid_t r = waitpid((pid_t)t->pid, &x->status, WNOHANG);
        if (r == (pid_t)t->pid || (r < 0 && errno == ECHILD)) {
            x->reaped = 1;
            return 1;
        }
        if (wait_ms >= 0 && rp_transport_now_ms() >= deadline)
            return 0;
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

/* "exited with status 1: <why, from its output>" into t->detail. */
static int prv_describe_exit(rp_transport_t *t, int err, const char *when)
{
    prv_qemu_t *x = t->impl;
    char last[200];
    prv_exit_line(x, last, sizeof last);
    char how[64] = "ended";
    if (WIFEXITED(x->status))
        snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(x->status));
    else if (WIFSIGNALED(x->status))
        snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(x->status));
    return rp_transport_fail(t, err, "QEMU %s%s%s%s", how, when, last[0] ? ": " : "", last);
}

static void prv_remove_dir(prv_qemu_t *x)
{
    if (!x->dir[0])
        return;
    static const char *const files[] = { "qemu.log", "qemu.pid" };
    char path[300];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", x->dir, files[i]);
        unlink(path);
    }
    rmdir(x->dir);
    x->dir[0] = '\0';
}

/* Ends QEMU (its whole process group), reaps it, removes the directory. */
static void prv_stop(rp_transport_t *t)
{
    prv_qemu_t *x = t->impl;
    if (t->fd >= 0) {
        shutdown(t->fd, SHUT_RDWR);
        close(t->fd);
        t->fd = -1;
    }
    if (t->pid > 0 && !prv_reap(t, 0)) {
        kill(-(pid_t)t->pid, SIGTERM);
        if (!prv_reap(t, PRV_TERM_GRACE_MS)) {
            kill(-(pid_t)t->pid, SIGKILL);
            prv_reap(t, -1);
        }
    }
    prv_remove_dir(x);
}

static int prv_read(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms)
{
    int n = rp_transport_fd_read(t, buf, cap, timeout_ms);
    if (n == RP_TRANSPORT_ERR_CLOSED && prv_reap(t, 500))
        prv_describe_exit(t, n, "");
    return n;
}

static void prv_close(rp_transport_t *t)
{
    prv_stop(t);
    free(t->impl);
    t->impl = NULL;
}

static const rp_transport_ops_t prv_qemu_ops = {
    "qemu", prv_read, rp_transport_fd_write, prv_close,
};

/* Listening socket on 127.0.0.1, any port; its port through *port. */
static int prv_listen(rp_transport_t *t, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return rp_transport_fail(t, RP_ERR_IO, "socket: %s", strerror(errno));
    /* Set before listen so the accepted socket advertises the big window. */
    int rcvbuf = PRV_RCVBUF;
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        int e = errno;
        close(fd);
        return rp_transport_fail(t, RP_ERR_IO, "cannot listen on 127.0.0.1: %s", strerror(e));
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static void prv_child(const char *qemu, char *const argv[], const char *log, pid_t parent)
{
    setpgid(0, 0);
    /* QEMU must not outlive rramprof, even when rramprof is killed. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0)
        _exit(127);
    execv(qemu, argv);
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", qemu, strerror(errno));
    _exit(127);
}

/* Waits until QEMU connects to lfd, or exits, or the time is up. */
static int prv_accept(rp_transport_t *t, int lfd)
{
    int64_t deadline = rp_transport_now_ms() + PRV_CONNECT_MS;
    for (;;) {
        struct pollfd p = { .fd = lfd, .events = POLLIN, .revents = 0 };
        int n = poll(&p, 1, 20);
        if (n > 0) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd >= 0)
                return fd;
            if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
                return rp_transport_fail(t, RP_ERR_IO, "accept: %s", strerror(errno));
        } else if (n < 0 && errno != EINTR) {
            return rp_transport_fail(t, RP_ERR_IO, "poll: %s", strerror(errno));
        }
        if (prv_reap(t, 0))
            return prv_describe_exit(t, RP_ERR_IO, " before connecting its UART");
        if (rp_transport_now_ms() >= deadline)
            return rp_transport_fail(t, RP_ERR_TIMEOUT, "QEMU did not connect its UART within %d s",
                                     PRV_CONNECT_MS / 1000);
    }
}

int rp_transport_open_qemu(rp_transport_t *t, const char *rest)
{
    /* The parser wants the whole URI; rebuild it rather than re-slicing. */
    size_t rl = strlen(rest);
    char *uri = malloc(rl + 6);
    rp_qemu_uri_t *u = calloc(1, sizeof *u);
    prv_qemu_t *x = calloc(1, sizeof *x);
    if (!uri || !u || !x) {
        free(uri);
        free(u);
        free(x);
        return rp_transport_fail(t, RP_ERR_NOSPACE, "out of memory");
    }
    memcpy(uri, "qemu:", 5);
    memcpy(uri + 5, rest, rl + 1);
    int rc = rp_transport_parse_qemu(uri, u, t->detail, sizeof t->detail);
    free(uri);
    char qemu[4096];
    int lfd = -1;
    if (rc != RP_OK)
        goto fail;

    if (access(u->kernel, R_OK) != 0) {
        rc = rp_transport_fail(t, RP_ERR_NOT_FOUND, "firmware image %s: %s", u->kernel, strerror(errno));
        goto fail;
    }
    const char *want = u->qemu[0] ? u->qemu : getenv("RRAMPROF_QEMU");
    if (want && !want[0])
        want = NULL;
    if (!prv_find_exe(want ? want : PRV_DEFAULT_QEMU, qemu, sizeof qemu)) {
        if (want)
            rc = rp_transport_fail(t, RP_ERR_NOT_FOUND, "QEMU binary %s: %s; " PRV_INSTALL_HINT, want,
                                   strerror(errno ? errno : ENOENT));
        else
            rc = rp_transport_fail(t, RP_ERR_NOT_FOUND, "%s is not installed (not found in PATH); " PRV_INSTALL_HINT,
                                   PRV_DEFAULT_QEMU);
        goto fail;
    }

    const char *tmp = getenv("TMPDIR");
    if (!tmp || !tmp[0])
        tmp = "/tmp";
    if ((size_t)snprintf(x->dir, sizeof x->dir, "%s/rramprof-qemu-XXXXXX", tmp) >= sizeof x->dir) {
        x->dir[0] = '\0';
        rc = rp_transport_fail(t, RP_ERR_ARG, "TMPDIR is too long");
        goto fail;
    }
    if (!mkdtemp(x->dir)) {
        int e = errno;
        rc = rp_transport_fail(t, RP_ERR_IO, "cannot create a directory %s: %s", x->dir, strerror(e));
        x->dir[0] = '\0';
        goto fail;
    }

    int port = 0;
    lfd = prv_listen(t, &port);
    if (lfd < 0) {
        rc = lfd;
        goto fail;
    }
    char chardev[128], log[300], pidfile[300];
    snprintf(chardev, sizeof chardev, "socket,id=rp0,host=127.0.0.1,port=%d,server=off", port);
    snprintf(log, sizeof log, "%s/qemu.log", x->dir);
    snprintf(pidfile, sizeof pidfile, "%s/qemu.pid", x->dir);
    /* -icount shift=0: one instruction is one virtual nanosecond, so runs
     * repeat; sleep=off: WFI jumps to the next timer deadline. Semihosting
     * lets test images end QEMU when they are done. */
    char *argv[32];
    int argc = 0;
    argv[argc++] = qemu;
    argv[argc++] = "-M";
    argv[argc++] = u->machine;
    if (u->cpu[0]) {
        argv[argc++] = "-cpu";
        argv[argc++] = u->cpu;
    }
    argv[argc++] = "-icount";
    argv[argc++] = "shift=0,sleep=off";
    argv[argc++] = "-display";
    argv[argc++] = "none";
    argv[argc++] = "-monitor";
    argv[argc++] = "none";
    argv[argc++] = "-chardev";
    argv[argc++] = chardev;
    argv[argc++] = "-serial";
    argv[argc++] = "chardev:rp0";
    argv[argc++] = "-semihosting-config";
    argv[argc++] = "enable=on,target=native";
    argv[argc++] = "-pidfile";
    argv[argc++] = pidfile;
    argv[argc++] = "-kernel";
    argv[argc++] = u->kernel;
    argv[argc] = NULL;

    t->impl = x;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        rc = rp_transport_fail(t, RP_ERR_IO, "fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0)
        prv_child(qemu, argv, log, parent);
    /* Also from the parent, so a kill right after fork finds the group. */
    setpgid(pid, pid);
    t->pid = pid;

    int fd = prv_accept(t, lfd);
    close(lfd);
    lfd = -1;
    if (fd < 0) {
        rc = fd;
        goto fail;
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    t->fd = fd;
    t->use_send = 1;
    t->ops = &prv_qemu_ops;
    free(u);
    return RP_OK;

fail:
    if (lfd >= 0)
        close(lfd);
    if (t->impl) {
        /* Keep the detail: prv_stop does not touch it. */
        prv_stop(t);
        t->impl = NULL;
    } else {
        prv_remove_dir(x);
    }
    t->pid = -1;
    free(x);
    free(u);
    return rc;
}
