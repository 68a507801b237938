/* Text blocks shared by `capture` and `info`. */
#ifndef RP_CLI_REPORT_H
#define RP_CLI_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "rramprof/rp_decode.h"
#include "rramprof/rp_session.h"

/* Ticks as "12.345 ms" (raw ticks when clock_hz is 0). */
void rp_cli_fmt_ticks(double ticks, uint64_t clock_hz, char *buf, size_t cap);
/* board, firmware, clock, array, workloads. */
void rp_cli_print_device(FILE *f, const rp_device_info_t *d);
/* events per op, duration, loss (always, zeros included), deframer errors. */
void rp_cli_print_stats(FILE *f, uint64_t clock_hz, const rp_session_stats_t *s, const rp_decode_stats_t *ds);
/* The device's own Counters, if any arrived. */
void rp_cli_print_counters(FILE *f, uint64_t clock_hz, const rp_session_stats_t *s);
/* CRC + COBS + oversize + short frames. */
uint64_t rp_cli_deframer_errors(const rp_decode_stats_t *ds);

#endif
