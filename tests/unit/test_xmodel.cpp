// Unit tests of the simulated crossbar (hal/sim_xbar/src/rp_xmodel.c).
#include <CppUTest/TestHarness.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "rramprof/rp_xmodel.h"

namespace {

rp_xmodel_params_t preset(const char *name)
{
    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset(name, &p));
    return p;
}

// A small, ideal array: no variability or defects unless a test adds them.
rp_xmodel_params_t ideal()
{
    rp_xmodel_params_t p = preset("testchip");
    p.tiles = 2;
    p.rows = 16;
    p.cols = 12;
    p.stuck_cell_rate = 0.0;
    p.c2c_sigma = 0.0;
    p.d2d_sigma = 0.0;
    p.read_noise_sigma = 0.0;
    return p;
}

rp_xmodel_t *make(const rp_xmodel_params_t &p, uint64_t seed)
{
    rp_xmodel_t *m = nullptr;
    char err[200] = "";
    int rc = rp_xmodel_create(&p, seed, &m, err, sizeof err);
    STRCMP_EQUAL("", err);
    CHECK_EQUAL(RP_OK, rc);
    CHECK(m != nullptr);
    return m;
}

// Test-side write-verify loop: pulse pending cells until all converge.
// Returns the number of cells still pending after max_steps.
unsigned program_row(rp_xmodel_t *m, uint32_t tile, uint32_t row, const std::vector<uint8_t> &t,
                     unsigned max_steps, std::vector<uint64_t> *durations = nullptr)
{
    uint32_t cols = (uint32_t)t.size();
    std::vector<uint8_t> pending(cols, 1);
    uint16_t npending = (uint16_t)cols;
    for (unsigned step = 0; step < max_steps && npending > 0; step++) {
        uint64_t d = 0;
        CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, tile, row, 0, cols, t.data(), pending.data(),
                                                 step, &d));
        if (durations) durations->push_back(d);
        CHECK_EQUAL(RP_OK, rp_xmodel_verify(m, tile, row, 0, cols, t.data(), pending.data(),
                                            &npending, &d));
        if (durations) durations->push_back(d);
    }
    return npending;
}

std::vector<uint8_t> pattern(uint32_t cols, uint32_t levels, uint32_t salt)
{
    std::vector<uint8_t> t(cols);
    for (uint32_t i = 0; i < cols; i++) t[i] = (uint8_t)((i * 5u + salt * 3u + 1u) % levels);
    return t;
}

}  // namespace

TEST_GROUP(xmodel)
{
};

TEST(xmodel, PresetsAreValidAndDistinct)
{
    CHECK(rp_xmodel_preset_name(0) != nullptr);
    CHECK(rp_xmodel_preset_name(1) != nullptr);
    POINTERS_EQUAL(nullptr, rp_xmodel_preset_name(2));
    rp_xmodel_params_t t = preset("testchip"), m = preset("macro");
    char err[200] = "";
    CHECK_EQUAL(RP_OK, rp_xmodel_params_validate(&t, err, sizeof err));
    CHECK_EQUAL(RP_OK, rp_xmodel_params_validate(&m, err, sizeof err));
    // The test chip is microsecond-scale, the macro nanosecond-scale.
    CHECK(t.write_pulse_ps >= 100000u);
    CHECK(m.write_pulse_ps < 100000u);
    CHECK(m.adcs_per_tile > t.adcs_per_tile);
    CHECK(m.interface_bytes_per_us > 100.0 * t.interface_bytes_per_us);
    rp_xmodel_params_t x;
    CHECK_EQUAL(RP_ERR_NOT_FOUND, rp_xmodel_preset("nope", &x));
}

TEST(xmodel, CreateRejectsBadParams)
{
    rp_xmodel_params_t p = ideal();
    p.rows = 0;
    rp_xmodel_t *m = reinterpret_cast<rp_xmodel_t *>(0x1);
    char err[200] = "";
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_create(&p, 1, &m, err, sizeof err));
    POINTERS_EQUAL(nullptr, m);
    STRCMP_CONTAINS("'rows' must be greater than 0", err);
}

TEST(xmodel, FreshArrayIsAtLevelZero)
{
    rp_xmodel_t *m = make(ideal(), 3);
    std::vector<uint8_t> lv(12, 0xFF);
    CHECK_EQUAL(RP_OK, rp_xmodel_read(m, 1, 15, 0, 12, lv.data(), nullptr));
    for (uint8_t v : lv) CHECK_EQUAL(0, v);
    rp_xmodel_destroy(m);
}

TEST(xmodel, ReadAfterWriteReturnsProgrammedLevels)
{
    // Realistic variability (the test chip preset) but no stuck cells.
    rp_xmodel_params_t p = preset("testchip");
    p.stuck_cell_rate = 0.0;
    rp_xmodel_t *m = make(p, 42);
    uint32_t levels = 1u << p.bits_per_cell;
    for (uint32_t tile = 0; tile < p.tiles; tile++) {
        for (uint32_t row = 0; row < p.rows; row++) {
            std::vector<uint8_t> t = pattern(p.cols, levels, row + tile * 7u);
            CHECK_EQUAL(0u, program_row(m, tile, row, t, 30));
            std::vector<uint8_t> got(p.cols, 0xFF);
            CHECK_EQUAL(RP_OK, rp_xmodel_read(m, tile, row, 0, p.cols, got.data(), nullptr));
            for (uint32_t c = 0; c < p.cols; c++) CHECK_EQUAL(t[c], got[c]);
        }
    }
    rp_xmodel_destroy(m);
}

TEST(xmodel, IsppShareGrowsWithStep)
{
    // With no variability a pulse closes exactly first + step * increment
    // of the gap (capped at the whole gap).
    rp_xmodel_params_t p = ideal();
    p.ispp_first_fraction = 0.25;
    p.ispp_fraction_step = 0.25;
    rp_xmodel_t *m = make(p, 1);
    const uint8_t target[1] = {7};
    const uint8_t mask[1] = {1};
    rp_xmodel_cell_t c;
    CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 0, 0, 0, 1, target, mask, 0, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 0, 0, &c));
    DOUBLES_EQUAL(7.0 * 0.25, c.conductance, 1e-6);
    CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 0, 0, 0, 1, target, mask, 1, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 0, 0, &c));
    DOUBLES_EQUAL(1.75 + (7.0 - 1.75) * 0.5, c.conductance, 1e-5);
    CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 0, 0, 0, 1, target, mask, 5, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 0, 0, &c));
    DOUBLES_EQUAL(7.0, c.conductance, 1e-5);
    CHECK_EQUAL(3u, c.writes);
    // An unmasked cell is untouched and not counted.
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 0, 1, &c));
    CHECK_EQUAL(0u, c.writes);
    DOUBLES_EQUAL(0.0, c.conductance, 0.0);
    rp_xmodel_destroy(m);
}

TEST(xmodel, StuckCellsNeverMoveNorConverge)
{
    rp_xmodel_params_t p = ideal();
    p.stuck_cell_rate = 1.0;
    rp_xmodel_t *m = make(p, 9);
    uint32_t lmax = (1u << p.bits_per_cell) - 1u;
    std::vector<double> before(p.cols);
    for (uint32_t c = 0; c < p.cols; c++) {
        rp_xmodel_cell_t cell;
        CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 3, c, &cell));
        CHECK(cell.stuck);
        CHECK(cell.conductance == 0.0 || cell.conductance == (double)lmax);
        before[c] = cell.conductance;
    }
    // Target the opposite extreme of each cell: nothing can converge.
    std::vector<uint8_t> t(p.cols);
    for (uint32_t c = 0; c < p.cols; c++) t[c] = before[c] == 0.0 ? (uint8_t)lmax : 0u;
    CHECK_EQUAL(p.cols, program_row(m, 0, 3, t, 40));
    for (uint32_t c = 0; c < p.cols; c++) {
        rp_xmodel_cell_t cell;
        CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 3, c, &cell));
        DOUBLES_EQUAL(before[c], cell.conductance, 0.0);
        CHECK_EQUAL(40u, cell.writes);
    }
    rp_xmodel_destroy(m);
}

TEST(xmodel, StuckRateSelectsAboutThatShareOfCells)
{
    rp_xmodel_params_t p = ideal();
    p.rows = 128;
    p.cols = 128;
    p.tiles = 4;
    p.stuck_cell_rate = 0.05;
    rp_xmodel_t *m = make(p, 5);
    unsigned stuck = 0, total = p.tiles * p.rows * p.cols;
    for (uint32_t t = 0; t < p.tiles; t++)
        for (uint32_t r = 0; r < p.rows; r++)
            for (uint32_t c = 0; c < p.cols; c++) {
                rp_xmodel_cell_t cell;
                CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, t, r, c, &cell));
                stuck += cell.stuck ? 1u : 0u;
            }
    // 65536 cells at 5 %: mean 3277, sd about 56.
    CHECK(stuck > total * 0.045 && stuck < total * 0.055);
    rp_xmodel_destroy(m);
}

TEST(xmodel, EnduranceWearOutSticksTheCell)
{
    rp_xmodel_params_t p = ideal();
    p.endurance_cycles = 6;
    p.ispp_first_fraction = 0.1;   // slow, so every pulse still moves it
    p.ispp_fraction_step = 0.0;
    rp_xmodel_t *m = make(p, 2);
    const uint8_t mask[1] = {1};
    const uint8_t up[1] = {7};
    rp_xmodel_cell_t c;
    double last = 0.0;
    for (int i = 0; i < 6; i++) {
        CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 1, 2, 4, 1, up, mask, 0, nullptr));
        CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 1, 2, 4, &c));
        CHECK(!c.stuck);
        CHECK(c.conductance > last);
        last = c.conductance;
    }
    // Pulse 7 is past the rated endurance: the cell sticks where it is.
    CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 1, 2, 4, 1, up, mask, 0, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 1, 2, 4, &c));
    CHECK(c.stuck);
    DOUBLES_EQUAL(last, c.conductance, 0.0);
    const uint8_t down[1] = {0};
    for (int i = 0; i < 10; i++)
        CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 1, 2, 4, 1, down, mask, 3, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 1, 2, 4, &c));
    DOUBLES_EQUAL(last, c.conductance, 0.0);
    CHECK_EQUAL(17u, c.writes);
    // A neighbour that was never pulsed is unaffected.
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 1, 2, 5, &c));
    CHECK(!c.stuck);
    rp_xmodel_destroy(m);
}

TEST(xmodel, EnduranceZeroMeansUnlimited)
{
    rp_xmodel_params_t p = ideal();
    p.endurance_cycles = 0;
    rp_xmodel_t *m = make(p, 2);
    const uint8_t mask[1] = {1};
    uint8_t t[1];
    for (int i = 0; i < 200; i++) {
        t[0] = (uint8_t)(i % 2 ? 0 : 7);
        CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 0, 0, 0, 1, t, mask, 9, nullptr));
    }
    rp_xmodel_cell_t c;
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 0, 0, &c));
    CHECK(!c.stuck);
    DOUBLES_EQUAL(0.0, c.conductance, 1e-6);   // last target was 0
    rp_xmodel_destroy(m);
}

// Runs the same mixed sequence of operations on a model; returns every
// output and duration as one vector so runs can be compared.
static std::vector<double> run_sequence(const rp_xmodel_params_t &p, uint64_t seed,
                                        std::vector<double> *state)
{
    rp_xmodel_t *m = make(p, seed);
    std::vector<double> out;
    uint32_t levels = 1u << p.bits_per_cell;
    std::vector<uint64_t> d;
    for (uint32_t row = 0; row < 8; row++) {
        program_row(m, 0, row, pattern(p.cols, levels, row), 6, &d);
    }
    for (uint64_t v : d) out.push_back((double)v);
    std::vector<uint8_t> lv(p.cols);
    uint64_t dur = 0;
    CHECK_EQUAL(RP_OK, rp_xmodel_read(m, 0, 2, 0, p.cols, lv.data(), &dur));
    out.push_back((double)dur);
    for (uint8_t v : lv) out.push_back(v);
    std::vector<int8_t> x(8);
    for (int i = 0; i < 8; i++) x[i] = (int8_t)(i - 4);
    std::vector<int32_t> y(p.cols);
    CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(m, 0, 0, 8, x.data(), &dur));
    CHECK_EQUAL(RP_OK, rp_xmodel_mvm(m, 0, 0, 8, 0, p.cols, &dur));
    out.push_back((double)dur);
    CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(m, 0, 0, p.cols, y.data(), &dur));
    for (int32_t v : y) out.push_back(v);
    state->clear();
    for (uint32_t t = 0; t < p.tiles; t++)
        for (uint32_t r = 0; r < p.rows; r++)
            for (uint32_t c = 0; c < p.cols; c++) {
                rp_xmodel_cell_t cell;
                CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, t, r, c, &cell));
                state->push_back(cell.conductance);
                state->push_back(cell.sensitivity);
                state->push_back((double)cell.writes);
                state->push_back(cell.stuck ? 1.0 : 0.0);
            }
    rp_xmodel_destroy(m);
    return out;
}

TEST(xmodel, SameSeedGivesIdenticalStateAndTimings)
{
    rp_xmodel_params_t p = preset("testchip");
    p.stuck_cell_rate = 0.05;
    std::vector<double> s1, s2, s3;
    std::vector<double> a = run_sequence(p, 1234, &s1);
    std::vector<double> b = run_sequence(p, 1234, &s2);
    CHECK(a == b);
    CHECK(s1 == s2);
    std::vector<double> c = run_sequence(p, 1235, &s3);
    CHECK(s1 != s3);
    CHECK(a != c);

    // With no per-cell spread the cell maps of two seeds are equal; the
    // cycle-to-cycle and read noise must still differ.
    p.stuck_cell_rate = 0.0;
    p.d2d_sigma = 0.0;
    std::vector<double> n1, n2;
    run_sequence(p, 1, &n1);
    run_sequence(p, 2, &n2);
    CHECK(n1 != n2);
}

TEST(xmodel, MvmIsExactDotProductWithinQuantisationBound)
{
    rp_xmodel_params_t p = ideal();
    p.rows = 32;
    p.cols = 16;
    p.input_bits = 6;
    p.adc_bits = 8;
    p.adc_full_scale_frac = 1.0;   // no clipping possible
    rp_xmodel_t *m = make(p, 77);
    uint32_t levels = 1u << p.bits_per_cell;
    for (uint32_t r = 0; r < p.rows; r++) program_row(m, 1, r, pattern(p.cols, levels, r * 3u), 30);

    const double lsb = p.adc_full_scale_frac * p.rows * (levels - 1) / ((1u << p.adc_bits) - 1);
    const double bound = ((1u << p.input_bits) - 1) * lsb / 2.0 + 0.5;
    double worst = 0.0;
    for (int trial = 0; trial < 20; trial++) {
        std::vector<int8_t> x(p.rows);
        for (uint32_t i = 0; i < p.rows; i++)
            x[i] = (int8_t)((int)((i * 7u + trial * 13u) % 64u) - 32);   // -32..31
        std::vector<int32_t> y(p.cols);
        CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(m, 1, 0, p.rows, x.data(), nullptr));
        CHECK_EQUAL(RP_OK, rp_xmodel_mvm(m, 1, 0, p.rows, 0, p.cols, nullptr));
        CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(m, 1, 0, p.cols, y.data(), nullptr));
        for (uint32_t j = 0; j < p.cols; j++) {
            double exact = 0.0;
            for (uint32_t i = 0; i < p.rows; i++) {
                rp_xmodel_cell_t c;
                CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 1, i, j, &c));
                exact += x[i] * c.conductance;
            }
            double e = std::fabs((double)y[j] - exact);
            CHECK(e <= bound);
            if (e > worst) worst = e;
        }
    }
    // The quantisation is really there (not an exact float result) ...
    CHECK(worst > 0.5);

    // ... and a finer ADC gets closer to the exact value.
    rp_xmodel_params_t fine = p;
    fine.adc_bits = 16;
    rp_xmodel_t *f = make(fine, 77);
    for (uint32_t r = 0; r < p.rows; r++) program_row(f, 1, r, pattern(p.cols, levels, r * 3u), 30);
    std::vector<int8_t> x(p.rows, 0);
    for (uint32_t i = 0; i < p.rows; i++) x[i] = (int8_t)((int)(i % 9) - 4);
    std::vector<int32_t> y(p.cols);
    CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(f, 1, 0, p.rows, x.data(), nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_mvm(f, 1, 0, p.rows, 0, p.cols, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(f, 1, 0, p.cols, y.data(), nullptr));
    for (uint32_t j = 0; j < p.cols; j++) {
        double exact = 0.0;
        for (uint32_t i = 0; i < p.rows; i++) {
            rp_xmodel_cell_t c;
            CHECK_EQUAL(RP_OK, rp_xmodel_cell(f, 1, i, j, &c));
            exact += x[i] * c.conductance;
        }
        CHECK(std::fabs((double)y[j] - exact) <= 1.0);
    }
    rp_xmodel_destroy(f);
    rp_xmodel_destroy(m);
}

TEST(xmodel, MvmOnSubRegionUsesOnlyThoseCells)
{
    rp_xmodel_params_t p = ideal();
    p.adc_bits = 16;
    rp_xmodel_t *m = make(p, 4);
    // Row 5 all at level 7, everything else at 0: y = 7 * x[5] on any column.
    std::vector<uint8_t> seven(p.cols, 7);
    program_row(m, 0, 5, seven, 30);
    std::vector<int8_t> x = {3, -2, 1};   // rows 4, 5, 6
    std::vector<int32_t> y(4);
    CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(m, 0, 4, 3, x.data(), nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_mvm(m, 0, 4, 3, 2, 4, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(m, 0, 2, 4, y.data(), nullptr));
    for (int32_t v : y) CHECK(v >= -15 && v <= -13);   // -14 within quantisation
    rp_xmodel_destroy(m);
}

TEST(xmodel, ReadNoiseSpreadsMvmResults)
{
    rp_xmodel_params_t p = ideal();
    p.adc_bits = 16;
    p.adc_full_scale_frac = 1.0;
    p.read_noise_sigma = 0.5;
    rp_xmodel_t *m = make(p, 8);
    std::vector<uint8_t> four(p.cols, 4);
    for (uint32_t r = 0; r < p.rows; r++) program_row(m, 0, r, four, 30);
    std::vector<int8_t> x(p.rows, 1);
    std::vector<int32_t> y(p.cols);
    CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(m, 0, 0, p.rows, x.data(), nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_mvm(m, 0, 0, p.rows, 0, p.cols, nullptr));
    CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(m, 0, 0, p.cols, y.data(), nullptr));
    // Exact is about 64; noise sd 0.5 * sqrt(16) = 2 per column.
    bool differ = false;
    for (uint32_t j = 0; j < p.cols; j++) {
        CHECK(y[j] > 64 - 15 && y[j] < 64 + 15);
        differ |= y[j] != y[0];
    }
    CHECK(differ);
    rp_xmodel_destroy(m);
}

TEST(xmodel, TimingFollowsTheFormulas)
{
    rp_xmodel_params_t p = ideal();
    p.cols = 10;
    p.bits_per_cell = 3;
    p.adcs_per_tile = 4;              // 10 columns -> 3 conversion rounds
    p.input_bits = 5;
    p.read_latency_ps = 1000000;
    p.adc_conversion_ps = 250000;
    p.dac_settle_ps = 40000;
    p.write_pulse_ps = 300000;
    p.write_setup_ps = 70000;
    p.write_parallel_cols = 4;
    p.interface_overhead_ps = 5000;
    p.interface_bytes_per_us = 2.0;   // 500 ns per byte
    rp_xmodel_t *m = make(p, 1);

    uint64_t d = 0;
    std::vector<uint8_t> lv(10);
    CHECK_EQUAL(RP_OK, rp_xmodel_read(m, 0, 0, 0, 10, lv.data(), &d));
    // 10 cells x 3 bits = 4 bytes over the bus; 3 ADC rounds.
    CHECK_EQUAL(5000u + 4u * 500000u + 1000000u + 3u * 250000u, d);
    CHECK_EQUAL(RP_OK, rp_xmodel_read(m, 0, 0, 0, 4, lv.data(), &d));
    CHECK_EQUAL(5000u + 2u * 500000u + 1000000u + 1u * 250000u, d);

    std::vector<uint8_t> t(10, 3), pend(10);
    uint16_t np = 0;
    CHECK_EQUAL(RP_OK, rp_xmodel_verify(m, 0, 0, 0, 10, t.data(), pend.data(), &np, &d));
    CHECK_EQUAL(5000u + 4u * 500000u + 1000000u + 3u * 250000u, d);

    // 9 pulsed cells, 4 at a time: 3 pulses; bus: 4 bytes targets + 2 mask.
    std::vector<uint8_t> mask(10, 1);
    mask[0] = 0;
    CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(m, 0, 0, 0, 10, t.data(), mask.data(), 0, &d));
    CHECK_EQUAL(5000u + 6u * 500000u + 70000u + 3u * 300000u, d);

    std::vector<int8_t> x(16, 1);
    CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(m, 0, 0, 16, x.data(), &d));
    CHECK_EQUAL(5000u + 16u * 500000u, d);
    CHECK_EQUAL(RP_OK, rp_xmodel_mvm(m, 0, 0, 16, 0, 10, &d));
    CHECK_EQUAL(1000000u + 5u * (40000u + 3u * 250000u), d);
    CHECK_EQUAL(RP_OK, rp_xmodel_mvm(m, 0, 0, 16, 0, 8, &d));   // 2 rounds
    CHECK_EQUAL(1000000u + 5u * (40000u + 2u * 250000u), d);
    std::vector<int32_t> y(10);
    CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(m, 0, 0, 10, y.data(), &d));
    CHECK_EQUAL(5000u + 40u * 500000u, d);
    CHECK_EQUAL(5000u + 40u * 500000u, rp_xmodel_transfer_ps(&p, 40));
    rp_xmodel_destroy(m);
}

TEST(xmodel, MoreAdcsMakeMvmFaster)
{
    rp_xmodel_params_t p = preset("macro");
    p.tiles = 1;
    uint64_t prev = UINT64_MAX;
    for (uint32_t adcs : {1u, 8u, 64u, 256u}) {
        p.adcs_per_tile = adcs;
        rp_xmodel_t *m = make(p, 1);
        uint64_t d = 0;
        CHECK_EQUAL(RP_OK, rp_xmodel_mvm(m, 0, 0, p.rows, 0, p.cols, &d));
        CHECK(d < prev);
        prev = d;
        rp_xmodel_destroy(m);
    }
}

TEST(xmodel, BadArgumentsAreRejectedAndTakeNoTime)
{
    rp_xmodel_t *m = make(ideal(), 1);
    std::vector<uint8_t> buf(32, 0), mask(32, 1);
    uint16_t np;
    uint64_t d = 99;
    CHECK_EQUAL(RP_ERR_RANGE, rp_xmodel_read(m, 2, 0, 0, 1, buf.data(), &d));   // tile
    CHECK_EQUAL(0u, d);
    d = 99;
    CHECK_EQUAL(RP_ERR_RANGE, rp_xmodel_read(m, 0, 16, 0, 1, buf.data(), &d));   // row
    CHECK_EQUAL(0u, d);
    CHECK_EQUAL(RP_ERR_RANGE, rp_xmodel_read(m, 0, 0, 8, 5, buf.data(), &d));    // 8+5 > 12
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_read(m, 0, 0, 0, 0, buf.data(), &d));      // empty
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_read(m, 0, 0, 0, 1, nullptr, &d));
    CHECK_EQUAL(RP_ERR_RANGE,
                rp_xmodel_verify(m, 0, 0, 12, 1, buf.data(), mask.data(), &np, &d));
    buf[3] = 8;   // 3-bit cells: level 8 does not exist
    CHECK_EQUAL(RP_ERR_ARG,
                rp_xmodel_write_pulse(m, 0, 0, 0, 4, buf.data(), mask.data(), 0, &d));
    rp_xmodel_cell_t c;
    CHECK_EQUAL(RP_OK, rp_xmodel_cell(m, 0, 0, 0, &c));
    CHECK_EQUAL(0u, c.writes);   // nothing happened to the valid cells either
    std::vector<int8_t> x(16, 0);
    x[2] = 8;   // input_bits 4: -8..7
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_load_inputs(m, 0, 0, 16, x.data(), &d));
    x[2] = -8;
    CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(m, 0, 0, 16, x.data(), &d));
    CHECK_EQUAL(RP_ERR_RANGE, rp_xmodel_load_inputs(m, 0, 1, 16, x.data(), &d));
    CHECK_EQUAL(RP_ERR_RANGE, rp_xmodel_mvm(m, 0, 0, 16, 4, 9, &d));
    std::vector<int32_t> y(16);
    CHECK_EQUAL(RP_ERR_RANGE, rp_xmodel_fetch_outputs(m, 0, 0, 13, y.data(), &d));
    CHECK_EQUAL(RP_ERR_RANGE, rp_xmodel_cell(m, 0, 0, 12, &c));
    rp_xmodel_destroy(m);
    rp_xmodel_destroy(nullptr);
}

TEST(xmodel, DescribeCarriesGeometryAndNominalTiming)
{
    rp_xmodel_params_t p = preset("testchip");
    // Distinct values, so a field copied from the wrong place shows.
    p.write_pulse_ps = 510000;
    p.write_setup_ps = 2020000;
    p.write_parallel_cols = 4;
    p.read_latency_ps = 1030000;
    p.adc_conversion_ps = 1040000;
    p.dac_settle_ps = 505000;
    p.interface_overhead_ps = 4060000;
    p.interface_bytes_per_us = 2.5;
    rp_array_info_t a;
    std::memset(&a, 0xA5, sizeof a);
    rp_xmodel_describe(&p, "sim:x", &a);
    CHECK_EQUAL(p.tiles, a.tiles);
    CHECK_EQUAL(p.rows, a.rows);
    CHECK_EQUAL(p.cols, a.cols);
    CHECK_EQUAL(p.bits_per_cell, a.bits_per_cell);
    CHECK_EQUAL(p.adcs_per_tile, a.adcs_per_tile);
    CHECK_EQUAL(p.adc_bits, a.adc_bits);
    CHECK_EQUAL(p.input_bits, a.input_bits);
    CHECK_EQUAL(p.endurance_cycles, a.endurance_cycles);
    STRCMP_EQUAL("sim:x", a.model);
    CHECK_EQUAL(510000u, a.write_pulse_ps);
    CHECK_EQUAL(2020000u, a.write_setup_ps);
    CHECK_EQUAL(4u, a.write_parallel_cols);
    CHECK_EQUAL(1030000u, a.read_latency_ps);
    CHECK_EQUAL(1040000u, a.adc_conversion_ps);
    CHECK_EQUAL(505000u, a.dac_settle_ps);
    CHECK_EQUAL(4060000u, a.interface_overhead_ps);
    CHECK_EQUAL(2500000u, a.interface_bytes_per_s);

    // Bytes per second are rounded to the nearest whole byte.
    p.interface_bytes_per_us = 1.5e-6;       // 1.5 B/s
    rp_xmodel_describe(&p, nullptr, &a);
    CHECK_EQUAL(2u, a.interface_bytes_per_s);
    p.interface_bytes_per_us = 1.4e-6;
    rp_xmodel_describe(&p, nullptr, &a);
    CHECK_EQUAL(1u, a.interface_bytes_per_s);
    POINTERS_EQUAL(nullptr, a.model);

    rp_xmodel_params_t m = preset("macro");
    rp_xmodel_describe(&m, "sim:macro", &a);
    CHECK_EQUAL(1600000000u, a.interface_bytes_per_s);
    CHECK_EQUAL(m.adc_conversion_ps, a.adc_conversion_ps);
}

TEST(xmodel, PresetsInjectNoScenarioFault)
{
    for (const char *name : {"testchip", "macro"}) {
        rp_xmodel_params_t p = preset(name);
        CHECK_EQUAL(-1, p.hot_tile);
        CHECK(p.hot_tile_slowdown == 1.0);
        CHECK_EQUAL(0u, p.link_baud);
        STRCMP_EQUAL("", p.workload);
    }
}

// Every operation on the hot tile takes slowdown x its nominal time, the
// other tiles and all results are unchanged.
TEST(xmodel, HotTileStretchesEveryOperationOnThatTileOnly)
{
    rp_xmodel_params_t base = ideal();
    base.read_noise_sigma = 0.02;   // results depend on the noise stream too
    rp_xmodel_params_t hot = base;
    hot.hot_tile = 1;
    hot.hot_tile_slowdown = 2.5;
    rp_xmodel_t *a = make(base, 9);
    rp_xmodel_t *b = make(hot, 9);
    const uint32_t cols = base.cols;
    std::vector<uint8_t> t(cols), mask(cols, 1), pa(cols), pb(cols), la(cols), lb(cols);
    for (uint32_t i = 0; i < cols; i++) t[i] = (uint8_t)(i % 8);
    std::vector<int8_t> x(base.rows, 1);
    std::vector<int32_t> ya(cols), yb(cols);
    for (uint32_t tile = 0; tile < 2; tile++) {
        const double f = tile == 1 ? 2.5 : 1.0;
        uint64_t da = 0, db = 0;
        uint16_t na = 0, nb = 0;
        CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(a, tile, 3, 0, cols, t.data(), mask.data(), 1, &da));
        CHECK_EQUAL(RP_OK, rp_xmodel_write_pulse(b, tile, 3, 0, cols, t.data(), mask.data(), 1, &db));
        CHECK_EQUAL((uint64_t)llround((double)da * f), db);
        CHECK_EQUAL(RP_OK, rp_xmodel_verify(a, tile, 3, 0, cols, t.data(), pa.data(), &na, &da));
        CHECK_EQUAL(RP_OK, rp_xmodel_verify(b, tile, 3, 0, cols, t.data(), pb.data(), &nb, &db));
        CHECK_EQUAL((uint64_t)llround((double)da * f), db);
        CHECK(pa == pb);
        CHECK_EQUAL(na, nb);
        CHECK_EQUAL(RP_OK, rp_xmodel_read(a, tile, 3, 0, cols, la.data(), &da));
        CHECK_EQUAL(RP_OK, rp_xmodel_read(b, tile, 3, 0, cols, lb.data(), &db));
        CHECK_EQUAL((uint64_t)llround((double)da * f), db);
        CHECK(la == lb);
        CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(a, tile, 0, base.rows, x.data(), &da));
        CHECK_EQUAL(RP_OK, rp_xmodel_load_inputs(b, tile, 0, base.rows, x.data(), &db));
        CHECK_EQUAL((uint64_t)llround((double)da * f), db);
        CHECK_EQUAL(RP_OK, rp_xmodel_mvm(a, tile, 0, base.rows, 0, cols, &da));
        CHECK_EQUAL(RP_OK, rp_xmodel_mvm(b, tile, 0, base.rows, 0, cols, &db));
        CHECK_EQUAL((uint64_t)llround((double)da * f), db);
        CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(a, tile, 0, cols, ya.data(), &da));
        CHECK_EQUAL(RP_OK, rp_xmodel_fetch_outputs(b, tile, 0, cols, yb.data(), &db));
        CHECK_EQUAL((uint64_t)llround((double)da * f), db);
        CHECK(ya == yb);
        CHECK(da > 0u);
    }
    rp_xmodel_destroy(a);
    rp_xmodel_destroy(b);
}

TEST(xmodel, HotTileIsValidated)
{
    rp_xmodel_params_t p = ideal();   // 2 tiles
    char err[200] = "";
    p.hot_tile = 2;
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_EQUAL("'hot_tile' (2) must be below 'tiles' (2)", err);
    p.hot_tile = 1;
    p.hot_tile_slowdown = 0.5;
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_CONTAINS("'hot_tile_slowdown'", err);
    p.hot_tile_slowdown = 4.0;
    CHECK_EQUAL(RP_OK, rp_xmodel_params_validate(&p, err, sizeof err));
    p.hot_tile = -2;
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_EQUAL("'hot_tile' must not be negative (got -2)", err);
}
