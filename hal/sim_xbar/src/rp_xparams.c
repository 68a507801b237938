/* Model parameter sets: built-in presets, validation, and the parameter
 * file format (key = value # comment). The values of the presets and where
 * they come from are documented in docs/crossbar-model.md; the shipped
 * files hal/sim_xbar/presets/<name>.params hold the same values (a unit
 * test keeps them equal). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rramprof/rp_xmodel.h"

/* ---- presets ---------------------------------------------------------------- */

/* Board-level test chip on an SPI bus: microsecond operations, few ADCs. */
static const rp_xmodel_params_t prv_testchip = {
    .name = "testchip",
    .tiles = 2,
    .rows = 64,
    .cols = 64,
    .bits_per_cell = 3,
    .adcs_per_tile = 2,
    .adc_bits = 10,
    .input_bits = 4,
    .adc_full_scale_frac = 0.5,
    .write_pulse_ps = 500000,
    .write_setup_ps = 2000000,
    .write_parallel_cols = 8,
    .read_latency_ps = 1000000,
    .adc_conversion_ps = 1000000,
    .dac_settle_ps = 500000,
    .interface_overhead_ps = 4000000,
    .interface_bytes_per_us = 2.5,
    .endurance_cycles = 1000000,
    .stuck_cell_rate = 0.001,
    .c2c_sigma = 0.15,
    .d2d_sigma = 0.3,
    .read_noise_sigma = 0.02,
    .write_tolerance = 0.15,
    .ispp_first_fraction = 0.4,
    .ispp_fraction_step = 0.2,
    .mcu_clock_hz = 100000000,
    .mcu_mac_ps = 30000,
    .hot_tile = -1,
    .hot_tile_slowdown = 1.0,
};

/* On-chip compute-in-memory macro: nanosecond operations, many ADCs, a
 * wide internal bus. */
static const rp_xmodel_params_t prv_macro = {
    .name = "macro",
    .tiles = 8,
    .rows = 256,
    .cols = 256,
    .bits_per_cell = 2,
    .adcs_per_tile = 32,
    .adc_bits = 8,
    .input_bits = 8,
    .adc_full_scale_frac = 0.5,
    .write_pulse_ps = 20000,
    .write_setup_ps = 10000,
    .write_parallel_cols = 16,
    .read_latency_ps = 10000,
    .adc_conversion_ps = 1000,
    .dac_settle_ps = 2000,
    .interface_overhead_ps = 20000,
    .interface_bytes_per_us = 1600.0,
    .endurance_cycles = 100000,
    .stuck_cell_rate = 0.0005,
    .c2c_sigma = 0.1,
    .d2d_sigma = 0.2,
    .read_noise_sigma = 0.015,
    .write_tolerance = 0.1,
    .ispp_first_fraction = 0.5,
    .ispp_fraction_step = 0.25,
    .mcu_clock_hz = 200000000,
    .mcu_mac_ps = 5000,
    .hot_tile = -1,
    .hot_tile_slowdown = 1.0,
};

static const rp_xmodel_params_t *const prv_presets[] = {&prv_testchip, &prv_macro};
#define PRV_PRESET_COUNT (sizeof prv_presets / sizeof prv_presets[0])

const char *rp_xmodel_preset_name(unsigned i)
{
    return i < PRV_PRESET_COUNT ? prv_presets[i]->name : NULL;
}

int rp_xmodel_preset(const char *name, rp_xmodel_params_t *out)
{
    if (name == NULL || out == NULL) {
        return RP_ERR_ARG;
    }
    for (unsigned i = 0; i < PRV_PRESET_COUNT; i++) {
        if (strcmp(prv_presets[i]->name, name) == 0) {
            *out = *prv_presets[i];
            return RP_OK;
        }
    }
    return RP_ERR_NOT_FOUND;
}

/* ---- the key table ------------------------------------------------------------ */

typedef enum prv_kind {
    PRV_NAME,   /* char[RP_XMODEL_NAME_MAX] */
    PRV_U32,    /* whole number into uint32_t */
    PRV_U64,    /* whole number into uint64_t */
    PRV_NS,     /* nanoseconds in the file, picoseconds in the struct */
    PRV_REAL,   /* double */
    PRV_TILE,   /* int32_t tile index; `none` in the file is -1 */
    PRV_WORD    /* char[RP_XMODEL_NAME_MAX]; `none` in the file is "" */
} prv_kind_t;

typedef struct prv_key {
    const char *key;
    prv_kind_t kind;
    size_t offset;
    double min, max;    /* allowed range of the file value */
    int min_open;       /* 1: the minimum itself is not allowed */
    const char *help;   /* unit and meaning, written as a comment */
    int optional;       /* 1: may be left out of a file without a preset */
} prv_key_t;

#define PRV_OFF(field) offsetof(rp_xmodel_params_t, field)

static const prv_key_t prv_keys[] = {
    {"name", PRV_NAME, PRV_OFF(name), 0, 0, 0, "label shown in Hello as sim:<name>", 0},
    {"tiles", PRV_U32, PRV_OFF(tiles), 1, 256, 0, "independent crossbar arrays", 0},
    {"rows", PRV_U32, PRV_OFF(rows), 1, 1024, 0, "word lines per tile", 0},
    {"cols", PRV_U32, PRV_OFF(cols), 1, 1024, 0, "bit lines per tile", 0},
    {"bits_per_cell", PRV_U32, PRV_OFF(bits_per_cell), 1, 8, 0,
     "conductance levels = 2^bits", 0},
    {"adcs_per_tile", PRV_U32, PRV_OFF(adcs_per_tile), 1, 1024, 0,
     "ADCs shared by the columns of a tile", 0},
    {"adc_bits", PRV_U32, PRV_OFF(adc_bits), 1, 16, 0, "ADC resolution, bits", 0},
    {"input_bits", PRV_U32, PRV_OFF(input_bits), 2, 8, 0,
     "signed MVM input width = bit-serial slices", 0},
    {"adc_full_scale_frac", PRV_REAL, PRV_OFF(adc_full_scale_frac), 0, 1, 1,
     "ADC range / largest column sum of the activated rows", 0},
    {"write_pulse_ns", PRV_NS, PRV_OFF(write_pulse_ps), 0, 1e9, 1,
     "ns, one programming pulse", 0},
    {"write_setup_ns", PRV_NS, PRV_OFF(write_setup_ps), 0, 1e9, 0,
     "ns, driver set-up per pulse operation", 0},
    {"write_parallel_cols", PRV_U32, PRV_OFF(write_parallel_cols), 1, 1024, 0,
     "cells one pulse programs at once", 0},
    {"read_latency_ns", PRV_NS, PRV_OFF(read_latency_ps), 0, 1e9, 1,
     "ns, row activation + sensing settle", 0},
    {"adc_conversion_ns", PRV_NS, PRV_OFF(adc_conversion_ps), 0, 1e9, 1,
     "ns, one ADC conversion", 0},
    {"dac_settle_ns", PRV_NS, PRV_OFF(dac_settle_ps), 0, 1e9, 0,
     "ns, input DAC settling per MVM slice", 0},
    {"interface_overhead_ns", PRV_NS, PRV_OFF(interface_overhead_ps), 0, 1e9, 0,
     "ns, fixed cost of one bus transaction", 0},
    {"interface_bytes_per_us", PRV_REAL, PRV_OFF(interface_bytes_per_us), 0, 1e9, 1,
     "bytes/us, MCU <-> array bus bandwidth", 0},
    {"endurance_cycles", PRV_U64, PRV_OFF(endurance_cycles), 0, 1e15, 0,
     "pulses a cell survives before sticking, 0 = unlimited", 0},
    {"stuck_cell_rate", PRV_REAL, PRV_OFF(stuck_cell_rate), 0, 1, 0,
     "fraction of cells stuck at HRS or LRS from the start", 0},
    {"c2c_sigma", PRV_REAL, PRV_OFF(c2c_sigma), 0, 1, 0,
     "relative cycle-to-cycle spread of a pulse's effect", 0},
    {"d2d_sigma", PRV_REAL, PRV_OFF(d2d_sigma), 0, 2, 0,
     "lognormal sigma of per-cell pulse sensitivity", 0},
    {"read_noise_sigma", PRV_REAL, PRV_OFF(read_noise_sigma), 0, 4, 0,
     "levels, read noise per cell per read", 0},
    {"write_tolerance", PRV_REAL, PRV_OFF(write_tolerance), 0, 0.5, 1,
     "levels, +- window write-verify accepts", 0},
    {"ispp_first_fraction", PRV_REAL, PRV_OFF(ispp_first_fraction), 0, 1, 1,
     "share of the gap to target closed by pulse step 0", 0},
    {"ispp_fraction_step", PRV_REAL, PRV_OFF(ispp_fraction_step), 0, 1, 0,
     "share added per ISPP step", 0},
    {"mcu_clock_hz", PRV_U64, PRV_OFF(mcu_clock_hz), 1e6, 5e9, 0,
     "Hz, MCU clock = timestamp tick rate", 0},
    {"mcu_ns_per_mac", PRV_NS, PRV_OFF(mcu_mac_ps), 0, 1e6, 0,
     "ns, one digital multiply-accumulate on the MCU", 0},
    /* Scenario knobs (optional; docs/crossbar-model.md, "Scenarios"). */
    {"hot_tile", PRV_TILE, PRV_OFF(hot_tile), 0, 255, 0,
     "tile whose ops take hot_tile_slowdown times longer, or none", 1},
    {"hot_tile_slowdown", PRV_REAL, PRV_OFF(hot_tile_slowdown), 1, 1000, 0,
     "factor on every op duration of hot_tile, >= 1", 1},
    {"link_baud", PRV_U64, PRV_OFF(link_baud), 0, 1e10, 0,
     "bit/s, sim board link in virtual time (--link-baud), 0 = unlimited", 1},
    {"workload", PRV_WORD, PRV_OFF(workload), 0, 0, 0,
     "sim board workload when --workload is not given, or none", 1},
};
#define PRV_KEY_COUNT (sizeof prv_keys / sizeof prv_keys[0])

/* ---- small helpers ---------------------------------------------------------- */

static void prv_msg(char *err, size_t errlen, const char *fmt, ...)
{
#ifdef RP_XMODEL_NO_MESSAGES
    /* MCU builds (boards/common): no text formatting, so no stdio. */
    (void)fmt;
    if (err != NULL && errlen > 0u) {
        err[0] = '\0';
    }
    return;
#else
    if (err == NULL || errlen == 0u) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
#endif
}

static int prv_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0u || n >= RP_XMODEL_NAME_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '_' || c == '.' || c == ':' || c == '+' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

/* The value of a numeric field as it is written in a file. */
static double prv_file_value(const rp_xmodel_params_t *p, const prv_key_t *k)
{
    const char *base = (const char *)p + k->offset;
    switch (k->kind) {
    case PRV_U32: {
        uint32_t v;
        memcpy(&v, base, sizeof v);
        return (double)v;
    }
    case PRV_U64: {
        uint64_t v;
        memcpy(&v, base, sizeof v);
        return (double)v;
    }
    case PRV_NS: {
        uint64_t v;
        memcpy(&v, base, sizeof v);
        return (double)v / 1000.0;
    }
    case PRV_REAL: {
        double v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    case PRV_TILE: {
        int32_t v;
        memcpy(&v, base, sizeof v);
        return (double)v;
    }
    case PRV_NAME:
    case PRV_WORD:
        break;
    }
    return 0.0;
}

static void prv_store(rp_xmodel_params_t *p, const prv_key_t *k, double v)
{
    char *base = (char *)p + k->offset;
    switch (k->kind) {
    case PRV_U32: {
        uint32_t u = (uint32_t)v;
        memcpy(base, &u, sizeof u);
        break;
    }
    case PRV_U64: {
        uint64_t u = (uint64_t)v;
        memcpy(base, &u, sizeof u);
        break;
    }
    case PRV_NS: {
        uint64_t u = (uint64_t)llround(v * 1000.0);
        memcpy(base, &u, sizeof u);
        break;
    }
    case PRV_REAL:
        memcpy(base, &v, sizeof v);
        break;
    case PRV_TILE: {
        int32_t t = (int32_t)v;
        memcpy(base, &t, sizeof t);
        break;
    }
    case PRV_NAME:
    case PRV_WORD:
        break;
    }
}

/* Shortest text that reads back as exactly v, in plain decimals where
 * that is short ("1600", "0.0005"), else in exponent form. */
static void prv_format_real(double v, char *buf, size_t cap)
{
#ifdef RP_XMODEL_NO_MESSAGES
    /* Text only feeds messages, which MCU builds leave out (no stdio). */
    (void)v;
    if (cap > 0u) {
        buf[0] = '\0';
    }
    return;
#endif
    if (v == 0.0 || (fabs(v) >= 1e-6 && fabs(v) < 1e15)) {
        for (int dec = 0; dec <= 12; dec++) {
            snprintf(buf, cap, "%.*f", dec, v);
            if (strtod(buf, NULL) == v) {
                return;
            }
        }
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) {
            return;
        }
    }
}

static void prv_format_value(const rp_xmodel_params_t *p, const prv_key_t *k, char *buf,
                             size_t cap)
{
#ifdef RP_XMODEL_NO_MESSAGES
    /* Text only feeds messages, which MCU builds leave out (no stdio). */
    (void)p;
    (void)k;
    if (cap > 0u) {
        buf[0] = '\0';
    }
    return;
#endif
    const char *base = (const char *)p + k->offset;
    switch (k->kind) {
    case PRV_NAME:
        snprintf(buf, cap, "%s", p->name);
        break;
    case PRV_WORD:
        snprintf(buf, cap, "%s", base[0] != '\0' ? base : "none");
        break;
    case PRV_TILE: {
        int32_t t;
        memcpy(&t, base, sizeof t);
        if (t == -1) {
            snprintf(buf, cap, "none");
        } else {
            snprintf(buf, cap, "%ld", (long)t);
        }
        break;
    }
    case PRV_U32:
    case PRV_U64: {
        uint64_t v = 0;
        if (k->kind == PRV_U32) {
            uint32_t u;
            memcpy(&u, base, sizeof u);
            v = u;
        } else {
            memcpy(&v, base, sizeof v);
        }
        snprintf(buf, cap, "%llu", (unsigned long long)v);
        break;
    }
    case PRV_NS: {
        uint64_t ps;
        memcpy(&ps, base, sizeof ps);
        int n = snprintf(buf, cap, "%llu.%03u", (unsigned long long)(ps / 1000u),
                         (unsigned)(ps % 1000u));
        /* Drop trailing zeros and a bare point: 500.000 -> 500, 0.500 -> 0.5 */
        while (n > 0 && (size_t)n < cap && buf[n - 1] == '0') {
            buf[--n] = '\0';
        }
        if (n > 0 && (size_t)n < cap && buf[n - 1] == '.') {
            buf[--n] = '\0';
        }
        break;
    }
    case PRV_REAL: {
        double v;
        memcpy(&v, base, sizeof v);
        prv_format_real(v, buf, cap);
        break;
    }
    }
}

/* Checks one numeric value against its key's rules. Returns 0 and writes
 * the message (without location) on failure. */
static int prv_check_value(const prv_key_t *k, double v, const char *text, char *msg,
                           size_t msglen)
{
    if (!isfinite(v)) {
        prv_msg(msg, msglen, "'%s' is not a finite number: '%s'", k->key, text);
        return 0;
    }
    if (v < 0.0) {
        prv_msg(msg, msglen, "'%s' must not be negative (got %s)", k->key, text);
        return 0;
    }
    if ((k->kind == PRV_U32 || k->kind == PRV_U64 || k->kind == PRV_TILE) && v != floor(v)) {
        prv_msg(msg, msglen, "'%s' must be a whole number (got %s)", k->key, text);
        return 0;
    }
    if (v == 0.0 && (k->min > 0.0 || k->min_open)) {
        prv_msg(msg, msglen, "'%s' must be greater than 0", k->key);
        return 0;
    }
    if (v < k->min || v > k->max || (k->min_open && v == k->min)) {
        char lo[32], hi[32];
        prv_format_real(k->min, lo, sizeof lo);
        prv_format_real(k->max, hi, sizeof hi);
        prv_msg(msg, msglen, "'%s' = %s is out of range (%s%s .. %s)", k->key, text,
                k->min_open ? "above " : "", lo, hi);
        return 0;
    }
    return 1;
}

/* Rules that involve several keys. Returns 0 on failure with the message
 * and the keys involved (so a file parser can point at the line that
 * completed the conflict). */
static int prv_check_cross(const rp_xmodel_params_t *p, char *msg, size_t msglen,
                           const char **keys, size_t *nkeys)
{
    uint64_t cells = (uint64_t)p->tiles * p->rows * p->cols;
    if (cells > RP_XMODEL_MAX_CELLS) {
        prv_msg(msg, msglen,
                "geometry too large: %u tiles x %u rows x %u cols = %llu cells; the "
                "model holds at most %u",
                p->tiles, p->rows, p->cols, (unsigned long long)cells,
                (unsigned)RP_XMODEL_MAX_CELLS);
        keys[0] = "tiles";
        keys[1] = "rows";
        keys[2] = "cols";
        *nkeys = 3;
        return 0;
    }
    if (p->adcs_per_tile > p->cols) {
        prv_msg(msg, msglen, "'adcs_per_tile' (%u) must not exceed 'cols' (%u)",
                p->adcs_per_tile, p->cols);
        keys[0] = "adcs_per_tile";
        keys[1] = "cols";
        *nkeys = 2;
        return 0;
    }
    if (p->write_parallel_cols > p->cols) {
        prv_msg(msg, msglen, "'write_parallel_cols' (%u) must not exceed 'cols' (%u)",
                p->write_parallel_cols, p->cols);
        keys[0] = "write_parallel_cols";
        keys[1] = "cols";
        *nkeys = 2;
        return 0;
    }
    if (p->hot_tile >= 0 && (uint32_t)p->hot_tile >= p->tiles) {
        prv_msg(msg, msglen, "'hot_tile' (%ld) must be below 'tiles' (%u)", (long)p->hot_tile,
                p->tiles);
        keys[0] = "hot_tile";
        keys[1] = "tiles";
        *nkeys = 2;
        return 0;
    }
    return 1;
}

int rp_xmodel_params_validate(const rp_xmodel_params_t *p, char *err, size_t errlen)
{
    if (p == NULL) {
        prv_msg(err, errlen, "no parameters");
        return RP_ERR_ARG;
    }
    if (memchr(p->name, '\0', sizeof p->name) == NULL || !prv_name_ok(p->name)) {
        prv_msg(err, errlen,
                "'name' must be 1 to %u characters of letters, digits and _ . : + -",
                (unsigned)RP_XMODEL_NAME_MAX - 1u);
        return RP_ERR_ARG;
    }
    for (size_t i = 0; i < PRV_KEY_COUNT; i++) {
        const prv_key_t *k = &prv_keys[i];
        if (k->kind == PRV_NAME) {
            continue;
        }
        if (k->kind == PRV_WORD) {
            const char *w = (const char *)p + k->offset;
            if (memchr(w, '\0', RP_XMODEL_NAME_MAX) == NULL || (w[0] != '\0' && !prv_name_ok(w))) {
                prv_msg(err, errlen,
                        "'%s' must be none or 1 to %u characters of letters, digits and "
                        "_ . : + -",
                        k->key, (unsigned)RP_XMODEL_NAME_MAX - 1u);
                return RP_ERR_ARG;
            }
            continue;
        }
        if (k->kind == PRV_TILE && prv_file_value(p, k) == -1.0) {
            continue;   /* none */
        }
        char text[40];
        prv_format_value(p, k, text, sizeof text);
        if (!prv_check_value(k, prv_file_value(p, k), text, err, errlen)) {
            return RP_ERR_ARG;
        }
    }
    const char *keys[3];
    size_t nkeys = 0;
    if (!prv_check_cross(p, err, errlen, keys, &nkeys)) {
        return RP_ERR_ARG;
    }
    return RP_OK;
}

size_t rp_xmodel_params_format(const rp_xmodel_params_t *p, char *buf, size_t cap)
{
    size_t total = 0;
    if (cap > 0u) {
        buf[0] = '\0';
    }
    for (size_t i = 0; i < PRV_KEY_COUNT; i++) {
        const prv_key_t *k = &prv_keys[i];
        char value[48];
        char line[160];
        prv_format_value(p, k, value, sizeof value);
        int n = snprintf(line, sizeof line, "%-24s = %-12s # %s\n", k->key, value, k->help);
        if (n < 0) {
            continue;
        }
        if (total < cap) {
            snprintf(buf + total, cap - total, "%s", line);
        }
        total += (size_t)n;
    }
    return total;
}

/* ---- the parser ------------------------------------------------------------------ */

static const prv_key_t *prv_find_key(const char *key)
{
    for (size_t i = 0; i < PRV_KEY_COUNT; i++) {
        if (strcmp(prv_keys[i].key, key) == 0) {
            return &prv_keys[i];
        }
    }
    return NULL;
}

static size_t prv_key_index(const prv_key_t *k)
{
    return (size_t)(k - prv_keys);
}

/* Copies s[0..n) without surrounding blanks into out (capacity cap).
 * Returns 0 if it does not fit. */
static int prv_trim_copy(const char *s, size_t n, char *out, size_t cap)
{
    while (n > 0u && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0u && isspace((unsigned char)s[n - 1u])) {
        n--;
    }
    if (n >= cap) {
        return 0;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 1;
}

static void prv_known_presets(char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < PRV_PRESET_COUNT && used < cap; i++) {
        int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", prv_presets[i]->name);
        if (n < 0) {
            break;
        }
        used += (size_t)n;
    }
}

#define PRV_LINE_MAX 256u

int rp_xmodel_params_parse(const char *text, size_t len, const char *source,
                           rp_xmodel_params_t *out, char *err, size_t errlen)
{
    if (text == NULL || out == NULL) {
        prv_msg(err, errlen, "no input");
        return RP_ERR_ARG;
    }
    if (source == NULL) {
        source = "<params>";
    }
    unsigned key_line[PRV_KEY_COUNT] = {0};   /* line each key was set on */
    int from_preset = 0;
    int seen_key = 0;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "custom");
    /* Scenario knobs may be left out: they then inject nothing. */
    out->hot_tile = -1;
    out->hot_tile_slowdown = 1.0;

    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n') {
            end++;
        }
        lineno++;
        const char *line = text + pos;
        size_t n = end - pos;
        pos = end + 1u;

        const char *hash = memchr(line, '#', n);
        if (hash != NULL) {
            n = (size_t)(hash - line);
        }
        char body[PRV_LINE_MAX];
        if (!prv_trim_copy(line, n, body, sizeof body)) {
            prv_msg(err, errlen, "%s:%u: line too long (at most %u characters)", source, lineno,
                    PRV_LINE_MAX - 1u);
            return RP_ERR_MALFORMED;
        }
        if (body[0] == '\0') {
            continue;
        }
        char *eq = strchr(body, '=');
        if (eq == NULL) {
            prv_msg(err, errlen, "%s:%u: expected 'key = value', got '%s'", source, lineno,
                    body);
            return RP_ERR_MALFORMED;
        }
        char key[PRV_LINE_MAX], value[PRV_LINE_MAX];
        prv_trim_copy(body, (size_t)(eq - body), key, sizeof key);
        prv_trim_copy(eq + 1, strlen(eq + 1), value, sizeof value);
        if (key[0] == '\0') {
            prv_msg(err, errlen, "%s:%u: missing key before '='", source, lineno);
            return RP_ERR_MALFORMED;
        }
        if (value[0] == '\0') {
            prv_msg(err, errlen, "%s:%u: '%s' has no value", source, lineno, key);
            return RP_ERR_MALFORMED;
        }

        if (strcmp(key, "preset") == 0) {
            if (seen_key) {
                prv_msg(err, errlen, "%s:%u: 'preset' must come before every other key",
                        source, lineno);
                return RP_ERR_MALFORMED;
            }
            if (rp_xmodel_preset(value, out) != RP_OK) {
                char known[96];
                prv_known_presets(known, sizeof known);
                prv_msg(err, errlen, "%s:%u: unknown preset '%s' (known: %s)", source, lineno,
                        value, known);
                return RP_ERR_NOT_FOUND;
            }
            from_preset = 1;
            seen_key = 1;
            continue;
        }
        seen_key = 1;

        const prv_key_t *k = prv_find_key(key);
        if (k == NULL) {
            prv_msg(err, errlen, "%s:%u: unknown key '%s'", source, lineno, key);
            return RP_ERR_NOT_FOUND;
        }
        size_t ki = prv_key_index(k);
        if (key_line[ki] != 0u) {
            prv_msg(err, errlen, "%s:%u: '%s' is set twice (first on line %u)", source, lineno,
                    key, key_line[ki]);
            return RP_ERR_MALFORMED;
        }
        key_line[ki] = lineno;

        if (k->kind == PRV_NAME) {
            if (!prv_name_ok(value)) {
                prv_msg(err, errlen,
                        "%s:%u: 'name' must be 1 to %u characters of letters, digits and "
                        "_ . : + - (got '%s')",
                        source, lineno, (unsigned)RP_XMODEL_NAME_MAX - 1u, value);
                return RP_ERR_ARG;
            }
            memcpy(out->name, value, strlen(value) + 1u);   /* length checked above */
            continue;
        }
        if (k->kind == PRV_WORD) {
            char *w = (char *)out + k->offset;
            if (strcmp(value, "none") == 0) {
                w[0] = '\0';
            } else if (prv_name_ok(value)) {
                memcpy(w, value, strlen(value) + 1u);   /* prv_name_ok bounds the length */
            } else {
                prv_msg(err, errlen,
                        "%s:%u: '%s' must be none or 1 to %u characters of letters, digits "
                        "and _ . : + - (got '%s')",
                        source, lineno, key, (unsigned)RP_XMODEL_NAME_MAX - 1u, value);
                return RP_ERR_ARG;
            }
            continue;
        }
        if (k->kind == PRV_TILE && strcmp(value, "none") == 0) {
            prv_store(out, k, -1.0);
            continue;
        }

        /* strtod alone would accept hex, "inf" and "nan"; a plain decimal
         * number is all a parameter file needs. */
        const char *v = value;
        int plain = 1;
        for (const char *c = v; *c != '\0'; c++) {
            if (!(isdigit((unsigned char)*c) || *c == '.' || *c == '-' || *c == '+' ||
                  *c == 'e' || *c == 'E')) {
                plain = 0;
                break;
            }
        }
        char *stop = NULL;
        errno = 0;
        double d = plain ? strtod(v, &stop) : 0.0;
        if (!plain || stop == v || *stop != '\0' || errno == ERANGE) {
            prv_msg(err, errlen, "%s:%u: '%s' expects %s, got '%s'", source, lineno, key,
                    k->kind == PRV_TILE ? "a tile index or none" : "a number", value);
            return RP_ERR_MALFORMED;
        }
        char msg[200];
        if (!prv_check_value(k, d, value, msg, sizeof msg)) {
            prv_msg(err, errlen, "%s:%u: %s", source, lineno, msg);
            return RP_ERR_ARG;
        }
        if (k->kind == PRV_NS && k->min_open && llround(d * 1000.0) == 0) {
            prv_msg(err, errlen, "%s:%u: '%s' must be at least 0.001 (1 ps)", source, lineno,
                    key);
            return RP_ERR_ARG;
        }
        prv_store(out, k, d);
    }

    if (!from_preset) {
        for (size_t i = 0; i < PRV_KEY_COUNT; i++) {
            if (key_line[i] == 0u && prv_keys[i].kind != PRV_NAME && !prv_keys[i].optional) {
                prv_msg(err, errlen,
                        "%s: missing key '%s' (give every key, or start the file with "
                        "'preset = %s')",
                        source, prv_keys[i].key, prv_presets[0]->name);
                return RP_ERR_ARG;
            }
        }
    }

    char msg[200];
    const char *keys[3];
    size_t nkeys = 0;
    if (!prv_check_cross(out, msg, sizeof msg, keys, &nkeys)) {
        unsigned at = 0;
        for (size_t i = 0; i < nkeys; i++) {
            const prv_key_t *k = prv_find_key(keys[i]);
            if (k != NULL && key_line[prv_key_index(k)] > at) {
                at = key_line[prv_key_index(k)];
            }
        }
        if (at != 0u) {
            prv_msg(err, errlen, "%s:%u: %s", source, at, msg);
        } else {
            prv_msg(err, errlen, "%s: %s", source, msg);
        }
        return RP_ERR_ARG;
    }
    return RP_OK;
}

/* Parameter files are a few hundred bytes; anything far larger is not one. */
#define PRV_FILE_MAX (64u * 1024u)

int rp_xmodel_params_load(const char *path, rp_xmodel_params_t *out, char *err, size_t errlen)
{
    if (path == NULL || out == NULL) {
        prv_msg(err, errlen, "no file name");
        return RP_ERR_ARG;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        prv_msg(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return RP_ERR_IO;
    }
    char *buf = malloc(PRV_FILE_MAX + 1u);
    if (buf == NULL) {
        fclose(f);
        prv_msg(err, errlen, "%s: out of memory", path);
        return RP_ERR_NOSPACE;
    }
    size_t n = fread(buf, 1, PRV_FILE_MAX + 1u, f);
    int read_error = ferror(f);
    fclose(f);
    int rc;
    if (read_error) {
        prv_msg(err, errlen, "%s: read error", path);
        rc = RP_ERR_IO;
    } else if (n > PRV_FILE_MAX) {
        prv_msg(err, errlen, "%s: too large for a parameter file (over %u bytes)", path,
                PRV_FILE_MAX);
        rc = RP_ERR_MALFORMED;
    } else {
        rc = rp_xmodel_params_parse(buf, n, path, out, err, errlen);
    }
    free(buf);
    return rc;
}

void rp_xmodel_describe(const rp_xmodel_params_t *p, const char *model, rp_array_info_t *out)
{
    memset(out, 0, sizeof *out);
    out->tiles = p->tiles;
    out->rows = p->rows;
    out->cols = p->cols;
    out->bits_per_cell = p->bits_per_cell;
    out->adcs_per_tile = p->adcs_per_tile;
    out->adc_bits = p->adc_bits;
    out->input_bits = p->input_bits;
    out->endurance_cycles = p->endurance_cycles;
    out->model = model;
    out->write_pulse_ps = p->write_pulse_ps;
    out->write_setup_ps = p->write_setup_ps;
    out->write_parallel_cols = p->write_parallel_cols;
    out->read_latency_ps = p->read_latency_ps;
    out->adc_conversion_ps = p->adc_conversion_ps;
    out->dac_settle_ps = p->dac_settle_ps;
    out->interface_overhead_ps = p->interface_overhead_ps;
    /* The wire carries whole bytes per second; 1e6 us per s. */
    out->interface_bytes_per_s = (uint64_t)llround(p->interface_bytes_per_us * 1.0e6);
}
