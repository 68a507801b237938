/* rp_wire_size: bytes per event on the wire, framing included.
 *
 * Reads a raw device-to-host byte stream (what rramprof-sim writes on
 * stdout) from a file or stdin, splits it into frames with rp_deframer,
 * decodes each with the protobuf-c code generated from the schema, and
 * prints one line:
 *
 *   events=N frames=F batches=B batch_bytes=X stream_bytes=Y
 *   batch_bytes_per_event=X/N stream_bytes_per_event=Y/N
 *
 * batch_bytes counts EventBatch frames exactly as sent (COBS, CRC-32 and
 * the 0x00 delimiter included); stream_bytes counts every byte of the
 * stream (Hello, NameTable, Counters, ... too). Exit status 1 if the stream
 * has a bad frame, 2 on bad usage.
 *
 * With --columns it also prints, per EventBatch field, its bytes per event
 * (tag, length prefix and values, read from the wire format itself), so a
 * size figure can be traced to the columns that make it.
 *
 * Usage: rp_wire_size [--columns] [FILE]      (no FILE or "-": stdin) */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rramprof.pb-c.h"
#include "rramprof/rp_frame.h"

/* Far above any device's frame size: an oversized frame is then measured,
 * not dropped. */
#define PRV_MAX_PAYLOAD 65536u

static uint8_t prv_buf[PRV_MAX_PAYLOAD + RP_FRAME_CRC_LEN];

/* EventBatch field numbers (proto/rramprof.proto) and their names. */
#define PRV_BATCH_FIELDS 29u
static const char *const prv_field_names[PRV_BATCH_FIELDS] = {
    "?", "sequence", "first_event", "base_timestamp", "count", "dropped_total",
    "op", "op_all", "gap", "duration", "duration_all", "tile", "tile_all", "row",
    "row_all", "rows", "rows_all", "col", "col_all", "cols", "cols_all", "iterations",
    "iterations_all", "status", "status_all", "arg", "arg_all", "duration_base", "op_bits",
};

/* Reads a varint at *p (< end); false if truncated. */
static bool prv_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7fu) << shift;
        if ((b & 0x80u) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Adds the wire bytes of each field of the message in [p, end) to bytes[]
 * (fields >= PRV_BATCH_FIELDS go to bytes[0]). false if it does not parse. */
static bool prv_field_sizes(const uint8_t *p, const uint8_t *end, uint64_t *bytes)
{
    while (p < end) {
        const uint8_t *start = p;
        uint64_t key, v;
        if (!prv_varint(&p, end, &key)) {
            return false;
        }
        switch (key & 7u) {
        case 0:
            if (!prv_varint(&p, end, &v)) {
                return false;
            }
            break;
        case 1:
            p += 8;
            break;
        case 2:
            if (!prv_varint(&p, end, &v) || v > (uint64_t)(end - p)) {
                return false;
            }
            p += v;
            break;
        case 5:
            p += 4;
            break;
        default:
            return false;
        }
        if (p > end) {
            return false;
        }
        uint64_t field = key >> 3;
        bytes[field < PRV_BATCH_FIELDS ? field : 0] += (uint64_t)(p - start);
    }
    return true;
}

/* The EventBatch inside a Frame payload (field 2), or false. */
static bool prv_batch_body(const uint8_t *p, size_t n, const uint8_t **body, size_t *len)
{
    const uint8_t *end = p + n;
    while (p < end) {
        uint64_t key, v;
        if (!prv_varint(&p, end, &key) || (key & 7u) != 2u || !prv_varint(&p, end, &v) ||
            v > (uint64_t)(end - p)) {
            return false;
        }
        if ((key >> 3) == 2u) {
            *body = p;
            *len = (size_t)v;
            return true;
        }
        p += v;
    }
    return false;
}

int main(int argc, char **argv)
{
    bool columns = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            printf("Usage: rp_wire_size [--columns] [FILE]\n");
            return 0;
        }
        if (strcmp(argv[i], "--columns") == 0) {
            columns = true;
        } else if (path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "Usage: rp_wire_size [--columns] [FILE]\n");
            return 2;
        }
    }
    FILE *in = stdin;
    if (path != NULL && strcmp(path, "-") != 0) {
        in = fopen(path, "rb");
        if (in == NULL) {
            perror(path);
            return 2;
        }
    }
    uint64_t field_bytes[PRV_BATCH_FIELDS] = { 0 };

    rp_deframer_t d;
    rp_deframer_init(&d, prv_buf, sizeof(prv_buf));
    uint64_t events = 0, frames = 0, batches = 0, bad = 0;
    uint64_t batch_bytes = 0, stream_bytes = 0, frame_bytes = 0;
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
        for (size_t i = 0; i < n; i++) {
            stream_bytes++;
            frame_bytes++;
            rp_deframe_result_t r = rp_deframer_feed(&d, chunk[i]);
            if (r == RP_DEFRAME_NONE) {
                continue;
            }
            /* A delimiter: the frame's wire size is complete. */
            uint64_t wire = frame_bytes;
            frame_bytes = 0;
            if (r != RP_DEFRAME_FRAME) {
                bad++;
                continue;
            }
            Rramprof__V1__Frame *f = rramprof__v1__frame__unpack(
                NULL, rp_deframer_payload_len(&d), rp_deframer_payload(&d));
            if (f == NULL) {
                bad++;
                continue;
            }
            frames++;
            if (f->body_case == RRAMPROF__V1__FRAME__BODY_BATCH) {
                batches++;
                events += f->batch->count;
                batch_bytes += wire;
                const uint8_t *body;
                size_t body_len;
                if (columns && (!prv_batch_body(rp_deframer_payload(&d), rp_deframer_payload_len(&d),
                                                &body, &body_len) ||
                                !prv_field_sizes(body, body + body_len, field_bytes))) {
                    bad++;
                }
            }
            rramprof__v1__frame__free_unpacked(f, NULL);
        }
    }
    if (in != stdin) {
        fclose(in);
    }
    printf("events=%" PRIu64 " frames=%" PRIu64 " batches=%" PRIu64 " batch_bytes=%" PRIu64
           " stream_bytes=%" PRIu64 " batch_bytes_per_event=%.3f stream_bytes_per_event=%.3f\n",
           events, frames, batches, batch_bytes, stream_bytes,
           events != 0 ? (double)batch_bytes / (double)events : 0.0,
           events != 0 ? (double)stream_bytes / (double)events : 0.0);
    if (columns && events != 0) {
        for (unsigned f = 1; f < PRV_BATCH_FIELDS; f++) {
            if (field_bytes[f] != 0) {
                printf("  %-15s %.3f bytes/event\n", prv_field_names[f],
                       (double)field_bytes[f] / (double)events);
            }
        }
        if (field_bytes[0] != 0) {
            printf("  %-15s %.3f bytes/event\n", "(unknown)", (double)field_bytes[0] / (double)events);
        }
    }
    if (bad != 0) {
        fprintf(stderr, "rp_wire_size: %" PRIu64 " bad frames\n", bad);
        return 1;
    }
    return 0;
}
