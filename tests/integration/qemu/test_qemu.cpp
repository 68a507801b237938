/* Integration test of the Cortex-M firmware under QEMU: the mps2-an386
 * and netduinoplus2 images, cross-built into the build tree
 * (tests/integration/qemu.cmake),
 * run under `qemu-system-arm -icount shift=0,sleep=off` with the first
 * UART on a TCP socket. Each -test-<workload> image records from boot, stops at
 * its board's event limit and exits through semihosting once everything
 * is sent, so a run is bounded and needs no host input.
 *
 * Checks per workload: the stream splits and decodes (rp_deframer and the
 * protobuf-c code of the schema), Hello names the board, batches are
 * contiguous with nothing dropped, exactly the limit of events arrived,
 * every WorkloadResult passed, and a second run gives the same bytes. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
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

/* A TCP port on 127.0.0.1 free right now (QEMU binds it next). */
int prv_free_port()
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    close(s);
    return port;
}

/* Runs one image to its semihosting exit and returns what UART0 sent.
 * `status` gets QEMU's exit code (-1 if it had to be killed).
 *
 * The link is a TCP socket, not a Unix one: QEMU writes the UART one byte
 * per send(), and a Unix stream socket charges each of those a whole
 * buffer's overhead, so its send buffer fills after a few hundred bytes
 * whenever the reader lags; the UART then reports TX full and the
 * firmware's output depends on host timing. TCP coalesces the bytes. */
struct Board {
    const char *name;      /* boards/<name>, Hello.board */
    const char *machine;   /* qemu-system-arm -M */
    const char *fw_dir;    /* where its -test-<workload>.elf images are */
    uint64_t clock_hz;
    uint64_t events;       /* event limit of its test images */
};

const Board kAn386 = {"qemu-mps2-an386", "mps2-an386", RP_QEMU_AN386_DIR, 25000000u,
                      RP_QEMU_AN386_EVENTS};
const Board kNetduino = {"netduinoplus2", "netduinoplus2", RP_QEMU_NETDUINO_DIR, 25000000u,
                         RP_QEMU_NETDUINO_EVENTS};

std::string run_qemu(const Board &board, const std::string &elf, int *status)
{
    *status = -1;
    const int port = prv_free_port();
    CHECK_TEXT(port > 0, "no free TCP port");
    const std::string chardev =
        "socket,id=s0,host=127.0.0.1,port=" + std::to_string(port) + ",server=on,wait=on";
    pid_t pid = fork();
    if (pid == 0) {
        execl(RP_QEMU_BIN, RP_QEMU_BIN, "-M", board.machine, "-icount", "shift=0,sleep=off", "-display", "none", "-monitor", "none", "-chardev",
              chardev.c_str(), "-serial", "chardev:s0", "-semihosting-config",
              "enable=on,target=native", "-kernel", elf.c_str(), (char *)nullptr);
        _exit(127);
    }
    CHECK_TEXT(pid > 0, "fork failed");

    /* QEMU waits for this connection before it starts the CPU. */
    long long deadline = prv_now_ms() + kRunTimeoutMs;
    int fd = -1;
    while (fd < 0 && prv_now_ms() < deadline) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        /* A receive window far larger than a run's output: QEMU's sends
         * never block, even when this process is not scheduled for a
         * while on a loaded machine (a blocked send makes the UART report
         * TX full, and the firmware's output would depend on host timing). */
        int rcvbuf = 4 << 20;
        (void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons((uint16_t)port);
        if (connect(s, (struct sockaddr *)&addr, sizeof addr) == 0) {
            fd = s;
        } else {
            close(s);
            usleep(20000);
        }
    }
    std::string bytes;
    if (fd >= 0) {
        char buf[4096];
        for (;;) {
            int left = (int)(deadline - prv_now_ms());
            struct pollfd p = {fd, POLLIN, 0};
            if (left <= 0 || poll(&p, 1, left) <= 0) {
                break;   /* timeout: QEMU gets killed below */
            }
            ssize_t n = read(fd, buf, sizeof buf);
            if (n <= 0) {
                break;   /* EOF: QEMU exited */
            }
            bytes.append(buf, (size_t)n);
        }
        close(fd);
    }
    int wst = 0;
    pid_t done = 0;
    while ((done = waitpid(pid, &wst, WNOHANG)) == 0 && prv_now_ms() < deadline + 2000) {
        usleep(10000);
    }
    if (done == pid && WIFEXITED(wst)) {
        *status = WEXITSTATUS(wst);
    } else if (done == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &wst, 0);
    }
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
    CHECK_TEXT(bytes == again, (label + ": second run differs").c_str());
}

} // namespace

TEST_GROUP(QemuAn386){};

TEST(QemuAn386, program) { check_workload(kAn386, "program"); }
TEST(QemuAn386, mlp) { check_workload(kAn386, "mlp"); }
TEST(QemuAn386, scan) { check_workload(kAn386, "scan"); }
TEST(QemuAn386, solver) { check_workload(kAn386, "solver"); }

TEST_GROUP(QemuNetduino){};

TEST(QemuNetduino, program) { check_workload(kNetduino, "program"); }
TEST(QemuNetduino, mlp) { check_workload(kNetduino, "mlp"); }
