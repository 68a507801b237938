/* rp_hal_transport.h over a board's UART, shared by the Cortex-M boards.
 *
 * A write goes into a software queue of RP_CM_LINK_TX_SIZE bytes (straight
 * to the UART, without the copy, when nothing is queued and the board has
 * no TX interrupt), so the drain can hand over a whole frame at once.
 * Queued bytes leave in the order they were written:
 *  - on a board with a TX interrupt (rp_board_uart_tx_irq returns true),
 *    from its handler (rp_cm_link_tx_isr), so the line keeps running while
 *    the firmware computes between polls; thread mode only starts a
 *    transfer, with one byte;
 *  - otherwise from rp_cm_link_pump(), called by every transport call and
 *    by the board's main loop, as many as the UART takes each time.
 * RX bytes come from the board's RX interrupt (rp_cm_link_rx_isr) or,
 * failing that, from polling in rp_hal_transport_read, into a queue of
 * RP_CM_LINK_RX_SIZE bytes.
 *
 * The board's UART driver supplies the three functions below. TX takes a
 * run of bytes, so the per-byte work is one polling loop in the driver
 * rather than a call per byte (that was half the drain's cost per event).
 */
#ifndef RP_CM_LINK_H
#define RP_CM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The queues' sizes in bytes, powers of two; a board may set either. The
 * TX queue must hold the largest frame (rp_cm_main.c checks): the drain
 * sends a batch only once there is room for one. */
#ifndef RP_CM_LINK_TX_SIZE
#define RP_CM_LINK_TX_SIZE 4096u
#endif
#ifndef RP_CM_LINK_RX_SIZE
#define RP_CM_LINK_RX_SIZE 256u
#endif

/* Hands data[0..len) to the UART while it has room, in order, without
 * waiting; returns how many bytes it took (0..len). Called from thread
 * mode with interrupts masked and from the TX interrupt. */
size_t rp_board_uart_write(const uint8_t *data, size_t len);
/* What rp_board_uart_getc found. */
enum { RP_CM_RX_BYTE = 1u, RP_CM_RX_OVERRUN = 2u };
/* Takes one received byte: RP_CM_RX_BYTE with the byte in *b, ORed with
 * RP_CM_RX_OVERRUN when the UART lost bytes to an overrun before it (or
 * RP_CM_RX_OVERRUN alone); 0 when nothing is waiting. Must also clear
 * whatever else raises the RX interrupt (the overrun), since the link
 * calls it until it returns 0. */
unsigned rp_board_uart_getc(uint8_t *b);
/* Enables (on) or disables the UART's TX interrupt and returns true; or
 * returns false, doing nothing, where the board has none (the link then
 * sends from thread mode). The interrupt calls rp_cm_link_tx_isr() when
 * the UART can take more: either level-triggered while it has room
 * (STM32 TXE), or once each time a byte leaves its TX buffer (CMSDK; the
 * handler clears the flag before calling the link). */
bool rp_board_uart_tx_irq(bool on);

void rp_cm_link_pump(void);
/* From the UART TX interrupt: hands queued bytes to the UART while it
 * takes them, and disables the interrupt once the queue is empty. */
void rp_cm_link_tx_isr(void);
/* From the UART RX interrupt: takes every byte the UART holds (so the
 * interrupt condition clears) into the queue; bytes that find the queue
 * full are dropped and counted. */
void rp_cm_link_rx_isr(void);
/* Received bytes dropped so far because the RX queue was full. Lost ones
 * in all (rp_hal_transport_rx_lost) add one per UART overrun (it loses at
 * least one byte, and says no more). */
uint32_t rp_cm_link_rx_dropped(void);
/* True when nothing is waiting to be sent. */
bool rp_cm_link_tx_idle(void);

#endif
