/* libFuzzer target: the capture reader, writer and summary.
 *
 * The first input byte picks a mode:
 *   0: the rest is a whole file (header included) for the reader;
 *   1: the rest follows a valid header, so the fuzzer spends its time on
 *      chunk parsing rather than on guessing the header checksum;
 *   2: the rest is cut into frames that the writer stores; the reader must
 *      give exactly those frames back.
 * Each file is then summarised (reader + decoder + session) too. Nothing
 * may crash, and the reader must never return a frame that is not inside
 * a checked chunk. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rramprof/rp_capture.h"
#include "rramprof/rp_status.h"

static char prv_path[64];

static void prv_write_file(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    FILE *f = fopen(prv_path, "wb");
    if (f == NULL) {
        abort();
    }
    if ((an > 0 && fwrite(a, 1, an, f) != an) || (bn > 0 && fwrite(b, 1, bn, f) != bn)) {
        abort();
    }
    fclose(f);
}

/* Reads every frame; returns how many, checking the integrity report. */
static uint64_t prv_read_all(void)
{
    rp_capture_reader_t *r;
    if (rp_capture_reader_open(prv_path, &r) != RP_OK) {
        return 0;
    }
    const uint8_t *p;
    size_t len;
    uint64_t n = 0, bytes = 0;
    while (rp_capture_reader_next(r, &p, &len) == 1) {
        if (len > RP_CAPTURE_MAX_FRAME) {
            abort();
        }
        n++;
        bytes += len;
    }
    const rp_capture_integrity_t *in = rp_capture_reader_integrity(r);
    if (in->frames != n || in->payload_bytes != bytes || in->stop == RP_CAPTURE_STOP_NONE ||
        in->valid_bytes + in->tail_bytes != in->file_size) {
        abort();
    }
    rp_capture_reader_close(r);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (prv_path[0] == '\0') {
        snprintf(prv_path, sizeof prv_path, "/tmp/rp_fuzz_capture_%ld.rpcap", (long)getpid());
    }
    if (size == 0) {
        return 0;
    }
    uint8_t mode = data[0] % 3u;
    data++;
    size--;
    if (mode == 0) {
        prv_write_file(data, size, NULL, 0);
        prv_read_all();
    } else if (mode == 1) {
        rp_capture_writer_opts_t o;
        memset(&o, 0, sizeof o);
        o.sync = RP_CAPTURE_SYNC_NONE;   /* fsync would make each run slow */
        rp_capture_writer_t *w;
        if (rp_capture_writer_open(prv_path, &o, &w) != RP_OK) {
            abort();
        }
        /* Keep only the header: read it back, then append the input. */
        FILE *f = fopen(prv_path, "rb");
        uint8_t hdr[256];
        size_t hn = f != NULL ? fread(hdr, 1, sizeof hdr, f) : 0;
        if (f != NULL) {
            fclose(f);
        }
        rp_capture_writer_close(w);
        prv_write_file(hdr, hn, data, size);
        prv_read_all();
    } else {
        /* Frames: each byte b starts a frame of b bytes taken from what
         * follows (shorter at the end). */
        rp_capture_writer_opts_t o;
        memset(&o, 0, sizeof o);
        o.flush_bytes = 64;
        o.sync = RP_CAPTURE_SYNC_NONE;
        rp_capture_writer_t *w;
        if (rp_capture_writer_open(prv_path, &o, &w) != RP_OK) {
            abort();
        }
        uint64_t frames = 0;
        size_t i = 0;
        while (i < size) {
            size_t n = data[i++];
            if (n > size - i) {
                n = size - i;
            }
            if (rp_capture_writer_append(w, data + i, n) != RP_OK) {
                abort();
            }
            frames++;
            i += n;
        }
        if (rp_capture_writer_close(w) != RP_OK) {
            abort();
        }
        if (prv_read_all() != frames) {
            abort();
        }
        /* Same frames, same bytes, same order. */
        rp_capture_reader_t *r;
        if (rp_capture_reader_open(prv_path, &r) != RP_OK) {
            abort();
        }
        const uint8_t *p;
        size_t len;
        i = 0;
        while (rp_capture_reader_next(r, &p, &len) == 1) {
            size_t n = data[i++];
            if (n > size - i) {
                n = size - i;
            }
            if (len != n || (n > 0 && memcmp(p, data + i, n) != 0)) {
                abort();
            }
            i += n;
        }
        if (i != size || rp_capture_reader_integrity(r)->stop != RP_CAPTURE_STOP_END) {
            abort();
        }
        rp_capture_reader_close(r);
    }
    rp_capture_summary_t sum;
    rp_capture_summarize(prv_path, &sum);
    unlink(prv_path);
    return 0;
}
