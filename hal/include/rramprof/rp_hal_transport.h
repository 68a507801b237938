/* HAL contract: the byte link to the host (UART, USB bulk, socket).
 *
 * Both directions are non-blocking. The drain writes a frame only when
 * rp_hal_transport_tx_space() is at least its length, and then
 * rp_hal_transport_write() must accept all of it (frames are never split by
 * the core). Bytes are delivered in order or the link is reported down. */
#ifndef RP_HAL_TRANSPORT_H
#define RP_HAL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes rp_hal_transport_write would accept right now. */
size_t rp_hal_transport_tx_space(void);
/* Queues data for transmission; returns bytes accepted (all of them when
 * len <= tx_space). */
size_t rp_hal_transport_write(const uint8_t *data, size_t len);
/* Copies up to cap received bytes into buf; returns the count (0 = none). */
size_t rp_hal_transport_read(uint8_t *buf, size_t cap);
/* false once the host has gone away for good (sim: peer closed). Real
 * UARTs always return true. */
bool rp_hal_transport_up(void);
/* Received bytes lost before rp_hal_transport_read could hand them out
 * (a full receive queue, a UART overrun), since boot; 0 where the link
 * cannot lose any. Sent to the host in Counters. */
uint32_t rp_hal_transport_rx_lost(void);

#ifdef __cplusplus
}
#endif
#endif
