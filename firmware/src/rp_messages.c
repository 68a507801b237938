/* The rare device-to-host messages of rp_encoder.h: Hello, NameTable,
 * Counters, DropReport, Heartbeat, Response and WorkloadResult. A few per
 * second at most, so they are written for the least flash, not for speed:
 * each message is a table of its fields and one walker writes them all.
 *
 * A descriptor has one byte per field, fields numbered 1, 2, ... in order:
 * the member's offset in the C struct with the value kind in its two low
 * bits (every member is a uint32_t, uint64_t or pointer, so offsets are
 * multiples of 4); the few other fields (nested, repeated, packed) take a
 * second byte that says what they are. Scalars and strings equal to the
 * proto3 default are left out, as protobuf does; nested messages and
 * repeated strings are always written.
 *
 * Every length-delimited value (string, packed ids, nested message, the
 * Frame body itself) is walked twice: first into a writer of capacity 0,
 * which only counts, for its length prefix, then for real. Nesting is at
 * most Frame > Response > Hello > ArrayInfo (ArrayInfo is then walked 16
 * times): a little time, no buffer, and always the shortest prefix. The
 * recursion peaks at about 350 bytes of stack on Cortex-M4. */
#include "rramprof/rp_encoder.h"

#include <stddef.h>

#include "rramprof/rp_config.h"
#include "rramprof/rp_pbwire.h"
#include "rp_wire_fields_priv.h"

/* Value kind, the low two bits of a descriptor byte. */
enum {
    PRV_U32 = 0,  /* uint32_t: varint */
    PRV_U64 = 1,  /* uint64_t: varint (int64 too: two's complement) */
    PRV_STR = 2,  /* const char *, may be NULL */
    PRV_MORE = 3  /* the next descriptor byte is a prv_body */
};
#define PRV_END 0xFFu   /* ends a descriptor: no member sits at offset 252 */

/* The C structs behind the messages whose encoders take plain arguments.
 * A packed or repeated field's count follows its pointer, as in rp_hello_t. */
struct prv_names {
    const uint32_t *ids;
    uint32_t n_ids;
    const char *const *names;
    uint32_t n_names;
};
struct prv_drops {
    uint64_t dropped_total, first_drop_timestamp;
};
struct prv_heartbeat {
    uint64_t timestamp;
    uint32_t state;
};
struct prv_response {
    uint32_t request_id, result;
    const char *message;
    const rp_hello_t *hello;
};
struct prv_workload {
    const char *name;
    uint32_t run, passed;
    uint64_t error_ppm, start, end;
    const char *detail;
};

_Static_assert(offsetof(rp_hello_t, workload_count) ==
                   offsetof(rp_hello_t, workloads) + sizeof(void *),
               "a count must follow its pointer");

/* Every descriptor, in one table so that a byte names one (its offset
 * here). Each starts with the Frame field that carries the message as a
 * body (0: never one), then its fields, then PRV_END. */
struct prv_descs {
    uint8_t array[1 + 17 + 1];
    uint8_t hello[1 + 19 + 3 + 1];
    uint8_t names[1 + 2 + 2 + 1];
    uint8_t counters[1 + 19 + 1];
    uint8_t drops[1 + 2 + 1];
    uint8_t heartbeat[1 + 2 + 1];
    uint8_t response[1 + 4 + 1 + 1];
    uint8_t workload[1 + 7 + 1];
};

/* What a length-delimited value or a PRV_MORE field is: a message (its
 * descriptor's offset in prv_d) or one of the others. */
enum prv_body {
    PRV_ARRAY = offsetof(struct prv_descs, array),   /* rp_array_info_t member */
    PRV_HELLO = offsetof(struct prv_descs, hello),
    PRV_NAMES = offsetof(struct prv_descs, names),
    PRV_COUNTERS = offsetof(struct prv_descs, counters),
    PRV_DROPS = offsetof(struct prv_descs, drops),
    PRV_HEARTBEAT = offsetof(struct prv_descs, heartbeat),
    PRV_RESPONSE = offsetof(struct prv_descs, response),
    PRV_WORKLOAD = offsetof(struct prv_descs, workload),
    PRV_HELLO_PTR = 0xFA, /* member: const rp_hello_t *, written unless NULL */
    PRV_VERSION = 0xFB,   /* Hello.protocol_version: RP_PROTOCOL_VERSION, no member */
    PRV_STRINGS = 0xFC,   /* member: const char *const *, count after it; repeated string */
    /* Bodies only. An empty PRV_IDS or PRV_STRING is the proto3 default
     * and not sent; a repeated element is, as name[i] belongs to id[i]. */
    PRV_ELEMENT = 0xFD,   /* const char *, may be NULL: a repeated element */
    PRV_IDS = 0xFE,       /* member: const uint32_t *, count after it; packed */
    PRV_STRING = 0xFF     /* const char *, may be NULL */
};

/* A field: member offset | kind. The array size is negative, so the build
 * fails, if the offset is not a multiple of 4 below 252. */
#define PRV_M(type, member, kind)                                                \
    (uint8_t)(offsetof(type, member) | (kind) |                                  \
              0u * sizeof(char[offsetof(type, member) % 4u == 0 &&               \
                                       offsetof(type, member) < 252u ? 1 : -1]))
#define PRV_A(member, kind) PRV_M(rp_array_info_t, member, kind)
#define PRV_H(member, kind) PRV_M(rp_hello_t, member, kind)
#define PRV_C(member, kind) PRV_M(rp_counters_t, member, kind)
#define PRV_W(member, kind) PRV_M(struct prv_workload, member, kind)

static const struct prv_descs prv_d = {
    .array = { 0,
               PRV_A(tiles, PRV_U32),          PRV_A(rows, PRV_U32),
               PRV_A(cols, PRV_U32),           PRV_A(bits_per_cell, PRV_U32),
               PRV_A(adcs_per_tile, PRV_U32),  PRV_A(adc_bits, PRV_U32),
               PRV_A(input_bits, PRV_U32),     PRV_A(endurance_cycles, PRV_U64),
               PRV_A(model, PRV_STR),          PRV_A(write_pulse_ps, PRV_U64),
               PRV_A(write_setup_ps, PRV_U64), PRV_A(write_parallel_cols, PRV_U32),
               PRV_A(read_latency_ps, PRV_U64), PRV_A(adc_conversion_ps, PRV_U64),
               PRV_A(dac_settle_ps, PRV_U64),  PRV_A(interface_overhead_ps, PRV_U64),
               PRV_A(interface_bytes_per_s, PRV_U64), PRV_END },
    .hello = { PRV_FRAME_HELLO,
               PRV_MORE, PRV_VERSION,
               PRV_H(board, PRV_STR),
               PRV_H(firmware_version, PRV_STR),
               PRV_H(clock_hz, PRV_U64),
               PRV_H(timer_bits, PRV_U32),
               PRV_H(array, PRV_MORE), PRV_ARRAY,
               PRV_H(ring_capacity, PRV_U32),
               PRV_H(max_frame_payload, PRV_U32),
               PRV_H(boot_id, PRV_U64),
               PRV_H(counters_available, PRV_U32),
               PRV_H(op_mask, PRV_U32),
               PRV_H(threshold_ticks, PRV_U64),
               PRV_H(workloads, PRV_MORE), PRV_STRINGS,
               PRV_H(reset_cause, PRV_U32),
               PRV_H(fatal_reason, PRV_U32),
               PRV_H(previous_boot_id, PRV_U64),
               PRV_H(previous_events_recorded, PRV_U64),
               PRV_H(previous_events_sent, PRV_U64),
               PRV_H(previous_events_dropped, PRV_U64),
               PRV_END },
    .names = { PRV_FRAME_NAMES,
               PRV_M(struct prv_names, ids, PRV_MORE), PRV_IDS,
               PRV_M(struct prv_names, names, PRV_MORE), PRV_STRINGS,
               PRV_END },
    .counters = { PRV_FRAME_COUNTERS,
                  PRV_C(timestamp, PRV_U64),      PRV_C(events_recorded, PRV_U64),
                  PRV_C(events_filtered, PRV_U64), PRV_C(events_dropped, PRV_U64),
                  PRV_C(events_sent, PRV_U64),    PRV_C(record_ticks, PRV_U64),
                  PRV_C(drain_ticks, PRV_U64),    PRV_C(bytes_sent, PRV_U64),
                  PRV_C(frames_sent, PRV_U64),    PRV_C(ring_high_water, PRV_U32),
                  PRV_C(tx_stall_ticks, PRV_U64), PRV_C(hw_valid, PRV_U32),
                  PRV_C(hw_cycles, PRV_U64),      PRV_C(hw_cpi, PRV_U64),
                  PRV_C(hw_exc, PRV_U64),         PRV_C(hw_sleep, PRV_U64),
                  PRV_C(hw_lsu, PRV_U64),         PRV_C(hw_fold, PRV_U64),
                  PRV_C(link_rx_lost, PRV_U64),
                  PRV_END },
    .drops = { PRV_FRAME_DROPS,
               PRV_M(struct prv_drops, dropped_total, PRV_U64),
               PRV_M(struct prv_drops, first_drop_timestamp, PRV_U64),
               PRV_END },
    .heartbeat = { PRV_FRAME_HEARTBEAT,
                   PRV_M(struct prv_heartbeat, timestamp, PRV_U64),
                   PRV_M(struct prv_heartbeat, state, PRV_U32),
                   PRV_END },
    .response = { PRV_FRAME_RESPONSE,
                  PRV_M(struct prv_response, request_id, PRV_U32),
                  PRV_M(struct prv_response, result, PRV_U32),
                  PRV_M(struct prv_response, message, PRV_STR),
                  PRV_M(struct prv_response, hello, PRV_MORE), PRV_HELLO_PTR,
                  PRV_END },
    .workload = { PRV_FRAME_WORKLOAD,
                  PRV_W(name, PRV_STR),      PRV_W(run, PRV_U32),   PRV_W(passed, PRV_U32),
                  PRV_W(error_ppm, PRV_U64), PRV_W(start, PRV_U64), PRV_W(end, PRV_U64),
                  PRV_W(detail, PRV_STR),    PRV_END },
};

static void prv_fields(rp_pb_writer_t *w, const uint8_t *d, const uint8_t *base);

/* Writes the length-delimited body v of kind `body`, without key or length. */
static void prv_body(rp_pb_writer_t *w, unsigned body, const void *v)
{
    if (body == PRV_IDS) {
        const uint32_t *ids = *(const uint32_t *const *)v;
        uint32_t n = *(const uint32_t *)((const uint8_t *)v + sizeof(void *));
        for (uint32_t i = 0; i < n; i++) {
            rp_pb_put_varint(w, ids[i]);
        }
    } else if (body >= PRV_ELEMENT) {
        for (const char *s = v; s != NULL && *s != '\0'; s++) {
            rp_pb_put_byte(w, (uint8_t)*s);
        }
    } else {
        prv_fields(w, (const uint8_t *)&prv_d + body + 1, v);
    }
}

/* Writes field `field`: key, length (measured by a first pass into a
 * writer that only counts), then the body v of kind `body`; nothing for an
 * empty string or id list. */
static void prv_len(rp_pb_writer_t *w, unsigned field, unsigned body, const void *v)
{
    rp_pb_writer_t size = { NULL, 0, 0 };
    prv_body(&size, body, v);
    if (size.len == 0 && body > PRV_ELEMENT) {
        return;
    }
    rp_pb_put_varint(w, field << 3 | RP_PB_LEN);
    rp_pb_put_varint(w, size.len);
    prv_body(w, body, v);
}

static void prv_fields(rp_pb_writer_t *w, const uint8_t *d, const uint8_t *base)
{
    for (unsigned field = 1; *d != PRV_END; field++) {
        unsigned kind = *d & 3u;
        const uint8_t *m = base + (*d++ & ~3u);
        uint64_t v;
        if (kind == PRV_U32) {
            v = *(const uint32_t *)m;
        } else if (kind == PRV_U64) {
            v = *(const uint64_t *)m;
        } else if (kind == PRV_STR) {
            prv_len(w, field, PRV_STRING, *(const char *const *)m);
            continue;
        } else {
            unsigned body = *d++;
            if (body == PRV_VERSION) {
                v = RP_PROTOCOL_VERSION;
            } else if (body == PRV_STRINGS) {
                const char *const *list = *(const char *const *const *)m;
                uint32_t n = list != NULL ? *(const uint32_t *)(m + sizeof(void *)) : 0;
                for (uint32_t i = 0; i < n; i++) {
                    prv_len(w, field, PRV_ELEMENT, list[i]);
                }
                continue;
            } else if (body == PRV_HELLO_PTR) {
                const rp_hello_t *p = *(const rp_hello_t *const *)m;
                if (p != NULL) {
                    prv_len(w, field, PRV_HELLO, p);
                }
                continue;
            } else {   /* an embedded message, or the packed ids */
                prv_len(w, field, body, m);
                continue;
            }
        }
        if (v != 0) {
            rp_pb_put_varint(w, field << 3 | RP_PB_VARINT);
            rp_pb_put_varint(w, v);
        }
    }
}

/* One Frame: the message v with descriptor `body`. Its length, or 0 if
 * v is NULL or it does not fit (nothing is written past cap either way). */
static size_t prv_frame(const void *v, uint8_t *out, size_t cap, unsigned body)
{
    rp_pb_writer_t w;
    rp_pb_writer_init(&w, out, cap);
    if (v != NULL) { /* else w.len stays 0 */
        prv_len(&w, ((const uint8_t *)&prv_d)[body], body, v);
    }
    return w.len <= w.cap ? w.len : 0;
}

size_t rp_encode_hello(const rp_hello_t *h, uint8_t *out, size_t cap)
{
    return prv_frame(h, out, cap, PRV_HELLO);
}

size_t rp_encode_names(const uint32_t *ids, const char *const *names, size_t n, uint8_t *out,
                       size_t cap)
{
    if (n != (uint32_t)n || (n > 0 && (ids == NULL || names == NULL))) {
        return 0;
    }
    const struct prv_names m = { ids, (uint32_t)n, names, (uint32_t)n };
    return prv_frame(&m, out, cap, PRV_NAMES);
}

size_t rp_encode_counters(const rp_counters_t *c, uint8_t *out, size_t cap)
{
    return prv_frame(c, out, cap, PRV_COUNTERS);
}

size_t rp_encode_drops(uint64_t dropped_total, uint64_t first_drop_timestamp, uint8_t *out,
                       size_t cap)
{
    const struct prv_drops m = { dropped_total, first_drop_timestamp };
    return prv_frame(&m, out, cap, PRV_DROPS);
}

size_t rp_encode_heartbeat(uint64_t timestamp, uint32_t state, uint8_t *out, size_t cap)
{
    const struct prv_heartbeat m = { timestamp, state };
    return prv_frame(&m, out, cap, PRV_HEARTBEAT);
}

size_t rp_encode_response(uint32_t request_id, uint32_t result, const char *message,
                          const rp_hello_t *hello, uint8_t *out, size_t cap)
{
    const struct prv_response m = { request_id, result, message, hello };
    return prv_frame(&m, out, cap, PRV_RESPONSE);
}

size_t rp_encode_workload_result(const char *name, uint32_t run, bool passed, int64_t error_ppm,
                                 uint64_t start, uint64_t end, const char *detail, uint8_t *out,
                                 size_t cap)
{
    const struct prv_workload m = { name, run, passed, (uint64_t)error_ppm, start, end, detail };
    return prv_frame(&m, out, cap, PRV_WORKLOAD);
}
