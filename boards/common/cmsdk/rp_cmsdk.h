/* ARM CMSDK APB peripherals used by the MPS2 boards: UART and timer.
 * Register map from the Cortex-M System Design Kit technical reference
 * (ARM DDI 0479). */
#ifndef RP_CMSDK_H
#define RP_CMSDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rp_cmsdk_uart {
    volatile uint32_t data;      /* 0x00 */
    volatile uint32_t state;     /* 0x04: bit0 TX full, bit1 RX full, bit3 RX overrun (write 1 to clear) */
    volatile uint32_t ctrl;      /* 0x08: bit0 TX en, bit1 RX en, bit2 TX irq en, bit3 RX irq en */
    volatile uint32_t intstatus; /* 0x0C: bit0 TX, bit1 RX; write 1 to clear */
    volatile uint32_t bauddiv;   /* 0x10: >= 16 */
} rp_cmsdk_uart_t;

typedef struct rp_cmsdk_timer {
    volatile uint32_t ctrl;      /* 0x00: bit0 enable */
    volatile uint32_t value;     /* 0x04: counts down */
    volatile uint32_t reload;    /* 0x08 */
    volatile uint32_t intclr;    /* 0x0C */
} rp_cmsdk_timer_t;

#define RP_CMSDK_UART_TXFULL 0x1u
#define RP_CMSDK_UART_RXFULL 0x2u
#define RP_CMSDK_UART_RXOVR 0x8u
#define RP_CMSDK_UART_CTRL_TXEN 0x1u
#define RP_CMSDK_UART_CTRL_RXEN 0x2u
#define RP_CMSDK_UART_CTRL_TXIRQ 0x4u
#define RP_CMSDK_UART_CTRL_RXIRQ 0x8u
#define RP_CMSDK_UART_INT_TX 0x1u
#define RP_CMSDK_UART_INT_RX 0x2u

/* Enables TX and RX at pclk_hz / baud, with the RX interrupt if rx_irq. */
void rp_cmsdk_uart_init(rp_cmsdk_uart_t *u, uint32_t pclk_hz, uint32_t baud, bool rx_irq);
/* Writes data[0..len) while the UART has room (its TX buffer holds one
 * byte, so this polls TX full before each byte); returns the bytes taken. */
size_t rp_cmsdk_uart_write(rp_cmsdk_uart_t *u, const uint8_t *data, size_t len);
/* rp_board_uart_getc (rp_cm_link.h) for this UART: the received byte,
 * and an overrun (cleared here) as RP_CM_RX_OVERRUN. */
unsigned rp_cmsdk_uart_getc(rp_cmsdk_uart_t *u, uint8_t *b);
/* Enables or disables the TX interrupt. It is raised each time a byte
 * leaves the TX buffer while enabled (not when enabled with the buffer
 * empty); the handler clears it with rp_cmsdk_uart_tx_irq_clear first. */
void rp_cmsdk_uart_tx_irq(rp_cmsdk_uart_t *u, bool on);

static inline void rp_cmsdk_uart_tx_irq_clear(rp_cmsdk_uart_t *u)
{
    u->intstatus = RP_CMSDK_UART_INT_TX;
}

/* Starts the timer free-running from 0xFFFFFFFF down, wrapping. */
void rp_cmsdk_timer_start(rp_cmsdk_timer_t *t);

/* The timer as an up-counter. */
static inline uint32_t rp_cmsdk_timer_up(const rp_cmsdk_timer_t *t)
{
    return ~t->value;
}

#endif
