/* Integration test of the Cortex-M firmware under QEMU: the mps2-an386
 * and netduinoplus2 images, cross-built into the build tree
 * (tests/integration/qemu.cmake),
 * run under `qemu-system-arm -icount shift=0,sleep=off` with the first
 * UART written to a file. Each -test-<workload> image records from boot, stops at
 * its board's event limit and exits through semihosting once everything
 * is sent, so a run is bounded and needs no host input.
 *
 * Checks per workload: the stream splits and decodes (rp_deframer and the
 * protobuf-c code of the schema), Hello names the board, batches are
 * contiguous with nothing dropped, exactly the limit of events arrived,
 * every WorkloadResult passed, and a second run gives the same bytes. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include <CppUTest/TestHarness.h>

#include "integration/sim_harness.h"

#include <stdio.h>
#include <stdlib.h>

using namespace simtest;

namespace {

const int kRunTimeoutMs = 25000;

long long prv_now_ms()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs one image to its semihosting exit and returns what UART0 sent.
 * `status` gets QEMU's exit code (-1 if it had to be killed).
 *
 * The UART goes to a file, not a socket: a file write never blocks, while
 * a socket whose reader is not scheduled for a while (a loaded machine)
 * fills up, QEMU's UART then reports TX full, and the firmware's output
 * would depend on host timing. These images need no host input. */
struct Board {
    const char *name;      /* boards/<name>, Hello.board */
    const char *machine;   /* qemu-system-arm -M */
    const char *fw_dir;    /* where its -test-<workload>.elf images are */
    uint64_t clock_hz;
    uint64_t events;       /* event limit of its test images */
};

const Board kAn386 = {"qemu-mps2-an386", "mps2-an386", RP_QEMU_AN386_DIR, 25000000u,
                      RP_QEMU_AN386_EVENTS};
/* The same board with the smallest recorder core (compact encoder, 4-bit
 * CRC table): same events, same checks. */
const Board kAn386Min = {"qemu-mps2-an386", "mps2-an386", RP_QEMU_AN386_MIN_DIR, 25000000u,
                         RP_QEMU_AN386_EVENTS};
const Board kNetduino = {"netduinoplus2", "netduinoplus2", RP_QEMU_NETDUINO_DIR, 25000000u,
                         RP_QEMU_NETDUINO_EVENTS};

std::string run_qemu(const Board &board, const std::string &elf, int *status)
{
    *status = -1;
    char path[] = "/tmp/rp_qemu_uart_XXXXXX";
    int out = mkstemp(path);
    CHECK_TEXT(out >= 0, "mkstemp failed");
    close(out);
    const std::string serial = std::string("file:") + path;
    pid_t pid = fork();
    if (pid == 0) {
        execl(RP_QEMU_BIN, RP_QEMU_BIN, "-M", board.machine, "-icount", "shift=0,sleep=off",
              "-display", "none", "-monitor", "none", "-serial", serial.c_str(),
              "-semihosting-config", "enable=on,target=native", "-kernel", elf.c_str(),
              (char *)nullptr);
        _exit(127);
    }
    CHECK_TEXT(pid > 0, "fork failed");
    const long long deadline = prv_now_ms() + kRunTimeoutMs;
    int wst = 0;
    pid_t done = 0;
    while ((done = waitpid(pid, &wst, WNOHANG)) == 0 && prv_now_ms() < deadline) {
        usleep(10000);
    }
    if (done == pid && WIFEXITED(wst)) {
        *status = WEXITSTATUS(wst);
    } else if (done == 0) {
        kill(pid, SIGKILL);   /* timeout */
        waitpid(pid, &wst, 0);
    }
    std::string bytes;
    FILE *f = fopen(path, "rb");
    if (f != nullptr) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
            bytes.append(buf, n);
        }
        fclose(f);
    }
    unlink(path);
    return bytes;
}

void check_workload(const Board &board, const std::string &workload)
{
    const std::string elf = std::string(board.fw_dir) + "/rramprof-" + board.name + "-test-" +
                            workload + ".elf";
    const std::string label = std::string(board.name) + "/" + workload;
    CHECK_TEXT(access(elf.c_str(), R_OK) == 0, ("no firmware image " + elf).c_str());

    int status = -1;
    std::string bytes = run_qemu(board, elf, &status);
    LONGS_EQUAL_TEXT(0, status, (label + ": QEMU exit status").c_str());

    Stream s = parse_stream(bytes);
    UNSIGNED_LONGS_EQUAL_TEXT(0, s.stats.crc_errors, (label + ": CRC errors").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, s.stats.cobs_errors, (label + ": COBS errors").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, s.stats.discarded_bytes, (label + ": stray bytes").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0, s.undecodable, (label + ": undecodable").c_str());
    CHECK_TEXT(!s.frames.empty(), (label + ": no frames").c_str());

    const Rramprof__V1__Frame *first = s.frames[0].get();
    CHECK_TEXT(first->body_case == RRAMPROF__V1__FRAME__BODY_HELLO,
               (label + ": first frame is not Hello").c_str());
    const Rramprof__V1__Hello *h = first->hello;
    STRCMP_EQUAL_TEXT(board.name, h->board, label.c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(board.clock_hz, h->clock_hz, (label + ": clock").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(0u, h->counters_available, (label + ": counters").c_str());
    CHECK_TEXT(h->array != nullptr && h->array->tiles > 0, (label + ": array").c_str());
    STRCMP_EQUAL_TEXT("mcu:testchip", h->array->model, label.c_str());

    std::vector<Event> events;
    uint32_t next_seq = 0;
    size_t results = 0;
    uint64_t dropped = 0;
    for (size_t i = 0; i < s.frames.size(); i++) {
        const Rramprof__V1__Frame *f = s.frames[i].get();
        if (f->body_case == RRAMPROF__V1__FRAME__BODY_BATCH) {
            const Rramprof__V1__EventBatch *b = f->batch;
            UNSIGNED_LONGS_EQUAL_TEXT(next_seq, b->sequence, (label + ": batch sequence").c_str());
            UNSIGNED_LONGS_EQUAL_TEXT(events.size(), b->first_event,
                                      (label + ": first_event").c_str());
            next_seq++;
            dropped = b->dropped_total > dropped ? b->dropped_total : dropped;
            STRCMP_EQUAL_TEXT("", expand_batch(b, events).c_str(), label.c_str());
        } else if (f->body_case == RRAMPROF__V1__FRAME__BODY_DROPS) {
            /* Cumulative, like the batches' dropped_total. */
            dropped = f->drops->dropped_total > dropped ? f->drops->dropped_total : dropped;
        } else if (f->body_case == RRAMPROF__V1__FRAME__BODY_WORKLOAD) {
            const Rramprof__V1__WorkloadResult *r = f->workload;
            STRCMP_EQUAL_TEXT(workload.c_str(), r->name, label.c_str());
            CHECK_TEXT(r->passed, (label + ": WorkloadResult failed: " + r->detail).c_str());
            results++;
        }
    }
    UNSIGNED_LONGS_EQUAL_TEXT(0u, dropped, (label + ": events lost").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(board.events, events.size(), (label + ": events").c_str());
    CHECK_TEXT(results >= 1u, (label + ": no WorkloadResult").c_str());
    /* Every crossbar operation the model timed lasts its modelled time:
     * at least one tick, and the same time for the same op on the same
     * shape (the model's timing has no noise), give or take the one tick
     * that sampling a 25 MHz timer from a 1 GHz core adds at either end. */
    std::map<std::string, uint32_t> shape_ticks;
    for (size_t i = 0; i < events.size(); i++) {
        const Event &e = events[i];
        if (!is_crossbar_op(e.op) || e.status != 0) {
            continue;
        }
        const std::string at = label + ": event " + std::to_string(i) + " " + op_name(e.op);
        CHECK_TEXT(e.duration > 0u, (at + " lasted 0 ticks").c_str());
        if (e.op == RRAMPROF__V1__OP__OP_VERIFY || e.op == RRAMPROF__V1__OP__OP_READ ||
            e.op == RRAMPROF__V1__OP__OP_MVM) {
            std::string key = std::to_string(e.op) + "/" + std::to_string(e.rows) + "/" +
                              std::to_string(e.cols);
            auto it = shape_ticks.find(key);
            if (it == shape_ticks.end()) {
                shape_ticks[key] = e.duration;
            } else {
                CHECK_TEXT(e.duration + 1u >= it->second && e.duration <= it->second + 1u,
                           (at + " duration " + std::to_string(e.duration) + " vs " +
                            std::to_string(it->second))
                               .c_str());
            }
        }
    }

    /* -icount makes the emulated MCU deterministic: same image, same bytes. */
    int status2 = -1;
    std::string again = run_qemu(board, elf, &status2);
    LONGS_EQUAL_TEXT(0, status2, (label + ": second QEMU exit status").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(bytes.size(), again.size(), (label + ": second run size").c_str());
    size_t at = 0;
    while (at < bytes.size() && at < again.size() && bytes[at] == again[at]) {
        at++;
    }
    CHECK_TEXT(bytes == again, (label + ": second run differs from byte " + std::to_string(at) +
                                " of " + std::to_string(bytes.size()))
                                   .c_str());
}

/* The -selftest image compares the encoder's Thumb-2 statistics, gaps and
 * duration loops and the framing's word loop with their C form on
 * pseudo-random batches and payloads (boards/common/cortexm/rp_cm_selftest.c)
 * and exits with status 1 on any difference. */
void check_encoder_selftest(const Board &board)
{
    const std::string elf = std::string(board.fw_dir) + "/rramprof-" + board.name + "-selftest.elf";
    CHECK_TEXT(access(elf.c_str(), R_OK) == 0, ("no firmware image " + elf).c_str());
    int status = -1;
    const std::string out = run_qemu(board, elf, &status);
    const size_t line = out.find("SELFTEST batches ");
    CHECK_TEXT(line != std::string::npos, ("no SELFTEST line in: " + out).c_str());
    const std::string report = out.substr(line, out.find('\n', line) - line);
    LONGS_EQUAL_TEXT(0, status, report.c_str());
    CHECK_TEXT(report.find(" differences 0") != std::string::npos, report.c_str());
    /* Enough batches fit some buffer to have tested something. */
    unsigned long batches = 0, encoded = 0;
    CHECK_TEXT(sscanf(report.c_str(), "SELFTEST batches %lu encoded %lu", &batches, &encoded) == 2,
               report.c_str());
    CHECK_TEXT(batches >= 1000u && encoded >= batches, report.c_str());
}

} // namespace

TEST_GROUP(QemuAn386){};

TEST(QemuAn386, encoder_selftest) { check_encoder_selftest(kAn386); }

TEST(QemuAn386, program) { check_workload(kAn386, "program"); }
TEST(QemuAn386, mlp) { check_workload(kAn386, "mlp"); }
TEST(QemuAn386, scan) { check_workload(kAn386, "scan"); }
TEST(QemuAn386, solver) { check_workload(kAn386, "solver"); }

TEST_GROUP(QemuAn386Min){};

TEST(QemuAn386Min, program) { check_workload(kAn386Min, "program"); }
TEST(QemuAn386Min, mlp) { check_workload(kAn386Min, "mlp"); }

TEST_GROUP(QemuNetduino){};

TEST(QemuNetduino, program) { check_workload(kNetduino, "program"); }
TEST(QemuNetduino, mlp) { check_workload(kNetduino, "mlp"); }
