// Unit tests of the board metadata files (host/boards.c): the parser and its
// file:line messages, lookup in both layouts, listing, and the real
// boards/*/board.conf files.
#include <CppUTest/TestHarness.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

extern "C" {
#include "boards.h"
}

namespace {

const char kQemu[] = "# an emulated board\n"
                     "name         = qemu-x\n"
                     "mcu          = Some MCU   # trailing comment\n"
                     "core         = cortex-m4f\n"
                     "clock_hz     = 25000000\n"
                     "\n"
                     "flash_method = qemu\n"
                     "transport    = qemu\n"
                     "baud         = 115200\n"
                     "qemu_machine = mps2-an386\n"
                     "qemu_cpu     = cortex-m4\n";

int parse(const std::string &text, rp_cli_board_t *b, std::string *err = nullptr)
{
    char e[512];
    int rc = rp_cli_board_parse(text.data(), text.size(), "x.conf", b, e, sizeof e);
    if (err)
        *err = e;
    return rc;
}

// kQemu with line `line` (1-based) replaced by `with`.
std::string with_line(const char *text, int line, const std::string &with)
{
    std::string s(text), out;
    int n = 1;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t nl = s.find('\n', pos);
        std::string l = s.substr(pos, nl - pos);
        out += (n == line ? with : l) + "\n";
        pos = nl + 1;
        n++;
    }
    return out;
}

void write_file(const std::string &path, const std::string &text)
{
    std::ofstream(path) << text;
}

} // namespace

TEST_GROUP(BoardParse){};

TEST(BoardParse, QemuBoardKeysAreRead)
{
    rp_cli_board_t b;
    std::string err;
    LONGS_EQUAL_TEXT(0, parse(kQemu, &b, &err), err.c_str());
    STRCMP_EQUAL("qemu-x", b.name);
    STRCMP_EQUAL("Some MCU", b.mcu);
    STRCMP_EQUAL("cortex-m4f", b.core);
    CHECK(b.clock_hz == 25000000u);
    LONGS_EQUAL(RP_CLI_BOARD_FLASH_QEMU, b.flash);
    LONGS_EQUAL(RP_CLI_BOARD_LINK_QEMU, b.transport);
    LONGS_EQUAL(115200, b.baud);
    STRCMP_EQUAL("mps2-an386", b.qemu_machine);
    STRCMP_EQUAL("cortex-m4", b.qemu_cpu);
    CHECK(!b.has_usb_id);
}

TEST(BoardParse, SerialBoardWithUsbIdsAndCrlf)
{
    const char text[] = "name = nucleo\r\nmcu = STM32F446RE\r\ncore = cortex-m4f\r\nclock_hz = 168000000\r\n"
                        "flash_method = stlink-swd\r\ntransport = serial\r\nbaud = 115200\r\n"
                        "usb_vid = 0483\r\nusb_pid = 0x374B";   // no final newline
    rp_cli_board_t b;
    std::string err;
    LONGS_EQUAL_TEXT(0, parse(text, &b, &err), err.c_str());
    LONGS_EQUAL(RP_CLI_BOARD_LINK_SERIAL, b.transport);
    LONGS_EQUAL(RP_CLI_BOARD_FLASH_STLINK_SWD, b.flash);
    CHECK(b.has_usb_id);
    LONGS_EQUAL(0x0483, b.usb_vid);
    LONGS_EQUAL(0x374b, b.usb_pid);
    STRCMP_EQUAL("stlink-swd", rp_cli_board_flash_name(b.flash));
    STRCMP_EQUAL("serial", rp_cli_board_link_name(b.transport));
}

TEST(BoardParse, ErrorsNameTheFileAndLine)
{
    struct Case {
        int line;
        const char *with;
        const char *want;
    } cases[] = {
        { 3, "mcuu = x", "x.conf:3: unknown key 'mcuu'" },
        { 5, "clock_hz = 25MHz", "x.conf:5: clock_hz '25MHz' is not a positive whole number of Hz" },
        { 5, "clock_hz = 0", "x.conf:5: clock_hz '0'" },
        { 5, "clock_hz = 99999999999999999999999", "x.conf:5: clock_hz" },
        { 7, "flash_method = jtag", "x.conf:7: flash_method 'jtag' is not one of" },
        { 8, "transport = bluetooth", "x.conf:8: transport 'bluetooth' is not one of" },
        { 9, "baud = fast", "x.conf:9: baud 'fast'" },
        { 6, "usb_vid = 12345", "x.conf:6: usb_vid '12345' is not a 16-bit hex ID" },
        { 6, "usb_pid = xyz", "x.conf:6: usb_pid 'xyz'" },
        { 6, "just words", "x.conf:6: expected 'key = value', got 'just words'" },
        { 6, "core = again", "x.conf:6: 'core' given twice" },
        { 6, "qemu_cpu =", "x.conf:6: 'qemu_cpu' has no value" },
        { 2, "name = bad/name", "x.conf:2: name 'bad/name' may only hold" },
        // one QEMU name each, not a way to pass QEMU more options
        { 10, "qemu_machine = mps2-an386 -s", "x.conf:10: qemu_machine 'mps2-an386 -s' is not a QEMU machine name" },
        { 11, "qemu_cpu = cortex-m4,x=1", "x.conf:11: qemu_cpu 'cortex-m4,x=1' is not a QEMU CPU name" },
        // a rate the serial method cannot set, caught when the file is read
        { 6, "bootloader_baud = 123", "x.conf:6: bootloader_baud '123' is not a rate the serial method supports" },
        { 6, "bootloader_baud = 0", "x.conf:6: bootloader_baud '0'" },
        // control bytes would reach the terminal through messages and lists
        { 3, "mcu = Some \x1b[2J MCU", "x.conf:3: not a text file (control byte 0x1b)" },
        { 3, "mcu = Some\rMCU", "x.conf:3: not a text file (control byte 0x0d)" },
    };
    for (const Case &c : cases) {
        rp_cli_board_t b;
        std::string err;
        std::string text = with_line(kQemu, c.line, c.with);
        LONGS_EQUAL_TEXT(-1, parse(text, &b, &err), c.with);
        CHECK_TEXT(err.find(c.want) != std::string::npos, (std::string(c.with) + " -> " + err).c_str());
    }
    rp_cli_board_t b;
    std::string err;
    LONGS_EQUAL(-1, parse(with_line(kQemu, 6, "qemu_cpu = " + std::string(100, 'c')), &b, &err));
    CHECK_TEXT(err.find("x.conf:6: qemu_cpu is too long") != std::string::npos, err.c_str());
}

TEST(BoardParse, MissingAndInconsistentKeysNameTheFile)
{
    rp_cli_board_t b;
    std::string err;
    LONGS_EQUAL(-1, parse(with_line(kQemu, 5, ""), &b, &err));
    STRCMP_EQUAL("x.conf: missing 'clock_hz'", err.c_str());
    LONGS_EQUAL(-1, parse(with_line(kQemu, 10, "# no machine"), &b, &err));
    STRCMP_EQUAL("x.conf: transport qemu needs 'qemu_machine'", err.c_str());
    LONGS_EQUAL(-1, parse(with_line(kQemu, 10, "usb_vid = 1209"), &b, &err));
    STRCMP_EQUAL("x.conf: usb_vid and usb_pid go together", err.c_str());
    // serial needs a baud and the USB IDs to find the board
    std::string serial = with_line(with_line(kQemu, 8, "transport = serial").c_str(), 10, "usb_vid = 0483");
    serial = with_line(serial.c_str(), 11, "usb_pid = 374b");
    LONGS_EQUAL_TEXT(0, parse(serial, &b, &err), err.c_str());
    LONGS_EQUAL(-1, parse(with_line(serial.c_str(), 9, "baud = 0"), &b, &err));
    STRCMP_EQUAL("x.conf: transport serial needs a non-zero 'baud'", err.c_str());
    LONGS_EQUAL(-1, parse(with_line(serial.c_str(), 11, ""), &b, &err));
    STRCMP_EQUAL("x.conf: usb_vid and usb_pid go together", err.c_str());
    std::string usb = with_line(kQemu, 8, "transport = usb");
    LONGS_EQUAL(-1, parse(usb, &b, &err));
    STRCMP_EQUAL("x.conf: transport usb needs 'usb_vid' and 'usb_pid'", err.c_str());
}

TEST(BoardParse, BinaryAndOverlongLinesAreRejected)
{
    rp_cli_board_t b;
    std::string err;
    std::string nul = std::string("name = a\n") + std::string("mcu = x\0y\n", 10);
    LONGS_EQUAL(-1, parse(nul, &b, &err));
    CHECK_TEXT(err.find("x.conf:2: not a text file") != std::string::npos, err.c_str());
    LONGS_EQUAL(-1, parse("mcu = " + std::string(600, 'x') + "\n", &b, &err));
    CHECK_TEXT(err.find("x.conf:1: line too long") != std::string::npos, err.c_str());
}

// ---- files: lookup and listing ----

TEST_GROUP(BoardFiles)
{
    std::string dir;
    void setup() override
    {
        char tmpl[] = "/tmp/rp-boards-test-XXXXXX";
        CHECK(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
    }
    void teardown() override
    {
        std::string cmd = "rm -rf '" + dir + "'";
        CHECK(system(cmd.c_str()) == 0);
    }
    std::string board_text(const std::string &name, const char *mcu = "M")
    {
        return "name = " + name + "\nmcu = " + mcu +
               "\ncore = c\nclock_hz = 1000\nflash_method = none\ntransport = exec\n";
    }
};

TEST(BoardFiles, FindsBothLayoutsInDirectoryOrder)
{
    std::string flat = dir + "/flat", tree = dir + "/tree";
    CHECK(mkdir(flat.c_str(), 0700) == 0);
    CHECK(mkdir(tree.c_str(), 0700) == 0);
    CHECK(mkdir((tree + "/b1").c_str(), 0700) == 0);
    CHECK(mkdir((tree + "/b2").c_str(), 0700) == 0);
    write_file(flat + "/b1.conf", board_text("b1", "from flat"));
    write_file(tree + "/b1/board.conf", board_text("b1", "from tree"));
    write_file(tree + "/b2/board.conf", board_text("b2", "only tree"));
    const char *dirs[] = { flat.c_str(), tree.c_str() };
    rp_cli_board_t b;
    char err[512];
    LONGS_EQUAL_TEXT(0, rp_cli_board_find("b1", dirs, 2, &b, err, sizeof err), err);
    STRCMP_EQUAL("from flat", b.mcu);
    STRCMP_EQUAL((flat + "/b1.conf").c_str(), b.path);
    LONGS_EQUAL_TEXT(0, rp_cli_board_find("b2", dirs, 2, &b, err, sizeof err), err);
    STRCMP_EQUAL("only tree", b.mcu);
    LONGS_EQUAL(1, rp_cli_board_find("nope", dirs, 2, &b, err, sizeof err));
    STRCMP_EQUAL("unknown board 'nope'", err);
    LONGS_EQUAL(1, rp_cli_board_find("../flat/b1", dirs, 2, &b, err, sizeof err));
}

TEST(BoardFiles, NameMustMatchTheFileAndBadFilesReportTheirPath)
{
    write_file(dir + "/b3.conf", board_text("other"));
    write_file(dir + "/b4.conf", "name = b4\nclock_hz = fast\n");
    const char *dirs[] = { dir.c_str() };
    rp_cli_board_t b;
    char err[512];
    LONGS_EQUAL(-1, rp_cli_board_find("b3", dirs, 1, &b, err, sizeof err));
    CHECK_TEXT(strstr(err, "b3.conf: name is 'other' but the file is for board 'b3'") != nullptr, err);
    LONGS_EQUAL(-1, rp_cli_board_find("b4", dirs, 1, &b, err, sizeof err));
    CHECK_TEXT(strstr(err, (dir + "/b4.conf:2: clock_hz 'fast'").c_str()) != nullptr, err);
}

TEST(BoardFiles, ListIsSortedDeduplicatedAndSkipsBadFiles)
{
    std::string a = dir + "/a", t = dir + "/t";
    CHECK(mkdir(a.c_str(), 0700) == 0);
    CHECK(mkdir(t.c_str(), 0700) == 0);
    CHECK(mkdir((t + "/zeta").c_str(), 0700) == 0);
    CHECK(mkdir((t + "/alpha").c_str(), 0700) == 0);
    CHECK(mkdir((t + "/common").c_str(), 0700) == 0);   // no board.conf: not a board
    write_file(t + "/zeta/board.conf", board_text("zeta"));
    write_file(t + "/alpha/board.conf", board_text("alpha", "tree"));
    write_file(a + "/alpha.conf", board_text("alpha", "first"));
    write_file(a + "/broken.conf", "name = broken\n");
    const char *dirs[] = { a.c_str(), t.c_str(), "/nonexistent/dir" };
    rp_cli_board_t *v = nullptr;
    size_t n = 0;
    char err[512];
    LONGS_EQUAL(0, rp_cli_board_list(dirs, 3, &v, &n, err, sizeof err));
    LONGS_EQUAL(2, n);
    STRCMP_EQUAL("alpha", v[0].name);
    STRCMP_EQUAL("first", v[0].mcu);
    STRCMP_EQUAL("zeta", v[1].name);
    CHECK_TEXT(strstr(err, "broken.conf: missing 'mcu'") != nullptr, err);
    free(v);
}

TEST(BoardFiles, InvalidFileHidesTheSameNameInLaterDirs)
{
    // As --board NAME would load the first file, the list must not show a
    // later dir's valid board in its place.
    std::string a = dir + "/a", t = dir + "/t";
    CHECK(mkdir(a.c_str(), 0700) == 0);
    CHECK(mkdir(t.c_str(), 0700) == 0);
    write_file(a + "/alpha.conf", "name = alpha\n");
    write_file(t + "/alpha.conf", board_text("alpha", "tree"));
    write_file(t + "/zeta.conf", board_text("zeta"));
    const char *dirs[] = { a.c_str(), t.c_str() };
    rp_cli_board_t *v = nullptr;
    size_t n = 0;
    char err[512];
    LONGS_EQUAL(0, rp_cli_board_list(dirs, 2, &v, &n, err, sizeof err));
    LONGS_EQUAL(1, n);
    STRCMP_EQUAL("zeta", v[0].name);
    CHECK_TEXT(strstr(err, "alpha.conf: missing 'mcu'") != nullptr, err);
    free(v);
    rp_cli_board_t b;
    LONGS_EQUAL(-1, rp_cli_board_find("alpha", dirs, 2, &b, err, sizeof err));
}

TEST(BoardFiles, BoardsDirFromTheEnvironmentMustBeADirectory)
{
    char err[512];
    unsetenv("RRAMPROF_BOARDS_DIR");
    LONGS_EQUAL(0, rp_cli_board_env_check(err, sizeof err));
    setenv("RRAMPROF_BOARDS_DIR", dir.c_str(), 1);
    LONGS_EQUAL(0, rp_cli_board_env_check(err, sizeof err));
    std::string missing = dir + "/missing";
    setenv("RRAMPROF_BOARDS_DIR", missing.c_str(), 1);
    LONGS_EQUAL(-1, rp_cli_board_env_check(err, sizeof err));
    STRCMP_EQUAL(("RRAMPROF_BOARDS_DIR=" + missing + ": No such file or directory").c_str(), err);
    std::string file = dir + "/file";
    write_file(file, "x");
    setenv("RRAMPROF_BOARDS_DIR", file.c_str(), 1);
    LONGS_EQUAL(-1, rp_cli_board_env_check(err, sizeof err));
    STRCMP_EQUAL(("RRAMPROF_BOARDS_DIR=" + file + ": not a directory").c_str(), err);
    unsetenv("RRAMPROF_BOARDS_DIR");
}

TEST(BoardFiles, SearchDirsFollowTheEnvironmentAndTheBinary)
{
    char storage[RP_CLI_BOARD_DIRS_MAX][RP_CLI_BOARD_PATH_MAX];
    const char *dirs[RP_CLI_BOARD_DIRS_MAX];
    setenv("RRAMPROF_BOARDS_DIR", "/some/where", 1);
    size_t n = rp_cli_board_dirs("/opt/rp/bin", storage, dirs, RP_CLI_BOARD_DIRS_MAX);
    unsetenv("RRAMPROF_BOARDS_DIR");
    LONGS_EQUAL(2, n);   // no source tree compiled into this test
    STRCMP_EQUAL("/some/where", dirs[0]);
    STRCMP_EQUAL("/opt/rp/bin/boards", dirs[1]);
    n = rp_cli_board_dirs("/opt/rp/bin", storage, dirs, RP_CLI_BOARD_DIRS_MAX);
    LONGS_EQUAL(1, n);
    STRCMP_EQUAL("/opt/rp/bin/boards", dirs[0]);
}

// ---- the boards of this tree ----

TEST_GROUP(BoardTree){};

TEST(BoardTree, EveryBoardOfTheTreeHasAValidFile)
{
    const char *dirs[] = { RP_BOARDS_SRC };
    rp_cli_board_t *v = nullptr;
    size_t n = 0;
    char err[512];
    LONGS_EQUAL(0, rp_cli_board_list(dirs, 1, &v, &n, err, sizeof err));
    STRCMP_EQUAL("", err);
    // Every board folder (all but the shared code in common/) has one.
    size_t folders = 0;
    DIR *d = opendir(RP_BOARDS_SRC);
    CHECK(d != nullptr);
    while (struct dirent *e = readdir(d)) {
        std::string sub = std::string(RP_BOARDS_SRC) + "/" + e->d_name;
        struct stat st;
        if (e->d_name[0] != '.' && strcmp(e->d_name, "common") != 0 && stat(sub.c_str(), &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            folders++;
            CHECK_TEXT(access((sub + "/board.conf").c_str(), R_OK) == 0, sub.c_str());
        }
    }
    closedir(d);
    LONGS_EQUAL(folders, n);
    std::string names;
    for (size_t i = 0; i < n; i++)
        names += std::string(v[i].name) + " ";
    for (const char *want : { "netduinoplus2 ", "nucleo-f446re ", "qemu-mps2-an386 ", "sim " })
        CHECK_TEXT(names.find(want) != std::string::npos, names.c_str());
    free(v);

    rp_cli_board_t b;
    LONGS_EQUAL_TEXT(0, rp_cli_board_find("qemu-mps2-an386", dirs, 1, &b, err, sizeof err), err);
    LONGS_EQUAL(RP_CLI_BOARD_LINK_QEMU, b.transport);
    STRCMP_EQUAL("mps2-an386", b.qemu_machine);
    STRCMP_EQUAL("cortex-m4", b.qemu_cpu);
    CHECK(b.clock_hz == 25000000u);   // the CMSDK timer of port/rp_port.h
    LONGS_EQUAL_TEXT(0, rp_cli_board_find("nucleo-f446re", dirs, 1, &b, err, sizeof err), err);
    LONGS_EQUAL(RP_CLI_BOARD_LINK_SERIAL, b.transport);
    LONGS_EQUAL(0x0483, b.usb_vid);   // ST-LINK/V2-1 virtual COM port
    LONGS_EQUAL(0x374b, b.usb_pid);
    LONGS_EQUAL(115200, b.baud);
    LONGS_EQUAL_TEXT(0, rp_cli_board_find("sim", dirs, 1, &b, err, sizeof err), err);
    LONGS_EQUAL(RP_CLI_BOARD_LINK_EXEC, b.transport);
    LONGS_EQUAL(RP_CLI_BOARD_FLASH_NONE, b.flash);
}
