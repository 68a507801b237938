/* The device main loop: commands in, workloads, drain out.
 *
 * A board calls rp_device_init() once after its HAL is up, then
 * rp_device_poll() forever from its main loop (or idle task). Each poll
 * reads and answers pending commands, advances the running workload by one
 * step, and drains the ring into EventBatch frames as far as the transport
 * has room. Nothing here allocates or prints. */
#ifndef RP_DEVICE_H
#define RP_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rp_device_config {
    /* Workload started with every Start (repeating until Stop), or NULL to
     * wait for RunWorkload. */
    const char *default_workload;
    uint64_t seed;
    /* Stop by itself after this many events were recorded (0 = never). */
    uint64_t event_limit;
    /* Start recording at boot, without waiting for a Start command. */
    bool autostart;
    uint32_t heartbeat_ms;   /* 0 = no heartbeats */
    uint32_t counters_ms;    /* 0 = Counters only at Stop */
} rp_device_config_t;

void rp_device_init(const rp_device_config_t *cfg);
/* Returns false once the device has nothing left to do: stopped, drained,
 * and the transport is down. Boards on real hardware ignore it. */
bool rp_device_poll(void);
bool rp_device_recording(void);
/* Drain until the ring is empty or the transport is full. Returns events
 * sent. */
uint32_t rp_device_drain(void);

#ifdef __cplusplus
}
#endif
#endif
