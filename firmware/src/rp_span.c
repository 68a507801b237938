/* Spans and compute marks; contract in rp_span.h.
 *
 * Names are copied (truncated to RP_CONFIG_MAX_NAME_LEN) into a fixed
 * table; id = index + 1. An rp_name_t caches its id and the cache is
 * trusted while the table slot still holds that same text pointer, which
 * also makes rp_span_reset safe for names interned before it.
 *
 * One stack of open spans serves thread code and interrupt handlers: a
 * handler's spans open and close while it runs, so they stay LIFO. */
#include "rramprof/rp_span.h"

#include <string.h>

#include "rp_port.h"
#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_recorder.h"

#if RP_CONFIG_MAX_NAMES > 65535u
#error "name ids are 16 bits"
#endif

/* Names returned by one rp_name_pending call: small enough that their
 * NameTable always fits one frame payload (per name: id varint <= 3, name
 * tag + length <= 2, text; 16 bytes for the Frame and field headers). */
#define PRV_NAMES_PER_TABLE ((RP_FRAME_MAX_PAYLOAD - 16u) / (RP_CONFIG_MAX_NAME_LEN + 5u))

typedef struct prv_open_span {
    rp_name_t *name;
    uint64_t start;
} prv_open_span_t;

static char prv_text[RP_CONFIG_MAX_NAMES][RP_CONFIG_MAX_NAME_LEN + 1u];
static const char *prv_text_ptr[RP_CONFIG_MAX_NAMES];   /* -> prv_text[i] */
static const char *prv_source[RP_CONFIG_MAX_NAMES];     /* caller's text pointer */
static uint32_t prv_ids[RP_CONFIG_MAX_NAMES];
static uint32_t prv_count;         /* names interned */
static uint32_t prv_sent;          /* names [0, prv_sent) sent since Start */
static uint32_t prv_pending_end;   /* end of the chunk rp_name_pending gave */

static prv_open_span_t prv_stack[RP_CONFIG_SPAN_DEPTH];
static uint32_t prv_depth;
static uint32_t prv_overflow;      /* begins that did not fit the stack */
static uint32_t prv_mismatches;

/* Events the span API gives up on count as filtered, like deep begins. */
static void prv_count_filtered(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    rp_recorder.filtered++;
    rp_port_irq_restore(s);
}

static uint32_t prv_saturate32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint16_t rp_name_intern(rp_name_t *name)
{
    if (name == NULL || name->text == NULL) {
        return 0u;
    }
    uint16_t id = name->id;
    if (id != 0u && id <= prv_count && prv_source[id - 1u] == name->text) {
        return id;
    }

    char text[RP_CONFIG_MAX_NAME_LEN + 1u];
    size_t len = strlen(name->text);
    if (len > RP_CONFIG_MAX_NAME_LEN) {
        len = RP_CONFIG_MAX_NAME_LEN;
    }
    memcpy(text, name->text, len);
    text[len] = '\0';

    id = 0u;
    rp_port_irq_t s = rp_port_irq_save();
    for (uint32_t i = 0; i < prv_count; i++) {
        if (strcmp(prv_text[i], text) == 0) {
            id = (uint16_t)(i + 1u);
            break;
        }
    }
    if (id == 0u && prv_count < RP_CONFIG_MAX_NAMES) {
        uint32_t i = prv_count;
        memcpy(prv_text[i], text, len + 1u);
        prv_text_ptr[i] = prv_text[i];
        prv_source[i] = name->text;
        prv_ids[i] = i + 1u;
        prv_count = i + 1u;   /* published last: an interrupted reader sees a whole entry */
        id = (uint16_t)(i + 1u);
    }
    rp_port_irq_restore(s);
    name->id = id;
    return id;
}

uint32_t rp_name_pending(const uint32_t **ids, const char *const **texts)
{
    rp_port_irq_t s = rp_port_irq_save();
    uint32_t start = prv_sent;
    uint32_t n = prv_count - start;
    rp_port_irq_restore(s);
    if (n > PRV_NAMES_PER_TABLE) {
        n = PRV_NAMES_PER_TABLE;
    }
    *ids = &prv_ids[start];
    *texts = &prv_text_ptr[start];
    prv_pending_end = start + n;
    return n;
}

void rp_name_mark_sent(void)
{
    prv_sent = prv_pending_end;
}

void rp_name_resend_all(void)
{
    prv_sent = 0u;
    prv_pending_end = 0u;
}

void rp_span_reset(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    prv_count = 0u;
    prv_sent = 0u;
    prv_pending_end = 0u;
    prv_depth = 0u;
    prv_overflow = 0u;
    prv_mismatches = 0u;
    rp_port_irq_restore(s);
}

uint32_t rp_span_mismatches(void)
{
    return prv_mismatches;
}

void rp_span_begin_impl(rp_name_t *name)
{
    /* Interned now so the NameTable goes out before the span's batch. */
    (void)rp_name_intern(name);
    uint64_t now = rp_hal_timer_now();
    bool overflow = false;
    rp_port_irq_t s = rp_port_irq_save();
    if (prv_depth < RP_CONFIG_SPAN_DEPTH) {
        prv_stack[prv_depth].name = name;
        prv_stack[prv_depth].start = now;
        prv_depth++;
    } else {
        prv_overflow++;
        overflow = true;
    }
    rp_port_irq_restore(s);
    if (overflow) {
        prv_count_filtered();
    }
}

void rp_span_end_impl(rp_name_t *name)
{
    uint64_t now = rp_hal_timer_now();
    bool found = false;
    uint64_t start = 0u;
    rp_port_irq_t s = rp_port_irq_save();
    if (prv_overflow > 0u) {
        prv_overflow--;   /* ends a begin the stack could not hold */
    } else {
        uint32_t i = prv_depth;
        while (i > 0u && prv_stack[i - 1u].name != name) {
            i--;
        }
        if (i == 0u) {
            prv_mismatches++;   /* never begun: leave the stack alone */
        } else {
            /* Spans opened inside this one and never ended are dropped. */
            prv_mismatches += prv_depth - i;
            start = prv_stack[i - 1u].start;
            prv_depth = i - 1u;
            found = true;
        }
    }
    rp_port_irq_restore(s);
    if (!found) {
        return;
    }
    uint16_t id = rp_name_intern(name);
    if (id == 0u) {
        prv_count_filtered();
        return;
    }
    rp_record_t rec = {0};
    rec.start = start;
    rec.duration = prv_saturate32(now - start);
    rec.arg = id;
    rec.op = RP_OP_SPAN;
    rp_recorder_record(&rec);
}

void rp_compute_mark_impl(rp_name_t *name, uint64_t start, uint64_t end)
{
    uint16_t id = rp_name_intern(name);
    if (id == 0u) {
        prv_count_filtered();
        return;
    }
    rp_record_t rec = {0};
    rec.start = start;
    rec.duration = end > start ? prv_saturate32(end - start) : 0u;
    rec.arg = id;
    rec.op = RP_OP_COMPUTE;
    rp_recorder_record(&rec);
}
