/* Integration test of the Cortex-M firmware under QEMU: the mps2-an386
 * image, cross-built into the build tree (tests/integration/qemu.cmake),
 * runs under `qemu-system-arm -icount shift=0,sleep=off` with UART0 on a
 * Unix socket. Each -test-<workload> image records from boot, stops at
 * RP_FW_TEST_EVENTS events and exits through semihosting once everything
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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
 * `status` gets QEMU's exit code (-1 if it had to be killed). */
std::string run_qemu(const std::string &elf, int *status)
{
    char dir[] = "/tmp/rp_qemu_XXXXXX";
    *status = -1;
    if (mkdtemp(dir) == nullptr) {
        FAIL("mkdtemp failed");
    }
    const std::string sock = std::string(dir) + "/uart0.sock";
    const std::string chardev = "socket,id=s0,path=" + sock + ",server=on,wait=on";
    pid_t pid = fork();
    if (pid == 0) {
        execl(RP_QEMU_BIN, RP_QEMU_BIN, "-M", "mps2-an386", "-cpu", "cortex-m4", "-icount",
              "shift=0,sleep=off", "-display", "none", "-monitor", "none", "-chardev",
              chardev.c_str(), "-serial", "chardev:s0", "-semihosting-config",
              "enable=on,target=native", "-kernel", elf.c_str(), (char *)nullptr);
        _exit(127);
    }
    CHECK_TEXT(pid > 0, "fork failed");

    /* QEMU waits for this connection before it starts the CPU. */
    long long deadline = prv_now_ms() + kRunTimeoutMs;
    int fd = -1;
    while (fd < 0 && prv_now_ms() < deadline) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un addr;
        memset(&addr, 0, sizeof addr);
        addr.sun_family = AF_UNIX;
        snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
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
    unlink(sock.c_str());
    rmdir(dir);
    return bytes;
}

void check_workload(const std::string &workload)
{
    const std::string elf = std::string(RP_QEMU_FW_DIR) + "/rramprof-qemu-mps2-an386-test-" +
                            workload + ".elf";
    const std::string label = "an386/" + workload;
    CHECK_TEXT(access(elf.c_str(), R_OK) == 0, ("no firmware image " + elf).c_str());

    int status = -1;
    std::string bytes = run_qemu(elf, &status);
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
    STRCMP_EQUAL_TEXT("qemu-mps2-an386", h->board, label.c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(25000000u, h->clock_hz, (label + ": clock").c_str());
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
    UNSIGNED_LONGS_EQUAL_TEXT(RP_FW_TEST_EVENTS, events.size(), (label + ": events").c_str());
    CHECK_TEXT(results >= 1u, (label + ": no WorkloadResult").c_str());
    for (size_t i = 1; i < events.size(); i++) {
        CHECK_TEXT(events[i].end >= events[i].start, (label + ": event end < start").c_str());
    }

    /* -icount makes the emulated MCU deterministic: same image, same bytes. */
    int status2 = -1;
    std::string again = run_qemu(elf, &status2);
    LONGS_EQUAL_TEXT(0, status2, (label + ": second QEMU exit status").c_str());
    UNSIGNED_LONGS_EQUAL_TEXT(bytes.size(), again.size(), (label + ": second run size").c_str());
    CHECK_TEXT(bytes == again, (label + ": second run differs").c_str());
}

} // namespace

TEST_GROUP(QemuAn386){};

TEST(QemuAn386, program) { check_workload("program"); }
TEST(QemuAn386, mlp) { check_workload("mlp"); }
TEST(QemuAn386, scan) { check_workload("scan"); }
TEST(QemuAn386, solver) { check_workload("solver"); }
