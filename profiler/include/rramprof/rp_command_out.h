/* Host side of the command channel: encodes a rp_command_t as a
 * rramprof.v1.Command payload, ready for rp_frame_encode.
 *
 * Host-only (tools and tests link it from rp_profiler); the firmware only
 * parses Commands (rramprof/rp_command.h), so this stays out of its flash. */
#ifndef RP_COMMAND_OUT_H
#define RP_COMMAND_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_command.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Encodes *cmd into out: request_id, then the body of cmd->kind with the
 * members rp_command_t documents for it (Start carries workload, repeat and
 * seed only if start_workload; Start's set_threshold is implied, not sent).
 * The workload name is cmd->workload up to its first NUL. RP_CMD_NONE
 * encodes request_id alone. Zero-valued fields are omitted (proto3).
 * Returns the length, or 0 with out untouched if cmd or out is NULL, the
 * kind is not a Command body, or the payload needs more than cap bytes. */
size_t rp_command_encode(const rp_command_t *cmd, uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
