/* Cross-checks of the command parser against protobuf-c; see the header. */
#include "command_check.h"

#include <string.h>

#include "rramprof/rp_pbwire.h"

/* Fields numbered lo..hi of the well-formed message p[0..len); *last gets
 * the value bytes of the last one. */
static int prv_count(const uint8_t *p, size_t len, uint32_t lo, uint32_t hi,
                     const uint8_t **last, size_t *last_len)
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
            *last = v;
            *last_len = v_len;
        }
    }
    return n;
}

bool rp_test_command_repeats_a_message(const uint8_t *data, size_t size, rp_command_kind_t kind)
{
    const uint8_t *body = NULL, *run = NULL;
    size_t body_len = 0, run_len = 0;
    if (prv_count(data, size, RP_CMD_GET_INFO, RP_CMD_PING, &body, &body_len) != 1) {
        return true;
    }
    return kind == RP_CMD_START && prv_count(body, body_len, 3, 3, &run, &run_len) > 1;
}

const char *rp_test_command_differs(const Rramprof__V1__Command *d, const rp_command_t *c)
{
    if (d->request_id != c->request_id) {
        return "request_id";
    }
    if ((int)d->body_case != (int)c->kind) {
        return "kind";
    }
    const Rramprof__V1__RunWorkload *run = NULL;
    switch (c->kind) {
    case RP_CMD_START:
        if (d->start->op_mask != c->op_mask) {
            return "start.op_mask";
        }
        if (d->start->threshold_ticks != c->threshold_ticks) {
            return "start.threshold_ticks";
        }
        if (d->start->event_limit != c->event_limit) {
            return "start.event_limit";
        }
        if ((d->start->workload != NULL) != c->start_workload) {
            return "start.workload present";
        }
        run = d->start->workload;
        break;
    case RP_CMD_CONFIGURE:
        if (d->configure->op_mask != c->op_mask) {
            return "configure.op_mask";
        }
        if (d->configure->threshold_ticks != c->threshold_ticks) {
            return "configure.threshold_ticks";
        }
        if ((d->configure->set_threshold != 0) != c->set_threshold) {
            return "configure.set_threshold";
        }
        if (d->configure->heartbeat_ms != c->heartbeat_ms) {
            return "configure.heartbeat_ms";
        }
        if (d->configure->counters_ms != c->counters_ms) {
            return "configure.counters_ms";
        }
        break;
    case RP_CMD_RUN_WORKLOAD:
        run = d->run_workload;
        break;
    case RP_CMD_PING:
        if (d->ping->token != c->token) {
            return "ping.token";
        }
        break;
    case RP_CMD_GET_INFO:
        if (d->get_info == NULL) {
            return "get_info";
        }
        break;
    case RP_CMD_STOP:
        if (d->stop == NULL) {
            return "stop";
        }
        break;
    default:
        return "kind out of range";
    }
    /* No RunWorkload: nothing of one may be left in c. */
    const char *name = run != NULL ? run->name : "";
    if (strcmp(name, c->workload) != 0) {
        return "workload name";
    }
    if ((run != NULL ? run->repeat : 0u) != c->repeat) {
        return "workload repeat";
    }
    if ((run != NULL ? run->seed : 0u) != c->seed) {
        return "workload seed";
    }
    return NULL;
}
