/* Integration tests of the sim board process as a device: commands from a
 * host on stdin, the command-line flags, and the tcp, unix and pty links. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <CppUTest/TestHarness.h>

#include "sim_checks.h"
#include "sim_harness.h"

using namespace simtest;

namespace {

const int kWaitMs = 10000;

rp_command_t make_cmd(uint32_t id, rp_command_kind_t kind)
{
    rp_command_t c;
    memset(&c, 0, sizeof(c));
    c.request_id = id;
    c.kind = kind;
    return c;
}

/* Index of the Response to request id, waiting for it. */
int wait_response(SimProcess &p, uint32_t id)
{
    return p.wait_for(
        [id](const Rramprof__V1__Frame *f) {
            return f->body_case == RRAMPROF__V1__FRAME__BODY_RESPONSE &&
                   f->response->request_id == id;
        },
        kWaitMs);
}

const Rramprof__V1__Response *response_at(SimProcess &p, int index)
{
    CHECK_TEXT(index >= 0, ("no response; stderr: " + p.err()).c_str());
    return p.stream().frames[(size_t)index]->response;
}

} // namespace

/* ---- commands on stdin ------------------------------------------------- */

TEST_GROUP(SimCommands) {};

TEST(SimCommands, AnswersEveryCommand)
{
    SimProcess p;
    CHECK(p.start({ "--quiet", "--workload", "program", "--heartbeat-ms", "0", "--counters-ms",
                    "0" }));

    /* Without --autostart the board says Hello and waits. */
    int hello = p.wait_for(
        [](const Rramprof__V1__Frame *f) { return f->body_case == RRAMPROF__V1__FRAME__BODY_HELLO; },
        kWaitMs);
    LONGS_EQUAL(0, hello);

    CHECK(p.send(command_frame(make_cmd(11, RP_CMD_GET_INFO))));
    const Rramprof__V1__Response *r = response_at(p, wait_response(p, 11));
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, r->result);
    CHECK(r->hello != nullptr);
    STRCMP_EQUAL("sim", r->hello->board);

    rp_command_t ping = make_cmd(12, RP_CMD_PING);
    ping.token = 0x1234;
    CHECK(p.send(command_frame(ping)));
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, response_at(p, wait_response(p, 12))->result);

    /* Start: a session with events. */
    CHECK(p.send(command_frame(make_cmd(13, RP_CMD_START))));
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, response_at(p, wait_response(p, 13))->result);
    int batch = p.wait_for(
        [](const Rramprof__V1__Frame *f) { return f->body_case == RRAMPROF__V1__FRAME__BODY_BATCH; },
        kWaitMs);
    CHECK(batch > 0);

    /* Stop: the ring drains, the final Counters come, then the answer. */
    CHECK(p.send(command_frame(make_cmd(14, RP_CMD_STOP))));
    int stop = wait_response(p, 14);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, response_at(p, stop)->result);
    const Rramprof__V1__Frame *before = p.stream().frames[(size_t)stop - 1].get();
    LONGS_EQUAL(RRAMPROF__V1__FRAME__BODY_COUNTERS, before->body_case);

    /* A payload that is not a Command, and one with no body. */
    CHECK(p.send(raw_frame(std::string("\xff\xff\xff\xff", 4))));
    CHECK(p.send(raw_frame(std::string("\x08\x15", 2))));   /* request_id 21 only */
    /* A Ping with a broken CRC: dropped without an answer. */
    std::string bad = command_frame(make_cmd(22, RP_CMD_PING));
    bad[2] = (char)(bad[2] ^ 0x40);
    CHECK(p.send(bad));
    rp_command_t run = make_cmd(23, RP_CMD_RUN_WORKLOAD);
    strcpy(run.workload, "no-such-workload");
    CHECK(p.send(command_frame(run)));
    const Rramprof__V1__Response *unknown = response_at(p, wait_response(p, 23));
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_UNKNOWN_WORKLOAD, unknown->result);
    CHECK(strlen(unknown->message) > 0);

    /* Close the link: the board ends. */
    p.close_stdin();
    LONGS_EQUAL(0, p.finish(kWaitMs));

    Summary sum = check_stream(p.stream(), "commands");
    /* Every event of the session arrived before the Stop's Counters. */
    const Rramprof__V1__Counters *c = before->counters;
    CHECK(c->events_sent > 0);
    UNSIGNED_LONGS_EQUAL(c->events_sent, sum.events.size());
    UNSIGNED_LONGS_EQUAL(c->events_recorded, sum.events.size());

    /* The two bad payloads got RESULT_MALFORMED, the bad CRC nothing. */
    int malformed = 0;
    for (const Rramprof__V1__Response *resp : sum.responses) {
        CHECK(resp->request_id != 22);
        if (resp->result == RRAMPROF__V1__RESULT_CODE__RESULT_MALFORMED) {
            malformed++;
        }
    }
    LONGS_EQUAL(2, malformed);
    UNSIGNED_LONGS_EQUAL(7, sum.responses.size());
}

TEST(SimCommands, StdinEofEndsAnUnboundedRun)
{
    SimProcess p;
    CHECK(p.start({ "--quiet", "--autostart", "--workload", "scan", "--preset", "macro" }));
    int batch = p.wait_for(
        [](const Rramprof__V1__Frame *f) { return f->body_case == RRAMPROF__V1__FRAME__BODY_BATCH; },
        kWaitMs);
    CHECK(batch > 0);
    p.close_stdin();
    LONGS_EQUAL(0, p.finish(kWaitMs));
}

TEST(SimCommands, HostThatStopsReadingEndsTheRun)
{
    /* The host closes its end of the frame pipe: EPIPE takes the link
     * down and the board exits cleanly, with stdin still open. */
    SimProcess p;
    CHECK(p.start({ "--quiet", "--autostart", "--workload", "mlp" }));
    int batch = p.wait_for(
        [](const Rramprof__V1__Frame *f) { return f->body_case == RRAMPROF__V1__FRAME__BODY_BATCH; },
        kWaitMs);
    CHECK(batch > 0);
    p.close_stdout();
    LONGS_EQUAL(0, p.finish(kWaitMs));
}

/* ---- flags ------------------------------------------------------------- */

TEST_GROUP(SimFlags) {};

TEST(SimFlags, HelpListsEveryFlag)
{
    RunResult r = run_sim({ "--help" }, kWaitMs);
    LONGS_EQUAL(0, r.exit_code);
    static const char *const flags[] = {
        "--workload", "--seed", "--preset", "--params", "--events", "--autostart",
        "--reset-after", "--transport", "--link-baud", "--truth", "--heartbeat-ms", "--counters-ms",
        "--quiet", "--version", "--help", "program", "mlp", "scan", "solver",
        "testchip", "macro",
    };
    for (const char *f : flags) {
        CHECK_TEXT(r.out.find(f) != std::string::npos, f);
    }
}

TEST(SimFlags, Version)
{
    RunResult r = run_sim({ "--version" }, kWaitMs);
    LONGS_EQUAL(0, r.exit_code);
    CHECK(r.out.rfind("rramprof-sim ", 0) == 0);
}

TEST(SimFlags, BadUsageExitsTwoWithAHint)
{
    const std::vector<std::vector<std::string>> cases = {
        { "--bogus" },
        { "--events" },
        { "--events", "many" },
        { "--events", "-5" },
        { "--seed", "12x" },
        { "--reset-after", "soon" },
        { "--link-baud", "fast" },
        { "--workload", "nope" },
        { "--preset", "nope" },
        { "--preset", "macro", "--params", "x.params" },
        { "--transport", "carrier-pigeon" },
        { "--transport", "tcp:99999" },
        { "--quiet=yes" },
        { "stray" },
    };
    for (const std::vector<std::string> &args : cases) {
        RunResult r = run_sim(args, kWaitMs);
        std::string label = args[0] + (args.size() > 1 ? " " + args[1] : "");
        LONGS_EQUAL_TEXT(2, r.exit_code, label.c_str());
        CHECK_TEXT(r.err.find("rramprof-sim: ") == 0, (label + ": " + r.err).c_str());
        CHECK_TEXT(r.err.find("--help") != std::string::npos, (label + ": " + r.err).c_str());
        CHECK_TEXT(r.out.empty(), label.c_str());
    }
}

TEST(SimFlags, BadParamsFileNamesFileAndLine)
{
    const std::string path = temp_path("bad.params");
    CHECK(write_file(path, "preset = testchip\n# a comment\nrows = banana\n"));
    RunResult r = run_sim({ "--params", path }, kWaitMs);
    unlink(path.c_str());
    LONGS_EQUAL(2, r.exit_code);
    CHECK_TEXT(r.err.find(path + ":3") != std::string::npos, r.err.c_str());

    RunResult missing = run_sim({ "--params", "/nonexistent/x.params" }, kWaitMs);
    LONGS_EQUAL(2, missing.exit_code);
    CHECK_TEXT(missing.err.find("/nonexistent/x.params") != std::string::npos,
               missing.err.c_str());
}

TEST(SimFlags, ParamsFileSelectsTheModel)
{
    /* A file that starts from the macro preset must behave as --preset
     * macro: the same stream, byte for byte. */
    const std::string path = temp_path("macro.params");
    CHECK(write_file(path, "preset = macro   # start from the macro preset\n"));
    std::vector<std::string> common = { "--autostart", "--quiet", "--events", "1500" };
    std::vector<std::string> a = common, b = common;
    a.insert(a.end(), { "--params", path });
    b.insert(b.end(), { "--preset", "macro" });
    RunResult ra = run_sim(a, kWaitMs);
    RunResult rb = run_sim(b, kWaitMs);
    unlink(path.c_str());
    LONGS_EQUAL_TEXT(0, ra.exit_code, ra.err.c_str());
    LONGS_EQUAL(0, rb.exit_code);
    CHECK(ra.out == rb.out);
    RunResult rc = run_sim({ "--autostart", "--quiet", "--events", "1500" }, kWaitMs);
    CHECK(rc.out != rb.out);   /* testchip differs */
}

TEST(SimFlags, TruthFileIsDocumentedCsv)
{
    const std::string path = temp_path("truth.csv");
    RunResult r = run_sim({ "--autostart", "--quiet", "--events", "300", "--workload", "program",
                            "--truth", path },
                          kWaitMs);
    std::vector<TruthOp> truth;
    std::string truth_err = read_truth(path, truth);
    unlink(path.c_str());
    LONGS_EQUAL(0, r.exit_code);
    STRCMP_EQUAL("", truth_err.c_str());
    CHECK(truth.size() > 10);
    for (const TruthOp &t : truth) {
        CHECK(t.op == "WRITE" || t.op == "VERIFY" || t.op == "READ" || t.op == "MVM" ||
              t.op == "TRANSFER");
    }

    RunResult bad = run_sim({ "--truth", "/nonexistent/dir/t.csv" }, kWaitMs);
    LONGS_EQUAL(1, bad.exit_code);
    CHECK(bad.err.find("/nonexistent/dir/t.csv") != std::string::npos);
}

/* ---- tcp, unix and pty links ------------------------------------------- */

namespace {

/* Waits until the board prints "rramprof-sim: <kind> <where>" on stderr. */
std::string wait_address(SimProcess &p, const std::string &kind)
{
    const std::string tag = "rramprof-sim: " + kind + " ";
    int64_t deadline = now_ms() + kWaitMs;
    while (now_ms() < deadline) {
        size_t at = p.err().find(tag);
        if (at != std::string::npos) {
            size_t eol = p.err().find('\n', at);
            if (eol != std::string::npos) {
                return p.err().substr(at + tag.size(), eol - at - tag.size());
            }
        }
        p.pump(50);
    }
    return "";
}

/* A host end on a file descriptor: send commands, read frames. */
struct Host {
    int fd = -1;
    std::string bytes;
    ~Host()
    {
        if (fd >= 0) {
            close(fd);
        }
    }
    /* Reads until a frame satisfying pred arrives; returns it decoded. */
    template <typename Pred> FramePtr wait_frame(Pred pred)
    {
        size_t seen = 0;
        int64_t deadline = now_ms() + kWaitMs;
        while (now_ms() < deadline) {
            Stream s = parse_stream(bytes);
            for (; seen < s.frames.size(); seen++) {
                if (s.frames[seen] && pred(s.frames[seen].get())) {
                    return std::move(s.frames[seen]);
                }
            }
            struct pollfd p = { fd, POLLIN, 0 };
            if (poll(&p, 1, 100) > 0) {
                char buf[4096];
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n <= 0) {
                    break;
                }
                bytes.append(buf, (size_t)n);
            }
        }
        return FramePtr();
    }
    bool send(const std::string &data)
    {
        return write(fd, data.data(), data.size()) == (ssize_t)data.size();
    }
};

/* Hello first, then a Ping answered; then the host leaves and the board
 * exits 0. */
void converse(SimProcess &p, Host &h)
{
    FramePtr hello = h.wait_frame([](const Rramprof__V1__Frame *f) {
        return f->body_case == RRAMPROF__V1__FRAME__BODY_HELLO;
    });
    CHECK(hello != nullptr);
    STRCMP_EQUAL("sim", hello->hello->board);
    CHECK(h.send(command_frame(make_cmd(5, RP_CMD_PING))));
    FramePtr resp = h.wait_frame([](const Rramprof__V1__Frame *f) {
        return f->body_case == RRAMPROF__V1__FRAME__BODY_RESPONSE && f->response->request_id == 5;
    });
    CHECK(resp != nullptr);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, resp->response->result);
    close(h.fd);
    h.fd = -1;
    LONGS_EQUAL(0, p.finish(kWaitMs));
}

} // namespace

TEST_GROUP(SimLinks) {};

TEST(SimLinks, Tcp)
{
    SimProcess p;
    CHECK(p.start({ "--quiet", "--transport", "tcp:0" }));
    std::string where = wait_address(p, "tcp");
    CHECK_TEXT(where.rfind("127.0.0.1:", 0) == 0, p.err().c_str());
    int port = atoi(where.c_str() + strlen("127.0.0.1:"));
    CHECK(port > 0);

    Host h;
    h.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    LONGS_EQUAL(0, connect(h.fd, (struct sockaddr *)&addr, sizeof(addr)));
    converse(p, h);
}

TEST(SimLinks, UnixSocket)
{
    const std::string path = temp_path("link.sock");
    SimProcess p;
    CHECK(p.start({ "--quiet", "--transport", "unix:" + path }));
    STRCMP_EQUAL(path.c_str(), wait_address(p, "unix").c_str());

    Host h;
    h.fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    LONGS_EQUAL(0, connect(h.fd, (struct sockaddr *)&addr, sizeof(addr)));
    converse(p, h);
    /* The board removes its socket file when it ends. */
    CHECK(access(path.c_str(), F_OK) != 0);
}

TEST(SimLinks, Pty)
{
    SimProcess p;
    CHECK(p.start({ "--quiet", "--transport", "pty" }));
    std::string path = wait_address(p, "pty");
    CHECK_TEXT(path.rfind("/dev/pts/", 0) == 0, p.err().c_str());

    Host h;
    h.fd = open(path.c_str(), O_RDWR | O_NOCTTY);
    CHECK_TEXT(h.fd >= 0, strerror(errno));
    /* The host sets its end raw too, as a serial tool would. */
    struct termios tio;
    CHECK(tcgetattr(h.fd, &tio) == 0);
    cfmakeraw(&tio);
    CHECK(tcsetattr(h.fd, TCSANOW, &tio) == 0);
    converse(p, h);
}
