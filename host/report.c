/* Text blocks shared by `capture` (its summary) and `info`. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report/rp_report_int.h"
#include "rramprof/rp_record.h"
#include "rramprof/rp_reset.h"

/* Formats ticks as a time with a unit that keeps 3-4 significant digits;
 * raw ticks when the clock is unknown. */
void rp_cli_fmt_ticks(double ticks, uint64_t clock_hz, char *buf, size_t cap)
{
    if (clock_hz == 0) {
        snprintf(buf, cap, "%.0f ticks", ticks);
        return;
    }
    double s = ticks / (double)clock_hz;
    if (s >= 1.0)
        snprintf(buf, cap, "%.3f s", s);
    else if (s >= 1e-3)
        snprintf(buf, cap, "%.3f ms", s * 1e3);
    else if (s >= 1e-6)
        snprintf(buf, cap, "%.3f us", s * 1e6);
    else
        snprintf(buf, cap, "%.1f ns", s * 1e9);
}

/* HwCounter bit i; the derived figures (CPI, shares) are the report's
 * (host/report/rp_report_util.c), `info` shows the raw totals only, so this
 * file stays free of the report library (tests compile it on its own). */
static const char *const prv_hw_names[] = { "CYCCNT", "CPICNT", "EXCCNT", "SLEEPCNT", "LSUCNT", "FOLDCNT" };
#define PRV_HW_COUNT (sizeof prv_hw_names / sizeof prv_hw_names[0])

/* Picoseconds as a time with a unit; "?" for 0 (unknown). */
static void prv_fmt_ps(uint64_t ps, char *buf, size_t cap)
{
    if (ps == 0)
        snprintf(buf, cap, "?");
    else
        rp_cli_fmt_ticks((double)ps, 1000000000000ull, buf, cap);
}

void rp_cli_print_device(FILE *f, const rp_device_info_t *d)
{
    char board[RP_SESSION_STR_MAX * 3], fw[RP_SESSION_STR_MAX * 3], model[RP_SESSION_STR_MAX * 3];
    if (!d->valid) {
        fprintf(f, "device     unknown (no Hello received)\n");
        return;
    }
    fprintf(f, "device     board %s, firmware %s, protocol %" PRIu32 ", boot id %016" PRIx64 "\n",
            rp_report_text_clean(d->board, board, sizeof board), rp_report_text_clean(d->firmware_version, fw, sizeof fw),
            d->protocol_version, d->boot_id);
    char why[96];
    fprintf(f, "last reset %s\n", rp_reset_text(d->reset_cause, d->fatal_reason, why, sizeof why));
    fprintf(f, "clock      %.6g MHz, %" PRIu32 "-bit timer\n", (double)d->clock_hz / 1e6, d->timer_bits);
    fprintf(f,
            "array      %s: %" PRIu32 " tile(s) of %" PRIu32 "x%" PRIu32 " cells, %" PRIu32 " bit(s)/cell, %" PRIu32
            " ADC(s)/tile of %" PRIu32 " bits, %" PRIu32 "-bit inputs",
            d->model[0] ? rp_report_text_clean(d->model, model, sizeof model) : "?", d->tiles, d->rows, d->cols, d->bits_per_cell, d->adcs_per_tile,
            d->adc_bits, d->input_bits);
    if (d->endurance_cycles)
        fprintf(f, ", endurance %" PRIu64 " cycles", d->endurance_cycles);
    fprintf(f, "\n");
    if (d->write_pulse_ps || d->read_latency_ps || d->adc_conversion_ps || d->dac_settle_ps ||
        d->interface_overhead_ps || d->interface_bytes_per_s) {
        /* Nominal timing as the device states it; "?" = unknown (0). */
        char pulse[32], setup[32], rd[32], adc[32], dac[32], bus[32], bw[32];
        prv_fmt_ps(d->write_pulse_ps, pulse, sizeof pulse);
        prv_fmt_ps(d->write_setup_ps, setup, sizeof setup);
        prv_fmt_ps(d->read_latency_ps, rd, sizeof rd);
        prv_fmt_ps(d->adc_conversion_ps, adc, sizeof adc);
        prv_fmt_ps(d->dac_settle_ps, dac, sizeof dac);
        prv_fmt_ps(d->interface_overhead_ps, bus, sizeof bus);
        if (d->interface_bytes_per_s)
            snprintf(bw, sizeof bw, "%.6g MB/s", (double)d->interface_bytes_per_s / 1e6);
        else
            snprintf(bw, sizeof bw, "? MB/s");
        fprintf(f,
                "timing     write pulse %s + setup %s (%" PRIu32 " cols/pulse), read %s, ADC %s, DAC %s, "
                "bus %s + %s\n",
                pulse, setup, d->write_parallel_cols, rd, adc, dac, bus, bw);
    }
    fprintf(f, "recorder   ring %" PRIu32 " events, frames up to %" PRIu32 " bytes\n", d->ring_capacity,
            d->max_frame_payload);
    /* Hello.counters_available: what the board found on its core. */
    fprintf(f, "hardware   counters:");
    unsigned shown = 0;
    for (unsigned i = 0; i < PRV_HW_COUNT; i++) {
        if (d->counters_available & (1u << i)) {
            fprintf(f, " %s", prv_hw_names[i]);
            shown++;
        }
    }
    if (shown < PRV_HW_COUNT)
        fprintf(f, "%s%snot available on this board", shown ? "; " : " ", shown ? "the others " : "");
    fprintf(f, "\n");
    if (d->workload_count) {
        fprintf(f, "workloads ");
        for (uint32_t i = 0; i < d->workload_count; i++)
            fprintf(f, " %s", rp_report_text_clean(d->workloads[i], board, sizeof board));
        fprintf(f, "\n");
    }
}

uint64_t rp_cli_deframer_errors(const rp_decode_stats_t *ds)
{
    return ds->crc_errors + ds->cobs_errors + ds->oversize + ds->short_frames;
}

void rp_cli_print_stats(FILE *f, uint64_t clock_hz, const rp_session_stats_t *s, const rp_decode_stats_t *ds)
{
    char a[32], b[32], c[32], d[32];
    fprintf(f, "events     %" PRIu64 " in %" PRIu64 " batch(es)\n", s->events, s->batches);
    for (unsigned op = 0; op < 16; op++) {
        const rp_op_stats_t *o = &s->ops[op];
        if (o->count == 0)
            continue;
        rp_cli_fmt_ticks((double)o->ticks_total, clock_hz, a, sizeof a);
        rp_cli_fmt_ticks((double)o->ticks_total / (double)o->count, clock_hz, b, sizeof b);
        rp_cli_fmt_ticks((double)o->ticks_min, clock_hz, c, sizeof c);
        rp_cli_fmt_ticks((double)o->ticks_max, clock_hz, d, sizeof d);
        fprintf(f, "  %-9s %10" PRIu64 "  total %12s  mean %11s  min %11s  max %11s", rp_op_name(op), o->count, a,
                b, c, d);
        if (o->not_ok)
            fprintf(f, "  not ok %" PRIu64, o->not_ok);
        fprintf(f, "\n");
    }
    rp_cli_fmt_ticks((double)s->duration_ticks, clock_hz, a, sizeof a);
    fprintf(f, "duration   %s of device time (%" PRIu32 " segment(s), %" PRIu32 " run(s))\n", a, s->segments,
            s->runs);
    const rp_boot_stats_t *bt = &s->boots;
    if (bt->resets) {
        fprintf(f, "resets     %" PRIu32 " during the capture:", bt->resets);
        const char *sep = " ";
        for (uint32_t k = 0; k < RP_RESET_CAUSE_COUNT; k++) {
            if (bt->by_cause[k]) {
                fprintf(f, "%s%" PRIu32 " %s", sep, bt->by_cause[k], rp_reset_cause_name(k));
                sep = ", ";
            }
        }
        if (bt->by_cause[RP_RESET_FATAL]) {
            char why[80];
            fprintf(f, " (the last: %s)", rp_fatal_reason_text(bt->last_fatal_reason, why, sizeof why));
        }
        fprintf(f, "\n");
    }
    /* A reset the new boot did not report on leaves a lower bound only. */
    const char *bound = s->loss.resets_unreported ? "at least " : "";
    fprintf(f, "loss       link %" PRIu64 ", device %" PRIu64 ", unsent at resets %s%" PRIu64 ", total %s%" PRIu64
               " events (%" PRIu64 " batch(es) missing)\n",
            s->loss.link_events, s->loss.device_events, bound, s->loss.unsent_events, bound,
            s->loss.total_events, s->loss.lost_batches);
    if (s->loss.resets_unreported)
        fprintf(f, "           (%" PRIu32 " reset(s) without the old boot's counts in the new boot's Hello:"
                   " the events recorded after its last Counters are not known)\n",
                s->loss.resets_unreported);
    fprintf(f, "deframer   %" PRIu64 " error(s) (crc %" PRIu64 ", cobs %" PRIu64 ", oversize %" PRIu64 ", short %" PRIu64
               "), %" PRIu64 " garbage byte(s), %" PRIu64 " undecodable payload(s)\n",
            rp_cli_deframer_errors(ds), ds->crc_errors, ds->cobs_errors, ds->oversize, ds->short_frames,
            ds->garbage_bytes, ds->proto_errors + ds->malformed);
}

void rp_cli_print_counters(FILE *f, uint64_t clock_hz, const rp_session_stats_t *s)
{
    if (!s->has_counters)
        return;
    const rp_counters_t *c = &s->counters;
    char a[32], b[32];
    fprintf(f, "recorder   recorded %" PRIu64 ", filtered %" PRIu64 ", dropped %" PRIu64 ", sent %" PRIu64
               ", ring high water %" PRIu32 "\n",
            c->events_recorded, c->events_filtered, c->events_dropped, c->events_sent, c->ring_high_water);
    /* record_ticks also covers events that passed the filters and then
     * found the ring full; drain_ticks covers the events sent. */
    uint64_t attempted = c->events_recorded + c->events_dropped;
    if (attempted && c->events_sent) {
        rp_cli_fmt_ticks((double)c->record_ticks / (double)attempted, clock_hz, a, sizeof a);
        rp_cli_fmt_ticks((double)c->drain_ticks / (double)c->events_sent, clock_hz, b, sizeof b);
        fprintf(f, "overhead   %s to record and %s to drain per event (observer effect)\n", a, b);
    }
    if (c->link_rx_lost)
        fprintf(f, "link rx    the device lost %" PRIu64 " received byte(s) since boot (receive queue full or UART "
                   "overrun); commands in them were ignored\n",
                c->link_rx_lost);
    if (c->hw_valid) {
        /* Only what the Counters mark valid; the device line says what the
         * board lacks. CPI and shares: `rramprof report`. */
        const uint64_t v[PRV_HW_COUNT] = { c->hw_cycles, c->hw_cpi, c->hw_exc, c->hw_sleep, c->hw_lsu, c->hw_fold };
        fprintf(f, "hw totals ");
        for (unsigned i = 0; i < PRV_HW_COUNT; i++)
            if (c->hw_valid & (1u << i))
                fprintf(f, " %s %" PRIu64, prv_hw_names[i], v[i]);
        fprintf(f, "\n");
    }
}
