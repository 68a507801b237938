/* Writes one payload of every device->host Frame kind, encoded with the
 * firmware encoder, plus the lines `protoc --decode=rramprof.v1.Frame`
 * must print for it. protoc_decode.sh runs protoc on them.
 * Usage: protoc_payloads <output dir> */
#include <stdio.h>
#include <string.h>

#include "rramprof/rp_command.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_encoder.h"

static int prv_write(const char *dir, const char *name, const uint8_t *buf, size_t len,
                     const char *const *expect)
{
    char path[512];
    if (len == 0) {
        fprintf(stderr, "%s: encoder returned 0\n", name);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/%s.expect", dir, name);
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    for (size_t i = 0; expect[i] != NULL; i++) {
        fprintf(f, "%s\n", expect[i]);
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    uint8_t buf[RP_FRAME_MAX_PAYLOAD];
    int bad = 0;

    static const char *const workloads[] = { "write_verify", "mvm_sweep" };
    rp_hello_t h = {
        .board = "sim",
        .firmware_version = "0.1.0",
        .clock_hz = 1000000000u,
        .timer_bits = 32,
        .array = { .tiles = 4, .rows = 256, .cols = 128, .bits_per_cell = 2, .adcs_per_tile = 16,
                   .adc_bits = 8, .input_bits = 4, .endurance_cycles = 1000000, .model = "sim:testchip" },
        .ring_capacity = 1024,
        .max_frame_payload = 2048,
        .boot_id = 0xFEEDFACEu,
        .counters_available = 1,
        .op_mask = 0x7E,
        .threshold_ticks = 5,
        .workloads = workloads,
        .workload_count = 2,
        .reset_cause = 7,   /* RESET_FATAL */
        .fatal_reason = 3,
        .previous_boot_id = 0xFEEDFACDu,
        .previous_events_recorded = 5000,
        .previous_events_sent = 4900,
        .previous_events_dropped = 7,
    };
    static const char *const hello_expect[] = {
        "hello {", "protocol_version: 1", "board: \"sim\"", "firmware_version: \"0.1.0\"",
        "clock_hz: 1000000000", "timer_bits: 32", "array {", "tiles: 4", "rows: 256",
        "cols: 128", "bits_per_cell: 2", "adcs_per_tile: 16", "adc_bits: 8", "input_bits: 4",
        "endurance_cycles: 1000000", "model: \"sim:testchip\"", "ring_capacity: 1024",
        "max_frame_payload: 2048", "boot_id: 4277009102", "counters_available: 1",
        "op_mask: 126", "threshold_ticks: 5", "workloads: \"write_verify\"",
        "workloads: \"mvm_sweep\"", "reset_cause: RESET_FATAL", "fatal_reason: 3",
        "previous_boot_id: 4277009101", "previous_events_recorded: 5000",
        "previous_events_sent: 4900", "previous_events_dropped: 7", NULL
    };
    bad |= prv_write(dir, "hello", buf, rp_encode_hello(&h, buf, sizeof(buf)), hello_expect);

    /* Three events: op and duration vary, tile is constant (tile_all), the
     * second starts 5 ticks before the first ends (gap -5). MVM does not use
     * iterations, so that column is constant among WRITE and VERIFY. Too
     * few events for per-op duration bases to pay. The op is folded into
     * the durations (op_bits 3): duration << 3 | op. */
    rp_record_t recs[3] = {
        { .start = 1000, .duration = 100, .op = RP_OP_WRITE, .tile = 2, .row = 7, .rows = 1, .cols = 64, .iterations = 1 },
        { .start = 1095, .duration = 40, .op = RP_OP_VERIFY, .tile = 2, .row = 7, .rows = 1, .cols = 64, .iterations = 1 },
        { .start = 1300, .duration = 300, .op = RP_OP_MVM, .tile = 2, .row = 7, .rows = 1, .cols = 64, .status = RP_STATUS_NOT_CONVERGED },
    };
    rp_batch_state_t st = { 6, 700 };
    static const char *const batch_expect[] = {
        "batch {", "sequence: 6", "first_event: 700", "base_timestamp: 1000", "count: 3",
        "dropped_total: 9", "gap: 0", "gap: -5", "gap: 165", "duration: 801",
        "duration: 322", "duration: 2404", "op_bits: 3", "tile_all: 2", "row_all: 7",
        "rows_all: 1", "cols_all: 64", "iterations_all: 1", "status: 1", NULL
    };
    bad |= prv_write(dir, "batch", buf, rp_encode_batch(&st, recs, 3, 9, buf, sizeof(buf)),
                     batch_expect);

    const uint32_t ids[] = { 1, 300 };
    const char *const names[] = { "layer0", "" };
    static const char *const names_expect[] = {
        "names {", "id: 1", "id: 300", "name: \"layer0\"", "name: \"\"", NULL
    };
    bad |= prv_write(dir, "names", buf, rp_encode_names(ids, names, 2, buf, sizeof(buf)),
                     names_expect);

    rp_counters_t c = { .timestamp = 123456789012ull, .events_recorded = 1000, .events_filtered = 20,
                        .events_dropped = 3, .events_sent = 997, .record_ticks = 40000,
                        .drain_ticks = 90000, .bytes_sent = 6000, .frames_sent = 8,
                        .ring_high_water = 700, .tx_stall_ticks = 11, .hw_valid = 1, .hw_cycles = 77,
                        .link_rx_lost = 5 };
    static const char *const counters_expect[] = {
        "counters {", "timestamp: 123456789012", "events_recorded: 1000", "events_filtered: 20",
        "events_dropped: 3", "events_sent: 997", "record_ticks: 40000", "drain_ticks: 90000",
        "bytes_sent: 6000", "frames_sent: 8", "ring_high_water: 700", "tx_stall_ticks: 11",
        "hw_valid: 1", "hw_cycles: 77", "link_rx_lost: 5", NULL
    };
    bad |= prv_write(dir, "counters", buf, rp_encode_counters(&c, buf, sizeof(buf)), counters_expect);

    static const char *const drops_expect[] = {
        "drops {", "dropped_total: 42", "first_drop_timestamp: 99999", NULL
    };
    bad |= prv_write(dir, "drops", buf, rp_encode_drops(42, 99999, buf, sizeof(buf)), drops_expect);

    static const char *const heartbeat_expect[] = { "heartbeat {", "timestamp: 5555", "state: 1", NULL };
    bad |= prv_write(dir, "heartbeat", buf, rp_encode_heartbeat(5555, 1, buf, sizeof(buf)),
                     heartbeat_expect);

    static const char *const response_expect[] = {
        "response {", "request_id: 77", "result: RESULT_UNKNOWN_WORKLOAD",
        "message: \"no such workload\"", NULL
    };
    bad |= prv_write(dir, "response", buf,
                     rp_encode_response(77, RP_RESULT_UNKNOWN_WORKLOAD, "no such workload", NULL,
                                        buf, sizeof(buf)),
                     response_expect);

    static const char *const info_expect[] = {
        "response {", "request_id: 1", "hello {", "protocol_version: 1", "board: \"sim\"",
        "tiles: 4", NULL
    };
    bad |= prv_write(dir, "response_hello", buf,
                     rp_encode_response(1, RP_RESULT_OK, NULL, &h, buf, sizeof(buf)), info_expect);

    static const char *const workload_expect[] = {
        "workload {", "name: \"mvm_sweep\"", "run: 3", "passed: true", "error_ppm: -1500",
        "start: 1000", "end: 90000", "detail: \"max error 0.15%\"", NULL
    };
    bad |= prv_write(dir, "workload", buf,
                     rp_encode_workload_result("mvm_sweep", 3, true, -1500, 1000, 90000,
                                               "max error 0.15%", buf, sizeof(buf)),
                     workload_expect);
    return bad ? 1 : 0;
}
