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

void rp_cm_link_rx_isr(void)
{
    uint8_t b;
    /* A full queue leaves bytes in the UART, so the UART flags the overrun
     * rather than this queue losing them silently. */
    while (prv_rx_head - prv_rx_tail < RP_CM_LINK_RX_SIZE && rp_board_uart_getc(&b)) {
        prv_rx[prv_rx_head & (RP_CM_LINK_RX_SIZE - 1u)] = b;
        prv_rx_head++;
    }
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

size_t rp_hal_transport_read(uint8_t *buf, size_t cap)
{
    /* Polling too, so a board without the RX interrupt wired still works. */
    rp_port_irq_t s = rp_port_irq_save();
    rp_cm_link_rx_isr();
    rp_port_irq_restore(s);
    size_t n = 0;
    while (n < cap && prv_rx_tail != prv_rx_head) {
        buf[n++] = prv_rx[prv_rx_tail & (RP_CM_LINK_RX_SIZE - 1u)];
        prv_rx_tail++;
    }
    return n;
}

bool rp_hal_transport_up(void)
{
    return true;
}
