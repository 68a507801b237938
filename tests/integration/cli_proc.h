/* Helpers of the rramprof CLI integration tests: run the real binaries as
 * child processes (with extra environment, in the background, signalled),
 * and check capture files against the sim board's ground truth. */
#ifndef RP_CLI_PROC_H
#define RP_CLI_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "sim_harness.h"

namespace clitest {

using simtest::now_ms;
using simtest::read_file;
using simtest::write_file;

/* A child process with stdout and stderr collected. stdin is /dev/null
 * unless in_fd/out_fd are given to start(). */
class Proc {
public:
    Proc() = default;
    ~Proc();
    Proc(const Proc &) = delete;
    Proc &operator=(const Proc &) = delete;

    /* env: extra NAME=VALUE entries. io_fd >= 0 becomes stdin and stdout
     * (a device link), stdout is then not collected. err_fd >= 0 becomes
     * stderr (e.g. a terminal), which is then not collected. */
    bool start(const std::vector<std::string> &argv, const std::vector<std::string> &env = {},
               int io_fd = -1, int err_fd = -1);
    /* Collects output for up to timeout_ms. */
    void pump(int timeout_ms);
    /* Pumps until stderr (or stdout) contains text; false on timeout or exit. */
    bool wait_err(const std::string &text, int timeout_ms);
    bool wait_out(const std::string &text, int timeout_ms);
    /* Exit code, 128+N if killed by signal N, -1 on timeout (then killed). */
    int wait(int timeout_ms);
    void signal(int sig);
    pid_t pid() const { return pid_; }
    bool running();

    std::string out, err;

private:
    void kill_now();
    pid_t pid_ = -1;
    int out_fd_ = -1, err_fd_ = -1;
    int status_ = -1;
};

struct Result {
    int code;
    std::string out, err;
    int64_t ms;   /* wall time */
};

Result run_cmd(const std::vector<std::string> &argv, int timeout_ms, const std::vector<std::string> &env = {});

std::string bin(const std::string &name);   /* path in the build's bin/ */
std::string sim_bin();
std::string rramprof_bin();
std::string scratch_dir();                  /* a fresh directory per call, removed at exit */
off_t file_size(const std::string &path);
/* First "PREFIX<value>" on a line of text; value up to the end of line. */
std::string after(const std::string &text, const std::string &prefix);

/* What a capture file holds, through the profiler library. */
struct CaptureFacts {
    int rc = -1;                  /* rp_capture_replay result */
    bool complete = false;        /* END chunk present */
    uint64_t events = 0;
    uint64_t ops[16] = {};
    uint64_t lost = 0;            /* session loss.total_events */
    uint64_t unsent = 0;          /* of them, taken from the ring by resets */
    uint32_t segments = 0;        /* device boots */
    uint32_t resets = 0;          /* of them, resets during the capture */
    uint32_t watchdog_resets = 0; /* of those, watchdog resets */
    uint64_t deframer_errors = 0;
    std::vector<uint32_t> op_seq; /* ops of the crossbar events, in order */
};
CaptureFacts read_capture(const std::string &path);

/* Compares the crossbar events (WRITE..TRANSFER) of a capture with the
 * sim's --truth CSV one for one, in order: op, tile, row, start, duration.
 * Returns "" or the first difference; *matched gets the compared count. */
std::string compare_truth(const std::string &capture, const std::string &truth_csv, uint64_t *matched);

} // namespace clitest

#endif
