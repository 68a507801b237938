/* Mock workloads; see mock_workload.h. */
#include "mock_workload.h"

#include <stdio.h>
#include <string.h>

#include "rramprof/rp_status.h"
#include "rramprof/rp_xbar.h"

mock_workload_t mock_workload;

const rp_workload_desc_t rp_workloads[] = {
    {"alpha", "mock workload a"},
    {"beta", "mock workload b"},
    {NULL, NULL},
};

void mock_workload_reset(void)
{
    memset(&mock_workload, 0, sizeof mock_workload);
    mock_workload.steps_per_run = 3u;
    mock_workload.events_per_step = 1u;
    mock_workload.passed = true;
    mock_workload.last_index = -1;
}

uint32_t rp_workload_count(void)
{
    return 2u;
}

int rp_workload_find(const char *name)
{
    for (int i = 0; rp_workloads[i].name != NULL; i++) {
        if (strcmp(rp_workloads[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

int rp_workload_begin(int index, uint64_t seed, uint32_t run)
{
    mock_workload.begins++;
    mock_workload.last_index = index;
    mock_workload.last_seed = seed;
    mock_workload.last_run = run;
    if (mock_workload.begin_rc != RP_OK) {
        return mock_workload.begin_rc;
    }
    mock_workload.busy = true;
    mock_workload.step_in_run = 0u;
    return RP_OK;
}

rp_workload_state_t rp_workload_step(rp_workload_result_t *result)
{
    mock_workload.steps++;
    if (!mock_workload.busy) {
        return RP_WORKLOAD_DONE;
    }
    for (uint32_t i = 0; i < mock_workload.events_per_step; i++) {
        uint8_t levels[4];
        (void)rp_xbar_read(0u, 0u, 0u, 4u, levels);
    }
    mock_workload.step_in_run++;
    if (mock_workload.step_in_run < mock_workload.steps_per_run) {
        return RP_WORKLOAD_RUNNING;
    }
    mock_workload.busy = false;
    result->passed = mock_workload.passed;
    result->error_ppm = -(int64_t)(mock_workload.last_run + 1u);
    snprintf(result->detail, sizeof result->detail, "run %u", (unsigned)mock_workload.last_run);
    return RP_WORKLOAD_DONE;
}

bool rp_workload_busy(void)
{
    return mock_workload.busy;
}

void rp_workload_abort(void)
{
    mock_workload.aborts++;
    mock_workload.busy = false;
}
