/* Host decoder: link bytes or frame payloads -> typed messages.
 *
 * Two entry points share one decoder:
 *   - rp_decoder_feed() takes raw link bytes (COBS frames with CRC, as a
 *     transport delivers them or as a raw stream file holds them) and runs
 *     them through the deframer of rp_frame.h first;
 *   - rp_decoder_decode() takes one frame payload (a serialized
 *     rramprof.v1.Frame, CRC already checked), as a capture file stores it.
 *
 * Every payload becomes an rp_msg_t. EventBatch columns are rebuilt into
 * absolute rp_record_t events (constant-column rule, start[i] = end[i-1] +
 * gap[i], end[-1] = base_timestamp). Nothing in the input can crash the
 * decoder: a payload that protobuf cannot parse or whose content is
 * inconsistent (a column length other than count or 0, count above
 * RP_DECODE_MAX_EVENTS, a value that does not fit its record field) is
 * delivered with msg.err set and counted, and decoding goes on with the
 * next frame.
 *
 * Memory: fixed-size buffers allocated by rp_decoder_create() (payload
 * buffer, event buffer, arena for protobuf-c); nothing grows with the
 * input and nothing is allocated after create. */
#ifndef RP_DECODE_H
#define RP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_encoder.h"
#include "rramprof/rp_record.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest frame payload accepted (bytes, before CRC). Longer link frames
 * count as deframer oversize errors; longer payloads given to
 * rp_decoder_decode() count as malformed. */
#define RP_DECODE_MAX_PAYLOAD 65536u
/* Largest EventBatch.count accepted; larger batches are malformed. */
#define RP_DECODE_MAX_EVENTS 65536u

/* Frame body kinds; values equal the field numbers of the Frame oneof. */
typedef enum rp_frame_kind {
    RP_FRAME_UNKNOWN = 0,   /* no body, or a body this version does not know */
    RP_FRAME_HELLO = 1,
    RP_FRAME_BATCH = 2,
    RP_FRAME_NAMES = 3,
    RP_FRAME_COUNTERS = 4,
    RP_FRAME_DROPS = 5,
    RP_FRAME_HEARTBEAT = 6,
    RP_FRAME_RESPONSE = 7,
    RP_FRAME_WORKLOAD = 8,
    RP_FRAME_KIND_COUNT = 9
} rp_frame_kind_t;

/* Lower-case name of a kind ("hello", "batch", ...); "unknown" otherwise. */
const char *rp_frame_kind_name(int kind);

/* Why a payload was rejected (msg.err != RP_OK). */
typedef enum rp_decode_fault {
    RP_DECODE_FAULT_NONE = 0,
    RP_DECODE_FAULT_PROTO = 1,     /* not a parsable rramprof.v1.Frame */
    RP_DECODE_FAULT_COLUMN = 2,    /* a column length is neither count nor 0 */
    RP_DECODE_FAULT_COUNT = 3,     /* count > RP_DECODE_MAX_EVENTS */
    RP_DECODE_FAULT_VALUE = 4,     /* a value does not fit its record field (op > 15;
                                      tile, iterations, status > 255; row, rows,
                                      col, cols > 65535) or an event time leaves
                                      the 64-bit tick range */
    RP_DECODE_FAULT_SIZE = 5,      /* payload > RP_DECODE_MAX_PAYLOAD */
    RP_DECODE_FAULT_NAMES = 6      /* NameTable id and name counts differ */
} rp_decode_fault_t;

/* A decoded EventBatch. events[0..count) are absolute (start in ticks). */
typedef struct rp_batch {
    uint32_t sequence;
    uint64_t first_event;
    uint64_t base_timestamp;
    uint64_t dropped_total;
    uint32_t count;
    const rp_record_t *events;
} rp_batch_t;

typedef struct rp_names {
    uint32_t count;
    const uint32_t *ids;
    const char *const *names;   /* names[i] belongs to ids[i] */
} rp_names_t;

typedef struct rp_drops {
    uint64_t dropped_total;
    uint64_t first_drop_timestamp;
} rp_drops_t;

typedef struct rp_heartbeat {
    uint64_t timestamp;
    uint32_t state;   /* 0 idle, 1 recording */
} rp_heartbeat_t;

typedef struct rp_response {
    uint32_t request_id;
    uint32_t result;        /* rramprof.v1.ResultCode */
    const char *message;    /* never NULL ("" if absent) */
    bool has_hello;
    rp_hello_t hello;       /* valid if has_hello */
} rp_response_t;

typedef struct rp_workload_result {
    const char *name;       /* never NULL */
    uint32_t run;
    bool passed;
    int64_t error_ppm;
    uint64_t start;
    uint64_t end;
    const char *detail;     /* never NULL */
} rp_workload_result_t;

/* One decoded frame. Every pointer inside (payload, strings, events, ids)
 * stays valid until the next feed/decode call on the same decoder. Strings
 * are NUL-terminated; rp_hello_t.model/board/... are never NULL. */
typedef struct rp_msg {
    int err;                    /* RP_OK, or RP_ERR_MALFORMED: see fault */
    rp_decode_fault_t fault;
    rp_frame_kind_t kind;       /* meaningful only when err == RP_OK */
    const uint8_t *payload;     /* the raw frame payload (what a capture stores) */
    size_t payload_len;
    /* Hello.protocol_version, for kind HELLO and a RESPONSE with a hello
     * (rp_hello_t has no such field: the encoder writes the constant). */
    uint32_t protocol_version;
    union {
        rp_hello_t hello;
        rp_batch_t batch;
        rp_names_t names;
        rp_counters_t counters;
        rp_drops_t drops;
        rp_heartbeat_t heartbeat;
        rp_response_t response;
        rp_workload_result_t workload;
    } u;
} rp_msg_t;

/* Counts since create / reset. Link-level errors (from the deframer) and
 * payload-level errors are kept apart. */
typedef struct rp_decode_stats {
    /* link level, rp_decoder_feed() only */
    uint64_t link_bytes;        /* bytes fed */
    uint64_t crc_errors;
    uint64_t cobs_errors;
    uint64_t oversize;
    uint64_t short_frames;
    uint64_t garbage_bytes;     /* bytes that belonged to no good frame */
    /* payload level, both entry points */
    uint64_t payloads;          /* payloads decoded (good + bad) */
    uint64_t proto_errors;      /* protobuf-c could not unpack */
    uint64_t malformed;         /* unpacked but inconsistent (any other fault) */
    uint64_t kinds[RP_FRAME_KIND_COUNT];  /* good frames per kind */
    uint64_t events;            /* events rebuilt from good batches */
    uint64_t fast_batches;      /* good batches the specialised path decoded
                                   (the rest went through protobuf-c) */
} rp_decode_stats_t;

typedef struct rp_decoder rp_decoder_t;

/* Called once per payload, good or bad (check msg->err). Return RP_OK to
 * continue, anything else to stop rp_decoder_feed() which then returns
 * that value. The decoder must not be fed from inside the callback. */
typedef int (*rp_msg_fn)(void *ctx, const rp_msg_t *msg);

/* Allocates a decoder and its buffers. NULL if out of memory. */
rp_decoder_t *rp_decoder_create(void);
void rp_decoder_destroy(rp_decoder_t *d);   /* NULL is fine */
/* Clears the stats and any partial link frame. */
void rp_decoder_reset(rp_decoder_t *d);

/* Feeds raw link bytes. Calls fn for every CRC-valid frame completed by
 * these bytes; a partial frame at the end is kept for the next call.
 * Returns RP_OK, RP_ERR_ARG, or the first non-zero value fn returned (the
 * bytes after the frame that stopped it are not consumed; *consumed, if not
 * NULL, says how many were). */
int rp_decoder_feed(rp_decoder_t *d, const uint8_t *data, size_t len,
                    rp_msg_fn fn, void *ctx, size_t *consumed);

/* Decodes one frame payload into *msg (valid until the next call). Returns
 * RP_OK or RP_ERR_MALFORMED (msg->err, msg->fault say why; stats counted);
 * RP_ERR_ARG on NULL arguments. */
int rp_decoder_decode(rp_decoder_t *d, const uint8_t *payload, size_t len, rp_msg_t *msg);

const rp_decode_stats_t *rp_decoder_stats(const rp_decoder_t *d);

/* Use the generic protobuf-c path for EventBatch too instead of the
 * specialised one (both give identical results; for tests and benches).
 * Default: false (fast path on). */
void rp_decoder_set_generic(rp_decoder_t *d, bool generic);

#ifdef __cplusplus
}
#endif
#endif
