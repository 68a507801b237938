/* Test harness for the sim board process; see sim_harness.h. */
#include "sim_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "rramprof/rp_command_out.h"
#include "rramprof/rp_record.h"

extern char **environ;

namespace simtest {

void FrameDeleter::operator()(Rramprof__V1__Frame *f) const
{
    rramprof__v1__frame__free_unpacked(f, nullptr);
}

int64_t now_ms()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Payloads up to this size are accepted: far above the device's maximum,
 * so an oversized frame from the device shows up as a decoded frame that
 * the tests can measure rather than as a silent deframer drop. */
static const size_t kMaxPayload = 65536;

static void decode_into(Stream &s, const uint8_t *p, size_t n, size_t end)
{
    s.payloads.emplace_back(reinterpret_cast<const char *>(p), n);
    s.ends.push_back(end);
    Rramprof__V1__Frame *f = rramprof__v1__frame__unpack(nullptr, n, p);
    if (f == nullptr) {
        s.undecodable++;
    }
    s.frames.emplace_back(f);
}

Stream parse_stream(const std::string &bytes)
{
    Stream s;
    std::vector<uint8_t> buf(kMaxPayload + RP_FRAME_CRC_LEN);
    rp_deframer_t d;
    rp_deframer_init(&d, buf.data(), buf.size());
    for (size_t i = 0; i < bytes.size(); i++) {
        if (rp_deframer_feed(&d, (uint8_t)bytes[i]) == RP_DEFRAME_FRAME) {
            decode_into(s, rp_deframer_payload(&d), rp_deframer_payload_len(&d), i + 1);
        }
    }
    s.stats = d.stats;
    return s;
}

/* Value i of a column: the packed entry, or the constant. */
static uint32_t col_u32(size_t n, const uint32_t *v, uint32_t all, size_t i)
{
    return n != 0 ? v[i] : all;
}

std::string expand_batch(const Rramprof__V1__EventBatch *b, std::vector<Event> &out)
{
    const size_t count = b->count;
    const size_t lens[] = { b->n_op, b->n_gap, b->n_duration, b->n_tile, b->n_row,
                            b->n_rows, b->n_col, b->n_cols, b->n_iterations,
                            b->n_status, b->n_arg };
    for (size_t len : lens) {
        if (len != 0 && len != count) {
            return "a column holds " + std::to_string(len) + " values for " +
                   std::to_string(count) + " events";
        }
    }
    uint64_t prev_end = b->base_timestamp;
    for (size_t i = 0; i < count; i++) {
        Event e;
        int64_t gap = b->n_gap != 0 ? b->gap[i] : 0;
        e.op = col_u32(b->n_op, b->op, b->op_all, i);
        e.duration = col_u32(b->n_duration, b->duration, b->duration_all, i);
        if (b->op_bits != 0) {  // the op folded into the duration column
            e.op = e.duration & ((1u << b->op_bits) - 1u);
            e.duration >>= b->op_bits;
        }
        // Per-op duration bases: the column holds the excess over them.
        e.duration += e.op < b->n_duration_base ? b->duration_base[e.op] : 0u;
        e.tile = col_u32(b->n_tile, b->tile, b->tile_all, i);
        e.row = col_u32(b->n_row, b->row, b->row_all, i);
        e.rows = col_u32(b->n_rows, b->rows, b->rows_all, i);
        e.col = col_u32(b->n_col, b->col, b->col_all, i);
        e.cols = col_u32(b->n_cols, b->cols, b->cols_all, i);
        e.iterations = col_u32(b->n_iterations, b->iterations, b->iterations_all, i);
        e.status = col_u32(b->n_status, b->status, b->status_all, i);
        e.arg = col_u32(b->n_arg, b->arg, b->arg_all, i);
        // Members the op does not use are unspecified on the wire: 0.
        const uint32_t used = rp_op_fields(e.op);
        e.tile = (used & RP_FIELD_TILE) ? e.tile : 0;
        e.row = (used & RP_FIELD_ROW) ? e.row : 0;
        e.rows = (used & RP_FIELD_ROWS) ? e.rows : 0;
        e.col = (used & RP_FIELD_COL) ? e.col : 0;
        e.cols = (used & RP_FIELD_COLS) ? e.cols : 0;
        e.iterations = (used & RP_FIELD_ITERATIONS) ? e.iterations : 0;
        e.arg = (used & RP_FIELD_ARG) ? e.arg : 0;
        e.start = (uint64_t)((int64_t)prev_end + gap);
        e.end = e.start + e.duration;
        prev_end = e.end;
        out.push_back(e);
    }
    return "";
}

std::string read_truth(const std::string &path, std::vector<TruthOp> &out)
{
    std::ifstream in(path);
    if (!in) {
        return "cannot open " + path;
    }
    std::string line;
    if (!std::getline(in, line)) {
        return "empty truth file";
    }
    if (line != "op,tile,row,start,duration") {
        return "unexpected header: " + line;
    }
    unsigned lineno = 1;
    while (std::getline(in, line)) {
        lineno++;
        if (line.empty()) {
            continue;
        }
        TruthOp t;
        char op[32];
        unsigned tile, row;
        unsigned long long start, dur;
        char extra;
        if (sscanf(line.c_str(), "%31[A-Z],%u,%u,%llu,%llu%c", op, &tile, &row, &start, &dur,
                   &extra) != 5) {
            return "line " + std::to_string(lineno) + " does not parse: " + line;
        }
        t.op = op;
        t.tile = tile;
        t.row = row;
        t.start = start;
        t.duration = dur;
        out.push_back(t);
    }
    return "";
}

std::string raw_frame(const std::string &payload)
{
    std::vector<uint8_t> buf(RP_FRAME_ENCODED_MAX(payload.size()));
    size_t n = rp_frame_encode(reinterpret_cast<const uint8_t *>(payload.data()),
                               payload.size(), buf.data(), buf.size());
    return std::string(reinterpret_cast<const char *>(buf.data()), n);
}

std::string command_frame(const rp_command_t &cmd)
{
    uint8_t payload[RP_COMMAND_MAX_PAYLOAD];
    size_t n = rp_command_encode(&cmd, payload, sizeof(payload));
    if (n == 0) {
        return "";
    }
    return raw_frame(std::string(reinterpret_cast<const char *>(payload), n));
}

std::string op_name(uint32_t op)
{
    static const char *const names[] = { "NONE", "WRITE", "VERIFY", "READ",
                                         "MVM", "TRANSFER", "SPAN", "COMPUTE" };
    return op < 8 ? names[op] : "?";
}

bool is_crossbar_op(uint32_t op)
{
    return op >= 1 && op <= 5;
}

/* ---- processes ----------------------------------------------------------- */

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Spawns argv with pipes; fills the parent ends. */
static pid_t spawn(const std::vector<std::string> &argv, int *in_fd, int *out_fd, int *err_fd)
{
    int pin[2], pout[2], perr[2];
    if (pipe2(pin, O_CLOEXEC) != 0) {
        return -1;
    }
    if (pipe2(pout, O_CLOEXEC) != 0 || pipe2(perr, O_CLOEXEC) != 0) {
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
    std::vector<char *> args;
    for (const std::string &a : argv) {
        args.push_back(const_cast<char *>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    if (rc != 0) {
        close(pin[1]);
        close(pout[0]);
        close(perr[0]);
        return -1;
    }
    *in_fd = pin[1];
    *out_fd = pout[0];
    *err_fd = perr[0];
    set_nonblock(*out_fd);
    set_nonblock(*err_fd);
    return pid;
}

SimProcess::~SimProcess()
{
    kill_child();
    close_stdin();
    if (out_fd_ >= 0) {
        close(out_fd_);
    }
    if (err_fd_ >= 0) {
        close(err_fd_);
    }
}

bool SimProcess::start(const std::vector<std::string> &args)
{
    /* A host that goes away must not kill the test with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> argv;
    argv.push_back(RP_SIM_BIN);
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = spawn(argv, &in_fd_, &out_fd_, &err_fd_);
    dbuf_.assign(kMaxPayload + RP_FRAME_CRC_LEN, 0);
    rp_deframer_init(&deframer_, dbuf_.data(), dbuf_.size());
    return pid_ > 0;
}

bool SimProcess::send(const std::string &bytes)
{
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = write(in_fd_, bytes.data() + off, bytes.size() - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        off += (size_t)n;
    }
    return true;
}

void SimProcess::close_stdin()
{
    if (in_fd_ >= 0) {
        close(in_fd_);
        in_fd_ = -1;
    }
}

void SimProcess::close_stdout()
{
    if (out_fd_ >= 0) {
        close(out_fd_);
        out_fd_ = -1;
    }
    out_eof_ = true;
}

static bool drain_fd(int fd, std::string &into)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            into.append(buf, (size_t)n);
            continue;
        }
        if (n == 0) {
            return false; /* EOF */
        }
        return !(errno != EAGAIN && errno != EINTR);
    }
}

bool SimProcess::pump(int timeout_ms)
{
    struct pollfd p[2];
    int n = 0;
    if (!out_eof_) {
        p[n].fd = out_fd_;
        p[n].events = POLLIN;
        n++;
    }
    if (!err_eof_) {
        p[n].fd = err_fd_;
        p[n].events = POLLIN;
        n++;
    }
    if (n == 0) {
        return false;
    }
    if (poll(p, (nfds_t)n, timeout_ms) > 0) {
        if (!out_eof_ && !drain_fd(out_fd_, out_)) {
            out_eof_ = true;
        }
        if (!err_eof_ && !drain_fd(err_fd_, err_)) {
            err_eof_ = true;
        }
    }
    parse_new();
    return !out_eof_;
}

void SimProcess::parse_new()
{
    for (; parsed_ < out_.size(); parsed_++) {
        if (rp_deframer_feed(&deframer_, (uint8_t)out_[parsed_]) == RP_DEFRAME_FRAME) {
            decode_into(stream_, rp_deframer_payload(&deframer_),
                        rp_deframer_payload_len(&deframer_), parsed_ + 1);
        }
    }
    stream_.stats = deframer_.stats;
}

Stream &SimProcess::stream()
{
    return stream_;
}

void SimProcess::kill_child()
{
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
}

int SimProcess::finish(int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (!out_eof_ || !err_eof_) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            kill_child();
            return -1;
        }
        pump((int)(left < 200 ? left : 200));
        if (out_eof_ && !err_eof_) {
            /* stderr stays open only as long as the process runs. */
            pump(0);
        }
    }
    close_stdin();
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            if (WIFEXITED(status)) {
                return WEXITSTATUS(status);
            }
            return 128 + WTERMSIG(status);
        }
        if (now_ms() >= deadline) {
            kill_child();
            return -1;
        }
        struct timespec ts = { 0, 5 * 1000000L };
        nanosleep(&ts, nullptr);
    }
}

RunResult run_sim(const std::vector<std::string> &args, int timeout_ms)
{
    SimProcess p;
    RunResult r;
    if (!p.start(args)) {
        r.exit_code = -2;
        return r;
    }
    r.exit_code = p.finish(timeout_ms);
    r.out = p.out();
    r.err = p.err();
    return r;
}

RunResult run_command(const std::vector<std::string> &argv, const std::string &input,
                      int timeout_ms)
{
    RunResult r;
    int in_fd, out_fd, err_fd;
    signal(SIGPIPE, SIG_IGN);
    pid_t pid = spawn(argv, &in_fd, &out_fd, &err_fd);
    if (pid < 0) {
        r.exit_code = -2;
        return r;
    }
    /* Inputs here are small (one frame payload): they fit the pipe. */
    (void)!write(in_fd, input.data(), input.size());
    close(in_fd);
    int64_t deadline = now_ms() + timeout_ms;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        /* poll() ignores negative fds: closed pipes drop out. */
        struct pollfd p[2] = { { out_open ? out_fd : -1, POLLIN, 0 },
                               { err_open ? err_fd : -1, POLLIN, 0 } };
        if (poll(p, 2, (int)left) > 0) {
            if (out_open && !drain_fd(out_fd, r.out)) {
                out_open = false;
            }
            if (err_open && !drain_fd(err_fd, r.err)) {
                err_open = false;
            }
        }
    }
    close(out_fd);
    close(err_fd);
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string temp_path(const std::string &stem)
{
    static unsigned counter = 0;
    const char *dir = getenv("TMPDIR");
    std::ostringstream s;
    s << (dir != nullptr ? dir : "/tmp") << "/rp-sim-test-" << getpid() << "-" << counter++
      << "-" << stem;
    return s.str();
}

std::string read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool write_file(const std::string &path, const std::string &data)
{
    std::ofstream out(path, std::ios::binary);
    out << data;
    return static_cast<bool>(out);
}

} // namespace simtest
