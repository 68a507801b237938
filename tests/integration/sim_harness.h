/* Test harness for the sim board process: runs the real rramprof-sim
 * binary with pipes on stdin/stdout/stderr, splits its stdout into frames
 * with rp_deframer, decodes them with the protobuf-c code generated from
 * the schema, and expands EventBatch columns into absolute events.
 *
 * The expansion is written here from docs/protocol.md on purpose, apart
 * from the profiler's decoder, so these tests check the device's stream
 * against the protocol rather than against another implementation. */
#ifndef RP_SIM_HARNESS_H
#define RP_SIM_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "rramprof.pb-c.h"

extern "C" {
#include "rramprof/rp_command.h"
#include "rramprof/rp_frame.h"
}

namespace simtest {

/* One event rebuilt from an EventBatch. */
struct Event {
    uint64_t start;
    uint64_t end;
    uint32_t duration;
    uint32_t op, tile, row, rows, col, cols, iterations, status, arg;
};

/* One line of a --truth file. */
struct TruthOp {
    std::string op;
    uint32_t tile;
    uint32_t row;
    uint64_t start;
    uint64_t duration;
};

struct FrameDeleter {
    void operator()(Rramprof__V1__Frame *f) const;
};
typedef std::unique_ptr<Rramprof__V1__Frame, FrameDeleter> FramePtr;

/* A device-to-host byte stream, split and decoded. */
struct Stream {
    std::vector<std::string> payloads;   /* one per good frame */
    std::vector<FramePtr> frames;        /* payloads[i] decoded; null if it failed */
    std::vector<size_t> ends;            /* stream offset just past frame i's delimiter */
    rp_deframer_stats_t stats;
    size_t undecodable = 0;
};

/* Splits bytes into frames and decodes each one. */
Stream parse_stream(const std::string &bytes);

/* Appends the events of one batch to out. Returns "" or what is wrong with
 * the batch (a column with a length other than count or 0). */
std::string expand_batch(const Rramprof__V1__EventBatch *b, std::vector<Event> &out);

/* Parses a --truth CSV file. Returns "" or the first problem. */
std::string read_truth(const std::string &path, std::vector<TruthOp> &out);

/* Encodes a Command into a complete link frame (COBS + CRC + delimiter). */
std::string command_frame(const rp_command_t &cmd);
/* Frames arbitrary payload bytes. */
std::string raw_frame(const std::string &payload);

std::string op_name(uint32_t op);
/* true for the ops the crossbar model times (WRITE ... TRANSFER). */
bool is_crossbar_op(uint32_t op);

/* A running rramprof-sim. */
class SimProcess {
public:
    SimProcess() = default;
    ~SimProcess();
    SimProcess(const SimProcess &) = delete;
    SimProcess &operator=(const SimProcess &) = delete;

    /* Starts RP_SIM_BIN with args; false if the process could not start. */
    bool start(const std::vector<std::string> &args);
    bool send(const std::string &bytes);
    void close_stdin();
    /* Stops reading stdout: the board's next write fails with EPIPE. */
    void close_stdout();

    /* Reads whatever stdout/stderr offer for up to timeout_ms, appending to
     * out() and err(). Returns false once stdout reached EOF and nothing
     * more can come. */
    bool pump(int timeout_ms);

    /* Pumps until at least one new complete frame satisfies pred (checked
     * on frames decoded since the previous call), or the deadline passes.
     * Returns that frame's index in stream(), or -1. */
    template <typename Pred> int wait_for(Pred pred, int timeout_ms);

    /* Pumps until stdout EOF, then waits for exit. Returns the exit code,
     * 128+signal if killed by one, or -1 on timeout (the child is then
     * killed). */
    int finish(int timeout_ms);

    const std::string &out() const { return out_; }
    const std::string &err() const { return err_; }
    /* Frames decoded from out() so far (only complete frames). */
    Stream &stream();

private:
    void parse_new();
    void kill_child();

    pid_t pid_ = -1;
    int in_fd_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    bool out_eof_ = false;
    bool err_eof_ = false;
    std::string out_;
    std::string err_;
    Stream stream_;
    rp_deframer_t deframer_{};
    std::vector<uint8_t> dbuf_;
    size_t parsed_ = 0;
    size_t checked_ = 0;
};

struct RunResult {
    int exit_code;
    std::string out;
    std::string err;
};

/* Runs rramprof-sim to completion with stdin kept open (and empty) until
 * it exits. */
RunResult run_sim(const std::vector<std::string> &args, int timeout_ms);

/* Runs a shell command, feeding it `input` on stdin; returns its exit code
 * and stdout. */
RunResult run_command(const std::vector<std::string> &argv, const std::string &input,
                      int timeout_ms);

std::string temp_path(const std::string &stem);
std::string read_file(const std::string &path);
bool write_file(const std::string &path, const std::string &data);

int64_t now_ms();

template <typename Pred> int SimProcess::wait_for(Pred pred, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        while (checked_ < stream_.frames.size()) {
            size_t i = checked_++;
            if (stream_.frames[i] && pred(stream_.frames[i].get())) {
                return (int)i;
            }
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            return -1;
        }
        if (!pump((int)(left < 100 ? left : 100)) && checked_ >= stream_.frames.size()) {
            return -1;
        }
    }
}

} // namespace simtest

#endif
