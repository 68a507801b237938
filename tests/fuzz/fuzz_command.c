/* libFuzzer target: the firmware's Command parser.
 *
 * Beyond "no crash, no sanitizer report": a rejected input must leave the
 * output all zero with RP_ERR_MALFORMED; an accepted one must survive
 * encode (the host's protobuf-c encoder) -> parse unchanged, and where
 * protobuf-c accepts the input too, it must read the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof.pb-c.h"
#include "rramprof/rp_command.h"
#include "rramprof/rp_command_out.h"
#include "rramprof/rp_pbwire.h"
#include "rramprof/rp_status.h"

#define PRV_REQUIRE(cond) \
    do { \
        if (!(cond)) { \
            abort(); \
        } \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fields numbered lo..hi in a well-formed message; *last gets the value of
 * the last one. */
static int prv_count(const uint8_t *p, size_t len, uint32_t lo, uint32_t hi, rp_pb_reader_t *last)
{
    rp_pb_reader_t r;
    rp_pb_reader_init(&r, p, len);
    int n = 0;
    uint32_t number;
    unsigned wt;
    while (rp_pb_get_tag(&r, &number, &wt)) {
        const uint8_t *v = NULL;
        size_t v_len = 0;
        if (wt == RP_PB_LEN ? !rp_pb_get_len(&r, &v, &v_len) : !rp_pb_skip(&r, wt)) {
            break;
        }
        if (number >= lo && number <= hi) {
            n++;
            rp_pb_reader_init(last, v, v_len);
        }
    }
    return n;
}

/* protobuf-c 1.4 keeps only the last copy of a repeated message field (the
 * body, Start.workload) where protobuf merges them, as the parser does: it
 * is no reference for such inputs. */
static int prv_repeats_a_message(const uint8_t *data, size_t size, rp_command_kind_t kind)
{
    rp_pb_reader_t body;
    rp_pb_reader_t run;
    if (prv_count(data, size, RP_CMD_GET_INFO, RP_CMD_PING, &body) != 1) {
        return 1;
    }
    return kind == RP_CMD_START &&
           prv_count(body.p, (size_t)(body.end - body.p), 3, 3, &run) > 1;
}

static void prv_check_protobuf_c(const uint8_t *data, size_t size, const rp_command_t *c)
{
    Rramprof__V1__Command *d = rramprof__v1__command__unpack(NULL, size, data);
    if (d == NULL || prv_repeats_a_message(data, size, c->kind)) {
        rramprof__v1__command__free_unpacked(d, NULL);
        return;
    }
    PRV_REQUIRE(d->request_id == c->request_id);
    PRV_REQUIRE((int)d->body_case == (int)c->kind);
    const Rramprof__V1__RunWorkload *run = NULL;
    switch (c->kind) {
    case RP_CMD_START:
        PRV_REQUIRE(d->start->op_mask == c->op_mask);
        PRV_REQUIRE(d->start->threshold_ticks == c->threshold_ticks);
        PRV_REQUIRE(d->start->event_limit == c->event_limit);
        PRV_REQUIRE((d->start->workload != NULL) == c->start_workload);
        run = d->start->workload;
        break;
    case RP_CMD_CONFIGURE:
        PRV_REQUIRE(d->configure->op_mask == c->op_mask);
        PRV_REQUIRE(d->configure->threshold_ticks == c->threshold_ticks);
        PRV_REQUIRE((d->configure->set_threshold != 0) == c->set_threshold);
        PRV_REQUIRE(d->configure->heartbeat_ms == c->heartbeat_ms);
        PRV_REQUIRE(d->configure->counters_ms == c->counters_ms);
        break;
    case RP_CMD_RUN_WORKLOAD:
        run = d->run_workload;
        break;
    case RP_CMD_PING:
        PRV_REQUIRE(d->ping->token == c->token);
        break;
    default: /* GetInfo, Stop: no fields */
        break;
    }
    if (run != NULL) {
        PRV_REQUIRE(strcmp(run->name, c->workload) == 0);
        PRV_REQUIRE(run->repeat == c->repeat);
        PRV_REQUIRE(run->seed == c->seed);
    }
    rramprof__v1__command__free_unpacked(d, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rp_command_t zero;
    rp_command_t cmd;
    memset(&cmd, 0xA5, sizeof(cmd));
    int rc = rp_command_parse(data, size, &cmd);
    if (rc != RP_OK) {
        PRV_REQUIRE(rc == RP_ERR_MALFORMED);
        PRV_REQUIRE(memcmp(&cmd, &zero, sizeof(cmd)) == 0);
        return 0;
    }
    PRV_REQUIRE(cmd.kind >= RP_CMD_GET_INFO && cmd.kind <= RP_CMD_PING);
    PRV_REQUIRE(memchr(cmd.workload, 0, sizeof(cmd.workload)) != NULL);
    prv_check_protobuf_c(data, size, &cmd);

    uint8_t buf[RP_COMMAND_MAX_PAYLOAD];
    size_t n = rp_command_encode(&cmd, buf, sizeof(buf));
    PRV_REQUIRE(n > 0);
    rp_command_t again;
    PRV_REQUIRE(rp_command_parse(buf, n, &again) == RP_OK);
    PRV_REQUIRE(memcmp(&cmd, &again, sizeof(cmd)) == 0);
    return 0;
}
