// rramprof against emulated hardware (see mock_board.h): `list` and
// `capture` through the real libserialport and libusb code paths, with the
// sim board behind a CDC-ACM tty and behind a USB vendor interface.
#include <CppUTest/TestHarness.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "cli_proc.h"
#include "mock_board.h"

using namespace clitest;

// GLib keeps process-lifetime allocations (type system, main context
// threads) that LeakSanitizer would otherwise report at exit.
extern "C" const char *__lsan_default_suppressions()
{
    return "leak:libglib-2.0\nleak:libgobject-2.0\nleak:libgio-2.0\nleak:libumockdev\n";
}

namespace {

bool has(const std::string &hay, const std::string &needle)
{
    return hay.find(needle) != std::string::npos;
}

std::string show(const Result &r)
{
    return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err;
}

#define CHECK_HAS(hay, needle) CHECK_TEXT(has(hay, needle), (std::string("missing '") + (needle) + "' in:\n" + (hay)).c_str())

// The line of `rramprof list` output that starts with uri.
std::string list_line(const std::string &out, const std::string &uri)
{
    size_t at = out.find("\n" + uri + " ");
    if (at == std::string::npos)
        return "";
    size_t end = out.find('\n', at + 1);
    return out.substr(at + 1, end - at - 1);
}

void check_truth(const std::string &cap, const std::string &truth, uint64_t at_least)
{
    uint64_t matched = 0;
    std::string diff = compare_truth(cap, truth, &matched);
    STRCMP_EQUAL("", diff.c_str());
    CHECK(matched >= at_least);
}

const char *const kUdevHint = "sudo cp host/udev/99-rramprof.rules /etc/udev/rules.d/ && sudo udevadm control --reload";

} // namespace

TEST_GROUP(UmockdevSerial)
{
    MockBoard *board = nullptr;
    std::string dir, truth;
    void setup() override
    {
        dir = scratch_dir();
        truth = dir + "/truth.csv";
        board = new MockBoard;
        STRCMP_EQUAL("", board->add_serial({ "--seed", "5", "--truth", truth }).c_str());
    }
    void teardown() override
    {
        delete board;
    }
};

TEST(UmockdevSerial, ListShowsThePortWithItsUsbIdentityAndProbesIt)
{
    Result r = board->rramprof({ "list" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string line = list_line(r.out, "serial:/dev/ttyACM0");
    CHECK_TEXT(!line.empty(), r.out.c_str());
    CHECK_HAS(line, "1209:0001");
    CHECK_HAS(line, "RPSER0001");
    CHECK_HAS(line, "rramprof sim serial");
    CHECK_HAS(line, "yes: board sim, firmware ");
    CHECK_HAS(r.out, "1 rramprof device(s)");
}

TEST(UmockdevSerial, CaptureThroughLibserialportMatchesTheTruth)
{
    std::string cap = dir + "/serial.rpcap";
    Result r = board->rramprof({ "capture", "--from", "serial:/dev/ttyACM0?baud=921600", "-o", cap, "--events",
                                 "20000" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "device     board sim");
    CHECK_HAS(r.out, "loss       link 0, device 0, unsent at resets 0, total 0 events");
    LONGS_EQUAL(0, board->finish_sims(20000)[0]);
    check_truth(cap, truth, 5000);
}

TEST(UmockdevSerial, WithoutFromTheOnlyDeviceIsUsed)
{
    std::string cap = dir + "/auto.rpcap";
    Result r = board->rramprof({ "capture", "-o", cap, "--events", "5000", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = read_capture(cap);
    CHECK(f.complete);
    CHECK(f.events >= 5000);
}

TEST(UmockdevSerial, PermissionDeniedPointsAtTheUdevRule)
{
    board->open_to_all();
    std::vector<std::string> argv = MockBoard::as_nobody();
    argv.push_back(rramprof_bin());
    std::vector<std::string> cap = argv;
    cap.insert(cap.end(), { "capture", "--from", "serial:/dev/ttyACM0", "-o", "/tmp/never-written.rpcap" });
    Result r = run_cmd(cap, 30000, board->env());
    LONGS_EQUAL_TEXT(3, r.code, show(r).c_str());
    CHECK_HAS(r.err, "cannot open serial:/dev/ttyACM0: permission denied");
    CHECK_HAS(r.err, kUdevHint);

    std::vector<std::string> list = argv;
    list.push_back("list");
    r = run_cmd(list, 30000, board->env());
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(list_line(r.out, "serial:/dev/ttyACM0"), "? permission denied");
    CHECK_HAS(r.out, kUdevHint);
}

TEST(UmockdevSerial, UnplugMidCaptureClosesTheFileAndFails)
{
    std::string cap = dir + "/unplug.rpcap";
    Proc p;
    CHECK(p.start({ rramprof_bin(), "capture", "--from", "serial:/dev/ttyACM0", "-o", cap, "-q" }, board->env()));
    int64_t deadline = now_ms() + 20000;
    while (file_size(cap) < 50000 && now_ms() < deadline)
        p.pump(20);
    CHECK_TEXT(file_size(cap) >= 50000, p.err.c_str());
    board->unplug_serial();
    LONGS_EQUAL_TEXT(5, p.wait(20000), (p.out + p.err).c_str());
    CHECK_HAS(p.err, "the device went away in the middle of the capture");
    CaptureFacts f = read_capture(cap);
    CHECK(f.complete);
    CHECK(f.events > 1000);
}

TEST_GROUP(UmockdevUsb)
{
    MockBoard *board = nullptr;
    std::string dir, truth;
    void setup() override
    {
        dir = scratch_dir();
        truth = dir + "/truth.csv";
        board = new MockBoard;
        STRCMP_EQUAL("", board->add_usb({ "--seed", "9", "--truth", truth }).c_str());
    }
    void teardown() override
    {
        delete board;
    }
};

TEST(UmockdevUsb, ListFindsTheVendorInterfaceAndProbesIt)
{
    Result r = board->rramprof({ "list" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string line = list_line(r.out, "usb:1209:0001/RPUSB0001");
    CHECK_TEXT(!line.empty(), r.out.c_str());
    CHECK_HAS(line, "rramprof sim (usb)");
    CHECK_HAS(line, "yes: board sim, firmware ");
}

TEST(UmockdevUsb, CaptureThroughLibusbBulkTransfersMatchesTheTruth)
{
    std::string cap = dir + "/usb.rpcap";
    Result r = board->rramprof({ "capture", "--from", "usb:1209:0001", "-o", cap, "--events", "20000" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "loss       link 0, device 0, unsent at resets 0, total 0 events");
    LONGS_EQUAL(0, board->finish_sims(20000)[1]);
    check_truth(cap, truth, 5000);
}

TEST(UmockdevUsb, PermissionDeniedPointsAtTheUdevRule)
{
    board->open_to_all();
    std::vector<std::string> argv = MockBoard::as_nobody();
    argv.push_back(rramprof_bin());
    std::vector<std::string> cap = argv;
    cap.insert(cap.end(), { "capture", "--from", "usb:1209:0001", "-o", "/tmp/never-written.rpcap" });
    Result r = run_cmd(cap, 30000, board->env());
    LONGS_EQUAL_TEXT(3, r.code, show(r).c_str());
    CHECK_HAS(r.err, "cannot open usb:1209:0001: permission denied");
    CHECK_HAS(r.err, kUdevHint);

    std::vector<std::string> list = argv;
    list.push_back("list");
    r = run_cmd(list, 30000, board->env());
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(list_line(r.out, "usb:1209:0001"), "? permission denied");
    CHECK_HAS(r.out, kUdevHint);
}

TEST(UmockdevUsb, SerialNumberSelectsTheDevice)
{
    Result r = board->rramprof({ "capture", "--from", "usb:1209:0001/RPUSB0001", "-o", dir + "/s.rpcap", "--events",
                                 "2000", "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    r = board->rramprof({ "capture", "--from", "usb:1209:0001/OTHER", "-o", dir + "/o.rpcap" });
    LONGS_EQUAL_TEXT(3, r.code, show(r).c_str());
    CHECK_HAS(r.err, "no USB device 1209:0001 serial OTHER");
}

TEST(UmockdevUsb, UnplugMidCaptureClosesTheFileAndFails)
{
    std::string cap = dir + "/unplug.rpcap";
    Proc p;
    CHECK(p.start({ rramprof_bin(), "capture", "--from", "usb:1209:0001", "-o", cap, "-q" }, board->env()));
    int64_t deadline = now_ms() + 20000;
    while (file_size(cap) < 50000 && now_ms() < deadline)
        p.pump(20);
    CHECK_TEXT(file_size(cap) >= 50000, p.err.c_str());
    board->unplug_usb();
    LONGS_EQUAL_TEXT(5, p.wait(20000), (p.out + p.err).c_str());
    CHECK_HAS(p.err, "the device went away in the middle of the capture");
    CaptureFacts f = read_capture(cap);
    CHECK(f.complete);
    CHECK(f.events > 1000);
}

TEST_GROUP(UmockdevBoth){};

TEST(UmockdevBoth, SeveralDevicesNeedFrom)
{
    MockBoard board;
    STRCMP_EQUAL("", board.add_serial().c_str());
    STRCMP_EQUAL("", board.add_usb().c_str());
    std::string dir = scratch_dir();
    Result r = board.rramprof({ "capture", "-o", dir + "/x.rpcap" });
    LONGS_EQUAL_TEXT(3, r.code, show(r).c_str());
    CHECK_HAS(r.err, "several rramprof devices are attached");
    CHECK_HAS(r.err, "serial:/dev/ttyACM0");
    CHECK_HAS(r.err, "usb:1209:0001/RPUSB0001");
    CHECK_HAS(r.err, "choose one with --from URI");
}
