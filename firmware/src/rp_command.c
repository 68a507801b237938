/* Command parser (device side; the host encodes with protobuf-c).
 *
 * Protobuf rules followed: unknown fields are skipped; a scalar seen twice
 * keeps the last value; uint32 fields keep the low 32 bits of the varint;
 * if several body fields arrive the last one wins, and repeats of the same
 * one merge (Start.workload too). Known fields with the wrong wire type are
 * malformed.
 *
 * Kept small in flash: each message is a run of field descriptors, one
 * per field number (the schema numbers every message's fields 1..n), and
 * one loop reads them all, the Command itself included. */
#include "rramprof/rp_command.h"

#include <string.h>

#include "rramprof/rp_pbwire.h"
#include "rramprof/rp_status.h"

/* What a field holds: varint kinds first, then length-delimited ones. */
enum prv_kind { PRV_U32, PRV_U64, PRV_BOOL, PRV_NAME, PRV_RUN, PRV_BODY };

/* A field is one byte: its kind in the top three bits, the offset of its
 * member in rp_command_t in words below (every member starts at a
 * multiple of 4 below 128: a bool is always followed by a uint32_t). The
 * array size is negative, so the build fails, if a member does not. */
typedef uint8_t prv_field_t;
#define PRV_F(kind, member)                                                       \
    (prv_field_t)((kind) << 5 | offsetof(rp_command_t, member) / 4u |            \
                  0u * sizeof(char[offsetof(rp_command_t, member) % 4u == 0 &&    \
                                           offsetof(rp_command_t, member) < 128u  \
                                       ? 1 : -1]))

_Static_assert(sizeof(bool) == 1u, "PRV_BOOL and PRV_RUN store one byte");

static const prv_field_t prv_fields[] = {
    /* 0: Command; its body fields 2..7 select the message parsed next */
    PRV_F(PRV_U32, request_id),
    PRV_F(PRV_BODY, kind), PRV_F(PRV_BODY, kind), PRV_F(PRV_BODY, kind),
    PRV_F(PRV_BODY, kind), PRV_F(PRV_BODY, kind), PRV_F(PRV_BODY, kind),
    /* 7: Start */
    PRV_F(PRV_U32, op_mask), PRV_F(PRV_U64, threshold_ticks),
    PRV_F(PRV_RUN, start_workload), PRV_F(PRV_U64, event_limit),
    /* 11: Configure */
    PRV_F(PRV_U32, op_mask), PRV_F(PRV_U64, threshold_ticks),
    PRV_F(PRV_BOOL, set_threshold), PRV_F(PRV_U32, heartbeat_ms),
    PRV_F(PRV_U32, counters_ms),
    /* 16: RunWorkload */
    PRV_F(PRV_NAME, workload), PRV_F(PRV_U32, repeat), PRV_F(PRV_U64, seed),
    /* 19: Ping */
    PRV_F(PRV_U64, token),
};

/* Each message's run in prv_fields, indexed by its Command body number;
 * the Command itself sits at RP_CMD_NONE. GetInfo and Stop are empty. */
typedef struct prv_message {
    uint8_t first;
    uint8_t count;
} prv_message_t;

static const prv_message_t prv_messages[] = {
    [RP_CMD_NONE] = { 0, 7 },
    [RP_CMD_START] = { 7, 4 },
    [RP_CMD_CONFIGURE] = { 11, 5 },
    [RP_CMD_RUN_WORKLOAD] = { 16, 3 },
    [RP_CMD_PING] = { 19, 1 },
};

/* Reads one message into out. Recurses for bodies and Start.workload, so
 * at most three levels deep. Every value is read before its field is
 * looked at: unknown fields are then skipped by the same call. */
static bool prv_parse(const uint8_t *data, size_t len, unsigned message, rp_command_t *out)
{
    const prv_message_t m = prv_messages[message];
    rp_pb_reader_t r = { data, data + len }; /* data is never NULL here */
    while (!rp_pb_at_end(&r)) {
        uint32_t number;
        unsigned wt;
        uint64_t v;
        const uint8_t *s;
        if (!rp_pb_get_tag(&r, &number, &wt) || !rp_pb_get_value(&r, wt, &v, &s)) {
            return false;
        }
        if (number > m.count) {
            continue;
        }
        const prv_field_t f = prv_fields[m.first + number - 1u];
        const unsigned kind = f >> 5;
        uint8_t *dst = (uint8_t *)out + 4u * (f & 31u);
        /* Varint kinds want a varint, the others a length-delimited value. */
        if (wt != (kind < PRV_NAME ? RP_PB_VARINT : RP_PB_LEN)) {
            return false;
        }
        if (kind == PRV_BOOL) {
            *dst = v != 0;
        } else if (kind == PRV_U64) {
            memcpy(dst, &v, sizeof(v));
        } else if (kind == PRV_U32) {
            uint32_t x = (uint32_t)v;
            memcpy(dst, &x, sizeof(x));
        } else if (kind == PRV_NAME) {
            if (v > RP_WORKLOAD_NAME_MAX) {
                return false;
            }
            memset(dst, 0, RP_WORKLOAD_NAME_MAX + 1u);
            for (unsigned i = 0; i < (unsigned)v; i++) {
                dst[i] = s[i];
                if (s[i] == 0) {
                    return false; /* a NUL inside; *out is cleared then */
                }
            }
        } else {
            unsigned next = RP_CMD_RUN_WORKLOAD;
            if (kind == PRV_RUN) {
                *dst = true; /* start_workload */
            } else {
                /* A different body replaces the previous one entirely. */
                next = number;
                if (number != (uint32_t)out->kind) {
                    memset(dst, 0, sizeof(*out) - offsetof(rp_command_t, kind));
                    out->kind = (rp_command_kind_t)number;
                }
            }
            if (!prv_parse(s, (size_t)v, next, out)) {
                return false;
            }
        }
    }
    return true;
}

int rp_command_parse(const uint8_t *payload, size_t len, rp_command_t *out)
{
    if (out == NULL) {
        return RP_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (payload != NULL && prv_parse(payload, len, RP_CMD_NONE, out) &&
        out->kind != RP_CMD_NONE) {
        if (out->kind == RP_CMD_START) {
            out->set_threshold = true; /* Start always applies its threshold */
        }
        return RP_OK;
    }
    memset(out, 0, sizeof(*out));
    return RP_ERR_MALFORMED;
}
