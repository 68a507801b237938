/* Link framing, shared by firmware and host.
 *
 * A frame on the wire is COBS(payload || CRC32_LE(payload)) followed by one
 * 0x00 delimiter. COBS removes every zero from the body, so a receiver
 * resynchronises at the next 0x00 whatever came before it. The payload is
 * one protobuf message (rramprof.v1.Frame device->host, rramprof.v1.Command
 * host->device) of at most the receiver's configured maximum size. */
#ifndef RP_FRAME_H
#define RP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_FRAME_CRC_LEN 4u
/* Worst-case encoded size of a payload of n bytes: COBS adds one byte per
 * 254 bytes plus one, then the delimiter. */
#define RP_FRAME_ENCODED_MAX(n) \
    ((n) + RP_FRAME_CRC_LEN + ((n) + RP_FRAME_CRC_LEN) / 254u + 2u)

/* Encodes payload[0..len) into out. Returns the number of bytes written,
 * delimiter included, or 0 if out_cap < RP_FRAME_ENCODED_MAX(len).
 * payload and out must not overlap. */
size_t rp_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t out_cap);

/* Outcome of feeding one byte to the deframer. */
typedef enum rp_deframe_result {
    RP_DEFRAME_NONE = 0,      /* byte consumed, no frame finished yet */
    RP_DEFRAME_FRAME = 1,     /* a valid frame is in rp_deframer_payload() */
    RP_DEFRAME_ERR_CRC = 2,   /* frame ended with a bad checksum; dropped */
    RP_DEFRAME_ERR_COBS = 3,  /* frame body was not valid COBS; dropped */
    RP_DEFRAME_ERR_OVERSIZE = 4, /* frame longer than the buffer; dropped */
    RP_DEFRAME_ERR_SHORT = 5  /* frame shorter than its CRC; dropped */
} rp_deframe_result_t;

/* Counts of what the deframer has seen since init: 64-bit on hosts,
 * 32-bit in small (MCU) builds, where the device deframes only the few
 * command frames the host sends it. */
#if RP_CONFIG_SMALL
typedef uint32_t rp_deframer_count_t;
#else
typedef uint64_t rp_deframer_count_t;
#endif
typedef struct rp_deframer_stats {
    rp_deframer_count_t frames;        /* good frames */
    rp_deframer_count_t crc_errors;
    rp_deframer_count_t cobs_errors;
    rp_deframer_count_t oversize;
    rp_deframer_count_t short_frames;
    rp_deframer_count_t bytes;         /* every byte fed */
    rp_deframer_count_t discarded_bytes; /* bytes that belonged to no good frame,
                                          * lone delimiters aside */
    rp_deframer_count_t empty_frames;  /* lone delimiters: a boot's first byte,
                                        * or 0x00 0x00; no error, no garbage */
} rp_deframer_stats_t;

/* Streaming deframer over a caller-owned buffer; no heap. */
typedef struct rp_deframer {
    uint8_t *buf;
    size_t cap;
    size_t len;           /* decoded bytes of the current frame so far; more
                           * than cap once it overflowed (then only counted) */
    size_t payload_len;   /* valid after RP_DEFRAME_FRAME */
    uint8_t remaining;    /* data bytes left in the current COBS block */
    uint8_t zero_pending; /* the current block implies a zero after it */
    rp_deframer_count_t frame_start; /* stats.bytes when the frame began */
    rp_deframer_stats_t stats;
} rp_deframer_t;

/* buf must hold the largest payload accepted plus RP_FRAME_CRC_LEN. */
void rp_deframer_init(rp_deframer_t *d, uint8_t *buf, size_t cap);

/* Feeds one received byte. On RP_DEFRAME_FRAME the payload (CRC removed)
 * stays valid until the next call. */
rp_deframe_result_t rp_deframer_feed(rp_deframer_t *d, uint8_t byte);

static inline const uint8_t *rp_deframer_payload(const rp_deframer_t *d) { return d->buf; }
static inline size_t rp_deframer_payload_len(const rp_deframer_t *d) { return d->payload_len; }

#ifdef __cplusplus
}
#endif
#endif
