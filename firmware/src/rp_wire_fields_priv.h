/* Field numbers of the device-to-host messages (proto/rramprof.proto),
 * the length-prefix width and a record member reader, shared by the
 * encoders (rp_encoder.c, rp_encoder_compact.c, rp_messages.c). Private to
 * firmware/src. */
#ifndef RP_WIRE_FIELDS_PRIV_H
#define RP_WIRE_FIELDS_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rramprof/rp_record.h"

/* rramprof.v1.Frame body field numbers. */
enum {
    PRV_FRAME_HELLO = 1,
    PRV_FRAME_BATCH = 2,
    PRV_FRAME_NAMES = 3,
    PRV_FRAME_COUNTERS = 4,
    PRV_FRAME_DROPS = 5,
    PRV_FRAME_HEARTBEAT = 6,
    PRV_FRAME_RESPONSE = 7,
    PRV_FRAME_WORKLOAD = 8
};

/* rramprof.v1.EventBatch field numbers. A column's `*_all` field is its
 * packed field + 1. */
enum {
    PRV_B_SEQUENCE = 1,
    PRV_B_FIRST_EVENT = 2,
    PRV_B_BASE = 3,
    PRV_B_COUNT = 4,
    PRV_B_DROPPED = 5,
    PRV_B_OP = 6,
    PRV_B_GAP = 8,
    PRV_B_DURATION = 9,
    PRV_B_TILE = 11,
    PRV_B_ROW = 13,
    PRV_B_ROWS = 15,
    PRV_B_COL = 17,
    PRV_B_COLS = 19,
    PRV_B_ITERATIONS = 21,
    PRV_B_STATUS = 23,
    PRV_B_ARG = 25,
    PRV_B_DURATION_BASE = 27,
    PRV_B_OP_BITS = 28
};

/* The batch encoders reserve a length prefix of this many bytes (a padded
 * varint) before a body and fill it in after: the smallest width whose
 * range exceeds cap, so a body that fits the buffer fits its prefix. */
static inline unsigned rp_wire_len_width(size_t cap)
{
    unsigned w = 1;
    while (w < 5u && ((uint64_t)cap >> (7u * w)) != 0) {
        w++;
    }
    return w;
}

/* The record member `size` bytes wide (1, 2 or 4) at byte `off` of r. */
static inline uint32_t rp_wire_record_member(const rp_record_t *r, size_t off, size_t size)
{
    const uint8_t *m = (const uint8_t *)r + off;
    if (size == 1) {
        return *m;
    }
    if (size == 2) {
        uint16_t h;
        memcpy(&h, m, 2);
        return h;
    }
    uint32_t w;
    memcpy(&w, m, 4);
    return w;
}

#endif
