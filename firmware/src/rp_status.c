/* Error strings and operation names: static tables, no formatting, so the
 * firmware can use them without stdio. */
#include "rramprof/rp_record.h"
#include "rramprof/rp_status.h"

const char *rp_err_str(int err)
{
    switch (err) {
    case RP_OK: return "ok";
    case RP_ERR_ARG: return "invalid argument";
    case RP_ERR_RANGE: return "out of range";
    case RP_ERR_NOSPACE: return "no space";
    case RP_ERR_MALFORMED: return "malformed input";
    case RP_ERR_CRC: return "checksum mismatch";
    case RP_ERR_HAL: return "hardware layer error";
    case RP_ERR_STATE: return "not allowed in the current state";
    case RP_ERR_NOT_FOUND: return "not found";
    case RP_ERR_IO: return "I/O error";
    case RP_ERR_TIMEOUT: return "timed out";
    case RP_ERR_UNSUPPORTED: return "unsupported";
    default: return "unknown error";
    }
}

const char *rp_op_name(unsigned op)
{
    static const char *const names[RP_OP_COUNT] = {
        [RP_OP_NONE] = "NONE",         [RP_OP_WRITE] = "WRITE",
        [RP_OP_VERIFY] = "VERIFY",     [RP_OP_READ] = "READ",
        [RP_OP_MVM] = "MVM",           [RP_OP_TRANSFER] = "TRANSFER",
        [RP_OP_SPAN] = "SPAN",         [RP_OP_COMPUTE] = "COMPUTE",
    };
    return op < RP_OP_COUNT ? names[op] : "?";
}

uint32_t rp_op_fields(unsigned op)
{
    /* Row-segment ops, region ops, and named ops (arg = name id). */
    enum {
        REGION = RP_FIELD_TILE | RP_FIELD_ROW | RP_FIELD_ROWS | RP_FIELD_COL | RP_FIELD_COLS
    };
    switch (op) {
    case RP_OP_WRITE:
    case RP_OP_VERIFY:
    case RP_OP_READ: return REGION | RP_FIELD_ITERATIONS;
    case RP_OP_MVM: return REGION;
    case RP_OP_TRANSFER: return REGION | RP_FIELD_ARG;
    case RP_OP_SPAN:
    case RP_OP_COMPUTE: return RP_FIELD_ARG;
    default: return RP_FIELD_ALL;
    }
}

void rp_record_clear_unused(rp_record_t *r)
{
    uint32_t f = rp_op_fields(r->op);
    if (f == RP_FIELD_ALL) {
        return;
    }
    if (!(f & RP_FIELD_TILE)) {
        r->tile = 0;
    }
    if (!(f & RP_FIELD_ROW)) {
        r->row = 0;
    }
    if (!(f & RP_FIELD_ROWS)) {
        r->rows = 0;
    }
    if (!(f & RP_FIELD_COL)) {
        r->col = 0;
    }
    if (!(f & RP_FIELD_COLS)) {
        r->cols = 0;
    }
    if (!(f & RP_FIELD_ITERATIONS)) {
        r->iterations = 0;
    }
    if (!(f & RP_FIELD_ARG)) {
        r->arg = 0;
    }
}
