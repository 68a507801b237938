/* Command encoder for the host (contract in rp_command_out.h), on the
 * protobuf-c code generated from proto/rramprof.proto. */
#include "rramprof/rp_command_out.h"

#include <string.h>

#include "rramprof.pb-c.h"

/* rp_command_kind_t values are the body's oneof field numbers. */
_Static_assert((int)RP_CMD_GET_INFO == (int)RRAMPROF__V1__COMMAND__BODY_GET_INFO, "kind numbering");
_Static_assert((int)RP_CMD_START == (int)RRAMPROF__V1__COMMAND__BODY_START, "kind numbering");
_Static_assert((int)RP_CMD_STOP == (int)RRAMPROF__V1__COMMAND__BODY_STOP, "kind numbering");
_Static_assert((int)RP_CMD_CONFIGURE == (int)RRAMPROF__V1__COMMAND__BODY_CONFIGURE, "kind numbering");
_Static_assert((int)RP_CMD_RUN_WORKLOAD == (int)RRAMPROF__V1__COMMAND__BODY_RUN_WORKLOAD, "kind numbering");
_Static_assert((int)RP_CMD_PING == (int)RRAMPROF__V1__COMMAND__BODY_PING, "kind numbering");

size_t rp_command_encode(const rp_command_t *cmd, uint8_t *out, size_t cap)
{
    if (cmd == NULL || out == NULL ||
        (cmd->kind != RP_CMD_NONE && (cmd->kind < RP_CMD_GET_INFO || cmd->kind > RP_CMD_PING))) {
        return 0;
    }
    /* protobuf-c wants a C string; the struct's name need not end in NUL. */
    char name[sizeof cmd->workload + 1];
    const char *nul = memchr(cmd->workload, 0, sizeof cmd->workload);
    size_t name_len = nul != NULL ? (size_t)(nul - cmd->workload) : sizeof cmd->workload;
    memcpy(name, cmd->workload, name_len);
    name[name_len] = '\0';

    Rramprof__V1__RunWorkload run = RRAMPROF__V1__RUN_WORKLOAD__INIT;
    run.name = name;
    run.repeat = cmd->repeat;
    run.seed = cmd->seed;

    Rramprof__V1__Start start = RRAMPROF__V1__START__INIT;
    start.op_mask = cmd->op_mask;
    start.threshold_ticks = cmd->threshold_ticks;
    start.workload = cmd->start_workload ? &run : NULL;
    start.event_limit = cmd->event_limit;

    Rramprof__V1__Configure configure = RRAMPROF__V1__CONFIGURE__INIT;
    configure.op_mask = cmd->op_mask;
    configure.threshold_ticks = cmd->threshold_ticks;
    configure.set_threshold = cmd->set_threshold;
    configure.heartbeat_ms = cmd->heartbeat_ms;
    configure.counters_ms = cmd->counters_ms;

    Rramprof__V1__Ping ping = RRAMPROF__V1__PING__INIT;
    ping.token = cmd->token;
    Rramprof__V1__GetInfo get_info = RRAMPROF__V1__GET_INFO__INIT;
    Rramprof__V1__Stop stop = RRAMPROF__V1__STOP__INIT;

    Rramprof__V1__Command c = RRAMPROF__V1__COMMAND__INIT;
    c.request_id = cmd->request_id;
    c.body_case = (Rramprof__V1__Command__BodyCase)cmd->kind;
    switch (cmd->kind) {
    case RP_CMD_GET_INFO: c.get_info = &get_info; break;
    case RP_CMD_START: c.start = &start; break;
    case RP_CMD_STOP: c.stop = &stop; break;
    case RP_CMD_CONFIGURE: c.configure = &configure; break;
    case RP_CMD_RUN_WORKLOAD: c.run_workload = &run; break;
    case RP_CMD_PING: c.ping = &ping; break;
    default: break; /* RP_CMD_NONE: request_id alone */
    }
    /* Sized first: pack() itself would write past a short buffer. */
    size_t len = rramprof__v1__command__get_packed_size(&c);
    if (len > cap) {
        return 0;
    }
    return rramprof__v1__command__pack(&c, out);
}
