// End-to-end tests of the rramprof command: the real binary against the
// real sim board over exec, TCP, Unix sockets and a pseudo-terminal; signal
// handling; every fault the CLI promises a clear message for; info on sound
// and damaged capture files; the demo.
#include <CppUTest/TestHarness.h>

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli_proc.h"

extern "C" {
#include "rramprof/rp_command_out.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_status.h"
}

using namespace clitest;

namespace {

const int kRunMs = 60000;

bool has(const std::string &hay, const std::string &needle)
{
    return hay.find(needle) != std::string::npos;
}

std::string show(const Result &r)
{
    return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err;
}

#define CHECK_HAS(hay, needle) CHECK_TEXT(has(hay, needle), (std::string("missing '") + (needle) + "' in:\n" + (hay)).c_str())

std::string exec_sim(const std::string &extra)
{
    return "exec:" + sim_bin() + " --transport stdio --quiet " + extra;
}

Result capture(const std::vector<std::string> &args)
{
    std::vector<std::string> argv = { rramprof_bin(), "capture" };
    argv.insert(argv.end(), args.begin(), args.end());
    return run_cmd(argv, kRunMs);
}

Result info(const std::string &file, bool json = false)
{
    std::vector<std::string> argv = { rramprof_bin(), "info", file };
    if (json)
        argv.push_back("--json");
    return run_cmd(argv, kRunMs);
}

// The capture matches the sim's own record of every crossbar operation.
void check_truth(const std::string &cap, const std::string &truth, uint64_t at_least)
{
    uint64_t matched = 0;
    std::string diff = compare_truth(cap, truth, &matched);
    STRCMP_EQUAL("", diff.c_str());
    CHECK_TEXT(matched >= at_least, ("only " + std::to_string(matched) + " crossbar events").c_str());
}

// The capture said each of n watchdog resets of the sim board (its
// --reset-after) and its summary and file agree: n + 1 boots.
CaptureFacts check_watchdog_resets(const Result &r, const std::string &cap, uint32_t n)
{
    CHECK_HAS(r.err, "the device reset during the capture (watchdog)");
    CHECK_HAS(r.out, "resets     " + std::to_string(n) + " during the capture: " + std::to_string(n) + " watchdog");
    CaptureFacts f = read_capture(cap);
    CHECK(f.complete);
    LONGS_EQUAL(n + 1, f.segments);
    LONGS_EQUAL(n, f.resets);
    LONGS_EQUAL(n, f.watchdog_resets);
    return f;
}

// Starts a sim that listens, returns the address it printed after `tag`.
std::string start_listening_sim(Proc &sim, const std::string &transport, const std::string &tag,
                                const std::vector<std::string> &extra = {})
{
    std::vector<std::string> argv = { sim_bin(), "--quiet", "--transport", transport };
    argv.insert(argv.end(), extra.begin(), extra.end());
    CHECK(sim.start(argv));
    CHECK_TEXT(sim.wait_err("\n", 10000), sim.err.c_str());
    std::string where = after(sim.err, "rramprof-sim: " + tag + " ");
    CHECK_TEXT(!where.empty(), sim.err.c_str());
    return where;
}

} // namespace

TEST_GROUP(CliUsage){};

TEST(CliUsage, EverySubcommandHasHelp)
{
    const char *cmds[][2] = { { "capture", "--op-mask" }, { "list", "--no-probe" }, { "info", "--json" },
                              { "demo", "-o, --output DIR" } };
    for (auto &c : cmds) {
        Result r = run_cmd({ rramprof_bin(), c[0], "--help" }, kRunMs);
        LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
        CHECK_HAS(r.out, std::string("usage: rramprof ") + c[0]);
        CHECK_HAS(r.out, c[1]);
    }
    Result top = run_cmd({ rramprof_bin(), "--help" }, kRunMs);
    LONGS_EQUAL(0, top.code);
    CHECK_HAS(top.out, "capture");
    CHECK_HAS(top.out, "docs/cli.md");
}

TEST(CliUsage, BadCommandLinesExitTwo)
{
    LONGS_EQUAL(2, run_cmd({ rramprof_bin() }, kRunMs).code);
    Result r = run_cmd({ rramprof_bin(), "frobnicate" }, kRunMs);
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "unknown command 'frobnicate'");
    r = capture({ "--from", "file:/dev/null" });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "-o FILE is required");
    r = capture({ "-o", "x.rpcap", "--events", "lots" });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "bad --events 'lots'");
    r = capture({ "-o", "x.rpcap", "--op-mask", "write,teleport" });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "bad --op-mask");
    // A number must select an op: bit 0 is NONE, and 0 alone means all.
    r = capture({ "-o", "x.rpcap", "--op-mask", "1" });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "bad --op-mask '1'");
    r = capture({ "-o", "x.rpcap", "--op-mask", "0x10000" });
    LONGS_EQUAL(2, r.code);
    // Ops 8-15 belong to later firmware: taken, with a warning.
    r = capture({ "--op-mask", "0x100", "--events", "lots", "-o", "x.rpcap" });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "--op-mask '0x100' selects no op this version knows");
    LONGS_EQUAL(2, run_cmd({ rramprof_bin(), "info" }, kRunMs).code);
}

TEST_GROUP(CliCapture)
{
    std::string dir;
    void setup() override
    {
        dir = scratch_dir();
        CHECK(!dir.empty());
    }
};

TEST(CliCapture, ExecMatchesTheSimTruthEventByEvent)
{
    std::string cap = dir + "/exec.rpcap", truth = dir + "/truth.csv";
    Result r = capture({ "--from", exec_sim("--seed 7 --truth " + truth), "-o", cap, "--events", "30000" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    // Device banner, then the summary with every loss counter, zeros too.
    CHECK_HAS(r.out, "device     board sim");
    CHECK_HAS(r.out, "clock      100 MHz");
    CHECK_HAS(r.out, "loss       link 0, device 0, unsent at resets 0, total 0 events");
    CHECK_HAS(r.out, "deframer   0 error(s)");
    CHECK_HAS(r.out, "  MVM ");
    CaptureFacts f = read_capture(cap);
    LONGS_EQUAL(RP_OK, f.rc);
    CHECK(f.complete);
    CHECK(f.events >= 30000);
    check_truth(cap, truth, 10000);
}

TEST(CliCapture, TcpMatchesTheSimTruth)
{
    std::string cap = dir + "/tcp.rpcap", truth = dir + "/truth.csv";
    Proc sim;
    std::string where = start_listening_sim(sim, "tcp:0", "tcp", { "--seed", "3", "--truth", truth });
    Result r = capture({ "--from", "tcp://" + where, "-o", cap, "--events", "30000", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    LONGS_EQUAL_TEXT(0, sim.wait(20000), sim.err.c_str()); // host closed: the board ends
    check_truth(cap, truth, 10000);
}

TEST(CliCapture, UnixSocketMatchesTheSimTruth)
{
    std::string cap = dir + "/unix.rpcap", truth = dir + "/truth.csv", sock = dir + "/sim.sock";
    Proc sim;
    std::string where = start_listening_sim(sim, "unix:" + sock, "unix", { "--truth", truth });
    Result r = capture({ "--from", "unix:" + where, "-o", cap, "--events", "20000", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    LONGS_EQUAL_TEXT(0, sim.wait(20000), sim.err.c_str());
    check_truth(cap, truth, 5000);
}

TEST(CliCapture, PseudoTerminalMatchesTheSimTruth)
{
    std::string cap = dir + "/pty.rpcap", truth = dir + "/truth.csv";
    Proc sim;
    std::string slave = start_listening_sim(sim, "pty", "pty", { "--seed", "11", "--truth", truth });
    CHECK_HAS(slave, "/dev/pts/");
    Result r = capture({ "--from", "serial:" + slave + "?baud=921600", "-o", cap, "--events", "30000", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    LONGS_EQUAL_TEXT(0, sim.wait(20000), sim.err.c_str());
    check_truth(cap, truth, 10000);
}

TEST(CliCapture, ProgressLineOnlyOnATerminal)
{
    int master, slave;
    CHECK(openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    Proc p;
    CHECK(p.start({ rramprof_bin(), "capture", "--from", exec_sim(""), "-o", dir + "/tty.rpcap", "--events",
                    "150000", "-q" },
                  {}, -1, slave));
    close(slave);
    std::string tty;
    char buf[4096];
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0) // EIO once the child is gone
        tty.append(buf, (size_t)n);
    close(master);
    LONGS_EQUAL_TEXT(0, p.wait(20000), tty.c_str());
    // "\r<events> events  <rate> ev/s  <rate>B/s  drops 0  <t> s", redrawn.
    CHECK_HAS(tty, "\r");
    CHECK_HAS(tty, " ev/s  ");
    CHECK_HAS(tty, "B/s  drops 0  ");
    CHECK_HAS(p.out, "capture    ");
    // Not on a pipe: stderr of the other captures stays clean.
    Result r = capture({ "--from", exec_sim(""), "-o", dir + "/pipe.rpcap", "--events", "1000", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_FALSE(has(r.err, "ev/s"));
}

TEST(CliCapture, WorkloadAndOpMaskReachTheDevice)
{
    std::string cap = dir + "/wl.rpcap";
    Result r = capture({ "--from", exec_sim(""), "-o", cap, "--events", "3000", "--workload", "program",
                         "--op-mask", "write,verify", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = read_capture(cap);
    CHECK(f.events >= 3000);
    CHECK(f.ops[1] > 0 && f.ops[2] > 0);
    LONGS_EQUAL(f.events, f.ops[1] + f.ops[2]); // nothing but WRITE and VERIFY
}

TEST(CliCapture, WorkloadCaptureHoldsExactlyTheEventLimit)
{
    // Start carries --events as the device's own limit: not one more.
    std::string cap = dir + "/exact.rpcap";
    Result r = capture({ "--from", exec_sim(""), "-o", cap, "--events", "2500", "--workload", "mlp", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = read_capture(cap);
    LONGS_EQUAL(2500, f.events);
}

TEST(CliCapture, ThresholdFiltersShortEvents)
{
    // The testchip's VERIFY takes 46.6 us, its WRITE steps ~20 us: a 30 us
    // threshold keeps verifies and drops every write step.
    std::string cap = dir + "/thr.rpcap";
    Result r = capture({ "--from", exec_sim("--workload program"), "-o", cap, "--events", "2000", "--op-mask",
                         "write,verify", "--threshold-ns", "30000", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = read_capture(cap);
    CHECK(f.ops[2] >= 2000);
    LONGS_EQUAL(0, f.ops[1]);
}

TEST(CliCapture, UnknownWorkloadListsTheDevicesWorkloads)
{
    Result r = capture({ "--from", exec_sim(""), "-o", dir + "/x.rpcap", "--workload", "teleport" });
    LONGS_EQUAL_TEXT(2, r.code, show(r).c_str());
    CHECK_HAS(r.err, "no workload 'teleport'");
    CHECK_HAS(r.err, "program");
}

TEST(CliCapture, DurationLimitEndsTheCapture)
{
    std::string cap = dir + "/dur.rpcap";
    Result r = capture({ "--from", exec_sim(""), "-o", cap, "--duration", "0.7", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK(r.ms >= 700);
    CHECK(r.ms < 15000);
    CaptureFacts f = read_capture(cap);
    CHECK(f.complete);
    CHECK(f.events > 0);
}

TEST(CliCapture, DeviceThatEndsItsOwnRunIsACleanEnd)
{
    // The board stops recording after 5000 events by itself; its next
    // Heartbeat says so and the capture ends normally.
    std::string cap = dir + "/limit.rpcap";
    Result r = capture({ "--from", exec_sim("--events 5000 --heartbeat-ms 100"), "-o", cap });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "the device ended its recording session");
    CHECK(r.ms < 20000);
    CaptureFacts f = read_capture(cap);
    CHECK(f.events >= 5000);
    LONGS_EQUAL(0, f.lost);
}

TEST(CliCapture, DeviceResetEndsTheCapture)
{
    // The sim board's watchdog resets it after 3000 events of a session:
    // the capture says why at once, keeps both boots and exits 5. The new
    // boot's Hello reports what the old one had recorded (as a Cortex-M
    // board's reset handler salvages it), so the events the reset took
    // from the ring are counted exactly, though the last Counters came up
    // to a second (the default period) before.
    std::string cap = dir + "/reset.rpcap";
    Result r = capture({ "--from", exec_sim("--reset-after 3000"), "-o", cap, "--events", "10000", "-q" });
    LONGS_EQUAL_TEXT(5, r.code, show(r).c_str());
    CHECK_HAS(r.err, "the capture ends at the device reset");
    CaptureFacts f = check_watchdog_resets(r, cap, 1);
    CHECK(f.events > 0 && f.events <= 3000);
    // 3000 or a workload step more, as the sim says.
    uint64_t recorded = std::stoull(after(r.err, "rramprof-sim: watchdog reset after "));
    CHECK_TEXT(recorded >= 3000 && recorded < 3100, show(r).c_str());
    CHECK_TEXT(f.unsent > 0, show(r).c_str());
    LONGS_EQUAL_TEXT(recorded, f.events + f.unsent, show(r).c_str());
    CHECK_HAS(r.err, "; " + std::to_string(f.unsent) + " event(s) still in its ring were lost");
    LONGS_EQUAL(f.unsent, f.lost);
}

TEST(CliCapture, FollowResetsStartsEachNewBoot)
{
    // --follow-resets sends the Start again to every new boot: 10000
    // events need three resets, and the capture still ends cleanly.
    std::string cap = dir + "/follow.rpcap";
    Result r = capture({ "--from", exec_sim("--reset-after 3000"), "-o", cap, "--events", "10000", "--follow-resets",
                         "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.err, "recording again after the reset");
    CaptureFacts f = check_watchdog_resets(r, cap, 3);
    CHECK(f.events >= 10000);
}

TEST(CliCapture, FollowedWorkloadCaptureHoldsExactlyTheEventLimit)
{
    // Each new boot's Start carries what is left of --events: the events
    // a reset took from the device's ring are made up, not one more.
    std::string cap = dir + "/follow_exact.rpcap";
    Result r = capture({ "--from", exec_sim("--reset-after 2000"), "-o", cap, "--events", "5000", "--workload",
                         "mlp", "--follow-resets", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = check_watchdog_resets(r, cap, 2);
    LONGS_EQUAL(5000, f.events);
}

TEST(CliCapture, CleanReplayOfARawStreamMatchesTheTruth)
{
    std::string raw = dir + "/raw.bin", cap = dir + "/replay.rpcap", truth = dir + "/truth.csv";
    std::string cmd = sim_bin() + " --quiet --autostart --events 20000 --truth " + truth + " </dev/null >" + raw;
    LONGS_EQUAL(0, system(cmd.c_str()));
    Result r = capture({ "--from", "file:" + raw, "-o", cap, "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    check_truth(cap, truth, 5000);
}

TEST_GROUP(CliSignals)
{
    std::string dir;
    void setup() override
    {
        dir = scratch_dir();
    }

    // Starts an open-ended capture of the sim and waits until events flow.
    void start(Proc &p, const std::string &cap)
    {
        CHECK(p.start({ rramprof_bin(), "capture", "--from", exec_sim(""), "-o", cap, "-q" }));
        int64_t deadline = now_ms() + 20000;
        while (file_size(cap) < 100000 && now_ms() < deadline)
            p.pump(20);
        CHECK_TEXT(file_size(cap) >= 100000, p.err.c_str());
    }

    void clean_stop(int sig)
    {
        std::string cap = dir + "/sig.rpcap";
        Proc p;
        start(p, cap);
        p.signal(sig);
        int code = p.wait(20000);
        LONGS_EQUAL_TEXT(0, code, (p.out + p.err).c_str());
        CHECK_HAS(p.out, "loss       link 0, device 0, unsent at resets 0, total 0 events");
        CaptureFacts f = read_capture(cap);
        CHECK(f.complete);
        CHECK(f.events > 1000);
        LONGS_EQUAL(0, f.lost);
        Result r = info(cap);
        LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
        CHECK_HAS(r.out, "integrity  complete");
    }
};

TEST(CliSignals, SigintStopsTheDeviceDrainsAndClosesTheFile)
{
    clean_stop(SIGINT);
}

TEST(CliSignals, SigtermStopsCleanlyToo)
{
    clean_stop(SIGTERM);
}

TEST(CliSignals, SighupOfAClosedTerminalStopsCleanlyToo)
{
    clean_stop(SIGHUP);
}

TEST(CliSignals, KillNineLeavesAFileInfoRecovers)
{
    std::string cap = dir + "/killed.rpcap";
    Proc p;
    start(p, cap);
    p.signal(SIGKILL);
    LONGS_EQUAL(128 + SIGKILL, p.wait(10000));
    Result r = info(cap);
    // Cut at a chunk boundary (0) or inside the chunk being written (7):
    // either way what was written before is recovered.
    CHECK_TEXT(r.code == 0 || r.code == 7, show(r).c_str());
    CHECK_HAS(r.out, "integrity  INCOMPLETE");
    CaptureFacts f = read_capture(cap);
    CHECK_FALSE(f.complete);
    CHECK(f.events > 1000);
    LONGS_EQUAL(0, f.lost);
}

TEST_GROUP(CliFaults)
{
    std::string dir;
    std::string mounted; // a tmpfs a test mounted: unmounted even if it fails
    void setup() override
    {
        dir = scratch_dir();
    }
    void teardown() override
    {
        if (!mounted.empty())
            umount2(mounted.c_str(), MNT_DETACH);
    }
};

TEST(CliFaults, UnknownPortSaysSo)
{
    Result r = capture({ "--from", "serial:/dev/ttyRPNOPE0", "-o", dir + "/x.rpcap" });
    LONGS_EQUAL_TEXT(3, r.code, show(r).c_str());
    CHECK_HAS(r.err, "no serial port /dev/ttyRPNOPE0");
    CHECK(file_size(dir + "/x.rpcap") < 0); // nothing created
    r = capture({ "--from", "tcp://127.0.0.1:1", "-o", dir + "/x.rpcap" });
    LONGS_EQUAL_TEXT(3, r.code, show(r).c_str());
    CHECK_HAS(r.err, "refused");
    // A URI the tool cannot parse is a bad command line (2), not a
    // missing device.
    r = capture({ "--from", "carrier-pigeon:1", "-o", dir + "/x.rpcap" });
    LONGS_EQUAL_TEXT(2, r.code, show(r).c_str());
    CHECK_HAS(r.err, "unknown transport");
    r = capture({ "--from", "tcp://127.0.0.1:99999", "-o", dir + "/x.rpcap" });
    LONGS_EQUAL_TEXT(2, r.code, show(r).c_str());
    CHECK_HAS(r.err, "port 99999 is not 1-65535");
    CHECK(file_size(dir + "/x.rpcap") < 0);
}

TEST(CliFaults, DeviceThatNeverAnswersTimesOut)
{
    Result r = capture({ "--from", "exec:sleep 30", "-o", dir + "/x.rpcap", "--timeout", "1" });
    LONGS_EQUAL_TEXT(4, r.code, show(r).c_str());
    CHECK_HAS(r.err, "device did not answer GetInfo within 1 s");
    CHECK_HAS(r.err, "nothing at all was received");
    CHECK(r.ms < 8000);
}

TEST(CliFaults, GetInfoLostWhileTheDeviceBootsIsSentAgain)
{
    // The device swallows the first GetInfo frame unanswered (as an STM32
    // USART drops bytes that arrive before it is enabled); the capture
    // must send it again instead of timing out.
    rp_command_t get_info;
    memset(&get_info, 0, sizeof get_info);
    get_info.kind = RP_CMD_GET_INFO;
    get_info.request_id = 1;   // the link's first request
    uint8_t payload[RP_COMMAND_MAX_PAYLOAD];
    uint8_t frame[RP_FRAME_ENCODED_MAX(RP_COMMAND_MAX_PAYLOAD)];
    size_t n = rp_command_encode(&get_info, payload, sizeof payload);
    size_t len = rp_frame_encode(payload, n, frame, sizeof frame);
    CHECK(len > 0);
    std::string device = "exec:sh -c 'dd bs=1 count=" + std::to_string(len) +
                         " of=/dev/null 2>/dev/null; exec " + sim_bin() + " --quiet'";
    std::string cap = dir + "/retry.rpcap";
    Result r = capture({ "--from", device, "-o", cap, "--events", "500", "--timeout", "3", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK(read_capture(cap).events >= 500);
}

TEST(CliFaults, GarbageOnTheLineSuggestsTheBaudRate)
{
    Result r = capture({ "--from", "exec:head -c 300000 /dev/urandom; sleep 30", "-o", dir + "/x.rpcap",
                         "--timeout", "1" });
    LONGS_EQUAL_TEXT(4, r.code, show(r).c_str());
    CHECK_HAS(r.err, "device did not answer GetInfo within 1 s");
    CHECK_HAS(r.err, "deframer errors");
    CHECK_HAS(r.err, "baud");
}

TEST(CliFaults, InjectedGarbageIsCountedAndLossIsExact)
{
    std::string raw = dir + "/raw.bin", cap = dir + "/garbage.rpcap";
    std::string cmd = sim_bin() + " --quiet --autostart --events 25000 </dev/null >" + raw;
    LONGS_EQUAL(0, system(cmd.c_str()));
    off_t size = file_size(raw);
    CHECK(size > 100000);
    // Overwrite 40 bytes at five places after the Hello with a pattern
    // that holds no frame delimiter.
    int fd = open(raw.c_str(), O_WRONLY);
    CHECK(fd >= 0);
    for (int i = 1; i <= 5; i++) {
        uint8_t junk[40];
        for (size_t k = 0; k < sizeof junk; k++)
            junk[k] = (uint8_t)(0x5a + k * 13 + i) | 1;
        CHECK(pwrite(fd, junk, sizeof junk, size * i / 6) == (ssize_t)sizeof junk);
    }
    close(fd);
    Result r = capture({ "--from", "file:" + raw, "-o", cap, "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string deframer = after(r.out, "deframer   ");
    CHECK_TEXT(deframer.compare(0, 2, "0 ") != 0, r.out.c_str());
    CHECK_HAS(r.out, "check the baud rate");
    CaptureFacts f = read_capture(cap);
    // Each damaged spot costs the batch it hit: counted, never silent.
    CHECK(f.lost > 0);
    CHECK(f.events + f.lost >= 25000);
}

TEST(CliFaults, AFileReplayWithoutFramesFails)
{
    // Empty, text, or a capture file (not a link stream): nothing to
    // replay, said, exit 7; a file with frames replays (the test above).
    std::string text = dir + "/notes.txt", empty = dir + "/empty.bin", cap = dir + "/out.rpcap";
    FILE *f = fopen(text.c_str(), "w");
    CHECK(f != nullptr);
    fputs("not a link stream\n", f);
    fclose(f);
    f = fopen(empty.c_str(), "w");
    CHECK(f != nullptr);
    fclose(f);
    for (const std::string &in : { text, empty }) {
        Result r = capture({ "--from", "file:" + in, "-o", cap, "-q" });
        LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
        CHECK_HAS(r.err, "file:" + in + " held no rramprof frames");
    }
}

TEST(CliFaults, DeviceGoneMidCaptureClosesTheFileAndFails)
{
    std::string cap = dir + "/gone.rpcap";
    Proc sim;
    std::string where = start_listening_sim(sim, "tcp:0", "tcp");
    Proc p;
    CHECK(p.start({ rramprof_bin(), "capture", "--from", "tcp://" + where, "-o", cap, "-q" }));
    int64_t deadline = now_ms() + 20000;
    while (file_size(cap) < 100000 && now_ms() < deadline)
        p.pump(20);
    sim.signal(SIGKILL);
    int code = p.wait(20000);
    LONGS_EQUAL_TEXT(5, code, (p.out + p.err).c_str());
    CHECK_HAS(p.err, "the device went away in the middle of the capture");
    CHECK_HAS(p.out, "loss       link");
    Result r = info(cap);
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "integrity  complete");
}

TEST(CliFaults, NewBootThatRefusesOrIgnoresTheFollowedStartEndsTheCapture)
{
    // rp_reset_device reboots after its first Start; its new boot refuses
    // every Start (busy), or never answers one.
    std::string cap = dir + "/refused.rpcap";
    Result r = capture({ "--from", std::string("exec:") + RP_RESET_DEVICE_BIN + " refuse", "-o", cap,
                         "--follow-resets", "--timeout", "1", "-q" });
    LONGS_EQUAL_TEXT(8, r.code, show(r).c_str());
    CHECK_HAS(r.err, "the device refused Start after its reset: busy: still booting");
    CHECK(read_capture(cap).complete);
    cap = dir + "/ignored.rpcap";
    r = capture({ "--from", std::string("exec:") + RP_RESET_DEVICE_BIN + " silent", "-o", cap, "--follow-resets",
                  "--timeout", "1", "-q" });
    LONGS_EQUAL_TEXT(4, r.code, show(r).c_str());
    CHECK_HAS(r.err, "the device did not answer Start after its reset within 1 s");
    CHECK(read_capture(cap).complete);
}

TEST(CliFaults, ResetBeforeTheStartDoesNotEndTheCapture)
{
    // The device reboots between its GetInfo answer and the Start: the
    // Start reaches the new boot, so the capture runs its course.
    std::string cap = dir + "/early.rpcap";
    Result r = capture({ "--from", std::string("exec:") + RP_RESET_DEVICE_BIN + " early", "-o", cap, "--duration",
                         "0.3", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.err, "the device reset during the capture (watchdog)");
    CaptureFacts f = read_capture(cap);
    LONGS_EQUAL(2, f.segments);
    LONGS_EQUAL(1, f.watchdog_resets);
    // Its new boot's Hello says nothing of the boot before: the reset's
    // loss is a lower bound, and the summary says so.
    CHECK_HAS(r.out, "unsent at resets at least 0, total at least 0 events");
    CHECK_HAS(r.out, "(1 reset(s) without the old boot's counts in the new boot's Hello");
}

TEST(CliFaults, DeviceGoneJustAfterPeriodicCountersIsNotASessionEnd)
{
    // The stream stops right after the tenth periodic Counters (by then a
    // whole batch of 256 events has gone out): only the idle Heartbeat
    // after a session's final Counters says it ended.
    std::string cap = dir + "/cut.rpcap";
    std::string from = exec_sim("--counters-ms 1") + " | " + RP_FRAME_CUT_BIN + " 10";
    Result r = capture({ "--from", from, "-o", cap, "-q" });
    LONGS_EQUAL_TEXT(5, r.code, show(r).c_str());
    CHECK_HAS(r.err, "the device went away in the middle of the capture");
    CaptureFacts f = read_capture(cap);
    CHECK(f.complete);
    CHECK(f.events > 0);
}

TEST(CliFaults, FullDiskIsAnOutputError)
{
    Result r = capture({ "--from", exec_sim(""), "-o", "/dev/full", "--events", "100000", "-q" });
    LONGS_EQUAL_TEXT(6, r.code, show(r).c_str());
    CHECK_HAS(r.err, "/dev/full: No space left on device");
}

TEST(CliFaults, SmallFilesystemFillsUpMidCapture)
{
    // A 256 KiB tmpfs fills up after a few chunks: the capture stops with a
    // clear error and the file keeps every chunk that fitted.
    std::string mnt = dir + "/small";
    CHECK(mkdir(mnt.c_str(), 0755) == 0);
    int m = mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k");
    CHECK_TEXT(m == 0, "mounting a tmpfs needs root (the suite runs as root in CI)");
    mounted = mnt;
    std::string cap = mnt + "/full.rpcap";
    Result r = capture({ "--from", exec_sim(""), "-o", cap, "--events", "200000", "-q" });
    LONGS_EQUAL_TEXT(6, r.code, show(r).c_str());
    CHECK_HAS(r.err, "No space left on device");
    CHECK_HAS(r.err, "the file holds the frames written before the failure");
    Result i = info(cap);
    CHECK_TEXT(i.code == 0 || i.code == 7, show(i).c_str());
    CaptureFacts f = read_capture(cap);
    CHECK(f.events > 1000);
}

TEST(CliFaults, UnwritableOutputPathIsAnOutputError)
{
    Result r = capture({ "--from", exec_sim(""), "-o", dir + "/no/such/dir/x.rpcap", "--events", "10", "-q" });
    LONGS_EQUAL_TEXT(6, r.code, show(r).c_str());
    CHECK_HAS(r.err, "cannot create");
    CHECK_HAS(r.err, "No such file or directory");
}

TEST_GROUP(CliInfo)
{
    std::string dir, cap;
    void setup() override
    {
        dir = scratch_dir();
        cap = dir + "/good.rpcap";
        // Enough events for several file chunks (~6 bytes each on the
        // wire), so half the file holds whole chunks.
        Result r = capture({ "--from", exec_sim("--workload program"), "-o", cap, "--events", "40000", "-q" });
        LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    }

    std::string copy_cut(off_t len)
    {
        std::string out = dir + "/cut.rpcap";
        CHECK(write_file(out, read_file(cap).substr(0, (size_t)len)));
        return out;
    }
};

TEST(CliInfo, DescribesAGoodCapture)
{
    Result r = info(cap);
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "capture format 1.0, written by rramprof");
    CHECK_HAS(r.out, "integrity  complete");
    CHECK_HAS(r.out, "device     board sim");
    CHECK_HAS(r.out, "  WRITE ");
    CHECK_HAS(r.out, "  VERIFY ");
    CHECK_HAS(r.out, "loss       link 0, device 0, unsent at resets 0, total 0 events");
    CHECK_HAS(r.out, "workload   program:");
    CaptureFacts f = read_capture(cap);
    CHECK_HAS(r.out, "events     " + std::to_string(f.events) + " in ");
}

TEST(CliInfo, JsonCarriesTheSameNumbers)
{
    Result r = info(cap, true);
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = read_capture(cap);
    CHECK_HAS(r.out, "\"events\": " + std::to_string(f.events) + ",");
    CHECK_HAS(r.out, "\"WRITE\": {\"count\": " + std::to_string(f.ops[1]) + ",");
    CHECK_HAS(r.out, "\"loss\": {\"link\": 0, \"device\": 0, \"unsent\": 0, \"total\": 0");
    CHECK_HAS(r.out, "\"complete\": true");
    // What the text's array, timing, recorder, hardware and workloads
    // lines say (docs/cli.md: the same numbers).
    Result t = info(cap);
    CHECK_HAS(t.out, "2 ADC(s)/tile of 10 bits, 4-bit inputs, endurance 1000000 cycles");
    CHECK_HAS(r.out, "\"adcs_per_tile\": 2, \"adc_bits\": 10, \"input_bits\": 4, \"endurance_cycles\": 1000000,");
    CHECK_HAS(t.out, "write pulse 500.0 ns + setup 2.000 us (8 cols/pulse)");
    CHECK_HAS(r.out, "\"nominal_ps\": {\"write_pulse\": 500000, \"write_setup\": 2000000,");
    CHECK_HAS(t.out, "recorder   ring 1024 events, frames up to " + std::to_string(RP_FRAME_MAX_PAYLOAD) + " bytes");
    CHECK_HAS(r.out, "\"ring_capacity\": 1024, \"max_frame_payload\": " +
                         std::to_string(RP_FRAME_MAX_PAYLOAD) + ", \"counters_available\": 0,");
    CHECK_HAS(t.out, "workloads  program mlp scan solver");
    CHECK_HAS(r.out, "\"workloads\": [\"program\", \"mlp\", \"scan\", \"solver\"]");
    CHECK_HAS(r.out, "\"bytes_sent\": ");
    CHECK_EQUAL('{', r.out[0]);
    // A long path comes out whole (strings are cleaned to UTF-8 first).
    std::string deep = dir + "/" + std::string(200, 'd');
    CHECK(mkdir(deep.c_str(), 0755) == 0);
    CHECK(system(("cp " + cap + " " + deep + "/c.rpcap").c_str()) == 0);
    Result d = info(deep + "/c.rpcap", true);
    LONGS_EQUAL_TEXT(0, d.code, show(d).c_str());
    CHECK_HAS(d.out, "\"file\": \"" + deep + "/c.rpcap\",");
    CHECK_HAS(r.out, "\n}\n");
}

TEST(CliInfo, OutputThatCannotBeWrittenFails)
{
    // stdout on a full device: the summary is lost, so the command fails
    // and says why.
    for (const char *json : { "", " --json" }) {
        Result r = run_cmd({ "/bin/sh", "-c", rramprof_bin() + " info " + cap + json + " > /dev/full" }, kRunMs);
        LONGS_EQUAL_TEXT(6, r.code, show(r).c_str());
        CHECK_HAS(r.err, "writing to standard output failed: No space left on device");
    }
}

TEST(CliInfo, BytesAfterTheEndMarkerAreSaid)
{
    // Two captures concatenated: the first is read, the second would be
    // lost without a word; info, report and export say so and exit 7.
    std::string two = dir + "/two.rpcap";
    CHECK(system(("cat " + cap + " " + cap + " > " + two).c_str()) == 0);
    std::string size = std::to_string(file_size(cap));
    Result r = info(two);
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.err, "has " + size + " byte(s) after its end marker (byte " + size + "), not read");
    r = run_cmd({ rramprof_bin(), "report", two }, kRunMs);
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.out, "after the capture's end marker (byte " + size + ") were not read");
    r = run_cmd({ rramprof_bin(), "export", two, "-o", dir + "/two.json" }, kRunMs);
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.err, "has " + size + " byte(s) after its end marker, not read");
    // The capture alone is complete.
    LONGS_EQUAL(0, info(cap).code);
}

TEST(CliInfo, TruncatedCaptureIsDamagedButRecovered)
{
    off_t size = file_size(cap);
    std::string cut = copy_cut(size / 2 + 7);
    Result r = info(cut);
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.err, "is damaged");
    CHECK_HAS(r.err, "were recovered");
    CHECK_HAS(r.out, "integrity  INCOMPLETE");
    CaptureFacts f = read_capture(cut);
    CHECK(f.events > 1000);
}

TEST(CliInfo, CorruptChunkIsDamaged)
{
    std::string bad = copy_cut(file_size(cap));
    int fd = open(bad.c_str(), O_WRONLY);
    uint8_t x = 0xA5;
    CHECK(pwrite(fd, &x, 1, file_size(bad) / 3) == 1);
    close(fd);
    Result r = info(bad);
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.err, "is damaged");
}

TEST(CliInfo, BrokenHeaderMissingFileAndNonCaptures)
{
    std::string bad = copy_cut(file_size(cap));
    int fd = open(bad.c_str(), O_WRONLY);
    uint8_t x = 0xFF;
    CHECK(pwrite(fd, &x, 1, 20) == 1); // inside the header, after the magic
    close(fd);
    Result r = info(bad);
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.err, "header is missing or corrupt");

    r = info(dir + "/does-not-exist.rpcap");
    LONGS_EQUAL_TEXT(1, r.code, show(r).c_str());
    CHECK_HAS(r.err, "No such file or directory");

    std::string text = dir + "/notes.txt";
    CHECK(write_file(text, "these are not the frames you are looking for\n"));
    r = info(text);
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.err, "neither a capture file nor a recorded rramprof link stream");
}

TEST_GROUP(CliDemo){};

TEST(CliDemo, CapturesTheSimAndDescribesIt)
{
    std::string dir = scratch_dir() + "/demo/out";
    Result r = run_cmd({ rramprof_bin(), "demo", "-o", dir }, 120000);
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "== rramprof info " + dir + "/demo.rpcap");
    CHECK_HAS(r.out, "integrity  complete");
    CaptureFacts f = read_capture(dir + "/demo.rpcap");
    CHECK(f.complete);
    CHECK(f.events >= 200000);
    LONGS_EQUAL(0, f.lost);
}
