/* The fixed-size event record the recorder stores in its ring.
 *
 * Shared by firmware and host: the host's session layer decodes EventBatch
 * columns back into this same struct, so tests can compare what the device
 * recorded with what the host received field by field. */
#ifndef RP_RECORD_H
#define RP_RECORD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Operation kinds; values equal rramprof.v1.Op in proto/rramprof.proto. */
enum rp_op {
    RP_OP_NONE = 0,
    RP_OP_WRITE = 1,
    RP_OP_VERIFY = 2,
    RP_OP_READ = 3,
    RP_OP_MVM = 4,
    RP_OP_TRANSFER = 5,
    RP_OP_SPAN = 6,
    RP_OP_COMPUTE = 7,
    RP_OP_COUNT = 8 /* number of kinds; op values are < 16 on the wire */
};

/* Event status; values equal rramprof.v1.Status. */
enum rp_event_status {
    RP_STATUS_OK = 0,
    RP_STATUS_NOT_CONVERGED = 1,
    RP_STATUS_HAL_ERROR = 2,
    RP_STATUS_OUT_OF_RANGE = 3
};

/* One recorded event. start/duration are in timer ticks (Hello.clock_hz).
 * row/rows/col/cols give the array region touched; arg is op-specific
 * (bytes moved for TRANSFER, name id for SPAN and COMPUTE). */
typedef struct rp_record {
    uint64_t start;
    uint32_t duration;
    uint32_t arg;
    uint8_t op;
    uint8_t status;
    uint8_t tile;
    uint8_t iterations;
    uint16_t row;
    uint16_t rows;
    uint16_t col;
    uint16_t cols;
} rp_record_t;

/* Short upper-case name ("WRITE", ...); "?" for unknown values. */
const char *rp_op_name(unsigned op);

/* Which record members an op gives a meaning to (bits RP_FIELD_*); start,
 * duration, op and status mean something for every op. A member outside
 * this set is unspecified on the wire: the encoder may send any value and
 * decoders set it to 0 (docs/protocol.md, "Fields per op"). Recorders
 * store 0 there. NONE and unknown ops use every member. */
enum rp_field {
    RP_FIELD_TILE = 1u << 0,
    RP_FIELD_ROW = 1u << 1,
    RP_FIELD_ROWS = 1u << 2,
    RP_FIELD_COL = 1u << 3,
    RP_FIELD_COLS = 1u << 4,
    RP_FIELD_ITERATIONS = 1u << 5,
    RP_FIELD_ARG = 1u << 6,
    RP_FIELD_ALL = (1u << 7) - 1u
};
uint32_t rp_op_fields(unsigned op);

/* Sets the members r's op does not use to 0, as a decoder does. */
void rp_record_clear_unused(rp_record_t *r);

#ifdef __cplusplus
}
#endif
#endif
