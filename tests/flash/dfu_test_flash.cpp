// DfuSe flashing against an emulated bootloader (dfu_sim.h): rramprof's
// rp_flash_dfuse() (through dfu_driver) and Debian's dfu-util do their real
// libusb work on the same emulated device; the tests compare the device's
// memory with the image and check that every fault fails loudly.
#include <CppUTest/TestHarness.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dfu_sim.h"

using namespace dfutest;

// GLib keeps process-lifetime allocations (type system, main context
// threads) that LeakSanitizer would otherwise report at exit.
extern "C" const char *__lsan_default_suppressions()
{
    return "leak:libglib-2.0\nleak:libgobject-2.0\nleak:libgio-2.0\nleak:libumockdev\n";
}

extern char **environ;

namespace {

const uint32_t kBase = 0x08000000u;

struct Run {
    int code = -1;
    std::string out, err;
};

std::string slurp(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void remove_dir(const std::string &d)
{
    if (!d.empty() && system(("rm -rf '" + d + "'").c_str()) != 0)
        fprintf(stderr, "cannot remove %s\n", d.c_str());
}

std::string scratch()
{
    static int n = 0;
    const char *tmp = getenv("TMPDIR");
    std::string d = std::string(tmp ? tmp : "/tmp") + "/rp-dfu-test-" + std::to_string(getpid()) + "-" +
                    std::to_string(n++);
    std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
    return system(cmd.c_str()) == 0 ? d : "";
}

// Runs argv with extra environment; stdout/stderr collected through files.
Run run_child(const std::vector<std::string> &argv, const std::vector<std::string> &env, const std::string &dir,
        int timeout_ms = 60000)
{
    Run r;
    std::string out = dir + "/out.txt", err = dir + "/err.txt";
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        for (const std::string &kv : env)
            putenv(const_cast<char *>(kv.c_str()));
        std::vector<char *> a;
        for (const std::string &s : argv)
            a.push_back(const_cast<char *>(s.c_str()));
        a.push_back(nullptr);
        execvp(a[0], a.data());
        _exit(127);
    }
    int status = 0;
    for (int waited = 0;; waited += 10) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (waited >= timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            r.code = -1;
            r.err = "timeout\n";
            return r;
        }
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, nullptr);
    }
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

// Random bytes behind a vector table that leaving DFU can start when the
// image is written at kBase (stack pointer in RAM, Thumb reset vector
// inside the image); images of 16 bytes or more.
std::vector<uint8_t> random_image(uint32_t len, uint32_t seed)
{
    std::vector<uint8_t> b(len);
    uint32_t x = seed * 2654435761u + 1;
    for (uint8_t &c : b) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = (uint8_t)x;
    }
    const uint32_t head[2] = { 0x20020000u, kBase + 9u };
    for (unsigned i = 0; i < 8 && i < len; i++)
        b[i] = (uint8_t)(head[i / 4] >> (8 * (i % 4)));
    return b;
}

std::string write_bin(const std::string &dir, const std::string &name, const std::vector<uint8_t> &data)
{
    std::string path = dir + "/" + name;
    std::ofstream f(path, std::ios::binary);
    f.write((const char *)data.data(), (std::streamsize)data.size());
    return path;
}

std::string hexaddr(uint32_t a)
{
    char b[16];
    snprintf(b, sizeof b, "0x%08x", a);
    return b;
}

bool has(const std::string &hay, const std::string &needle)
{
    return hay.find(needle) != std::string::npos;
}

std::string show(const Run &r, DfuSim *sim)
{
    std::string t = sim->trace();
    if (t.size() > 3000)
        t = "..." + t.substr(t.size() - 3000);
    return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err + "\n--- device\n" +
           t;
}

#define CHECK_HAS(hay, needle) \
    CHECK_TEXT(has(hay, needle), (std::string("missing '") + (needle) + "' in:\n" + (hay)).c_str())

// First differing address of memory vs. data, or "".
std::string compare(DfuSim *sim, uint32_t addr, const std::vector<uint8_t> &data)
{
    std::vector<uint8_t> mem = sim->read(addr, (uint32_t)data.size());
    if (mem.size() != data.size())
        return "cannot read device memory at " + hexaddr(addr);
    for (size_t i = 0; i < data.size(); i++) {
        if (mem[i] != data[i]) {
            char b[96];
            snprintf(b, sizeof b, "device 0x%08x holds 0x%02x, image has 0x%02x", (unsigned)(addr + i), mem[i],
                     data[i]);
            return b;
        }
    }
    return "";
}

bool all_ff(DfuSim *sim, uint32_t addr, uint32_t len)
{
    for (uint8_t b : sim->read(addr, len))
        if (b != 0xff)
            return false;
    return true;
}

// The rp_flash_dfuse() driver against the emulated device.
Run driver(DfuSim *sim, const std::vector<std::string> &args, const std::string &dir)
{
    std::vector<std::string> argv = { RP_DFU_DRIVER };
    argv.insert(argv.end(), args.begin(), args.end());
    return run_child(argv, sim->env(), dir);
}

} // namespace

TEST_GROUP(FlashDfu)
{
    DfuSim *sim = nullptr;
    std::string dir;
    void setup() override
    {
        dir = scratch();
        CHECK(!dir.empty());
    }
    void start(const DfuSimConfig &cfg = DfuSimConfig())
    {
        sim = new DfuSim(cfg);
        sim->fill_pattern(7); // old firmware: writing without erasing fails
        STRCMP_EQUAL("", sim->plug().c_str());
    }
    void teardown() override
    {
        delete sim;
        remove_dir(dir);
    }
};

TEST(FlashDfu, LayoutStringIsTheStBootloaderOne)
{
    start();
    STRCMP_EQUAL("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", sim->layout().c_str());
}

TEST(FlashDfu, FlashesVerifiesAndLeavesAndTheMemoryHoldsTheImage)
{
    start();
    // 40 KiB: pages 0..2 (16 KiB each); page 3 must keep the old bytes.
    std::vector<uint8_t> image = random_image(40 * 1024, 1);
    std::vector<uint8_t> page3 = sim->read(kBase + 48 * 1024, 16 * 1024);
    std::string bin = write_bin(dir, "fw.bin", image);
    Run r = driver(sim, { bin + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    STRCMP_EQUAL("", compare(sim, kBase, image).c_str());
    CHECK_TEXT(all_ff(sim, kBase + 40 * 1024, 8 * 1024), "rest of the last page is not erased");
    STRCMP_EQUAL("", compare(sim, kBase + 48 * 1024, page3).c_str());
    LONGS_EQUAL(3, sim->erases());
    LONGS_EQUAL(20, sim->blocks_written());
    CHECK_TEXT(sim->left(), "device was not told to leave DFU mode");
    CHECK_HAS(r.out, "progress erase 49152/49152");
    CHECK_HAS(r.out, "progress write 40960/40960");
    CHECK_HAS(r.out, "progress verify 40960/40960");
    CHECK_HAS(r.out, "@Internal Flash");
    CHECK_HAS(r.out, "ok\n");
}

TEST(FlashDfu, TwoSegmentsInDifferentPagesWithNoStart)
{
    start();
    std::vector<uint8_t> a = random_image(3000, 2), b = random_image(70000, 3);
    // b starts inside the 64 KiB page and runs into the first 128 KiB one.
    uint32_t b_at = kBase + 0x10000 + 0x100;
    Run r = driver(sim,
                   { "--no-start", write_bin(dir, "a.bin", a) + "@" + hexaddr(kBase),
                     write_bin(dir, "b.bin", b) + "@" + hexaddr(b_at) },
                   dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    STRCMP_EQUAL("", compare(sim, kBase, a).c_str());
    STRCMP_EQUAL("", compare(sim, b_at, b).c_str());
    LONGS_EQUAL(3, sim->erases()); // 16 KiB page 0, the 64 KiB page, the first 128 KiB page
    CHECK_FALSE(sim->left());
    LONGS_EQUAL(kDfuIdle, sim->state());
}

TEST(FlashDfu, PagesGivenInBytesAndASmallTransferSize)
{
    DfuSimConfig cfg;
    cfg.runs = { { 8, 512, 'g' }, { 4, 2048, 'g' } }; // "08*512 g,04*002Kg"
    cfg.xfer = 256;
    start(cfg);
    std::vector<uint8_t> image = random_image(5000, 15);
    std::vector<uint8_t> tail = sim->read(kBase + 6144, 2048);
    Run r = driver(sim, { "--no-start", write_bin(dir, "fw.bin", image) + "@" + hexaddr(kBase + 100) }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    CHECK_HAS(sim->layout(), "/08*512 g,04*002Kg");
    STRCMP_EQUAL("", compare(sim, kBase + 100, image).c_str());
    STRCMP_EQUAL("", compare(sim, kBase + 6144, tail).c_str()); // last 2 KiB page not touched
    LONGS_EQUAL(8 + 1, sim->erases());                            // 8 small pages, one 2 KiB page
    LONGS_EQUAL(20, sim->blocks_written());                       // ceil(5000 / 256)
}

TEST(FlashDfu, DryRunOpensNothing)
{
    start();
    std::vector<uint8_t> before = sim->read(kBase, 4096);
    Run r = driver(sim, { "--dry-run", write_bin(dir, "fw.bin", random_image(4096, 4)) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    CHECK_HAS(r.out, "dry run");
    STRCMP_EQUAL("", compare(sim, kBase, before).c_str());
    STRCMP_EQUAL("", sim->trace().c_str());
}

TEST(FlashDfu, DryRunChecksTheBoardFlashRange)
{
    start();
    Run r = driver(sim,
                   { "--dry-run", "--flash", "0x08000000:0x4000",
                     write_bin(dir, "fw.bin", random_image(0x4001, 4)) + "@" + hexaddr(kBase) },
                   dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "image does not fit");
    CHECK_HAS(r.err, "0x08000000..0x08003fff");
    STRCMP_EQUAL("", sim->trace().c_str());
}

TEST(FlashDfu, DeviceLeftInErrorStateIsClearedFirst)
{
    start();
    // A previous tool left the device in dfuERROR (CLRSTATUS in dfuIDLE stalls).
    uint8_t setup[8] = { 0x21, 4, 0, 0, 0, 0, 0, 0 };
    LONGS_EQUAL(-EPIPE, sim->control(setup, nullptr, 0));
    LONGS_EQUAL(kDfuError, sim->state());
    std::vector<uint8_t> image = random_image(5000, 5);
    Run r = driver(sim, { write_bin(dir, "fw.bin", image) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    STRCMP_EQUAL("", compare(sim, kBase, image).c_str());
}

// --- faults: a clear message, a failure exit, nothing claimed done -------

TEST(FlashDfu, DeviceVanishingMidWriteFails)
{
    DfuSimConfig cfg;
    cfg.vanish_after_blocks = 5;
    start(cfg);
    std::vector<uint8_t> image = random_image(40 * 1024, 6);
    Run r = driver(sim, { write_bin(dir, "fw.bin", image) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "vanished during write at 0x08002800");
    CHECK_HAS(r.err, "incomplete");
    CHECK_FALSE(has(r.out, "ok\n"));
    LONGS_EQUAL(5, sim->blocks_written());
    CHECK(!compare(sim, kBase, image).empty());
}

TEST(FlashDfu, ImageLargerThanTheFlashIsRefusedBeforeAnyChange)
{
    DfuSimConfig cfg;
    cfg.runs = { { 4, 1024, 'g' } }; // a 4 KiB part
    start(cfg);
    std::vector<uint8_t> before = sim->read(kBase, 4096);
    Run r = driver(sim, { write_bin(dir, "fw.bin", random_image(8192, 7)) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "image does not fit: 0x08001000");
    CHECK_HAS(r.err, "0x08000000..0x08000fff");
    CHECK_HAS(r.err, "nothing was written");
    LONGS_EQUAL(0, sim->erases());
    LONGS_EQUAL(0, sim->blocks_written());
    STRCMP_EQUAL("", compare(sim, kBase, before).c_str());
}

TEST(FlashDfu, ReadOnlyPagesInTheLayoutAreRefusedBeforeAnyChange)
{
    DfuSimConfig cfg;
    cfg.runs = { { 2, 16 * 1024, 'g' }, { 2, 16 * 1024, 'a' } };
    start(cfg);
    std::vector<uint8_t> before = sim->read(kBase, 64 * 1024);
    // Starts in writable pages, ends in a read-only one.
    Run r = driver(sim, { write_bin(dir, "fw.bin", random_image(40 * 1024, 8)) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "page 0x08008000");
    CHECK_HAS(r.err, "write-protected");
    LONGS_EQUAL(0, sim->erases());
    STRCMP_EQUAL("", compare(sim, kBase, before).c_str());
}

TEST(FlashDfu, ErrWriteOnAProtectedPageIsReportedAndCleared)
{
    DfuSimConfig cfg;
    cfg.protected_page = kBase + 0x4000; // page 1: protected by option bytes, not by the layout
    start(cfg);
    Run r = driver(sim, { write_bin(dir, "fw.bin", random_image(40 * 1024, 9)) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "errWRITE");
    CHECK_HAS(r.err, "during erase at 0x08004000");
    CHECK_FALSE(sim->left());
    LONGS_EQUAL(kDfuIdle, sim->state()); // CLRSTATUS after the error
    LONGS_EQUAL(0, sim->blocks_written());
}

TEST(FlashDfu, ErrProgOnABlockIsReported)
{
    DfuSimConfig cfg;
    cfg.errprog_block = 3;
    start(cfg);
    Run r = driver(sim, { write_bin(dir, "fw.bin", random_image(16 * 1024, 10)) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "errPROG");
    CHECK_HAS(r.err, "during write at 0x08001800");
    CHECK_FALSE(sim->left());
}

TEST(FlashDfu, ReadBackMismatchFailsVerify)
{
    DfuSimConfig cfg;
    cfg.corrupt_read = kBase + 0x1234;
    start(cfg);
    Run r = driver(sim, { write_bin(dir, "fw.bin", random_image(8192, 11)) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "verify failed at 0x08001234");
    CHECK_FALSE(sim->left()); // never started after a failed verify
}

// Leaving DFU jumps through the image's first two words: an image that
// has no vector table at its first address is refused before the device
// is touched, unless --no-start.
TEST(FlashDfu, ImageLeaveCannotStartIsRefusedUnlessNoStart)
{
    start();
    std::vector<uint8_t> image = random_image(5000, 16);
    std::string at = write_bin(dir, "fw.bin", image) + "@" + hexaddr(kBase + 0x200);
    Run r = driver(sim, { at }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "cannot start the image on leaving DFU: its reset vector 0x08000009 is not a Thumb address "
                     "inside the image; nothing was written");
    LONGS_EQUAL(0, sim->erases());
    LONGS_EQUAL(0, sim->blocks_written());
    r = driver(sim, { "--no-start", at }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    STRCMP_EQUAL("", compare(sim, kBase + 0x200, image).c_str());
    CHECK_FALSE(sim->left());
}

TEST(FlashDfu, RefusedLeaveIsAFailure)
{
    DfuSimConfig cfg;
    cfg.refuse_leave = true;
    start(cfg);
    std::vector<uint8_t> image = random_image(4096, 13);
    Run r = driver(sim, { write_bin(dir, "fw.bin", image) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "errSTALLEDPKT");
    CHECK_HAS(r.err, "during leave");
    CHECK_FALSE(sim->left());
    STRCMP_EQUAL("", compare(sim, kBase, image).c_str()); // written and verified, but not started
}

TEST(FlashDfu, WaitsTheBusyTimeTheDeviceAsksFor)
{
    DfuSimConfig cfg;
    cfg.poll_ms = 15;
    start(cfg);
    std::vector<uint8_t> image = random_image(6000, 14);
    Run r = driver(sim, { write_bin(dir, "fw.bin", image) + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    STRCMP_EQUAL("", compare(sim, kBase, image).c_str());
    LONGS_EQUAL(0, sim->early_polls());
}

TEST(FlashDfu, NoSuchDeviceSaysWhich)
{
    start();
    std::string bin = write_bin(dir, "fw.bin", random_image(64, 12));
    Run r = driver(sim, { "--port", "usb:1234:5678", bin + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(1, r.code, show(r, sim).c_str());
    CHECK_HAS(r.err, "no USB device 1234:5678 found");
}

// --- dfu-util against the same emulated device ----------------------------

#ifdef RP_DFU_UTIL
TEST_GROUP(FlashDfuUtil)
{
    DfuSim *sim = nullptr;
    std::string dir;
    void setup() override
    {
        dir = scratch();
        sim = new DfuSim;
        sim->fill_pattern(3);
        STRCMP_EQUAL("", sim->plug().c_str());
    }
    void teardown() override
    {
        delete sim;
        remove_dir(dir);
    }
};

TEST(FlashDfuUtil, DfuUtilFlashesTheEmulatedDevice)
{
    std::vector<uint8_t> image = random_image(40 * 1024 + 100, 21);
    std::string bin = write_bin(dir, "fw.bin", image);
    Run r = run_child({ RP_DFU_UTIL, "-a", "0", "-s", "0x08000000:leave", "-D", bin }, sim->env(), dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    CHECK_HAS(r.out, "File downloaded successfully");
    STRCMP_EQUAL("", compare(sim, kBase, image).c_str());
    LONGS_EQUAL(3, sim->erases()); // 16 KiB pages 0..2
    CHECK_TEXT(sim->left(), "dfu-util did not make the device leave");
}

TEST(FlashDfuUtil, DfuUtilAlsoFailsOnTheInjectedErrWrite)
{
    // The fault is a property of the emulated device, not of rramprof:
    // another implementation must run into it as well.
    delete sim;
    DfuSimConfig cfg;
    cfg.protected_page = kBase + 0x4000;
    sim = new DfuSim(cfg);
    STRCMP_EQUAL("", sim->plug().c_str());
    std::string bin = write_bin(dir, "fw.bin", random_image(40 * 1024, 23));
    Run r = run_child({ RP_DFU_UTIL, "-a", "0", "-s", "0x08000000:leave", "-D", bin }, sim->env(), dir);
    CHECK_TEXT(r.code != 0, show(r, sim).c_str());
    CHECK_HAS(r.err, "ERASE_PAGE not correctly executed"); // dfu-util 0.11's words
    CHECK_FALSE(sim->left());
}

TEST(FlashDfuUtil, DfuUtilAndRramprofWriteTheSameMemory)
{
    // The same image through both tools, on two fresh devices with the
    // same old content: the whole flash must end up identical.
    std::vector<uint8_t> image = random_image(20000, 22);
    std::string bin = write_bin(dir, "fw.bin", image);
    Run r = run_child({ RP_DFU_UTIL, "-a", "0", "-s", "0x08000000:leave", "-D", bin }, sim->env(), dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    std::vector<uint8_t> by_dfu_util = sim->read(kBase, sim->size());

    DfuSim other;
    other.fill_pattern(3);
    STRCMP_EQUAL("", other.plug().c_str());
    Run d = driver(&other, { bin + "@" + hexaddr(kBase) }, dir);
    LONGS_EQUAL_TEXT(0, d.code, show(d, &other).c_str());
    STRCMP_EQUAL("", compare(&other, kBase, by_dfu_util).c_str());
}
#endif

// --- `rramprof flash --method dfu` ----------------------------------------

#ifdef RP_RRAMPROF
namespace {

Run rramprof_flash(DfuSim *sim, const std::vector<std::string> &args, const std::string &dir)
{
    std::vector<std::string> argv = { RP_RRAMPROF, "flash", "--method", "dfu", "--port", "usb:0483:df11" };
    argv.insert(argv.end(), args.begin(), args.end());
    return run_child(argv, sim->env(), dir);
}

} // namespace

TEST_GROUP(FlashDfuCli)
{
    DfuSim *sim = nullptr;
    std::string dir;
    void setup() override
    {
        dir = scratch();
    }
    void start(const DfuSimConfig &cfg = DfuSimConfig())
    {
        sim = new DfuSim(cfg);
        sim->fill_pattern(9);
        STRCMP_EQUAL("", sim->plug().c_str());
    }
    void teardown() override
    {
        delete sim;
        remove_dir(dir);
    }
};

TEST(FlashDfuCli, FlashesABinAndTheMemoryHoldsIt)
{
    start();
    std::vector<uint8_t> image = random_image(33000, 31);
    Run r = rramprof_flash(sim, { "--address", "0x08000000", write_bin(dir, "fw.bin", image) }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    CHECK_HAS(r.out, "33000 bytes written, verified, started");
    STRCMP_EQUAL("", compare(sim, kBase, image).c_str());
    CHECK(sim->left());
}

TEST(FlashDfuCli, DryRunTouchesNothing)
{
    start();
    std::vector<uint8_t> before = sim->read(kBase, 4096);
    std::string bin = write_bin(dir, "fw.bin", random_image(4096, 32));
    Run r = rramprof_flash(sim, { "--dry-run", "--address", "0x08000000", bin }, dir);
    LONGS_EQUAL_TEXT(0, r.code, show(r, sim).c_str());
    CHECK_HAS(r.out, "dfu");
    STRCMP_EQUAL("", sim->trace().c_str());
    STRCMP_EQUAL("", compare(sim, kBase, before).c_str());
}

TEST(FlashDfuCli, FaultsExitWithTheirCodeAndNoSuccessLine)
{
    struct Case {
        const char *what;
        DfuSimConfig cfg;
        int code;
        const char *message;
    };
    std::vector<Case> cases(4);
    cases[0] = { "vanish", DfuSimConfig(), 5, "vanished during write" };
    cases[0].cfg.vanish_after_blocks = 3;
    cases[1] = { "tiny", DfuSimConfig(), 10, "image does not fit" };
    cases[1].cfg.runs = { { 4, 1024, 'g' } };
    cases[2] = { "errWRITE", DfuSimConfig(), 8, "errWRITE" };
    cases[2].cfg.protected_page = kBase;
    cases[3] = { "verify", DfuSimConfig(), 11, "verify failed at 0x08000010" };
    cases[3].cfg.corrupt_read = kBase + 0x10;
    std::string bin = write_bin(dir, "fw.bin", random_image(8192, 33));
    for (Case &c : cases) {
        start(c.cfg);
        Run r = rramprof_flash(sim, { "--address", "0x08000000", bin }, dir);
        std::string ctx = std::string(c.what) + ": " + show(r, sim);
        LONGS_EQUAL_TEXT(c.code, r.code, ctx.c_str());
        CHECK_TEXT(has(r.err, c.message), ctx.c_str());
        CHECK_TEXT(!has(r.out, "verified"), ctx.c_str());
        CHECK_FALSE(sim->left());
        delete sim;
        sim = nullptr;
    }
}
#endif
