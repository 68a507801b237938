/* CMSDK APB UART and timer drivers; contract in rp_cmsdk.h. */
#include "rp_cmsdk.h"

#include "rp_cm_link.h"

void rp_cmsdk_uart_init(rp_cmsdk_uart_t *u, uint32_t pclk_hz, uint32_t baud, bool rx_irq)
{
    uint32_t div = pclk_hz / baud;
    u->ctrl = 0u;
    u->bauddiv = div < 16u ? 16u : div;
    u->intstatus = 0xFu;
    u->ctrl = RP_CMSDK_UART_CTRL_TXEN | RP_CMSDK_UART_CTRL_RXEN |
              (rx_irq ? RP_CMSDK_UART_CTRL_RXIRQ : 0u);
}

size_t rp_cmsdk_uart_write(rp_cmsdk_uart_t *u, const uint8_t *data, size_t len)
{
    /* One tight loop per frame: a call per byte used to be half of the
     * drain's cost per event on the MCU. */
    const uint8_t *p = data;
    const uint8_t *end = data + len;
    if (len == 0u) {
        return 0u;
    }
    do {
        if ((u->state & RP_CMSDK_UART_TXFULL) != 0u) {
            break;
        }
        u->data = *p++;
    } while (p != end);
    return (size_t)(p - data);
}

unsigned rp_cmsdk_uart_getc(rp_cmsdk_uart_t *u, uint8_t *b)
{
    uint32_t state = u->state;
    unsigned got = 0u;
    if ((state & RP_CMSDK_UART_RXOVR) != 0u) {
        u->state = RP_CMSDK_UART_RXOVR;
        got = RP_CM_RX_OVERRUN;
    }
    if ((state & RP_CMSDK_UART_RXFULL) != 0u) {
        *b = (uint8_t)u->data;
        u->intstatus = RP_CMSDK_UART_INT_RX;
        got |= RP_CM_RX_BYTE;
    }
    return got;
}

void rp_cmsdk_uart_tx_irq(rp_cmsdk_uart_t *u, bool on)
{
    uint32_t ctrl = u->ctrl;
    u->ctrl = on ? ctrl | RP_CMSDK_UART_CTRL_TXIRQ : ctrl & ~RP_CMSDK_UART_CTRL_TXIRQ;
}

void rp_cmsdk_timer_start(rp_cmsdk_timer_t *t)
{
    t->ctrl = 0u;
    t->reload = 0xFFFFFFFFu;
    t->value = 0xFFFFFFFFu;
    t->ctrl = 1u;
}
