/* Command parser (device) and encoder (host tools, tests).
 *
 * Protobuf rules followed: unknown fields are skipped; a scalar seen twice
 * keeps the last value; uint32 fields keep the low 32 bits of the varint;
 * if several body fields arrive the last one wins, and repeats of the same
 * one merge. Known fields with the wrong wire type are malformed. */
#include "rramprof/rp_command.h"

#include <string.h>

#include "rramprof/rp_pbwire.h"
#include "rramprof/rp_status.h"

/* A known field: its number, and where its value goes. */
enum prv_target { PRV_U32, PRV_U64, PRV_BOOL, PRV_NAME, PRV_RUN };

typedef struct prv_field {
    uint32_t number;
    enum prv_target target;
    size_t offset; /* into rp_command_t */
} prv_field_t;

#define PRV_AT(m) offsetof(rp_command_t, m)

static const prv_field_t prv_start_fields[] = {
    { 1, PRV_U32, PRV_AT(op_mask) },
    { 2, PRV_U64, PRV_AT(threshold_ticks) },
    { 3, PRV_RUN, PRV_AT(start_workload) },
    { 4, PRV_U64, PRV_AT(event_limit) },
};
static const prv_field_t prv_configure_fields[] = {
    { 1, PRV_U32, PRV_AT(op_mask) },
    { 2, PRV_U64, PRV_AT(threshold_ticks) },
    { 3, PRV_BOOL, PRV_AT(set_threshold) },
    { 4, PRV_U32, PRV_AT(heartbeat_ms) },
    { 5, PRV_U32, PRV_AT(counters_ms) },
};
static const prv_field_t prv_run_fields[] = {
    { 1, PRV_NAME, PRV_AT(workload) },
    { 2, PRV_U32, PRV_AT(repeat) },
    { 3, PRV_U64, PRV_AT(seed) },
};
static const prv_field_t prv_ping_fields[] = {
    { 1, PRV_U64, PRV_AT(token) },
};

typedef struct prv_body {
    const prv_field_t *fields;
    size_t count;
} prv_body_t;

static prv_body_t prv_body_fields(rp_command_kind_t kind)
{
    switch (kind) {
    case RP_CMD_START: return (prv_body_t){ prv_start_fields, 4 };
    case RP_CMD_CONFIGURE: return (prv_body_t){ prv_configure_fields, 5 };
    case RP_CMD_RUN_WORKLOAD: return (prv_body_t){ prv_run_fields, 3 };
    case RP_CMD_PING: return (prv_body_t){ prv_ping_fields, 1 };
    default: return (prv_body_t){ NULL, 0 }; /* GetInfo, Stop: empty */
    }
}

static bool prv_parse_body(const uint8_t *data, size_t len, rp_command_kind_t kind,
                           rp_command_t *out);

/* Stores one known field's value; false if its wire type or content is
 * wrong. */
static bool prv_read_field(rp_pb_reader_t *r, const prv_field_t *f, unsigned wt,
                           rp_command_t *out)
{
    uint8_t *dst = (uint8_t *)out + f->offset;
    if (f->target == PRV_RUN) {
        /* Start.workload: a RunWorkload body; repeats merge. */
        const uint8_t *s;
        size_t len;
        if (wt != RP_PB_LEN || !rp_pb_get_len(r, &s, &len)) {
            return false;
        }
        out->start_workload = true;
        return prv_parse_body(s, len, RP_CMD_RUN_WORKLOAD, out);
    }
    if (f->target == PRV_NAME) {
        const uint8_t *s;
        size_t len;
        if (wt != RP_PB_LEN || !rp_pb_get_len(r, &s, &len)) {
            return false;
        }
        if (len > RP_WORKLOAD_NAME_MAX || memchr(s, 0, len) != NULL) {
            return false;
        }
        memset(dst, 0, RP_WORKLOAD_NAME_MAX + 1u);
        memcpy(dst, s, len);
        return true;
    }
    uint64_t v;
    if (wt != RP_PB_VARINT || !rp_pb_get_varint(r, &v)) {
        return false;
    }
    if (f->target == PRV_U32) {
        uint32_t x = (uint32_t)v;
        memcpy(dst, &x, sizeof(x));
    } else if (f->target == PRV_U64) {
        memcpy(dst, &v, sizeof(v));
    } else {
        bool b = v != 0;
        memcpy(dst, &b, sizeof(b));
    }
    return true;
}

/* Parses the body message of `kind` into out. */
static bool prv_parse_body(const uint8_t *data, size_t len, rp_command_kind_t kind,
                           rp_command_t *out)
{
    prv_body_t body = prv_body_fields(kind);
    rp_pb_reader_t r;
    rp_pb_reader_init(&r, data, len);
    while (!rp_pb_at_end(&r)) {
        uint32_t number;
        unsigned wt;
        if (!rp_pb_get_tag(&r, &number, &wt)) {
            return false;
        }
        const prv_field_t *f = NULL;
        for (size_t i = 0; i < body.count; i++) {
            if (body.fields[i].number == number) {
                f = &body.fields[i];
            }
        }
        if (f != NULL ? !prv_read_field(&r, f, wt, out) : !rp_pb_skip(&r, wt)) {
            return false;
        }
    }
    return true;
}

/* Clears the body members when a different body kind takes over. */
static void prv_clear_body(rp_command_t *out)
{
    uint32_t request_id = out->request_id;
    memset(out, 0, sizeof(*out));
    out->request_id = request_id;
}

static bool prv_parse(const uint8_t *payload, size_t len, rp_command_t *out)
{
    rp_pb_reader_t r;
    rp_pb_reader_init(&r, payload, len);
    while (!rp_pb_at_end(&r)) {
        uint32_t number;
        unsigned wt;
        if (!rp_pb_get_tag(&r, &number, &wt)) {
            return false;
        }
        if (number == 1) {
            uint64_t v;
            if (wt != RP_PB_VARINT || !rp_pb_get_varint(&r, &v)) {
                return false;
            }
            out->request_id = (uint32_t)v;
        } else if (number >= RP_CMD_GET_INFO && number <= RP_CMD_PING) {
            const uint8_t *data;
            size_t n;
            if (wt != RP_PB_LEN || !rp_pb_get_len(&r, &data, &n)) {
                return false;
            }
            rp_command_kind_t kind = (rp_command_kind_t)number;
            if (kind != out->kind) {
                prv_clear_body(out);
                out->kind = kind;
            }
            if (!prv_parse_body(data, n, kind, out)) {
                return false;
            }
        } else if (!rp_pb_skip(&r, wt)) {
            return false;
        }
    }
    if (out->kind == RP_CMD_START) {
        out->set_threshold = true; /* Start always applies its threshold */
    }
    return out->kind != RP_CMD_NONE;
}

int rp_command_parse(const uint8_t *payload, size_t len, rp_command_t *out)
{
    if (out == NULL) {
        return RP_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    if ((payload == NULL && len > 0) || !prv_parse(payload, len, out)) {
        memset(out, 0, sizeof(*out));
        return RP_ERR_MALFORMED;
    }
    return RP_OK;
}

/* A RunWorkload body: the command's workload, repeat and seed. */
static void prv_put_run(rp_pb_writer_t *w, const rp_command_t *cmd)
{
    size_t n = 0;
    while (n <= RP_WORKLOAD_NAME_MAX && cmd->workload[n] != '\0') {
        n++;
    }
    rp_pb_put_bytes_field(w, 1, cmd->workload, n);
    rp_pb_put_uint_field(w, 2, cmd->repeat);
    rp_pb_put_uint_field(w, 3, cmd->seed);
}

size_t rp_command_encode(const rp_command_t *cmd, uint8_t *out, size_t cap)
{
    if (cmd == NULL || out == NULL ||
        (cmd->kind != RP_CMD_NONE && (cmd->kind < RP_CMD_GET_INFO || cmd->kind > RP_CMD_PING))) {
        return 0;
    }
    rp_pb_writer_t w;
    rp_pb_writer_init(&w, out, cap);
    rp_pb_put_uint_field(&w, 1, cmd->request_id);
    if (cmd->kind != RP_CMD_NONE) {
        /* Bodies are short: a one-byte length prefix holds them. */
        size_t body = rp_pb_begin_len(&w, (uint32_t)cmd->kind, 1);
        switch (cmd->kind) {
        case RP_CMD_START:
            rp_pb_put_uint_field(&w, 1, cmd->op_mask);
            rp_pb_put_uint_field(&w, 2, cmd->threshold_ticks);
            if (cmd->start_workload) {
                size_t run = rp_pb_begin_len(&w, 3, 1);
                prv_put_run(&w, cmd);
                rp_pb_end_len(&w, run, 1);
            }
            rp_pb_put_uint_field(&w, 4, cmd->event_limit);
            break;
        case RP_CMD_CONFIGURE:
            rp_pb_put_uint_field(&w, 1, cmd->op_mask);
            rp_pb_put_uint_field(&w, 2, cmd->threshold_ticks);
            rp_pb_put_bool_field(&w, 3, cmd->set_threshold);
            rp_pb_put_uint_field(&w, 4, cmd->heartbeat_ms);
            rp_pb_put_uint_field(&w, 5, cmd->counters_ms);
            break;
        case RP_CMD_RUN_WORKLOAD:
            prv_put_run(&w, cmd);
            break;
        case RP_CMD_PING:
            rp_pb_put_uint_field(&w, 1, cmd->token);
            break;
        default: /* GetInfo, Stop: empty body */
            break;
        }
        rp_pb_end_len(&w, body, 1);
    }
    return w.overflow ? 0 : w.len;
}
