/* Allocation-free protobuf encoder for the device-to-host messages.
 *
 * Every function writes one complete rramprof.v1.Frame message (the frame
 * payload, before CRC and COBS) into out[0..cap) and returns its length, or
 * 0 if it does not fit. The bytes decode with the protobuf-c code generated
 * from proto/rramprof.proto to exactly the values given here; the tests in
 * tests/unit/test_encoder_conformance.cpp prove it. */
#ifndef RP_ENCODER_H
#define RP_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_config.h"
#include "rramprof/rp_record.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rp_array_info {
    uint32_t tiles, rows, cols, bits_per_cell;
    uint32_t adcs_per_tile, adc_bits, input_bits;
    uint64_t endurance_cycles;
    const char *model;   /* may be NULL */
    /* Nominal timing, 0 = unknown (ArrayInfo fields 10..17). */
    uint64_t write_pulse_ps;        /* one programming pulse */
    uint64_t write_setup_ps;        /* driver set-up per pulse op */
    uint32_t write_parallel_cols;   /* cells one pulse programs at once */
    uint64_t read_latency_ps;       /* row activation + sensing settle */
    uint64_t adc_conversion_ps;     /* one conversion of one ADC */
    uint64_t dac_settle_ps;         /* input DAC settling per MVM slice */
    uint64_t interface_overhead_ps; /* fixed cost of one bus transaction */
    uint64_t interface_bytes_per_s; /* MCU <-> array bus bandwidth */
} rp_array_info_t;

typedef struct rp_hello {
    const char *board;
    const char *firmware_version;
    uint64_t clock_hz;
    uint32_t timer_bits;
    rp_array_info_t array;
    uint32_t ring_capacity;
    uint32_t max_frame_payload;
    uint64_t boot_id;
    uint32_t counters_available;
    uint32_t op_mask;
    uint64_t threshold_ticks;
    const char *const *workloads;   /* workload_count names */
    uint32_t workload_count;
    uint32_t reset_cause;           /* rramprof.v1.ResetCause */
    uint32_t fatal_reason;          /* with RESET_FATAL */
    /* The boot before this one, as its recorder stood at the reset
     * (rp_salvage.h); previous_boot_id 0 = not known. */
    uint64_t previous_boot_id;
    uint64_t previous_events_recorded;
    uint64_t previous_events_sent;
    uint64_t previous_events_dropped;
} rp_hello_t;

/* Hardware counter bits of Hello.counters_available and Counters.hw_valid;
 * values equal rramprof.v1.HwCounter. */
enum rp_hw_counter {
    RP_HW_CYCCNT = 1u,
    RP_HW_CPICNT = 2u,
    RP_HW_EXCCNT = 4u,
    RP_HW_SLEEPCNT = 8u,
    RP_HW_LSUCNT = 16u,
    RP_HW_FOLDCNT = 32u
};

/* Cumulative recorder statistics; mirrors rramprof.v1.Counters. */
typedef struct rp_counters {
    uint64_t timestamp;
    uint64_t events_recorded;
    uint64_t events_filtered;
    uint64_t events_dropped;
    uint64_t events_sent;
    uint64_t record_ticks;
    uint64_t drain_ticks;
    uint64_t bytes_sent;
    uint64_t frames_sent;
    uint32_t ring_high_water;
    uint64_t tx_stall_ticks;
    uint32_t hw_valid;
    uint64_t hw_cycles, hw_cpi, hw_exc, hw_sleep, hw_lsu, hw_fold;
    uint64_t link_rx_lost;
} rp_counters_t;

/* Per-stream batch state: the encoder advances it with every batch. */
typedef struct rp_batch_state {
    uint32_t sequence;     /* next EventBatch.sequence */
    uint64_t next_event;   /* next EventBatch.first_event */
} rp_batch_state_t;

size_t rp_encode_hello(const rp_hello_t *h, uint8_t *out, size_t cap);

/* Encodes recs[0..n) as one EventBatch with dropped_total as given. Uses the
 * constant-column form whenever the values of a column are equal among the
 * events whose op uses that member (rp_op_fields; other events' values
 * there are unspecified on the wire and decode as 0), and per-op duration
 * bases when they make the batch smaller (docs/protocol.md, EventBatch).
 * On success advances st->sequence by 1 and st->next_event by n. */
size_t rp_encode_batch(rp_batch_state_t *st, const rp_record_t *recs, size_t n,
                       uint64_t dropped_total, uint8_t *out, size_t cap);

/* Largest n <= max such that rp_encode_batch of recs[0..n) is guaranteed to
 * fit in cap bytes (a cheap upper bound, not an exact size). Only in the
 * full encoder: builds with RP_CONFIG_COMPACT_ENCODER (rp_config.h) have
 * no sizing pass and bisect instead (rp_device.c). */
#if !RP_CONFIG_COMPACT_ENCODER
size_t rp_encode_batch_fit(const rp_record_t *recs, size_t max, size_t cap);
#endif

size_t rp_encode_names(const uint32_t *ids, const char *const *names, size_t n,
                       uint8_t *out, size_t cap);
size_t rp_encode_counters(const rp_counters_t *c, uint8_t *out, size_t cap);
size_t rp_encode_drops(uint64_t dropped_total, uint64_t first_drop_timestamp,
                       uint8_t *out, size_t cap);
size_t rp_encode_heartbeat(uint64_t timestamp, uint32_t state, uint8_t *out, size_t cap);
/* hello may be NULL. message may be NULL. */
size_t rp_encode_response(uint32_t request_id, uint32_t result, const char *message,
                          const rp_hello_t *hello, uint8_t *out, size_t cap);
/* One WorkloadResult; name and detail may be NULL. */
size_t rp_encode_workload_result(const char *name, uint32_t run, bool passed, int64_t error_ppm,
                                 uint64_t start, uint64_t end, const char *detail, uint8_t *out,
                                 size_t cap);

#ifdef __cplusplus
}
#endif
#endif
