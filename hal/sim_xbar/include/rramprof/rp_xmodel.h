/* Simulated RRAM crossbar: the device model behind the sim board.
 *
 * A host-side C11 library. Everything lives in an rp_xmodel_t the caller
 * creates and destroys; there is no global state, so several models can
 * run side by side (tests do). The model keeps a real conductance per cell
 * and returns, for every operation, its result and its true duration in
 * picoseconds. The board turns that duration into clock ticks.
 *
 * Units. Conductance is kept in "level units": 0 is the lowest programmable
 * conductance (HRS, after the array's reference column has subtracted the
 * off-state current) and 2^bits_per_cell - 1 the highest (LRS); level L
 * nominally sits at conductance L. Timing parameters are integers in
 * picoseconds here; parameter files give them in nanoseconds (keys end in
 * _ns) and may use decimals down to 1 ps.
 *
 * The physics and every parameter are described, with sources, in
 * docs/crossbar-model.md.
 *
 * Determinism: a model created from the same parameters and seed, given
 * the same sequence of calls, produces bit-identical state, results and
 * durations. The pseudo-random generator is the model's own.
 *
 * Hot tile: when hot_tile is set, every duration an operation on that tile
 * returns is multiplied by hot_tile_slowdown (rounded to 1 ps); results
 * are unchanged.
 *
 * Errors are returned as negative rp_err_t (rp_status.h): RP_ERR_ARG for a
 * bad argument (NULL pointer, level or input out of range, empty region),
 * RP_ERR_RANGE for a region outside the array. A failed call changes no
 * state and takes no time (*duration_ps = 0). */
#ifndef RP_XMODEL_H
#define RP_XMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_encoder.h"   /* rp_array_info_t */
#include "rramprof/rp_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest array the model accepts, in cells (tiles x rows x cols). */
#define RP_XMODEL_MAX_CELLS (1u << 22)
/* Longest parameter-set name, including the terminator. */
#define RP_XMODEL_NAME_MAX 32u

/* One complete parameter set. The parameter-file key of each field is its
 * name, with _ps fields written as _ns (see docs/crossbar-model.md). */
typedef struct rp_xmodel_params {
    char name[RP_XMODEL_NAME_MAX];  /* e.g. "testchip"; shown in Hello */

    /* Geometry and converters. */
    uint32_t tiles;                 /* independent arrays, <= 256 */
    uint32_t rows;                  /* word lines per tile */
    uint32_t cols;                  /* bit lines per tile */
    uint32_t bits_per_cell;         /* 2^bits conductance levels, 1..8 */
    uint32_t adcs_per_tile;         /* ADCs shared by a tile's columns */
    uint32_t adc_bits;              /* ADC resolution */
    uint32_t input_bits;            /* signed DAC input width = MVM slices */
    double adc_full_scale_frac;     /* ADC range as a fraction of the
                                       largest possible column sum of the
                                       activated rows, (0, 1] */

    /* Timing. */
    uint64_t write_pulse_ps;        /* one programming pulse */
    uint64_t write_setup_ps;        /* driver/DAC set-up per pulse op */
    uint32_t write_parallel_cols;   /* cells one pulse can program at once */
    uint64_t read_latency_ps;       /* row activation + sensing settle */
    uint64_t adc_conversion_ps;     /* one conversion of one ADC */
    uint64_t dac_settle_ps;         /* per MVM input slice */
    uint64_t interface_overhead_ps; /* fixed cost per bus transaction */
    double interface_bytes_per_us;  /* MCU <-> array bus bandwidth */

    /* Device physics (conductances in level units). */
    uint64_t endurance_cycles;      /* pulses a cell survives, 0 = no limit */
    double stuck_cell_rate;         /* fraction of cells stuck from the start */
    double c2c_sigma;               /* relative cycle-to-cycle spread of a pulse */
    double d2d_sigma;               /* lognormal sigma of per-cell sensitivity */
    double read_noise_sigma;        /* per cell per read, in levels */
    double write_tolerance;         /* verify window, +- levels */
    double ispp_first_fraction;     /* share of the gap closed by pulse 0 */
    double ispp_fraction_step;      /* added share per ISPP step */

    /* The MCU driving the array (used by the sim board). */
    uint64_t mcu_clock_hz;          /* timestamp ticks per second */
    uint64_t mcu_mac_ps;            /* one digital multiply-accumulate */

    /* Scenario knobs: injected faults and sim-board settings. Optional in
     * a parameter file (defaults: none, 1, 0, none), so they inject
     * nothing unless set. */
    int32_t hot_tile;               /* degraded tile, -1 = none */
    double hot_tile_slowdown;       /* >= 1: every op on hot_tile takes this
                                       many times its nominal duration */
    uint64_t link_baud;             /* sim board link, bit/s, 0 = unlimited;
                                       the model itself ignores it */
    char workload[RP_XMODEL_NAME_MAX]; /* sim board workload, "" = board
                                          default; the model ignores it */
} rp_xmodel_params_t;

typedef struct rp_xmodel rp_xmodel_t;

/* ---- parameter sets ------------------------------------------------------ */

/* Name of built-in preset i ("testchip", "macro"), or NULL past the end. */
const char *rp_xmodel_preset_name(unsigned i);
/* Copies preset `name` into *out. RP_ERR_NOT_FOUND for an unknown name. */
int rp_xmodel_preset(const char *name, rp_xmodel_params_t *out);

/* Checks every value and the cross-parameter rules (converter counts within
 * the column count, total cells <= RP_XMODEL_MAX_CELLS). On failure writes a
 * one-line message into err (if errlen > 0) and returns RP_ERR_ARG. */
int rp_xmodel_params_validate(const rp_xmodel_params_t *p, char *err, size_t errlen);

/* Parses a parameter file held in text[0..len). Format, one per line:
 *     key = value    # comment
 * Blank lines and lines starting with '#' are ignored. A file may begin
 * with `preset = <name>` and then override keys; without it every key must
 * be given except the scenario knobs (hot_tile, hot_tile_slowdown,
 * link_baud, workload), which default to "nothing injected". hot_tile and
 * workload take `none` for unset. `source` names the text in messages
 * ("file.params").
 * On failure writes "source:line: message" (or "source: message" for
 * whole-file problems) into err and returns RP_ERR_MALFORMED (syntax),
 * RP_ERR_NOT_FOUND (unknown key or preset) or RP_ERR_ARG (bad value);
 * *out is then unspecified. */
int rp_xmodel_params_parse(const char *text, size_t len, const char *source,
                           rp_xmodel_params_t *out, char *err, size_t errlen);
/* Reads the file at path and parses it as above; RP_ERR_IO if it cannot be
 * read. */
int rp_xmodel_params_load(const char *path, rp_xmodel_params_t *out, char *err,
                          size_t errlen);
/* Writes p as a complete parameter file (every key, one per line) into
 * buf[0..cap), NUL-terminated if cap > 0. Returns the length the full text
 * needs, excluding the terminator (like snprintf). */
size_t rp_xmodel_params_format(const rp_xmodel_params_t *p, char *buf, size_t cap);

/* Fills the array description a board reports in Hello from p: geometry
 * and nominal timing (interface_bytes_per_us as whole bytes per second,
 * rounded; hot_tile_slowdown is a fault, not part of the nominal data).
 * `model` (e.g. "sim:testchip") is stored as given and must outlive *out. */
void rp_xmodel_describe(const rp_xmodel_params_t *p, const char *model, rp_array_info_t *out);

/* ---- the model ------------------------------------------------------------ */

/* Validates p (message in err as rp_xmodel_params_validate) and creates a
 * model: every cell at level 0, its device-to-device sensitivity drawn and
 * stuck cells chosen from seed. RP_ERR_NOSPACE if memory runs out. */
int rp_xmodel_create(const rp_xmodel_params_t *p, uint64_t seed, rp_xmodel_t **out,
                     char *err, size_t errlen);
/* The same model in caller memory, for MCUs without a heap: mem (8-byte
 * aligned) must hold rp_xmodel_mem_size(p) bytes, and outlives the model.
 * RP_ERR_NOSPACE if len is too small. rp_xmodel_destroy frees nothing. */
int rp_xmodel_create_in(const rp_xmodel_params_t *p, uint64_t seed, void *mem, size_t len,
                        rp_xmodel_t **out, char *err, size_t errlen);
/* Bytes rp_xmodel_create_in needs for p, or 0 if p is invalid. */
size_t rp_xmodel_mem_size(const rp_xmodel_params_t *p);
/* NULL is allowed. */
void rp_xmodel_destroy(rp_xmodel_t *m);
const rp_xmodel_params_t *rp_xmodel_params(const rp_xmodel_t *m);

/* One write-verify programming pulse on the cells of a row segment whose
 * pulse_mask byte is non-zero: each moves toward targets[i] by a share of
 * its gap that grows with `step` (ISPP), spread by device-to-device
 * sensitivity and cycle-to-cycle noise. Stuck cells do not move; a cell
 * pulsed more than endurance_cycles times becomes stuck where it is.
 * Duration: interface transfer of the packed targets and mask, set-up, and
 * ceil(pulsed / write_parallel_cols) pulses. */
int rp_xmodel_write_pulse(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col,
                          uint32_t cols, const uint8_t *targets, const uint8_t *pulse_mask,
                          uint32_t step, uint64_t *duration_ps);

/* Verify read: pending_mask[i] = 1 where the sensed conductance (with read
 * noise) is farther than write_tolerance from targets[i], else 0; *pending
 * is their count. Takes the time of rp_xmodel_read. */
int rp_xmodel_verify(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col,
                     uint32_t cols, const uint8_t *targets, uint8_t *pending_mask,
                     uint16_t *pending, uint64_t *duration_ps);

/* Reads the nearest level of each cell (with read noise, clamped to the
 * level range). Duration: interface transaction for the packed levels,
 * read latency, and ceil(cols / adcs_per_tile) ADC conversion rounds. */
int rp_xmodel_read(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col, uint32_t cols,
                   uint8_t *levels, uint64_t *duration_ps);

/* MVM in three steps. load_inputs stores rows signed inputs (each within
 * the input_bits range, else RP_ERR_ARG) in the tile's input register;
 * duration: interface transfer of `rows` bytes. */
int rp_xmodel_load_inputs(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t rows,
                          const int8_t *x, uint64_t *duration_ps);
/* Computes, for each column j of the region, sum_i x_i * g_ij over the
 * region's rows, bit-serially: one slice per input bit (two's complement,
 * the top slice weighted negative), each column sum of a slice sensed with
 * read noise and digitised by an adc_bits ADC spanning
 * adc_full_scale_frac * rows * (levels - 1); the slices are shifted and
 * added and rounded to the nearest integer into the tile's output
 * register. Duration: read_latency + input_bits * (dac_settle +
 * ceil(cols / adcs_per_tile) * adc_conversion). */
int rp_xmodel_mvm(rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t rows, uint32_t col,
                  uint32_t cols, uint64_t *duration_ps);
/* Copies cols outputs from the output register; duration: interface
 * transfer of 4 bytes per output. */
int rp_xmodel_fetch_outputs(rp_xmodel_t *m, uint32_t tile, uint32_t col, uint32_t cols,
                            int32_t *y, uint64_t *duration_ps);

/* ---- inspection (tests, ground truth) -------------------------------------- */

typedef struct rp_xmodel_cell {
    double conductance;   /* level units */
    double sensitivity;   /* device-to-device factor on pulse effect */
    uint64_t writes;      /* pulses received */
    bool stuck;
} rp_xmodel_cell_t;

int rp_xmodel_cell(const rp_xmodel_t *m, uint32_t tile, uint32_t row, uint32_t col,
                   rp_xmodel_cell_t *out);
/* Duration of an interface transaction moving `bytes`, in ps. */
uint64_t rp_xmodel_transfer_ps(const rp_xmodel_params_t *p, uint32_t bytes);

#ifdef __cplusplus
}
#endif
#endif
