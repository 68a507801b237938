/* Mock of rp_workload.h for the device-loop tests: two workloads, "alpha"
 * and "beta", whose runs take a scripted number of steps and record a
 * scripted number of READ events per step through rp_xbar_read (on the
 * fake HAL). Linking this object keeps firmware/src/rp_workload.c out of
 * the test executable. */
#ifndef MOCK_WORKLOAD_H
#define MOCK_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "rramprof/rp_workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mock_workload {
    /* script */
    uint32_t steps_per_run;    /* step returns DONE on this step of a run */
    uint32_t events_per_step;  /* READ events recorded by each step */
    int begin_rc;              /* returned by rp_workload_begin */
    bool passed;
    /* observed */
    uint32_t begins, steps, aborts;
    int last_index;
    uint64_t last_seed;
    uint32_t last_run;
    bool busy;
    uint32_t step_in_run;
} mock_workload_t;

extern mock_workload_t mock_workload;

void mock_workload_reset(void);

#ifdef __cplusplus
}
#endif
#endif
