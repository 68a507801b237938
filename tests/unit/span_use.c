/* Instrumented code compiled twice, with RRAMPROF_ENABLED=1 and =0, for the
 * unit.core_off_symbols check: the disabled object must reference no
 * rp_span_* / rp_compute_* symbol, the enabled one must (so the check can
 * tell the difference). Also proves the disabled macros leave no
 * unused-variable warnings under -Werror. */
#include <stdint.h>

#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_span.h"

static rp_name_t prv_layer = RP_NAME("layer");
static rp_name_t prv_compute = RP_NAME("softmax");

int span_use(int x);

int span_use(int x)
{
    rp_span_begin(&prv_layer);
    uint64_t t0 = rp_hal_timer_now();
    RP_SPAN_SCOPE(&prv_layer) {
        x *= 3;
    }
    uint64_t t1 = rp_hal_timer_now();
    rp_compute_mark(&prv_compute, t0, t1);
    rp_span_end(&prv_layer);
    return x + 1;
}
