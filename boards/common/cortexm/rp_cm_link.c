/* Queued UART transport; contract in rp_cm_link.h. */
#include "rp_cm_link.h"

#include <string.h>

#include "rp_port.h"
#include "rramprof/rp_hal_transport.h"

_Static_assert((RP_CM_LINK_TX_SIZE & (RP_CM_LINK_TX_SIZE - 1u)) == 0u, "power of two");
_Static_assert((RP_CM_LINK_RX_SIZE & (RP_CM_LINK_RX_SIZE - 1u)) == 0u, "power of two");

/* Free-running indices; count = head - tail. TX head moves in thread
 * mode, TX tail there with interrupts masked and in the TX interrupt; RX
 * head moves in the RX interrupt, RX tail in thread mode. */
static uint8_t prv_tx[RP_CM_LINK_TX_SIZE];
static uint32_t prv_tx_head;
static volatile uint32_t prv_tx_tail;
static uint8_t prv_rx[RP_CM_LINK_RX_SIZE];
static volatile uint32_t prv_rx_head, prv_rx_tail;
/* Written only by prv_rx_take (interrupt, or thread mode masked). */
static uint32_t prv_rx_dropped, prv_rx_overruns;
/* The board's TX interrupt: not asked yet, none, off or on. Changed in
 * the TX interrupt and in thread mode with interrupts masked. */
enum { PRV_IRQ_UNKNOWN, PRV_IRQ_NONE, PRV_IRQ_OFF, PRV_IRQ_ON };
static uint8_t prv_tx_irq = PRV_IRQ_UNKNOWN;

#define PRV_TX_MASK (RP_CM_LINK_TX_SIZE - 1u)

/* Hands up to `most` queued bytes to the UART while it takes them; false
 * if it stopped taking them before the queue or `most` ran out. At most
 * two runs: up to the end of the buffer, then from its start. Interrupts
 * masked, or in the TX interrupt. */
static bool prv_tx_send(uint32_t most)
{
    uint32_t tail = prv_tx_tail;
    uint32_t left = prv_tx_head - tail;
    if (left > most) {
        left = most;
    }
    while (left != 0u) {
        uint32_t at = tail & PRV_TX_MASK;
        uint32_t run = left < RP_CM_LINK_TX_SIZE - at ? left : RP_CM_LINK_TX_SIZE - at;
        size_t sent = rp_board_uart_write(&prv_tx[at], run);
        tail += (uint32_t)sent;
        left -= (uint32_t)sent;
        if (sent < run) {
            prv_tx_tail = tail;
            return false;   /* the UART is full */
        }
    }
    prv_tx_tail = tail;
    return true;
}

/* Moves the queue along from thread mode, interrupts masked. With the TX
 * interrupt: enables it, then starts a transfer with one byte if the UART
 * is free. Enabling first matters where the interrupt comes once per byte
 * that leaves the UART (CMSDK): a byte still in flight then interrupts
 * when it leaves, and one that left already is found by the write; the
 * interrupt sends the rest. The byte is also what restarts the chain if
 * an interrupt was ever missed. Without one: as many as the UART takes. */
static void prv_tx_kick(void)
{
    if (prv_tx_head == prv_tx_tail) {
        return;
    }
    if (prv_tx_irq == PRV_IRQ_OFF || prv_tx_irq == PRV_IRQ_UNKNOWN) {
        prv_tx_irq = rp_board_uart_tx_irq(true) ? PRV_IRQ_ON : PRV_IRQ_NONE;
    }
    (void)prv_tx_send(prv_tx_irq == PRV_IRQ_ON ? 1u : UINT32_MAX);
}

/* Whether the board has a TX interrupt, asked once (disabling it is the
 * question that changes nothing). Interrupts masked. */
static bool prv_tx_has_irq(void)
{
    if (prv_tx_irq == PRV_IRQ_UNKNOWN) {
        prv_tx_irq = rp_board_uart_tx_irq(false) ? PRV_IRQ_OFF : PRV_IRQ_NONE;
    }
    return prv_tx_irq != PRV_IRQ_NONE;
}

void rp_cm_link_pump(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    prv_tx_kick();
    rp_port_irq_restore(s);
}

void rp_cm_link_tx_isr(void)
{
    if (prv_tx_send(UINT32_MAX) && prv_tx_irq == PRV_IRQ_ON) {
        /* Queue empty. A level-triggered interrupt would fire for ever;
         * a per-byte one may fire once more, for the last byte. */
        (void)rp_board_uart_tx_irq(false);
        prv_tx_irq = PRV_IRQ_OFF;
    }
}

bool rp_cm_link_tx_idle(void)
{
    rp_cm_link_pump();
    return prv_tx_head == prv_tx_tail;
}

/* Moves received bytes from the UART into the queue; with `all`, also
 * when the queue is full, dropping and counting what finds no room. */
static void prv_rx_take(bool all)
{
    uint8_t b;
    unsigned got;
    while ((all || prv_rx_head - prv_rx_tail < RP_CM_LINK_RX_SIZE) &&
           (got = rp_board_uart_getc(&b)) != 0u) {
        if ((got & RP_CM_RX_OVERRUN) != 0u) {
            prv_rx_overruns++;
        }
        if ((got & RP_CM_RX_BYTE) == 0u) {
            continue;
        }
        if (prv_rx_head - prv_rx_tail < RP_CM_LINK_RX_SIZE) {
            prv_rx[prv_rx_head & (RP_CM_LINK_RX_SIZE - 1u)] = b;
            prv_rx_head++;
        } else {
            prv_rx_dropped++;
        }
    }
}

void rp_cm_link_rx_isr(void)
{
    /* Empty the UART even when the queue is full: a byte left in it keeps
     * the RX interrupt raised (STM32 RXNE), so the handler would run again
     * at once, for ever, and thread mode, the queue's only reader, would
     * never run. A byte without room is dropped and counted; the frame it
     * belonged to then fails its CRC and the device ignores that command. */
    prv_rx_take(true);
}

uint32_t rp_cm_link_rx_dropped(void)
{
    return prv_rx_dropped;
}

uint32_t rp_hal_transport_rx_lost(void)
{
    return prv_rx_dropped + prv_rx_overruns;
}

size_t rp_hal_transport_tx_space(void)
{
    rp_cm_link_pump();
    return RP_CM_LINK_TX_SIZE - (prv_tx_head - prv_tx_tail);
}

size_t rp_hal_transport_write(const uint8_t *data, size_t len)
{
    rp_port_irq_t s = rp_port_irq_save();
    prv_tx_kick();
    if (prv_tx_head == prv_tx_tail) {
        /* Empty: start again at the front, so that where a frame lands in
         * the queue (and with it the copy's and the sends' instruction
         * count) does not depend on how many bytes went before. Under
         * QEMU's -icount that history (Heartbeats while the host was
         * deciding) otherwise changed the timestamps of a capture. */
        prv_tx_head = 0u;
        prv_tx_tail = 0u;
    }
    size_t sent = 0;
    if (prv_tx_head == prv_tx_tail && !prv_tx_has_irq()) {
        /* Nothing queued ahead of it and no TX interrupt to feed: straight
         * to the UART, without the copy through the queue. */
        sent = rp_board_uart_write(data, len);
    }
    data += sent;
    len -= sent;
    size_t space = RP_CM_LINK_TX_SIZE - (prv_tx_head - prv_tx_tail);
    size_t n = len < space ? len : space;
    if (n != 0u) {
        uint32_t at = prv_tx_head & PRV_TX_MASK;
        size_t first = n < RP_CM_LINK_TX_SIZE - at ? n : RP_CM_LINK_TX_SIZE - at;
        memcpy(&prv_tx[at], data, first);
        memcpy(prv_tx, data + first, n - first);
        prv_tx_head += (uint32_t)n;
        if (prv_tx_irq != PRV_IRQ_NONE) {
            prv_tx_kick();   /* start the interrupt's transfer */
        }
    }
    rp_port_irq_restore(s);
    return sent + n;
}

static size_t prv_rx_copy(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && prv_rx_tail != prv_rx_head) {
        buf[n++] = prv_rx[prv_rx_tail & (RP_CM_LINK_RX_SIZE - 1u)];
        prv_rx_tail++;
    }
    return n;
}

size_t rp_hal_transport_read(uint8_t *buf, size_t cap)
{
    /* What is queued first, then a poll into the room that made, so a
     * board without the RX interrupt wired still works. The poll stops
     * when the queue is full: in thread mode the bytes can wait in the
     * UART for the next read. */
    size_t n = prv_rx_copy(buf, cap);
    rp_port_irq_t s = rp_port_irq_save();
    prv_rx_take(false);
    rp_port_irq_restore(s);
    return n + prv_rx_copy(buf + n, cap - n);
}

bool rp_hal_transport_up(void)
{
    return true;
}
