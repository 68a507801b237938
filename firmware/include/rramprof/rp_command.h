/* Parser for host-to-device rramprof.v1.Command messages.
 *
 * Decodes a Command payload (after deframing) into a plain struct with no
 * heap and no pointers into freed memory. Malformed input returns an error
 * and leaves *out zeroed; callers answer it with RESULT_MALFORMED. Unknown
 * fields are skipped, as protobuf requires. The host encodes Commands with
 * rp_command_encode (profiler/include/rramprof/rp_command_out.h), which is
 * not part of the firmware. */
#ifndef RP_COMMAND_H
#define RP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values equal the Command.body oneof field numbers. */
typedef enum rp_command_kind {
    RP_CMD_NONE = 0,
    RP_CMD_GET_INFO = 2,
    RP_CMD_START = 3,
    RP_CMD_STOP = 4,
    RP_CMD_CONFIGURE = 5,
    RP_CMD_RUN_WORKLOAD = 6,
    RP_CMD_PING = 7
} rp_command_kind_t;

/* Values equal rramprof.v1.ResultCode. */
enum rp_result {
    RP_RESULT_OK = 0,
    RP_RESULT_MALFORMED = 1,
    RP_RESULT_UNSUPPORTED = 2,
    RP_RESULT_BAD_ARGUMENT = 3,
    RP_RESULT_BUSY = 4,
    RP_RESULT_UNKNOWN_WORKLOAD = 5
};

#define RP_WORKLOAD_NAME_MAX 31u

typedef struct rp_command {
    uint32_t request_id;
    rp_command_kind_t kind;
    /* START and CONFIGURE */
    uint32_t op_mask;
    uint64_t threshold_ticks;
    bool set_threshold;      /* CONFIGURE only; START always sets it */
    uint32_t heartbeat_ms;
    uint32_t counters_ms;
    /* START: Start.workload present (then workload, repeat and seed are
     * its fields), and Start.event_limit (0 = the device's default). */
    bool start_workload;
    uint64_t event_limit;
    /* RUN_WORKLOAD, and START's workload */
    char workload[RP_WORKLOAD_NAME_MAX + 1];
    uint32_t repeat;
    uint64_t seed;
    /* PING */
    uint64_t token;
} rp_command_t;

/* Returns RP_OK, or RP_ERR_MALFORMED (bad wire format, no body, a
 * workload name longer than RP_WORKLOAD_NAME_MAX or containing NUL). */
int rp_command_parse(const uint8_t *payload, size_t len, rp_command_t *out);

#ifdef __cplusplus
}
#endif
#endif
