/* CMSDK APB UART and timer drivers; contract in rp_cmsdk.h. */
#include "rp_cmsdk.h"

void rp_cmsdk_uart_init(rp_cmsdk_uart_t *u, uint32_t pclk_hz, uint32_t baud, bool rx_irq)
{
    uint32_t div = pclk_hz / baud;
    u->ctrl = 0u;
    u->bauddiv = div < 16u ? 16u : div;
    u->intstatus = 0xFu;
    u->ctrl = RP_CMSDK_UART_CTRL_TXEN | RP_CMSDK_UART_CTRL_RXEN |
              (rx_irq ? RP_CMSDK_UART_CTRL_RXIRQ : 0u);
}

bool rp_cmsdk_uart_putc(rp_cmsdk_uart_t *u, uint8_t b)
{
    if ((u->state & RP_CMSDK_UART_TXFULL) != 0u) {
        return false;
    }
    u->data = b;
    return true;
}

bool rp_cmsdk_uart_getc(rp_cmsdk_uart_t *u, uint8_t *b)
{
    if ((u->state & RP_CMSDK_UART_RXFULL) == 0u) {
        return false;
    }
    *b = (uint8_t)u->data;
    u->intstatus = RP_CMSDK_UART_INT_RX;
    return true;
}

void rp_cmsdk_timer_start(rp_cmsdk_timer_t *t)
{
    t->ctrl = 0u;
    t->reload = 0xFFFFFFFFu;
    t->value = 0xFFFFFFFFu;
    t->ctrl = 1u;
}
