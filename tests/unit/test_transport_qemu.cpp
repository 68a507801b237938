// Unit tests of the qemu: transport (tp_qemu.c): the URI parser, and the
// process handling against stand-in "QEMU" scripts (bash, connecting to the
// port named in their -chardev argument), so no emulator is needed. The
// real QEMU is exercised by tests/integration/qemu_board.cmake.
#include <CppUTest/TestHarness.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

extern "C" {
#include "rramprof/rp_transport.h"
}

namespace {

int64_t now_ms()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int parse(const char *uri, rp_qemu_uri_t *u, std::string *err = nullptr)
{
    char e[256];
    int rc = rp_transport_parse_qemu(uri, u, e, sizeof e);
    if (err)
        *err = e;
    return rc;
}

std::string read_file(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// Entries of dir other than . and .. (-1 if it cannot be read).
int count_entries(const std::string &dir)
{
    DIR *d = opendir(dir.c_str());
    if (!d)
        return -1;
    int n = 0;
    while (struct dirent *e = readdir(d))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

void remove_tree(const std::string &dir)
{
    std::string cmd = "rm -rf '" + dir + "'";
    if (system(cmd.c_str()) != 0)
        fprintf(stderr, "could not remove %s\n", dir.c_str());
}

bool alive(long pid)
{
    return pid > 0 && kill((pid_t)pid, 0) == 0;
}

} // namespace

TEST_GROUP(QemuUri){};

TEST(QemuUri, MachineKernelCpuAndQemuAreParsed)
{
    rp_qemu_uri_t u;
    LONGS_EQUAL(RP_OK, parse("qemu:mps2-an386?kernel=/fw/a.elf&cpu=cortex-m4&qemu=/opt/q/qemu-system-arm", &u));
    STRCMP_EQUAL("mps2-an386", u.machine);
    STRCMP_EQUAL("/fw/a.elf", u.kernel);
    STRCMP_EQUAL("cortex-m4", u.cpu);
    STRCMP_EQUAL("/opt/q/qemu-system-arm", u.qemu);
}

TEST(QemuUri, ParametersInAnyOrderAndOptionalOnesEmpty)
{
    rp_qemu_uri_t u;
    LONGS_EQUAL(RP_OK, parse("qemu:netduinoplus2?cpu=cortex-m4&kernel=b.elf", &u));
    STRCMP_EQUAL("netduinoplus2", u.machine);
    STRCMP_EQUAL("b.elf", u.kernel);
    STRCMP_EQUAL("cortex-m4", u.cpu);
    STRCMP_EQUAL("", u.qemu);
    LONGS_EQUAL(RP_OK, parse("qemu:mps2-an386?kernel=x.elf", &u));
    STRCMP_EQUAL("", u.cpu);
}

TEST(QemuUri, PercentEscapesAreDecoded)
{
    rp_qemu_uri_t u;
    LONGS_EQUAL(RP_OK, parse("qemu:m?kernel=/a%26b/c%25d%3fe.elf", &u));
    STRCMP_EQUAL("/a&b/c%d?e.elf", u.kernel);
}

TEST(QemuUri, MalformedUrisSayWhatIsWrong)
{
    rp_qemu_uri_t u;
    std::string err;
    struct Case {
        const char *uri;
        const char *says;
    } cases[] = {
        { "qemu:", "machine" },
        { "qemu:?kernel=a.elf", "machine" },
        { "qemu:mps2-an386", "firmware" },
        { "qemu:mps2-an386?cpu=cortex-m4", "firmware" },
        { "qemu:m?kernel=a&kernel=b", "twice" },
        { "qemu:m?kernel=", "empty" },
        { "qemu:m?kernel=a&bogus=1", "unknown parameter 'bogus'" },
        { "qemu:m?kernel", "KEY=VALUE" },
        { "qemu:m?kernel=a%2", "escape" },
        { "qemu:m?kernel=a%zz", "escape" },
        { "qemu:m?kernel=a%00", "escape" },
        { "qemu:-S?kernel=a", "bad machine" },
        { "qemu:m,accel=kvm?kernel=a", "bad machine" },
        { "qemu:m?kernel=a&cpu=max,x=y", "bad cpu" },
        { "tcp://m", "not a qemu" },
    };
    for (const Case &c : cases) {
        LONGS_EQUAL_TEXT(RP_TRANSPORT_ERR_SCHEME, parse(c.uri, &u, &err), c.uri);
        CHECK_TEXT(err.find(c.says) != std::string::npos, (std::string(c.uri) + " -> " + err).c_str());
    }
}

TEST(QemuUri, TooLongValuesAreRejected)
{
    rp_qemu_uri_t u;
    std::string uri = "qemu:m?kernel=" + std::string(5000, 'a');
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, parse(uri.c_str(), &u));
    uri = "qemu:" + std::string(100, 'm') + "?kernel=a";
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, parse(uri.c_str(), &u));
}

// ---- the process, against stand-in QEMU scripts ----

TEST_GROUP(QemuProcess)
{
    std::string dir;     // scratch: scripts, the firmware file, TMPDIR
    std::string tmpdir;  // what the transport gets as TMPDIR
    std::string elf;
    std::string saved_tmpdir, saved_qemu;
    bool had_tmpdir = false, had_qemu = false;

    void setup() override
    {
        char tmpl[] = "/tmp/rp-qemu-test-XXXXXX";
        CHECK(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        tmpdir = dir + "/tmp";
        CHECK(mkdir(tmpdir.c_str(), 0700) == 0);
        elf = dir + "/fw.elf";
        std::ofstream(elf) << "not really an ELF";
        const char *t = getenv("TMPDIR");
        had_tmpdir = t != nullptr;
        saved_tmpdir = t ? t : "";
        const char *q = getenv("RRAMPROF_QEMU");
        had_qemu = q != nullptr;
        saved_qemu = q ? q : "";
        setenv("TMPDIR", tmpdir.c_str(), 1);
        unsetenv("RRAMPROF_QEMU");
    }
    void teardown() override
    {
        if (had_tmpdir)
            setenv("TMPDIR", saved_tmpdir.c_str(), 1);
        else
            unsetenv("TMPDIR");
        if (had_qemu)
            setenv("RRAMPROF_QEMU", saved_qemu.c_str(), 1);
        else
            unsetenv("RRAMPROF_QEMU");
        remove_tree(dir);
    }

    // A stand-in QEMU: `body` runs in bash after $port is taken from the
    // -chardev argument and the arguments are saved to DIR/args.
    std::string script(const char *name, const std::string &body)
    {
        std::string path = dir + "/" + name;
        std::ofstream f(path);
        f << "#!/bin/bash\n"
             "printf '%s\\n' \"$@\" > '" << dir << "/args'\n"
             "port=\n"
             "for a in \"$@\"; do case $a in socket,*port=*) p=${a#*port=}; port=${p%%,*};; esac; done\n"
          << body << "\n";
        f.close();
        chmod(path.c_str(), 0755);
        return path;
    }

    std::string uri_for(const std::string &qemu, const char *extra = "&cpu=cortex-m4")
    {
        return "qemu:mps2-an386?kernel=" + elf + extra + "&qemu=" + qemu;
    }

    int open_uri(const std::string &uri, rp_transport_t **t, std::string *detail)
    {
        char d[RP_TRANSPORT_DETAIL_MAX];
        int rc = rp_transport_open(uri.c_str(), t, d, sizeof d);
        *detail = d;
        return rc;
    }
};

TEST(QemuProcess, EchoingQemuMovesBytesAndCloseCleansUp)
{
    std::string q = script("echo-qemu", "exec 3<>/dev/tcp/127.0.0.1/$port || exit 9\ncat <&3 >&3");
    rp_transport_t *t = nullptr;
    std::string detail;
    LONGS_EQUAL_TEXT(RP_OK, open_uri(uri_for(q), &t, &detail), detail.c_str());
    STRCMP_EQUAL("qemu", rp_transport_scheme(t));
    long pid = rp_transport_child_pid(t);
    CHECK(alive(pid));
    LONGS_EQUAL(1, count_entries(tmpdir));   // the private directory

    const uint8_t msg[] = "ping over the emulated UART";
    LONGS_EQUAL((int)sizeof msg, rp_transport_write(t, msg, sizeof msg, 1000));
    std::string got;
    int64_t deadline = now_ms() + 3000;
    while (got.size() < sizeof msg && now_ms() < deadline) {
        uint8_t buf[256];
        int n = rp_transport_read(t, buf, sizeof buf, 50);
        CHECK(n >= 0);
        got.append((const char *)buf, (size_t)n);
    }
    LONGS_EQUAL(sizeof msg, got.size());
    MEMCMP_EQUAL(msg, got.data(), sizeof msg);

    // The command line QEMU got.
    std::string args = read_file(dir + "/args");
    CHECK(args.find("-M\nmps2-an386\n") != std::string::npos);
    CHECK(args.find("-cpu\ncortex-m4\n") != std::string::npos);
    CHECK(args.find("-icount\nshift=0,sleep=off\n") != std::string::npos);
    CHECK(args.find("-serial\nchardev:rp0\n") != std::string::npos);
    CHECK(args.find("-kernel\n" + elf + "\n") != std::string::npos);
    CHECK(args.find("host=127.0.0.1,port=") != std::string::npos);
    CHECK(args.find(tmpdir + "/rramprof-qemu-") != std::string::npos);

    rp_transport_close(t);
    CHECK(!alive(pid));                      // reaped: not even a zombie
    LONGS_EQUAL(0, count_entries(tmpdir));   // directory removed
}

TEST(QemuProcess, NoCpuParameterMeansNoCpuArgument)
{
    std::string q = script("echo-qemu", "exec 3<>/dev/tcp/127.0.0.1/$port || exit 9\ncat <&3 >&3");
    rp_transport_t *t = nullptr;
    std::string detail;
    LONGS_EQUAL_TEXT(RP_OK, open_uri(uri_for(q, ""), &t, &detail), detail.c_str());
    rp_transport_close(t);
    CHECK(read_file(dir + "/args").find("-cpu") == std::string::npos);
}

TEST(QemuProcess, CloseKillsAQemuThatIgnoresSigterm)
{
    std::string q = script("stubborn-qemu",
                           "trap '' TERM\nexec 3<>/dev/tcp/127.0.0.1/$port || exit 9\n"
                           "while :; do sleep 0.05; done");
    rp_transport_t *t = nullptr;
    std::string detail;
    LONGS_EQUAL_TEXT(RP_OK, open_uri(uri_for(q), &t, &detail), detail.c_str());
    long pid = rp_transport_child_pid(t);
    int64_t t0 = now_ms();
    rp_transport_close(t);
    int64_t took = now_ms() - t0;
    CHECK_TEXT(took >= 900 && took < 3000, std::to_string(took).c_str());   // SIGTERM, 1 s, SIGKILL
    CHECK(!alive(pid));
    LONGS_EQUAL(0, count_entries(tmpdir));
}

TEST(QemuProcess, QemuThatLeavesAfterConnectingIsEofWithItsStatus)
{
    std::string q = script("short-qemu",
                           "exec 3<>/dev/tcp/127.0.0.1/$port || exit 9\nprintf 'bye' >&3\n"
                           "echo 'last words of the emulator' >&2\nexit 4");
    rp_transport_t *t = nullptr;
    std::string detail;
    LONGS_EQUAL_TEXT(RP_OK, open_uri(uri_for(q), &t, &detail), detail.c_str());
    int rc = 0;
    std::string got;
    int64_t deadline = now_ms() + 3000;
    while (now_ms() < deadline) {
        uint8_t buf[64];
        rc = rp_transport_read(t, buf, sizeof buf, 50);
        if (rc < 0)
            break;
        got.append((const char *)buf, (size_t)rc);
    }
    STRCMP_EQUAL("bye", got.c_str());
    LONGS_EQUAL(RP_TRANSPORT_ERR_CLOSED, rc);
    std::string d = rp_transport_detail(t);
    CHECK_TEXT(d.find("exited with status 4") != std::string::npos, d.c_str());
    CHECK_TEXT(d.find("last words of the emulator") != std::string::npos, d.c_str());
    rp_transport_close(t);
    LONGS_EQUAL(0, count_entries(tmpdir));
}

TEST(QemuProcess, EarlyExitReportsTheLastLineOfItsOutput)
{
    std::string q = script("failing-qemu",
                           "echo 'first line' >&2\n"
                           "echo 'qemu-system-arm: -kernel: could not load kernel' >&2\nexit 1");
    rp_transport_t *t = nullptr;
    std::string detail;
    LONGS_EQUAL(RP_ERR_IO, open_uri(uri_for(q), &t, &detail));
    POINTERS_EQUAL(nullptr, t);
    CHECK_TEXT(detail.find("exited with status 1 before connecting its UART: qemu-system-arm: -kernel: could not "
                           "load kernel") != std::string::npos,
               detail.c_str());
    LONGS_EQUAL(0, count_entries(tmpdir));
}

TEST(QemuProcess, CrashReportsQemusOwnLineNotTheRegisterDump)
{
    // What qemu-system-arm prints when an image locks up the core at reset
    // (an image for another board, say): its reason, then a register dump
    // that is longer than the last 2 KB of output once was.
    std::string dump;
    for (int i = 0; i < 60; i++)
        dump += "echo 'R" + std::to_string(i) + "=00000000 R01=00000000 R02=00000000 R03=00000000' >&2\n";
    std::string q = script("lockup-qemu",
                           "echo 'firmware says hello' >&2\n"
                           "echo \"qemu: fatal: Lockup: can't escalate 3 to HardFault (current priority -1)\" >&2\n" +
                               dump + "echo 'FPSCR: 00000000' >&2\nkill -ABRT $$");
    rp_transport_t *t = nullptr;
    std::string detail;
    LONGS_EQUAL(RP_ERR_IO, open_uri(uri_for(q), &t, &detail));
    CHECK_TEXT(detail.find("was killed by signal 6 before connecting its UART: qemu: fatal: Lockup: can't escalate 3 "
                           "to HardFault") != std::string::npos,
               detail.c_str());
    LONGS_EQUAL(0, count_entries(tmpdir));
}

TEST(QemuProcess, MissingFirmwareIsNotFound)
{
    std::string q = script("echo-qemu", "exit 0");
    rp_transport_t *t = nullptr;
    std::string detail;
    std::string uri = "qemu:mps2-an386?kernel=" + dir + "/missing.elf&qemu=" + q;
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_uri(uri, &t, &detail));
    CHECK_TEXT(detail.find(dir + "/missing.elf") != std::string::npos, detail.c_str());
    CHECK_TEXT(detail.find("No such file") != std::string::npos, detail.c_str());
    LONGS_EQUAL(0, count_entries(tmpdir));
}

TEST(QemuProcess, MissingQemuSaysHowToInstallIt)
{
    rp_transport_t *t = nullptr;
    std::string detail;
    // Named in the URI, in $RRAMPROF_QEMU, and absent from $PATH.
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_uri(uri_for("/nonexistent/qemu-system-arm"), &t, &detail));
    CHECK_TEXT(detail.find("/nonexistent/qemu-system-arm") != std::string::npos, detail.c_str());
    CHECK_TEXT(detail.find("apt-get install qemu-system-arm") != std::string::npos, detail.c_str());

    setenv("RRAMPROF_QEMU", "/nonexistent/q", 1);
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_uri("qemu:mps2-an386?kernel=" + elf, &t, &detail));
    CHECK_TEXT(detail.find("/nonexistent/q") != std::string::npos, detail.c_str());
    CHECK_TEXT(detail.find("apt-get install qemu-system-arm") != std::string::npos, detail.c_str());
    unsetenv("RRAMPROF_QEMU");

    std::string path = getenv("PATH") ? getenv("PATH") : "";
    setenv("PATH", dir.c_str(), 1);   // holds no qemu-system-arm
    int rc = open_uri("qemu:mps2-an386?kernel=" + elf, &t, &detail);
    setenv("PATH", path.c_str(), 1);
    LONGS_EQUAL(RP_ERR_NOT_FOUND, rc);
    CHECK_TEXT(detail.find("qemu-system-arm is not installed") != std::string::npos, detail.c_str());
    CHECK_TEXT(detail.find("apt-get install qemu-system-arm") != std::string::npos, detail.c_str());
    LONGS_EQUAL(0, count_entries(tmpdir));
}

TEST(QemuProcess, QemuFoundOnThePath)
{
    script("qemu-system-arm", "exec 3<>/dev/tcp/127.0.0.1/$port || exit 9\ncat <&3 >&3");
    std::string path = getenv("PATH") ? getenv("PATH") : "";
    setenv("PATH", (dir + ":" + path).c_str(), 1);
    rp_transport_t *t = nullptr;
    std::string detail;
    int rc = open_uri("qemu:mps2-an386?kernel=" + elf, &t, &detail);
    setenv("PATH", path.c_str(), 1);
    LONGS_EQUAL_TEXT(RP_OK, rc, detail.c_str());
    rp_transport_close(t);
    CHECK(read_file(dir + "/args").find("-kernel\n" + elf) != std::string::npos);
}
