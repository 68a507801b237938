// Unit tests of the host link transports (rp_transport.h): URI parsing,
// error codes, and real byte exchange over TCP, Unix sockets, exec'd
// children, replay files and pseudo-terminals.
#include <CppUTest/TestHarness.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

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

std::string tmp_path(const char *stem)
{
    static int counter = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "/tmp/rp-transport-%d-%d-%s", (int)getpid(), counter++, stem);
    return buf;
}

// Reads from t until `want` bytes arrived or timeout; returns what came.
std::string read_n(rp_transport_t *t, size_t want, int timeout_ms)
{
    std::string got;
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t buf[4096];
    while (got.size() < want && now_ms() < deadline) {
        int n = rp_transport_read(t, buf, sizeof buf, 50);
        if (n < 0)
            break;
        got.append((const char *)buf, (size_t)n);
    }
    return got;
}

// Reads until the transport reports an error; returns that error.
int read_until_error(rp_transport_t *t, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t buf[4096];
    while (now_ms() < deadline) {
        int n = rp_transport_read(t, buf, sizeof buf, 50);
        if (n < 0)
            return n;
    }
    return 0;
}

int open_err(const char *uri, std::string *detail = nullptr)
{
    rp_transport_t *t = reinterpret_cast<rp_transport_t *>(1);
    char d[RP_TRANSPORT_DETAIL_MAX];
    int rc = rp_transport_open(uri, &t, d, sizeof d);
    if (rc == RP_OK)
        rp_transport_close(t);
    else
        CHECK(t == nullptr);
    if (detail)
        *detail = d;
    return rc;
}

} // namespace

TEST_GROUP(TransportUri){};

TEST(TransportUri, UnknownSchemeIsRejectedWithDetail)
{
    std::string d;
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("bogus:thing", &d));
    CHECK(d.find("bogus:thing") != std::string::npos);
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("/dev/ttyACM0"));
}

TEST(TransportUri, MalformedUrisAreRejected)
{
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("tcp://nohostport"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("tcp://host:"));
    std::string d;
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("tcp://127.0.0.1:99999", &d));   // not port 34463
    CHECK(d.find("port 99999 is not 1-65535") != std::string::npos);
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("tcp://127.0.0.1:0"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("tcp://127.0.0.1:000065535"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("unix:"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("exec:"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("file:"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("usb:12x4:0001"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("usb:1209"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("usb:1209:0001/"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("serial:/dev/null?baud=fast"));
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err("serial:/dev/null?parity=odd"));
}

TEST(TransportUri, MissingThingsAreNotFound)
{
    std::string d;
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_err("serial:/dev/rp-no-such-port", &d));
    CHECK(d.find("/dev/rp-no-such-port") != std::string::npos);
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_err("file:/nonexistent/rp-file"));
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_err("unix:/nonexistent/rp-socket"));
    // A USB device with the rramprof IDs is not attached to a test machine.
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_err("usb:1209:0001/rp-no-such-serial"));
}

TEST(TransportUri, NonSerialFileIsNotASerialPort)
{
    std::string d;
    int rc = open_err("serial:/dev/null", &d);
    LONGS_EQUAL(RP_ERR_NOT_FOUND, rc);
    CHECK(d.find("not a serial port") != std::string::npos);
}

TEST(TransportUri, ErrorStringsAreDistinctAndNeverNull)
{
    const int codes[] = { RP_TRANSPORT_ERR_CLOSED, RP_TRANSPORT_ERR_ACCESS, RP_TRANSPORT_ERR_BUSY,
                          RP_TRANSPORT_ERR_SCHEME, RP_TRANSPORT_ERR_GONE,   RP_ERR_TIMEOUT,
                          RP_ERR_NOT_FOUND,        RP_ERR_IO };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *a = rp_transport_strerror(codes[i]);
        CHECK(a != nullptr && a[0] != '\0');
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(a, rp_transport_strerror(codes[j])) != 0);
    }
    STRCMP_EQUAL("", rp_transport_detail(nullptr));
    LONGS_EQUAL(-1, rp_transport_child_pid(nullptr));
    rp_transport_close(nullptr);
}

TEST_GROUP(TransportSocket)
{
    int listener = -1;
    std::string sock_path;

    void teardown() override
    {
        if (listener >= 0)
            close(listener);
        if (!sock_path.empty())
            unlink(sock_path.c_str());
    }

    int listen_tcp()
    {
        listener = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(listener >= 0);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(bind(listener, (struct sockaddr *)&a, sizeof a) == 0);
        CHECK(listen(listener, 1) == 0);
        socklen_t len = sizeof a;
        CHECK(getsockname(listener, (struct sockaddr *)&a, &len) == 0);
        return ntohs(a.sin_port);
    }

    void listen_unix()
    {
        sock_path = tmp_path("sock");
        listener = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a;
        memset(&a, 0, sizeof a);
        a.sun_family = AF_UNIX;
        strcpy(a.sun_path, sock_path.c_str());
        CHECK(bind(listener, (struct sockaddr *)&a, sizeof a) == 0);
        CHECK(listen(listener, 1) == 0);
    }

    // Both directions, a read timeout, then EOF when the peer closes.
    void exchange(rp_transport_t *t)
    {
        int peer = accept(listener, nullptr, nullptr);
        CHECK(peer >= 0);
        const uint8_t cmd[] = { 1, 2, 0, 3 };
        LONGS_EQUAL(4, rp_transport_write(t, cmd, sizeof cmd, 1000));
        uint8_t got[8];
        LONGS_EQUAL(4, read(peer, got, sizeof got));
        MEMCMP_EQUAL(cmd, got, 4);

        int64_t t0 = now_ms();
        uint8_t buf[64];
        LONGS_EQUAL(0, rp_transport_read(t, buf, sizeof buf, 80));
        CHECK(now_ms() - t0 >= 70);

        CHECK(write(peer, "frame\0", 6) == 6);
        STRCMP_EQUAL(std::string("frame\0", 6).c_str(), read_n(t, 6, 1000).c_str());
        close(peer);
        LONGS_EQUAL(RP_TRANSPORT_ERR_CLOSED, read_until_error(t, 1000));
    }
};

TEST(TransportSocket, TcpMovesBytesBothWaysAndSeesEof)
{
    int port = listen_tcp();
    char uri[64];
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", port);
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open(uri, &t, nullptr, 0));
    STRCMP_EQUAL("tcp", rp_transport_scheme(t));
    exchange(t);
    rp_transport_close(t);
}

TEST(TransportSocket, TcpRefusedIsNotFound)
{
    int port = listen_tcp();
    close(listener);
    listener = -1;
    char uri[64];
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", port);
    std::string d;
    LONGS_EQUAL(RP_ERR_NOT_FOUND, open_err(uri, &d));
    CHECK(d.find("refused") != std::string::npos);
}

TEST(TransportSocket, UnixMovesBytesBothWaysAndSeesEof)
{
    listen_unix();
    std::string uri = "unix:" + sock_path;
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open(uri.c_str(), &t, nullptr, 0));
    STRCMP_EQUAL("unix", rp_transport_scheme(t));
    exchange(t);
    rp_transport_close(t);
}

TEST(TransportSocket, WriteToClosedPeerFailsWithoutSigpipe)
{
    listen_unix();
    std::string uri = "unix:" + sock_path;
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open(uri.c_str(), &t, nullptr, 0));
    int peer = accept(listener, nullptr, nullptr);
    close(peer);
    uint8_t big[65536];
    memset(big, 0x55, sizeof big);
    int rc = RP_OK;
    for (int i = 0; i < 64 && rc >= 0; i++)
        rc = rp_transport_write(t, big, sizeof big, 500);
    LONGS_EQUAL(RP_TRANSPORT_ERR_CLOSED, rc);
    rp_transport_close(t);
}

TEST_GROUP(TransportExec){};

TEST(TransportExec, ChildSeesOurBytesOnStdinAndAnswersOnStdout)
{
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open("exec:cat", &t, nullptr, 0));
    STRCMP_EQUAL("exec", rp_transport_scheme(t));
    CHECK(rp_transport_child_pid(t) > 0);
    std::string msg(3000, 'x');
    for (size_t i = 0; i < msg.size(); i++)
        msg[i] = (char)(i * 7);
    LONGS_EQUAL((long)msg.size(), rp_transport_write(t, (const uint8_t *)msg.data(), msg.size(), 1000));
    std::string got = read_n(t, msg.size(), 2000);
    CHECK(got == msg);
    rp_transport_close(t);
}

TEST(TransportExec, ChildExitIsEofWithItsStatus)
{
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open("exec:printf abc; exit 3", &t, nullptr, 0));
    STRCMP_EQUAL("abc", read_n(t, 3, 2000).c_str());
    LONGS_EQUAL(RP_TRANSPORT_ERR_CLOSED, read_until_error(t, 2000));
    CHECK(strstr(rp_transport_detail(t), "status 3") != nullptr);
    rp_transport_close(t);
}

TEST(TransportExec, CloseKillsAChildThatIgnoresEof)
{
    rp_transport_t *t = nullptr;
    // The shell forks sleep (not exec'd: a second command follows), so the
    // whole process group must be signalled.
    LONGS_EQUAL(RP_OK, rp_transport_open("exec:trap '' TERM; sleep 30; true", &t, nullptr, 0));
    pid_t pid = (pid_t)rp_transport_child_pid(t);
    CHECK(pid > 0);
    int64_t t0 = now_ms();
    rp_transport_close(t);
    CHECK(now_ms() - t0 < 10000);
    // Reaped: the pid is no longer ours to signal.
    CHECK(kill(pid, 0) != 0);
    LONGS_EQUAL(ESRCH, errno);
}

TEST(TransportExec, CloseIsQuickWhenTheChildLeavesOnEof)
{
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open("exec:cat >/dev/null", &t, nullptr, 0));
    int64_t t0 = now_ms();
    rp_transport_close(t);
    CHECK(now_ms() - t0 < 900);
}

TEST_GROUP(TransportFile)
{
    std::string path;
    void teardown() override
    {
        if (!path.empty())
            unlink(path.c_str());
    }
};

TEST(TransportFile, ReplaysTheBytesThenEof)
{
    path = tmp_path("raw.bin");
    std::string data;
    for (int i = 0; i < 10000; i++)
        data.push_back((char)(i % 251));
    FILE *f = fopen(path.c_str(), "wb");
    CHECK(f != nullptr);
    CHECK(fwrite(data.data(), 1, data.size(), f) == data.size());
    fclose(f);
    std::string uri = "file:" + path;
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open(uri.c_str(), &t, nullptr, 0));
    STRCMP_EQUAL("file", rp_transport_scheme(t));
    const uint8_t cmd[] = { 9, 9 };
    LONGS_EQUAL(2, rp_transport_write(t, cmd, sizeof cmd, 100)); // discarded
    CHECK(read_n(t, data.size(), 2000) == data);
    uint8_t b[16];
    LONGS_EQUAL(RP_TRANSPORT_ERR_CLOSED, rp_transport_read(t, b, sizeof b, 100));
    rp_transport_close(t);
}

TEST_GROUP(TransportPty)
{
    int master = -1, slave = -1;
    char name[128];
    void setup() override
    {
        CHECK(openpty(&master, &slave, name, nullptr, nullptr) == 0);
    }
    void teardown() override
    {
        if (master >= 0)
            close(master);
        if (slave >= 0)
            close(slave);
    }
};

TEST(TransportPty, PseudoTerminalOpensRawAtTheAskedBaud)
{
    // Echo on: a cooked terminal would send our own bytes back; raw must not.
    std::string uri = std::string("serial:") + name + "?baud=115200";
    rp_transport_t *t = nullptr;
    char d[RP_TRANSPORT_DETAIL_MAX];
    LONGS_EQUAL(RP_OK, rp_transport_open(uri.c_str(), &t, d, sizeof d));
    STRCMP_EQUAL("serial", rp_transport_scheme(t));
    struct termios tio;
    CHECK(tcgetattr(slave, &tio) == 0);
    LONGS_EQUAL(0, tio.c_lflag & (ICANON | ECHO));
    LONGS_EQUAL(B115200, cfgetospeed(&tio));

    const uint8_t frame[] = { 0x02, 0x0a, 0x0d, 0x00 }; // LF/CR must pass untouched
    CHECK(write(master, frame, sizeof frame) == (ssize_t)sizeof frame);
    std::string got = read_n(t, sizeof frame, 1000);
    CHECK(got == std::string((const char *)frame, sizeof frame));

    LONGS_EQUAL(4, rp_transport_write(t, frame, sizeof frame, 1000));
    uint8_t back[8];
    LONGS_EQUAL(4, read(master, back, sizeof back));
    MEMCMP_EQUAL(frame, back, 4);
    rp_transport_close(t);
}

TEST(TransportPty, HangupOfTheOtherSideIsReported)
{
    std::string uri = std::string("serial:") + name;
    rp_transport_t *t = nullptr;
    LONGS_EQUAL(RP_OK, rp_transport_open(uri.c_str(), &t, nullptr, 0));
    close(slave);
    slave = -1;
    close(master); // the "device" goes away
    master = -1;
    int rc = read_until_error(t, 1000);
    CHECK(rc == RP_TRANSPORT_ERR_GONE || rc == RP_TRANSPORT_ERR_CLOSED);
    rp_transport_close(t);
}

TEST(TransportPty, UnsupportedBaudIsRejected)
{
    std::string uri = std::string("serial:") + name + "?baud=12345";
    LONGS_EQUAL(RP_TRANSPORT_ERR_SCHEME, open_err(uri.c_str()));
}

TEST_GROUP(TransportList){};

TEST(TransportList, ListsWithUrisThatOpenAsTheirScheme)
{
    rp_port_info_t *ports = nullptr;
    size_t n = 99;
    LONGS_EQUAL(RP_OK, rp_transport_list(&ports, &n));
    for (size_t i = 0; i < n; i++) {
        const char *want = ports[i].kind == RP_PORT_SERIAL ? "serial:" : "usb:";
        CHECK(strncmp(ports[i].uri, want, strlen(want)) == 0);
        CHECK(ports[i].name[0] != '\0');
    }
    free(ports);
    LONGS_EQUAL(RP_ERR_ARG, rp_transport_list(nullptr, &n));
}
