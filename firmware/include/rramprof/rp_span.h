/* User-named regions ("spans") and MCU compute marks.
 *
 *   static rp_name_t layer = RP_NAME("layer1");
 *   rp_span_begin(&layer); ... rp_span_end(&layer);
 *   RP_SPAN_SCOPE(&layer) { ... }   // ends when the block is left normally
 *
 * A name is interned on first use (its id is sent once in a NameTable, and
 * again after every Start). With RRAMPROF_ENABLED == 0 every macro here
 * compiles to nothing and the functions are not referenced. Spans nest up
 * to RP_CONFIG_SPAN_DEPTH; deeper begins are counted as filtered. */
#ifndef RP_SPAN_H
#define RP_SPAN_H

#include <stdint.h>

#include "rramprof/rp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rp_name {
    const char *text;
    uint16_t id;        /* 0 until interned; ids start at 1 */
} rp_name_t;

#define RP_NAME(text_literal) { (text_literal), 0 }

/* Interns name and returns its id, or 0 if the name table is full. */
uint16_t rp_name_intern(rp_name_t *name);
/* Names interned but not yet sent since the last Start; the drain sends
 * them in a NameTable and then calls rp_name_mark_sent. */
uint32_t rp_name_pending(const uint32_t **ids, const char *const **texts);
void rp_name_mark_sent(void);
/* Forget "sent" state so every name is sent again (called at Start). */
void rp_name_resend_all(void);

void rp_span_begin_impl(rp_name_t *name);
void rp_span_end_impl(rp_name_t *name);
/* Records a finished COMPUTE event of `duration` ticks ending now. */
void rp_compute_mark_impl(rp_name_t *name, uint64_t start, uint64_t end);

/* rp_span_end calls that matched no open span, plus inner spans an end
 * closed implicitly (they are not recorded), since the last reset. */
uint32_t rp_span_mismatches(void);
/* Forgets every interned name and open span (tests, device reset).
 * rp_name_t objects interned before are re-interned on next use. */
void rp_span_reset(void);

#if RRAMPROF_ENABLED
#define rp_span_begin(name) rp_span_begin_impl(name)
#define rp_span_end(name) rp_span_end_impl(name)
#define rp_compute_mark(name, start, end) rp_compute_mark_impl((name), (start), (end))
/* for-loop trick: runs the body once, then ends the span. Leaving the body
 * with break/return/goto skips the end; use begin/end there. */
#define RP_SPAN_SCOPE(name)                                                     \
    for (int rp_span_once_ = (rp_span_begin_impl(name), 1); rp_span_once_;   \
         rp_span_once_ = (rp_span_end_impl(name), 0))
#else
/* The arguments still count as used, so names and timestamps that only
 * instrumentation reads raise no unused-variable warnings, yet no code is
 * generated: the name is a discarded expression (normally &a_static_name)
 * and start/end sit in sizeof, never evaluated. */
#define rp_span_begin(name) ((void)(name))
#define rp_span_end(name) ((void)(name))
#define rp_compute_mark(name, start, end) \
    ((void)(name), (void)sizeof(start), (void)sizeof(end))
#define RP_SPAN_SCOPE(name) \
    for (int rp_span_once_ = ((void)(name), 1); rp_span_once_; rp_span_once_ = 0)
#endif

#ifdef __cplusplus
}
#endif
#endif
