/* Reading the recorder's state a warm reset left behind; contract in
 * rp_salvage.h. */
#include "rramprof/rp_salvage.h"

#include "rp_port.h"
#include "rramprof/rp_recorder.h"

#ifndef RP_PORT_NOINIT
#define RP_PORT_NOINIT
#endif
rp_salvage_previous_t rp_salvage_previous RP_PORT_NOINIT;

/* The stamp's check word for a boot id. */
#define PRV_MARK 0x52505256u /* "RPRV" */
static uint32_t prv_mark(uint64_t boot_id)
{
    return PRV_MARK ^ (uint32_t)boot_id ^ (uint32_t)(boot_id >> 32);
}

void rp_salvage_stamp(uint64_t boot_id)
{
    rp_port_irq_t s = rp_port_irq_save();
    rp_recorder.boot_id = boot_id;
    rp_recorder.boot_mark = prv_mark(boot_id);
    rp_port_irq_restore(s);
}

void rp_salvage_read(void)
{
    const rp_recorder_t *old = &rp_recorder;
    rp_salvage_previous_t *out = &rp_salvage_previous;
    if (old->boot_id == 0u || old->boot_mark != prv_mark(old->boot_id)) {
        out->boot_id = 0u;
        out->events_recorded = 0u;
        out->events_sent = 0u;
        out->events_dropped = 0u;
        return;
    }
    /* Exact even if the reset fell between the drain's tail and released
     * updates (rp_ring_pushed); released may then be a batch behind. */
    out->boot_id = old->boot_id;
    out->events_recorded = rp_ring_pushed(&old->ring);
    out->events_sent = old->ring.released;
    out->events_dropped = old->ring.dropped;
}
