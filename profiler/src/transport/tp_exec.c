/* exec:COMMAND - runs a device process (e.g. the sim board) under /bin/sh
 * with one end of a socketpair as its stdin and stdout. Its stderr is
 * inherited so its diagnostics stay visible. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rp_transport_priv.h"

/* How long close() lets the child finish by itself once its link is gone,
 * then how long it waits after SIGTERM before SIGKILL. */
#define PRV_EXIT_GRACE_MS 1000
#define PRV_TERM_GRACE_MS 1000

typedef struct prv_exec {
    int reaped;
    int status;   /* waitpid status once reaped */
} prv_exec_t;

static int prv_reap(rp_transport_t *t, int wait_ms)
{
    prv_exec_t *x = t->impl;
    if (x->reaped)
        return 1;
    int64_t deadline = rp_transport_now_ms() + wait_ms;
    for (;;) {
        pid_t r = waitpid((pid_t)t->pid, &x->status, WNOHANG);
        if (r == (pid_t)t->pid || (r < 0 && errno == ECHILD)) {
            x->reaped = 1;
            return 1;
        }
        if (rp_transport_now_ms() >= deadline)
            return 0;
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

static void prv_describe_exit(rp_transport_t *t)
{
    prv_exec_t *x = t->impl;
    if (!prv_reap(t, 200))
        return;
    if (WIFEXITED(x->status))
        rp_transport_fail(t, RP_TRANSPORT_ERR_CLOSED, "device command exited with status %d",
                          WEXITSTATUS(x->status));
    else if (WIFSIGNALED(x->status))
        rp_transport_fail(t, RP_TRANSPORT_ERR_CLOSED, "device command killed by signal %d", WTERMSIG(x->status));
}

static int prv_read(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms)
{
    int n = rp_transport_fd_read(t, buf, cap, timeout_ms);
    if (n == RP_TRANSPORT_ERR_CLOSED)
        prv_describe_exit(t);
    return n;
}

static void prv_close(rp_transport_t *t)
{
    if (t->fd >= 0) {
        shutdown(t->fd, SHUT_RDWR);
        close(t->fd);
        t->fd = -1;
    }
    if (t->pid > 0 && !prv_reap(t, PRV_EXIT_GRACE_MS)) {
        /* The child leads its own process group: signal everything the
         * shell may have started. */
        kill(-(pid_t)t->pid, SIGTERM);
        if (!prv_reap(t, PRV_TERM_GRACE_MS)) {
            kill(-(pid_t)t->pid, SIGKILL);
            prv_reap(t, 60 * 1000);
        }
    }
    free(t->impl);
    t->impl = NULL;
}

static const rp_transport_ops_t prv_exec_ops = {
    "exec", prv_read, rp_transport_fd_write, prv_close,
};

int rp_transport_open_exec(rp_transport_t *t, const char *rest)
{
    if (rest[0] == '\0')
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "exec: needs a command");
    prv_exec_t *x = calloc(1, sizeof *x);
    if (!x)
        return rp_transport_fail(t, RP_ERR_NOSPACE, "out of memory");

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        free(x);
        return rp_transport_fail(t, RP_ERR_IO, "socketpair: %s", strerror(errno));
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        free(x);
        return rp_transport_fail(t, RP_ERR_IO, "fork: %s", strerror(e));
    }
    if (pid == 0) {
        /* Own process group: Ctrl-C in the terminal reaches rramprof only,
         * which then stops the device cleanly over the link. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (dup2(sv[1], STDIN_FILENO) < 0 || dup2(sv[1], STDOUT_FILENO) < 0)
            _exit(127);
        execl("/bin/sh", "sh", "-c", rest, (char *)NULL);
        _exit(127);
    }
    /* Also from the parent, so a kill right after fork finds the group. */
    setpgid(pid, pid);
    close(sv[1]);
    int fl = fcntl(sv[0], F_GETFL);
    if (fl >= 0)
        fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
    t->fd = sv[0];
    t->use_send = 1;
    t->pid = pid;
    t->impl = x;
    t->ops = &prv_exec_ops;
    return RP_OK;
}
