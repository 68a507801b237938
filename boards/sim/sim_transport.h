/* The sim board's link to the host: rp_hal_transport.h over file
 * descriptors, plus the setup calls the board's main needs.
 *
 * Links (the --transport flag of rramprof-sim):
 *   stdio      frames on stdout, commands on stdin
 *   tcp:PORT   listen on 127.0.0.1:PORT and accept one host (0 = any port)
 *   unix:PATH  listen on a Unix stream socket and accept one host
 *   pty        open a pseudo-terminal in raw mode; the host opens its slave
 *
 * TX: rp_hal_transport_write() copies into a bounded queue that
 * rp_sim_transport_flush() writes to the fd with blocking writes. tx_space
 * therefore depends only on byte counts, never on how fast the host reads,
 * which keeps the stream deterministic.
 *
 * Modelled bandwidth: with a baud rate set, the link also behaves like a
 * UART driven by double-buffered DMA in *virtual* time: a write to an idle
 * link starts a transfer at once; while one is in flight, writes collect
 * in the second RP_SIM_LINK_DMA_BYTES buffer, which starts the moment the
 * transfer ends. A byte takes 10 bits (start + 8 data + stop). tx_space is
 * what the driver accepts at rp_hal_timer_now(), so a link too slow for
 * the event rate fills the ring and drops events at exactly the same
 * points on every run.
 *
 * The link goes down (rp_hal_transport_up() false) when the host closes it:
 * EOF or hang-up on read, EPIPE or another error on write. Once down, writes
 * are accepted and discarded so the device can finish its bookkeeping. */
#ifndef RP_SIM_TRANSPORT_H
#define RP_SIM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_hal_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each of the modelled UART's two DMA buffers. It must hold the largest
 * frame the device sends, because frames are never split (sim_transport.c
 * checks). */
#define RP_SIM_LINK_DMA_BYTES 4096u
/* Real TX queue in front of the fd; far above a frame, so it never limits
 * tx_space before the modelled link does. */
#define RP_SIM_LINK_QUEUE_BYTES 16384u
/* Longest socket path accepted for unix:PATH, terminator included. */
#define RP_SIM_LINK_PATH_MAX 108u

typedef enum rp_sim_link_kind {
    RP_SIM_LINK_STDIO = 0,
    RP_SIM_LINK_TCP = 1,
    RP_SIM_LINK_UNIX = 2,
    RP_SIM_LINK_PTY = 3
} rp_sim_link_kind_t;

typedef struct rp_sim_link_spec {
    rp_sim_link_kind_t kind;
    uint16_t port;                        /* tcp */
    char path[RP_SIM_LINK_PATH_MAX];      /* unix */
} rp_sim_link_spec_t;

/* Parses "stdio", "tcp:PORT", "unix:PATH" or "pty". Returns RP_OK or
 * RP_ERR_ARG. */
int rp_sim_transport_parse(const char *text, rp_sim_link_spec_t *out);

/* Prepares the link: binds and listens (tcp, unix; an existing socket file
 * at PATH is replaced), or opens the pseudo-terminal (pty). Writes where the
 * host should connect into `where` ("127.0.0.1:PORT" with the real port,
 * the socket path, the pty slave path, or "stdio"). On failure returns
 * RP_ERR_IO and writes the reason, with the OS error, into `where`. */
int rp_sim_transport_open(const rp_sim_link_spec_t *spec, char *where, size_t where_cap);

/* Blocks until the host is there: accepts one connection (tcp, unix) or
 * waits for the pty slave to be opened. Immediate for stdio. Returns RP_OK
 * or RP_ERR_IO with the reason in err. */
int rp_sim_transport_accept(char *err, size_t err_cap);

/* bits per second of the modelled link; 0 = not modelled (unlimited). */
void rp_sim_transport_set_baud(uint64_t baud);

/* stdio only: whether EOF on stdin takes the link down (default true).
 * A bounded run (--events) keeps going after stdin ends and stops on its
 * own, so it turns this off. */
void rp_sim_transport_set_eof_is_down(bool eof_is_down);

/* Writes every queued byte to the fd (blocking). */
void rp_sim_transport_flush(void);

/* Waits up to timeout_ms (negative = forever) for input from the host, or
 * for it to go away. Returns true if something is ready to read or the
 * link state changed, false on timeout. Never waits once the link is down. */
bool rp_sim_transport_wait(int timeout_ms);

/* Virtual tick at which tx_space next grows: when the DMA transfer in
 * flight ends while bytes wait in the other buffer. rp_hal_timer_now()
 * when there is nothing to wait for (not modelled, or that buffer empty). */
uint64_t rp_sim_transport_tx_wake_at(void);

/* Bytes handed to rp_hal_transport_write since open. */
uint64_t rp_sim_transport_bytes_written(void);
/* false once no more input can come from the host (EOF on stdin). */
bool rp_sim_transport_rx_open(void);
/* Bytes rp_hal_transport_read returned since open. */
uint64_t rp_sim_transport_bytes_read(void);

/* Flushes, closes the link and removes a unix socket file. */
void rp_sim_transport_close(void);

#ifdef __cplusplus
}
#endif
#endif
