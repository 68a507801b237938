/* rp_hal_transport.h over a board's UART, shared by the Cortex-M boards.
 *
 * A write goes straight to the UART while it takes bytes, the rest into a
 * software queue of RP_CM_LINK_TX_SIZE bytes, so the drain can hand over a
 * whole frame at once; rp_cm_link_pump() moves queued bytes into the UART
 * as it takes them (called by every transport call and by the board's main
 * loop). Bytes leave in the order they were written. RX bytes come from the
 * board's RX interrupt (rp_cm_link_rx_isr) or, failing that, from polling
 * in rp_hal_transport_read, into a queue of RP_CM_LINK_RX_SIZE bytes.
 *
 * The board's UART driver supplies the two functions below. TX takes a run
 * of bytes, so the per-byte work is one polling loop in the driver rather
 * than a call per byte (that was half the drain's cost per event).
 */
#ifndef RP_CM_LINK_H
#define RP_CM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hands data[0..len) to the UART while it has room, in order, without
 * waiting; returns how many bytes it took (0..len). */
size_t rp_board_uart_write(const uint8_t *data, size_t len);
/* Takes one received byte; false if none is waiting. Must also clear
 * whatever else raises the RX interrupt (e.g. an overrun), since the link
 * calls it until it returns false. */
bool rp_board_uart_getc(uint8_t *b);

void rp_cm_link_pump(void);
/* From the UART RX interrupt: takes every byte the UART holds (so the
 * interrupt condition clears) into the queue; bytes that find the queue
 * full are dropped and counted. */
void rp_cm_link_rx_isr(void);
/* Received bytes dropped so far because the RX queue was full (bytes the
 * UART itself lost to an overrun are not seen here). */
uint32_t rp_cm_link_rx_dropped(void);
/* True when nothing is waiting to be sent. */
bool rp_cm_link_tx_idle(void);

#endif
