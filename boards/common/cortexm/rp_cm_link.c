/* Queued UART transport; contract in rp_cm_link.h. */
#include "rp_cm_link.h"

#include <string.h>

#include "rp_port.h"
#include "rramprof/rp_hal_transport.h"

#ifndef RP_CM_LINK_TX_SIZE
#define RP_CM_LINK_TX_SIZE 4096u
#endif
#ifndef RP_CM_LINK_RX_SIZE
#define RP_CM_LINK_RX_SIZE 256u
#endif
_Static_assert((RP_CM_LINK_TX_SIZE & (RP_CM_LINK_TX_SIZE - 1u)) == 0u, "power of two");
_Static_assert((RP_CM_LINK_RX_SIZE & (RP_CM_LINK_RX_SIZE - 1u)) == 0u, "power of two");

/* Free-running indices; count = head - tail. TX is used from thread mode
 * only; RX head moves in the interrupt, tail in thread mode. */
static uint8_t prv_tx[RP_CM_LINK_TX_SIZE];
static uint32_t prv_tx_head, prv_tx_tail;
static uint8_t prv_rx[RP_CM_LINK_RX_SIZE];
static volatile uint32_t prv_rx_head, prv_rx_tail;
/* Written only by rp_cm_link_rx_isr (interrupt, or thread mode masked). */
static uint32_t prv_rx_dropped;

#define PRV_TX_MASK (RP_CM_LINK_TX_SIZE - 1u)

void rp_cm_link_pump(void)
{
    /* At most two runs: up to the end of the buffer, then from its start. */
    while (prv_tx_head != prv_tx_tail) {
        uint32_t at = prv_tx_tail & PRV_TX_MASK;
        uint32_t run = prv_tx_head - prv_tx_tail;
        if (run > RP_CM_LINK_TX_SIZE - at) {
            run = RP_CM_LINK_TX_SIZE - at;
        }
        size_t sent = rp_board_uart_write(&prv_tx[at], run);
        prv_tx_tail += (uint32_t)sent;
        if (sent < run) {
            return;   /* the UART is full */
        }
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
    while ((all || prv_rx_head - prv_rx_tail < RP_CM_LINK_RX_SIZE) && rp_board_uart_getc(&b)) {
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

size_t rp_hal_transport_tx_space(void)
{
    rp_cm_link_pump();
    return RP_CM_LINK_TX_SIZE - (prv_tx_head - prv_tx_tail);
}

size_t rp_hal_transport_write(const uint8_t *data, size_t len)
{
    rp_cm_link_pump();
    size_t sent = 0;
    if (prv_tx_head == prv_tx_tail) {
        /* Nothing queued ahead of it: straight to the UART, without the
         * copy through the queue. */
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
    }
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
