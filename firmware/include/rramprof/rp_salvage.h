/* What a warm reset leaves of the recorder, for the next boot's Hello.
 *
 * A reset takes the events still in the device's ring. Where RAM keeps
 * its contents across the reset (a watchdog, fault or software reset; not
 * power-on), the recorder's state of the boot before still holds exact
 * counts of what it had recorded, sent and dropped. The new boot reads
 * them before anything clears or initialises that RAM and reports them in
 * its Hello (previous_* fields, docs/protocol.md section 5), so the host
 * counts the reset's loss exactly instead of from the last Counters.
 *
 * Not on any hot path: one stamp per boot, one read per reset. */
#ifndef RP_SALVAGE_H
#define RP_SALVAGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The boot before this one, as its recorder stood at the reset. */
typedef struct rp_salvage_previous {
    uint64_t boot_id;          /* that boot's Hello.boot_id; 0 = nothing known */
    uint64_t events_recorded;  /* as Counters.events_recorded, since its last Start */
    uint64_t events_sent;      /* events its drain had taken out of the ring */
    uint64_t events_dropped;   /* as Counters.events_dropped */
} rp_salvage_previous_t;

/* Filled by rp_salvage_read only: all zero (nothing known) before. The
 * port places it (RP_PORT_NOINIT): Cortex-M boards in .noinit, which
 * their startup code does not clear after rp_salvage_read. */
extern rp_salvage_previous_t rp_salvage_previous;

/* Stamps the recorder's state with the boot it records in (Hello.boot_id),
 * after rp_recorder_init, so that the next boot can tell the state is
 * real and whose it is. rp_device_init does this. */
void rp_salvage_stamp(uint64_t boot_id);

/* After a reset, before anything clears or initialises the recorder's RAM
 * (Cortex-M: the reset handler, before .data and .bss; the sim board: its
 * simulated reset): reads the counts the recorder's state still holds into
 * rp_salvage_previous, or marks them unknown if that state was never
 * stamped (power-on RAM fails the stamp's check but about once in 2^32).
 * Uses no other static data, so it may run before .data is copied. The
 * recorded count is exact however the reset cut a push or the drain's
 * bookkeeping (it comes from the ring's head alone); the sent count may
 * miss the last batch if the reset fell between the drain's two updates. */
void rp_salvage_read(void);

#ifdef __cplusplus
}
#endif
#endif
