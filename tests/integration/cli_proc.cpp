#include "cli_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <vector>

extern "C" {
#include "rramprof/rp_capture.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"
}

extern char **environ;

namespace clitest {

Proc::~Proc()
{
    kill_now();
    if (out_fd_ >= 0)
        close(out_fd_);
    if (err_fd_ >= 0)
        close(err_fd_);
}

bool Proc::start(const std::vector<std::string> &argv, const std::vector<std::string> &env, int io_fd, int err_fd)
{
    int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
    if ((io_fd < 0 && pipe2(outp, O_CLOEXEC) != 0) || (err_fd < 0 && pipe2(errp, O_CLOEXEC) != 0))
        return false;
    std::vector<std::string> envs;
    for (char **e = environ; *e; e++)
        envs.push_back(*e);
    for (const std::string &e : env) {
        std::string name = e.substr(0, e.find('='));
        for (auto it = envs.begin(); it != envs.end();)
            it = it->compare(0, name.size() + 1, name + "=") == 0 ? envs.erase(it) : it + 1;
        envs.push_back(e);
    }
    std::vector<char *> cargv, cenv;
    for (const std::string &a : argv)
        cargv.push_back(const_cast<char *>(a.c_str()));
    cargv.push_back(nullptr);
    for (const std::string &e : envs)
        cenv.push_back(const_cast<char *>(e.c_str()));
    cenv.push_back(nullptr);

    pid_ = fork();
    if (pid_ < 0)
        return false;
    if (pid_ == 0) {
        int in = io_fd >= 0 ? io_fd : open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(io_fd >= 0 ? io_fd : outp[1], 1);
        dup2(err_fd >= 0 ? err_fd : errp[1], 2);
        ::signal(SIGPIPE, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        execve(cargv[0], cargv.data(), cenv.data());
        _exit(127);
    }
    if (io_fd < 0) {
        close(outp[1]);
        out_fd_ = outp[0];
    }
    if (err_fd < 0) {
        close(errp[1]);
        err_fd_ = errp[0];
    }
    return true;
}

void Proc::pump(int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        struct pollfd p[2] = { { out_fd_, POLLIN, 0 }, { err_fd_, POLLIN, 0 } };
        int64_t left = deadline - now_ms();
        if ((out_fd_ < 0 && err_fd_ < 0) || poll(p, 2, left > 0 ? (int)left : 0) <= 0)
            return;
        int *fds[2] = { &out_fd_, &err_fd_ };
        std::string *bufs[2] = { &out, &err };
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[65536];
            ssize_t n = read(*fds[i], buf, sizeof buf);
            if (n > 0) {
                bufs[i]->append(buf, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(*fds[i]);
                *fds[i] = -1;
            }
        }
        if (left <= 0)
            return;
    }
}

static bool prv_wait_text(Proc &p, const std::string &text, int timeout_ms, bool in_err)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        const std::string &s = in_err ? p.err : p.out;
        if (s.find(text) != std::string::npos)
            return true;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return false;
        p.pump(left < 50 ? (int)left : 50);
        if (!p.running() && (in_err ? p.err : p.out).find(text) == std::string::npos) {
            p.pump(0);
            return (in_err ? p.err : p.out).find(text) != std::string::npos;
        }
    }
}

bool Proc::wait_err(const std::string &text, int timeout_ms)
{
    return prv_wait_text(*this, text, timeout_ms, true);
}

bool Proc::wait_out(const std::string &text, int timeout_ms)
{
    return prv_wait_text(*this, text, timeout_ms, false);
}

bool Proc::running()
{
    if (pid_ <= 0)
        return false;
    int st;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = st;
        pid_ = -1;
        return false;
    }
    return true;
}

int Proc::wait(int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (running()) {
        if (now_ms() >= deadline) {
            kill_now();
            pump(100);
            return -1;
        }
        pump(20);
    }
    pump(200);
    if (status_ < 0)
        return -1;
    if (WIFEXITED(status_))
        return WEXITSTATUS(status_);
    return WIFSIGNALED(status_) ? 128 + WTERMSIG(status_) : -1;
}

void Proc::signal(int sig)
{
    if (pid_ > 0)
        kill(pid_, sig);
}

void Proc::kill_now()
{
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status_, 0);
        pid_ = -1;
    }
}

Result run_cmd(const std::vector<std::string> &argv, int timeout_ms, const std::vector<std::string> &env)
{
    Result r;
    Proc p;
    int64_t t0 = now_ms();
    if (!p.start(argv, env)) {
        r.code = -2;
        r.ms = 0;
        return r;
    }
    r.code = p.wait(timeout_ms);
    r.ms = now_ms() - t0;
    r.out = p.out;
    r.err = p.err;
    return r;
}

std::string bin(const std::string &name)
{
    return std::string(RP_BIN_DIR) + "/" + name;
}

std::string sim_bin()
{
    return bin("rramprof-sim");
}

std::string rramprof_bin()
{
    return bin("rramprof");
}

namespace {

std::vector<std::string> g_scratch_dirs;

/* At exit: the test program's scratch directories go, unless
 * RRAMPROF_KEEP_TEST_FILES is set (to look at a failure's files). */
void prv_remove_scratch_dirs()
{
    if (getenv("RRAMPROF_KEEP_TEST_FILES") != nullptr)
        return;
    for (const std::string &d : g_scratch_dirs) {
        std::string cmd = "rm -rf '" + d + "'";
        if (system(cmd.c_str()) != 0)
            fprintf(stderr, "could not remove %s\n", d.c_str());
    }
}

} // namespace

std::string scratch_dir()
{
    static int counter = 0;
    if (counter == 0)
        atexit(prv_remove_scratch_dirs);
    const char *tmp = getenv("TMPDIR");
    std::ostringstream s;
    s << (tmp ? tmp : "/tmp") << "/rp-cli-test-" << getpid() << "-" << counter++;
    std::string d = s.str();
    std::string cmd = "rm -rf '" + d + "'";
    if (system(cmd.c_str()) != 0 || mkdir(d.c_str(), 0755) != 0)
        return "";
    g_scratch_dirs.push_back(d);
    return d;
}

off_t file_size(const std::string &path)
{
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

std::string after(const std::string &text, const std::string &prefix)
{
    size_t at = text.find(prefix);
    if (at == std::string::npos)
        return "";
    at += prefix.size();
    size_t end = text.find('\n', at);
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

namespace {

struct Collect {
    rp_session_t *session;
    std::vector<rp_record_t> events;
};

int prv_on_events(void *ctx, uint32_t, const rp_record_t *ev, size_t n)
{
    Collect *c = static_cast<Collect *>(ctx);
    c->events.insert(c->events.end(), ev, ev + n);
    return RP_OK;
}

int prv_on_msg(void *ctx, const rp_msg_t *m)
{
    Collect *c = static_cast<Collect *>(ctx);
    return rp_session_apply(c->session, m) == RP_ERR_ARG ? RP_ERR_ARG : RP_OK;
}

int prv_replay(const std::string &path, Collect &c, rp_capture_integrity_t *in, rp_session_stats_t *st,
               rp_decode_stats_t *ds)
{
    rp_session_callbacks_t cb = { prv_on_events, nullptr, &c };
    c.session = rp_session_create(&cb);
    rp_decoder_t *d = rp_decoder_create();
    bool is_cap = false;
    int rc = rp_capture_replay(path.c_str(), d, prv_on_msg, &c, in, &is_cap);
    rp_session_stats(c.session, st);
    *ds = *rp_decoder_stats(d);
    rp_decoder_destroy(d);
    rp_session_destroy(c.session);
    return rc;
}

} // namespace

CaptureFacts read_capture(const std::string &path)
{
    CaptureFacts f;
    Collect c;
    rp_capture_integrity_t in;
    rp_session_stats_t st;
    rp_decode_stats_t ds;
    memset(&in, 0, sizeof in);
    f.rc = prv_replay(path, c, &in, &st, &ds);
    f.complete = in.stop == RP_CAPTURE_STOP_END;
    f.events = st.events;
    for (int i = 0; i < 16; i++)
        f.ops[i] = st.ops[i].count;
    f.lost = st.loss.total_events;
    f.unsent = st.loss.unsent_events;
    f.segments = st.segments;
    f.resets = st.boots.resets;
    f.watchdog_resets = st.boots.by_cause[RP_RESET_WATCHDOG];
    f.deframer_errors = ds.crc_errors + ds.cobs_errors + ds.oversize + ds.short_frames;
    for (const rp_record_t &e : c.events)
        if (simtest::is_crossbar_op(e.op))
            f.op_seq.push_back(e.op);
    return f;
}

std::string compare_truth(const std::string &capture, const std::string &truth_csv, uint64_t *matched)
{
    *matched = 0;
    std::vector<simtest::TruthOp> truth;
    std::string err = simtest::read_truth(truth_csv, truth);
    if (!err.empty())
        return "truth: " + err;
    Collect c;
    rp_capture_integrity_t in;
    rp_session_stats_t st;
    rp_decode_stats_t ds;
    int rc = prv_replay(capture, c, &in, &st, &ds);
    if (rc != RP_OK)
        return "replay failed: " + std::to_string(rc);
    if (st.loss.total_events != 0)
        return "capture lost " + std::to_string(st.loss.total_events) + " events";
    size_t t = 0;
    for (size_t i = 0; i < c.events.size(); i++) {
        const rp_record_t &e = c.events[i];
        if (!simtest::is_crossbar_op(e.op))
            continue;
        std::string where = "crossbar event " + std::to_string(*matched) + " (event " + std::to_string(i) + ")";
        if (t >= truth.size())
            return where + ": no truth line left";
        const simtest::TruthOp &g = truth[t++];
        if (g.op != simtest::op_name(e.op) || g.tile != e.tile || g.row != e.row || g.start != e.start ||
            g.duration != e.duration) {
            std::ostringstream s;
            s << where << ": captured " << simtest::op_name(e.op) << " tile " << (unsigned)e.tile << " row " << e.row
              << " start " << e.start << " duration " << e.duration << ", truth " << g.op << " tile " << g.tile
              << " row " << g.row << " start " << g.start << " duration " << g.duration;
            return s.str();
        }
        (*matched)++;
    }
    if (*matched == 0)
        return "no crossbar events in the capture";
    return "";
}

} // namespace clitest
