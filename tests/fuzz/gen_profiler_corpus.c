/* Writes the seed corpora of the profiler fuzzers:
 *   corpus/decode/   one frame payload per Frame kind (made by the firmware
 *                    encoder) and a short link stream of COBS frames;
 *   corpus/capture/  inputs for fuzz_capture: a mode byte (0 whole file,
 *                    1 chunks after a valid header, 2 frames to write)
 *                    followed by a small capture file, a truncated one, its
 *                    chunks, or length-prefixed frames.
 * Built with the fuzz targets; run from the source root:
 *   build-fuzz/bin/gen_profiler_corpus tests/fuzz/corpus/decode tests/fuzz/corpus/capture */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rramprof/rp_capture.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_frame.h"

static void prv_put(const char *dir, const char *name, const uint8_t *a, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(a, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_profiler_corpus <decode dir> <capture dir>\n");
        return 2;
    }
    const char *dd = argv[1], *cd = argv[2];
    static uint8_t buf[4096], link[8192], file[65536], tmp[65536];
    size_t n;

    static const char *const wl[] = {"mvm_bench"};
    rp_hello_t h = {0};
    h.board = "sim";
    h.firmware_version = "0.1";
    h.clock_hz = 1000000;
    h.timer_bits = 32;
    h.array.tiles = 2;
    h.array.rows = 64;
    h.array.cols = 32;
    h.array.model = "sim:seed";
    h.boot_id = 7;
    h.workloads = wl;
    h.workload_count = 1;
    uint8_t hello[512];
    size_t hn = rp_encode_hello(&h, hello, sizeof hello);
    prv_put(dd, "hello", hello, hn);

    /* 40 events: four ops, varying durations and rows, a few overlaps. */
    rp_record_t r[40];
    memset(r, 0, sizeof r);
    uint64_t t = 1000;
    for (int i = 0; i < 40; i++) {
        r[i].op = (uint8_t)(1 + i % 4);
        r[i].duration = (uint32_t)(50 + i * 13 % 300);
        r[i].row = (uint16_t)(i % 16);
        r[i].rows = 1;
        r[i].cols = 32;
        r[i].iterations = (uint8_t)(i % 5);
        r[i].status = (uint8_t)(i % 9 == 0);
        t += (uint64_t)(i % 3);
        r[i].start = t;
        t += r[i].duration;
        if (i % 7 == 3) {
            r[i].start -= 20;
        }
    }
    rp_batch_state_t st = {0};
    uint8_t b1[2048], b2[256];
    size_t bn1 = rp_encode_batch(&st, r, 40, 3, b1, sizeof b1);
    size_t bn2 = rp_encode_batch(&st, r, 1, 3, b2, sizeof b2);
    prv_put(dd, "batch", b1, bn1);
    prv_put(dd, "batch_one", b2, bn2);
    const uint32_t ids[] = {1, 2};
    const char *const names[] = {"conv", "fc"};
    n = rp_encode_names(ids, names, 2, buf, sizeof buf);
    prv_put(dd, "names", buf, n);
    rp_counters_t c = {0};
    c.events_sent = 41;
    c.events_dropped = 3;
    c.timestamp = 99;
    n = rp_encode_counters(&c, buf, sizeof buf);
    prv_put(dd, "counters", buf, n);
    n = rp_encode_drops(3, 1500, buf, sizeof buf);
    prv_put(dd, "drops", buf, n);
    n = rp_encode_heartbeat(12345, 1, buf, sizeof buf);
    prv_put(dd, "heartbeat", buf, n);
    n = rp_encode_response(5, 0, NULL, &h, buf, sizeof buf);
    prv_put(dd, "response_hello", buf, n);
    n = rp_encode_response(6, 5, "unknown workload", NULL, buf, sizeof buf);
    prv_put(dd, "response_err", buf, n);

    size_t ln = 0;
    ln += rp_frame_encode(hello, hn, link + ln, sizeof link - ln);
    ln += rp_frame_encode(b1, bn1, link + ln, sizeof link - ln);
    n = rp_encode_drops(3, 1500, buf, sizeof buf);
    ln += rp_frame_encode(buf, n, link + ln, sizeof link - ln);
    n = rp_encode_counters(&c, buf, sizeof buf);
    ln += rp_frame_encode(buf, n, link + ln, sizeof link - ln);
    prv_put(dd, "link_stream", link, ln);

    /* A small capture: Hello in the header, four frames in small chunks. */
    char path[] = "/tmp/gen_profiler_corpus_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    rp_capture_writer_opts_t o = {0};
    o.tool_version = "seed";
    o.hello = hello;
    o.hello_len = hn;
    o.flush_bytes = 300;
    o.host_time_ns = 1;
    o.sync = RP_CAPTURE_SYNC_NONE;
    rp_capture_writer_t *w;
    if (rp_capture_writer_open(path, &o, &w) != 0) {
        perror(path);
        return 1;
    }
    rp_capture_writer_append(w, hello, hn);
    rp_capture_writer_append(w, b1, bn1);
    rp_capture_writer_append(w, b2, bn2);
    n = rp_encode_drops(3, 1500, buf, sizeof buf);
    rp_capture_writer_append(w, buf, n);
    rp_capture_writer_close(w);
    FILE *f = fopen(path, "rb");
    size_t fn = f != NULL ? fread(file, 1, sizeof file, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    unlink(path);
    if (fn < 64) {
        fprintf(stderr, "capture too short\n");
        return 1;
    }
    size_t hl = (size_t)file[12] | (size_t)file[13] << 8;

    tmp[0] = 0;
    memcpy(tmp + 1, file, fn);
    prv_put(cd, "file_whole", tmp, fn + 1);
    prv_put(cd, "file_truncated", tmp, fn + 1 - 30);
    tmp[0] = 1;
    memcpy(tmp + 1, file + hl, fn - hl);
    prv_put(cd, "chunks_after_header", tmp, fn - hl + 1);
    size_t k = 0;
    tmp[k++] = 2;
    tmp[k++] = (uint8_t)bn2;
    memcpy(tmp + k, b2, bn2);
    k += bn2;
    tmp[k++] = (uint8_t)hn;
    memcpy(tmp + k, hello, hn);
    k += hn;
    tmp[k++] = 0;   /* an empty frame */
    tmp[k++] = 3;
    tmp[k++] = 1;
    tmp[k++] = 2;
    tmp[k++] = 3;
    prv_put(cd, "frames", tmp, k);
    return 0;
}
