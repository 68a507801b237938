/* Built-in RRAM workloads, run in small steps by the device main loop so
 * that draining and command handling interleave with them.
 *
 * Each workload checks its own numeric result and reports it in a
 * WorkloadResult frame at the end of every run. */
#ifndef RP_WORKLOAD_H
#define RP_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rp_workload_state {
    RP_WORKLOAD_RUNNING = 0,   /* call step again */
    RP_WORKLOAD_DONE = 1       /* run finished; result is valid */
} rp_workload_state_t;

typedef struct rp_workload_result {
    bool passed;
    int64_t error_ppm;
    char detail[48];
} rp_workload_result_t;

typedef struct rp_workload_desc {
    const char *name;
    const char *summary;
} rp_workload_desc_t;

/* Table of built-in workloads, NULL-terminated names. */
extern const rp_workload_desc_t rp_workloads[];
uint32_t rp_workload_count(void);
/* Index of the workload called name, or -1. */
int rp_workload_find(const char *name);

/* Starts run `run` of workload index with a deterministic seed. */
int rp_workload_begin(int index, uint64_t seed, uint32_t run);
/* Does one bounded step (e.g. one row programmed, one MVM batch). */
rp_workload_state_t rp_workload_step(rp_workload_result_t *result);
bool rp_workload_busy(void);
void rp_workload_abort(void);
/* Aborts any run and forgets what the workloads programmed into the array
 * (mlp and solver keep their weights between runs, scan checks the last
 * pattern). Call it when the array was replaced or reset. */
void rp_workload_reset(void);

/* Board hook: a workload calls it after `macs` digital multiply-accumulates
 * on the MCU (its digital reference, refinement, activations). The sim
 * board advances its virtual clock by their modelled cost (mcu_ns_per_mac);
 * on a real MCU that time passes by itself. rp_workload.c provides a weak
 * no-op default, so boards and test fakes need not define it. */
void rp_workload_board_compute(uint32_t macs);

#ifdef __cplusplus
}
#endif
#endif
