/* rp_cm_link.c (64-byte TX queue) on a board with a TX interrupt, against
 * a fake UART with a TX buffer of `depth` bytes. Time is explicit: tick()
 * moves one byte from the buffer onto `wire`; deliver() runs the TX
 * interrupt as the NVIC would once thread mode unmasks, in either of the
 * two forms boards have:
 *   PER_BYTE  raised each time a byte leaves while enabled, cleared by the
 *             handler (CMSDK UART);
 *   LEVEL     raised for as long as it is enabled and the buffer has room
 *             (STM32 TXE).
 * The link probes the board once per process, so this file has its own
 * executable (the thread-mode-only tests are in test_cm_link.cpp). */
#include <stdint.h>
#include <string.h>

#include <vector>

#include <CppUTest/TestHarness.h>

extern "C" {
#include "rp_cm_link.h"
#include "rramprof/rp_hal_transport.h"
}

static const size_t TX_SIZE = 64u;

enum irq_form { PER_BYTE, LEVEL };

static irq_form form;
static size_t depth;                /* the UART's TX buffer */
static std::vector<uint8_t> hold;   /* bytes in it */
static std::vector<uint8_t> wire;   /* bytes that left it */
static bool enabled;                /* the TX interrupt */
static bool latched;                /* PER_BYTE: raised, not yet handled */
static bool in_isr;
static size_t thread_bytes, isr_bytes, isr_runs;
static const uint8_t *first_thread_from; /* where the first thread-mode byte came from */

extern "C" size_t rp_board_uart_write(const uint8_t *data, size_t len)
{
    size_t n = 0;
    while (n < len && hold.size() < depth) {
        hold.push_back(data[n++]);
    }
    if (!in_isr && n != 0u && thread_bytes == 0u) {
        first_thread_from = data;
    }
    (in_isr ? isr_bytes : thread_bytes) += n;
    return n;
}

extern "C" unsigned rp_board_uart_getc(uint8_t *b)
{
    (void)b;
    return 0u;
}

extern "C" bool rp_board_uart_tx_irq(bool on)
{
    enabled = on;
    return true;
}

/* One byte leaves the UART. */
static void tick()
{
    if (hold.empty()) {
        return;
    }
    wire.push_back(hold.front());
    hold.erase(hold.begin());
    if (form == PER_BYTE && enabled) {
        latched = true;
    }
}

static bool raised()
{
    return form == PER_BYTE ? latched : enabled && hold.size() < depth;
}

/* Runs the handler while the interrupt is raised; fails on a storm. */
static void deliver()
{
    for (int n = 0; raised(); n++) {
        CHECK_TEXT(n < 1000, "the TX interrupt never stops");
        latched = false; /* the CMSDK handler clears before the link */
        in_isr = true;
        rp_cm_link_tx_isr();
        in_isr = false;
        isr_runs++;
    }
}

/* The line runs with no thread-mode call: ticks and interrupts only. */
static void run_line(size_t ticks)
{
    for (size_t i = 0; i < ticks; i++) {
        tick();
        deliver();
    }
}

static std::vector<uint8_t> seq(uint32_t *next, size_t n)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; i++) {
        v[i] = (uint8_t)((*next)++ * 29u + 5u);
    }
    return v;
}

TEST_GROUP(CmLinkIrq)
{
    void setup() override
    {
        form = PER_BYTE;
        depth = 1;
        run_line(2u * TX_SIZE + 4u); /* whatever an earlier test left */
        CHECK_TRUE(rp_cm_link_tx_idle());
        run_line(4u);
        CHECK_FALSE(enabled);
        wire.clear();
        thread_bytes = isr_bytes = isr_runs = 0;
    }

    /* A write, then the line alone: everything leaves in order, thread
     * mode having sent one byte, and the interrupt ends up disabled. */
    void check_write_drains_by_interrupt(irq_form f, size_t d)
    {
        form = f;
        depth = d;
        uint32_t next = 0;
        std::vector<uint8_t> a = seq(&next, 50);
        LONGS_EQUAL(50, rp_hal_transport_write(a.data(), a.size()));
        deliver(); /* thread mode unmasks */
        run_line(60);
        CHECK_TRUE(a == wire);
        CHECK_FALSE(enabled);
        CHECK_TRUE(thread_bytes <= 1u);
        LONGS_EQUAL(50, thread_bytes + isr_bytes);
        CHECK_TRUE(rp_cm_link_tx_idle());
    }
};

TEST(CmLinkIrq, PerByteInterruptSendsTheQueueWithoutThreadMode)
{
    check_write_drains_by_interrupt(PER_BYTE, 1);
    LONGS_EQUAL(1, thread_bytes); /* the byte that starts the chain */
}

TEST(CmLinkIrq, LevelInterruptSendsTheQueueWithoutThreadMode)
{
    check_write_drains_by_interrupt(LEVEL, 2);
}

/* The queue holds at most TX_SIZE bytes: the rest of a longer write is
 * refused (the drain asks tx_space first), and the queue frees as the
 * interrupt sends. */
TEST(CmLinkIrq, WriteTakesWhatTheQueueHolds)
{
    uint32_t next = 0;
    std::vector<uint8_t> a = seq(&next, 100);
    LONGS_EQUAL(TX_SIZE, rp_hal_transport_write(a.data(), a.size()));
    deliver();
    /* One byte in the UART, the rest queued. */
    LONGS_EQUAL(1, rp_hal_transport_tx_space());
    run_line(10);
    LONGS_EQUAL(11, rp_hal_transport_tx_space());
    run_line(TX_SIZE);
    CHECK_TRUE(std::vector<uint8_t>(a.begin(), a.begin() + TX_SIZE) == wire);
}

/* A write into the empty queue lands at its front whatever went before,
 * so the instructions a frame costs do not depend on history (under
 * QEMU's -icount they would move the timestamps of later events). */
TEST(CmLinkIrq, AFrameIntoTheEmptyQueueLandsAtItsFront)
{
    uint32_t next = 0;
    const uint8_t *front = nullptr;
    for (size_t len : { 10u, 37u, 10u, 63u, 5u }) {
        std::vector<uint8_t> a = seq(&next, len);
        thread_bytes = 0;
        LONGS_EQUAL(len, rp_hal_transport_write(a.data(), a.size()));
        deliver();
        run_line(len + 2u);
        CHECK_TRUE(rp_cm_link_tx_idle());
        if (front == nullptr) {
            front = first_thread_from;
        }
        POINTERS_EQUAL(front, first_thread_from);
    }
}

/* CMSDK race: the last byte of an earlier transfer is still in the UART
 * (interrupt disabled, queue empty) when a write queues more. Thread mode
 * cannot send, so the chain must restart from that byte's interrupt. */
TEST(CmLinkIrq, ByteInFlightWhenAWriteArrivesStillInterrupts)
{
    uint32_t next = 0;
    std::vector<uint8_t> a = seq(&next, 3);
    std::vector<uint8_t> b = seq(&next, 20);
    LONGS_EQUAL(3, rp_hal_transport_write(a.data(), a.size()));
    deliver();
    run_line(2); /* two left; the ISR put the third in the UART and, with
                  * the queue empty, disabled the interrupt */
    LONGS_EQUAL(2, wire.size());
    CHECK_FALSE(enabled);
    LONGS_EQUAL(1, hold.size());
    LONGS_EQUAL(20, rp_hal_transport_write(b.data(), b.size()));
    CHECK_TRUE(enabled);
    deliver();
    run_line(30);
    std::vector<uint8_t> want(a);
    want.insert(want.end(), b.begin(), b.end());
    CHECK_TRUE(want == wire);
    CHECK_FALSE(enabled);
}

/* An interrupt that never came (the chain stopped with bytes queued): the
 * next thread-mode pump starts it again. */
TEST(CmLinkIrq, PumpRestartsAChainThatStopped)
{
    uint32_t next = 0;
    std::vector<uint8_t> a = seq(&next, 10);
    LONGS_EQUAL(10, rp_hal_transport_write(a.data(), a.size()));
    tick();
    latched = false; /* lost */
    run_line(5);
    LONGS_EQUAL(1, wire.size());
    rp_cm_link_pump();
    deliver();
    run_line(20);
    CHECK_TRUE(a == wire);
}

/* Writes, pumps, ticks and interrupts interleaved at random: every
 * accepted byte leaves once, in order, and a write no longer than
 * tx_space is taken whole. */
static void check_random_interleaving(irq_form f, size_t d, uint32_t rng)
{
    form = f;
    depth = d;
    uint32_t next = 0;
    std::vector<uint8_t> sent;
    for (int turn = 0; turn < 3000; turn++) {
        rng = rng * 1103515245u + 12345u;
        switch ((rng >> 16) % 4u) {
        case 0: {
            size_t len = (rng >> 4) % 30u;
            size_t space = rp_hal_transport_tx_space();
            std::vector<uint8_t> chunk = seq(&next, len);
            size_t took = rp_hal_transport_write(chunk.data(), chunk.size());
            if (len <= space) {
                LONGS_EQUAL(len, took);
            }
            next -= (uint32_t)(len - took);
            sent.insert(sent.end(), chunk.begin(), chunk.begin() + took);
            deliver();
            break;
        }
        case 1:
            rp_cm_link_pump();
            deliver();
            break;
        default:
            run_line((rng >> 8) % 6u);
            break;
        }
    }
    run_line(2u * TX_SIZE);
    CHECK_TRUE(rp_cm_link_tx_idle());
    run_line(4);
    LONGS_EQUAL(sent.size(), wire.size());
    CHECK_TRUE(sent == wire);
    CHECK_TRUE(sent.size() > 20u * TX_SIZE);
    CHECK_FALSE(enabled);
    CHECK_TRUE(isr_bytes > thread_bytes);
}

TEST(CmLinkIrq, OrderUnderRandomInterleavingPerByte)
{
    check_random_interleaving(PER_BYTE, 1, 777u);
}

TEST(CmLinkIrq, OrderUnderRandomInterleavingLevel)
{
    check_random_interleaving(LEVEL, 2, 4242u);
}
