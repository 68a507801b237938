/* rp_cm_link.c (built with a 64-byte TX queue and a 16-byte RX queue)
 * against a fake UART: rp_board_uart_write takes at most `room` bytes per
 * call and appends them to `wire`; rp_board_uart_getc hands out `rx_in`
 * (a receive FIFO of any depth), reporting an overrun before the byte at
 * each index in `overrun_at`.
 * The link keeps its state between tests, so setup drains it first. */
#include <stdint.h>
#include <string.h>

#include <vector>

#include <CppUTest/TestHarness.h>

extern "C" {
#include "rp_cm_link.h"
#include "rramprof/rp_hal_transport.h"
}

static const size_t TX_SIZE = 64u;
static const size_t NO_LIMIT = SIZE_MAX;

static size_t room;                /* bytes the UART takes per call */
static std::vector<uint8_t> wire;  /* bytes the UART sent */
static std::vector<uint8_t> rx_in; /* bytes waiting in the UART */
static size_t rx_at;
static std::vector<size_t> overrun_at;

extern "C" size_t rp_board_uart_write(const uint8_t *data, size_t len)
{
    size_t n = len < room ? len : room;
    wire.insert(wire.end(), data, data + n);
    return n;
}

/* A board without a TX interrupt: the link sends from thread mode. */
extern "C" bool rp_board_uart_tx_irq(bool on)
{
    (void)on;
    return false;
}

extern "C" unsigned rp_board_uart_getc(uint8_t *b)
{
    if (rx_at == rx_in.size()) {
        return 0u;
    }
    unsigned got = RP_CM_RX_BYTE;
    for (size_t at : overrun_at) {
        if (at == rx_at) {
            got |= RP_CM_RX_OVERRUN;
        }
    }
    *b = rx_in[rx_at++];
    return got;
}

/* n bytes of a running sequence starting at *next. */
static std::vector<uint8_t> seq(uint32_t *next, size_t n)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; i++) {
        v[i] = (uint8_t)((*next)++ * 37u + 11u);
    }
    return v;
}

TEST_GROUP(CmLink)
{
    void setup() override
    {
        room = NO_LIMIT;
        CHECK_TRUE(rp_cm_link_tx_idle());
        uint8_t sink[16];
        while (rp_hal_transport_read(sink, sizeof sink) != 0u) {
        }
        wire.clear();
        rx_in.clear();
        rx_at = 0;
        overrun_at.clear();
    }
};

TEST(CmLink, WriteGoesStraightToTheUart)
{
    uint32_t next = 0;
    std::vector<uint8_t> a = seq(&next, 100); /* longer than the queue */
    LONGS_EQUAL(100, rp_hal_transport_write(a.data(), a.size()));
    CHECK_TRUE(a == wire);
    CHECK_TRUE(rp_cm_link_tx_idle());
    LONGS_EQUAL(TX_SIZE, rp_hal_transport_tx_space());
}

TEST(CmLink, FullUartQueuesUpToTheQueueSizeThenSendsInOrder)
{
    room = 0;
    uint32_t next = 0;
    std::vector<uint8_t> a = seq(&next, 50);
    std::vector<uint8_t> b = seq(&next, 20);
    LONGS_EQUAL(50, rp_hal_transport_write(a.data(), a.size()));
    LONGS_EQUAL(TX_SIZE - 50u, rp_hal_transport_tx_space());
    LONGS_EQUAL(TX_SIZE - 50u, rp_hal_transport_write(b.data(), b.size()));
    LONGS_EQUAL(0, rp_hal_transport_tx_space());
    LONGS_EQUAL(0, wire.size());
    CHECK_FALSE(rp_cm_link_tx_idle());

    room = NO_LIMIT;
    rp_cm_link_pump();
    std::vector<uint8_t> want(a);
    want.insert(want.end(), b.begin(), b.begin() + (TX_SIZE - 50u));
    CHECK_TRUE(want == wire);
    CHECK_TRUE(rp_cm_link_tx_idle());
}

TEST(CmLink, PartlyTakenWriteQueuesTheRestAheadOfLaterWrites)
{
    room = 3;
    uint32_t next = 0;
    std::vector<uint8_t> a = seq(&next, 10);
    std::vector<uint8_t> b = seq(&next, 10);
    LONGS_EQUAL(10, rp_hal_transport_write(a.data(), a.size()));
    LONGS_EQUAL(3, wire.size());
    /* The queue holds a's rest: b must wait behind it, not go direct. */
    room = 0;
    LONGS_EQUAL(10, rp_hal_transport_write(b.data(), b.size()));
    room = NO_LIMIT;
    CHECK_TRUE(rp_cm_link_tx_idle());
    std::vector<uint8_t> want(a);
    want.insert(want.end(), b.begin(), b.end());
    CHECK_TRUE(want == wire);
}

/* Many writes and pumps with varying UART room: every accepted byte leaves
 * once, in order, across many wraps of the queue; a write no longer than
 * tx_space is always taken whole (the contract the drain relies on). */
TEST(CmLink, OrderAcrossWrapsWithVaryingRoom)
{
    uint32_t rng = 12345u;
    uint32_t next = 0;
    std::vector<uint8_t> sent;
    for (int turn = 0; turn < 2000; turn++) {
        rng = rng * 1103515245u + 12345u;
        room = (rng >> 16) % 9u; /* 0..8 bytes per UART call */
        size_t len = (rng >> 8) % 40u;
        size_t space = rp_hal_transport_tx_space();
        std::vector<uint8_t> chunk = seq(&next, len);
        size_t took = rp_hal_transport_write(chunk.data(), chunk.size());
        if (len <= space) {
            LONGS_EQUAL(len, took);
        }
        CHECK_TRUE(took <= len);
        next -= (uint32_t)(len - took); /* untaken bytes are offered again */
        sent.insert(sent.end(), chunk.begin(), chunk.begin() + took);
        if (turn % 3 == 0) {
            rp_cm_link_pump();
        }
    }
    room = NO_LIMIT;
    CHECK_TRUE(rp_cm_link_tx_idle());
    LONGS_EQUAL(sent.size(), wire.size());
    CHECK_TRUE(sent == wire);
    CHECK_TRUE(sent.size() > 20u * TX_SIZE); /* the queue wrapped many times */
}

TEST(CmLink, ReadPollsTheUartAndKeepsOrder)
{
    for (int i = 0; i < 40; i++) {
        rx_in.push_back((uint8_t)(i * 7));
    }
    std::vector<uint8_t> got;
    uint8_t buf[5];
    size_t n;
    /* Each read polls at most the RX queue's 16 bytes out of the UART. */
    while ((n = rp_hal_transport_read(buf, sizeof buf)) != 0u) {
        got.insert(got.end(), buf, buf + n);
    }
    CHECK_TRUE(rx_in == got);
}

/* The RX interrupt must leave the UART empty whatever the queue's state:
 * on an STM32 a byte left in DR keeps RXNE and the interrupt raised, and
 * the handler would run for ever. What finds no room is dropped and
 * counted; what was queued stays, in order. */
TEST(CmLink, RxInterruptEmptiesTheUartWhenTheQueueIsFullAndCountsTheDrops)
{
    for (int i = 0; i < 40; i++) {
        rx_in.push_back((uint8_t)(i * 5 + 1));
    }
    uint32_t dropped = rp_cm_link_rx_dropped();
    rp_cm_link_rx_isr();
    LONGS_EQUAL(40, rx_at);
    LONGS_EQUAL(24, rp_cm_link_rx_dropped() - dropped);
    rp_cm_link_rx_isr(); /* full queue, empty UART: nothing more */
    LONGS_EQUAL(24, rp_cm_link_rx_dropped() - dropped);

    std::vector<uint8_t> got;
    uint8_t buf[64];
    size_t n;
    while ((n = rp_hal_transport_read(buf, sizeof buf)) != 0u) {
        got.insert(got.end(), buf, buf + n);
    }
    CHECK_TRUE(std::vector<uint8_t>(rx_in.begin(), rx_in.begin() + 16) == got);
}

/* A poll from thread mode makes room first (it hands out what is queued)
 * and never drops: what does not fit waits in the UART. */
TEST(CmLink, ReadHandsOutTheQueueBeforePollingAndNeverDrops)
{
    for (int i = 0; i < 20; i++) {
        rx_in.push_back((uint8_t)(i * 3 + 2));
    }
    rp_cm_link_rx_isr(); /* 16 queued, 4 dropped */
    std::vector<uint8_t> want(rx_in.begin(), rx_in.begin() + 16);
    rx_in.clear();
    rx_at = 0;
    for (int i = 0; i < 30; i++) {
        rx_in.push_back((uint8_t)(i * 11 + 7));
    }
    want.insert(want.end(), rx_in.begin(), rx_in.end());
    uint32_t dropped = rp_cm_link_rx_dropped();
    std::vector<uint8_t> got;
    uint8_t buf[10];
    size_t n;
    while ((n = rp_hal_transport_read(buf, sizeof buf)) != 0u) {
        got.insert(got.end(), buf, buf + n);
    }
    LONGS_EQUAL(0, rp_cm_link_rx_dropped() - dropped);
    CHECK_TRUE(want == got);
}

/* UART overruns and full-queue drops both count as lost bytes for the
 * host (Counters.link_rx_lost); the byte that follows an overrun is kept. */
TEST(CmLink, OverrunsAndDropsAddUpToTheLostBytes)
{
    for (int i = 0; i < 20; i++) {
        rx_in.push_back((uint8_t)(i + 100));
    }
    overrun_at = { 0u, 7u };
    uint32_t lost = rp_hal_transport_rx_lost();
    uint32_t dropped = rp_cm_link_rx_dropped();
    rp_cm_link_rx_isr(); /* 16 queued, 4 dropped */
    LONGS_EQUAL(4, rp_cm_link_rx_dropped() - dropped);
    LONGS_EQUAL(6, rp_hal_transport_rx_lost() - lost);
    uint8_t buf[32];
    LONGS_EQUAL(16, rp_hal_transport_read(buf, sizeof buf));
    CHECK_TRUE(std::vector<uint8_t>(rx_in.begin(), rx_in.begin() + 16) ==
               std::vector<uint8_t>(buf, buf + 16));
}
