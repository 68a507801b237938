// Unit tests of the crossbar parameter sets and the parameter file parser
// (hal/sim_xbar/src/rp_xparams.c).
#include <CppUTest/TestHarness.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "rramprof/rp_xmodel.h"

#ifndef RP_PRESETS_DIR
#error "RP_PRESETS_DIR must name hal/sim_xbar/presets"
#endif

namespace {

std::string format(const rp_xmodel_params_t &p)
{
    size_t n = rp_xmodel_params_format(&p, nullptr, 0);
    std::string s(n + 1, '\0');
    CHECK_EQUAL(n, rp_xmodel_params_format(&p, &s[0], s.size()));
    s.resize(n);
    return s;
}

struct Parsed {
    int rc;
    rp_xmodel_params_t p;
    std::string err;
};

Parsed parse(const std::string &text)
{
    Parsed r;
    char err[300] = "";
    r.rc = rp_xmodel_params_parse(text.data(), text.size(), "my.params", &r.p, err, sizeof err);
    r.err = err;
    return r;
}

// Parses text expected to fail; checks the code and the whole message.
void expect_error(const std::string &text, int rc, const char *message)
{
    Parsed r = parse(text);
    CHECK_EQUAL(rc, r.rc);
    STRCMP_EQUAL(message, r.err.c_str());
}

}  // namespace

TEST_GROUP(params)
{
};

TEST(params, ShippedPresetFilesEqualTheCompiledInPresets)
{
    for (unsigned i = 0; rp_xmodel_preset_name(i) != nullptr; i++) {
        const char *name = rp_xmodel_preset_name(i);
        std::string path = std::string(RP_PRESETS_DIR) + "/" + name + ".params";
        rp_xmodel_params_t file, builtin;
        char err[300] = "";
        int rc = rp_xmodel_params_load(path.c_str(), &file, err, sizeof err);
        STRCMP_EQUAL("", err);
        CHECK_EQUAL(RP_OK, rc);
        CHECK_EQUAL(RP_OK, rp_xmodel_preset(name, &builtin));
        // The shipped file states every key itself (no "preset =" line), so
        // this also proves it is complete.
        STRCMP_EQUAL(format(builtin).c_str(), format(file).c_str());
    }
}

TEST(params, FormatThenParseRoundTrips)
{
    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("macro", &p));
    p.write_pulse_ps = 12345;          // 12.345 ns
    p.c2c_sigma = 0.123456789;
    p.interface_bytes_per_us = 1e-3;
    std::string text = format(p);
    Parsed r = parse(text);
    STRCMP_EQUAL("", r.err.c_str());
    CHECK_EQUAL(RP_OK, r.rc);
    CHECK_EQUAL(12345u, r.p.write_pulse_ps);
    CHECK(r.p.c2c_sigma == 0.123456789);
    CHECK(r.p.interface_bytes_per_us == 1e-3);
    STRCMP_EQUAL(text.c_str(), format(r.p).c_str());
}

TEST(params, PresetLineThenOverrides)
{
    Parsed r = parse("# my board\n"
                     "\n"
                     "preset = testchip      # start here\n"
                     "  rows=32\r\n"
                     "write_pulse_ns = 0.25  # 250 ps\n"
                     "endurance_cycles = 1e6\n"
                     "stuck_cell_rate = 0\n"
                     "name = lab-chip_2\n");
    STRCMP_EQUAL("", r.err.c_str());
    CHECK_EQUAL(RP_OK, r.rc);
    rp_xmodel_params_t t;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &t));
    CHECK_EQUAL(32u, r.p.rows);
    CHECK_EQUAL(250u, r.p.write_pulse_ps);
    CHECK_EQUAL(1000000u, r.p.endurance_cycles);
    CHECK(r.p.stuck_cell_rate == 0.0);
    STRCMP_EQUAL("lab-chip_2", r.p.name);
    // Untouched keys keep the preset's values.
    CHECK_EQUAL(t.cols, r.p.cols);
    CHECK_EQUAL(t.adc_conversion_ps, r.p.adc_conversion_ps);
    CHECK(t.c2c_sigma == r.p.c2c_sigma);
    char err[200] = "";
    CHECK_EQUAL(RP_OK, rp_xmodel_params_validate(&r.p, err, sizeof err));
}

TEST(params, PresetNameIsKeptWithoutNameKey)
{
    Parsed r = parse("preset = macro\nrows = 128\n");
    CHECK_EQUAL(RP_OK, r.rc);
    STRCMP_EQUAL("macro", r.p.name);
    CHECK_EQUAL(128u, r.p.rows);
}

TEST(params, UnknownKey)
{
    expect_error("preset = testchip\nrows = 8\nwrite_pulse_us = 3\n", RP_ERR_NOT_FOUND,
                 "my.params:3: unknown key 'write_pulse_us'");
}

TEST(params, NotANumber)
{
    expect_error("preset = testchip\nrows = many\n", RP_ERR_MALFORMED,
                 "my.params:2: 'rows' expects a number, got 'many'");
    expect_error("preset = testchip\nc2c_sigma = 0.1.2\n", RP_ERR_MALFORMED,
                 "my.params:2: 'c2c_sigma' expects a number, got '0.1.2'");
    expect_error("preset = testchip\nrows = 0x40\n", RP_ERR_MALFORMED,
                 "my.params:2: 'rows' expects a number, got '0x40'");
    expect_error("preset = testchip\nc2c_sigma = nan\n", RP_ERR_MALFORMED,
                 "my.params:2: 'c2c_sigma' expects a number, got 'nan'");
    expect_error("preset = testchip\nrows = 12 rows\n", RP_ERR_MALFORMED,
                 "my.params:2: 'rows' expects a number, got '12 rows'");
}

TEST(params, Negative)
{
    expect_error("preset = testchip\n\nwrite_setup_ns = -5\n", RP_ERR_ARG,
                 "my.params:3: 'write_setup_ns' must not be negative (got -5)");
}

TEST(params, ZeroWhereNotAllowed)
{
    expect_error("preset = macro\nadc_conversion_ns = 0\n", RP_ERR_ARG,
                 "my.params:2: 'adc_conversion_ns' must be greater than 0");
    expect_error("preset = macro\ntiles = 0\n", RP_ERR_ARG,
                 "my.params:2: 'tiles' must be greater than 0");
    expect_error("preset = macro\ninterface_bytes_per_us = 0\n", RP_ERR_ARG,
                 "my.params:2: 'interface_bytes_per_us' must be greater than 0");
    expect_error("preset = macro\nwrite_pulse_ns = 0.0001\n", RP_ERR_ARG,
                 "my.params:2: 'write_pulse_ns' must be at least 0.001 (1 ps)");
    // Zero is fine where it means something (no set-up time, no limit).
    Parsed r = parse("preset = macro\nwrite_setup_ns = 0\nendurance_cycles = 0\n");
    CHECK_EQUAL(RP_OK, r.rc);
}

TEST(params, OutOfRange)
{
    expect_error("preset = testchip\nstuck_cell_rate = 1.5\n", RP_ERR_ARG,
                 "my.params:2: 'stuck_cell_rate' = 1.5 is out of range (0 .. 1)");
    expect_error("preset = testchip\nbits_per_cell = 9\n", RP_ERR_ARG,
                 "my.params:2: 'bits_per_cell' = 9 is out of range (1 .. 8)");
    expect_error("preset = testchip\ninput_bits = 1\n", RP_ERR_ARG,
                 "my.params:2: 'input_bits' = 1 is out of range (2 .. 8)");
    expect_error("preset = testchip\nwrite_tolerance = 0.6\n", RP_ERR_ARG,
                 "my.params:2: 'write_tolerance' = 0.6 is out of range (above 0 .. 0.5)");
    expect_error("preset = testchip\nrows = 1e9\n", RP_ERR_ARG,
                 "my.params:2: 'rows' = 1e9 is out of range (1 .. 1024)");
    expect_error("preset = testchip\nmcu_clock_hz = 1000\n", RP_ERR_ARG,
                 "my.params:2: 'mcu_clock_hz' = 1000 is out of range (1000000 .. 5000000000)");
}

TEST(params, WholeNumbers)
{
    expect_error("preset = testchip\ncols = 32.5\n", RP_ERR_ARG,
                 "my.params:2: 'cols' must be a whole number (got 32.5)");
}

TEST(params, GeometryTooLarge)
{
    expect_error("preset = macro\n"
                 "rows = 1024\n"
                 "tiles = 64\n"
                 "cols = 1024\n"
                 "adc_bits = 6\n",
                 RP_ERR_ARG,
                 "my.params:4: geometry too large: 64 tiles x 1024 rows x 1024 cols = "
                 "67108864 cells; the model holds at most 4194304");
}

TEST(params, ConverterCountsMustFitTheColumns)
{
    expect_error("preset = testchip\nadcs_per_tile = 65\n", RP_ERR_ARG,
                 "my.params:2: 'adcs_per_tile' (65) must not exceed 'cols' (64)");
    expect_error("preset = macro\nwrite_parallel_cols = 300\ncols = 128\n", RP_ERR_ARG,
                 "my.params:3: 'write_parallel_cols' (300) must not exceed 'cols' (128)");
}

TEST(params, SyntaxErrors)
{
    expect_error("preset = testchip\nrows 32\n", RP_ERR_MALFORMED,
                 "my.params:2: expected 'key = value', got 'rows 32'");
    expect_error("preset = testchip\nrows =   # nothing\n", RP_ERR_MALFORMED,
                 "my.params:2: 'rows' has no value");
    expect_error("preset = testchip\n = 4\n", RP_ERR_MALFORMED,
                 "my.params:2: missing key before '='");
    expect_error("preset = testchip\nrows = 4\nrows = 8\n", RP_ERR_MALFORMED,
                 "my.params:3: 'rows' is set twice (first on line 2)");
    expect_error("rows = 4\npreset = testchip\n", RP_ERR_MALFORMED,
                 "my.params:2: 'preset' must come before every other key");
    expect_error("preset = " + std::string(300, 'x') + "\n", RP_ERR_MALFORMED,
                 "my.params:1: line too long (at most 255 characters)");
}

TEST(params, UnknownPreset)
{
    expect_error("preset = tesstchip\n", RP_ERR_NOT_FOUND,
                 "my.params:1: unknown preset 'tesstchip' (known: testchip, macro)");
}

TEST(params, BadName)
{
    expect_error("preset = macro\nname = my chip\n", RP_ERR_ARG,
                 "my.params:2: 'name' must be 1 to 31 characters of letters, digits and "
                 "_ . : + - (got 'my chip')");
}

TEST(params, WithoutPresetEveryKeyIsNeeded)
{
    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    std::string text = format(p);
    // Drop the line of one key.
    size_t at = text.find("dac_settle_ns");
    size_t end = text.find('\n', at);
    text.erase(at, end - at + 1);
    expect_error(text, RP_ERR_ARG,
                 "my.params: missing key 'dac_settle_ns' (give every key, or start the file "
                 "with 'preset = testchip')");
}

TEST(params, ValidateReportsWithoutLocation)
{
    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    char err[200] = "";
    p.c2c_sigma = -0.1;
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_EQUAL("'c2c_sigma' must not be negative (got -0.1)", err);
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    p.read_latency_ps = 0;
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_EQUAL("'read_latency_ns' must be greater than 0", err);
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    p.name[0] = '\0';
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_CONTAINS("'name' must be 1 to 31 characters", err);
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(nullptr, err, sizeof err));
}

TEST(params, LoadReadsAFileAndReportsMissingOnes)
{
    char path[] = "/tmp/rp_params_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char text[] = "preset = macro\ntiles = 2\nadcs_per_tile = 0\n";
    CHECK_EQUAL((ssize_t)(sizeof text - 1), write(fd, text, sizeof text - 1));
    close(fd);
    rp_xmodel_params_t p;
    char err[300] = "";
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_load(path, &p, err, sizeof err));
    STRCMP_EQUAL((std::string(path) + ":3: 'adcs_per_tile' must be greater than 0").c_str(),
                 err);
    unlink(path);
    CHECK_EQUAL(RP_ERR_IO, rp_xmodel_params_load(path, &p, err, sizeof err));
    STRCMP_CONTAINS(path, err);
    STRCMP_CONTAINS("cannot open", err);
}

TEST(params, MessageIsTruncatedSafely)
{
    Parsed r;
    char err[12];
    std::memset(err, 'Z', sizeof err);
    std::string text = "preset = testchip\nfoo = 1\n";
    int rc = rp_xmodel_params_parse(text.data(), text.size(), "my.params", &r.p, err, sizeof err);
    CHECK_EQUAL(RP_ERR_NOT_FOUND, rc);
    STRCMP_EQUAL("my.params:2", err);
}

TEST(params, ScenarioKnobsParseAndRoundTrip)
{
    Parsed r = parse("preset = testchip\n"
                     "hot_tile = 1\n"
                     "hot_tile_slowdown = 2.5\n"
                     "link_baud = 9600\n"
                     "workload = program\n");
    STRCMP_EQUAL("", r.err.c_str());
    CHECK_EQUAL(RP_OK, r.rc);
    CHECK_EQUAL(1, r.p.hot_tile);
    CHECK(r.p.hot_tile_slowdown == 2.5);
    CHECK_EQUAL(9600u, r.p.link_baud);
    STRCMP_EQUAL("program", r.p.workload);
    std::string text = format(r.p);
    STRCMP_CONTAINS("hot_tile                 = 1 ", text.c_str());
    STRCMP_CONTAINS("workload                 = program ", text.c_str());
    Parsed back = parse(text);
    CHECK_EQUAL(RP_OK, back.rc);
    STRCMP_EQUAL(text.c_str(), format(back.p).c_str());

    // `none` unsets both and formats back as none.
    Parsed n = parse("preset = macro\nhot_tile = none\nworkload = none\n");
    CHECK_EQUAL(RP_OK, n.rc);
    CHECK_EQUAL(-1, n.p.hot_tile);
    STRCMP_EQUAL("", n.p.workload);
    std::string nt = format(n.p);
    STRCMP_CONTAINS("hot_tile                 = none ", nt.c_str());
    STRCMP_CONTAINS("workload                 = none ", nt.c_str());
}

TEST(params, ScenarioKnobsAreOptionalWithoutAPreset)
{
    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    p.hot_tile = 0;
    p.hot_tile_slowdown = 3;
    p.link_baud = 1;
    std::snprintf(p.workload, sizeof p.workload, "mlp");
    std::string text = format(p);
    // A complete file from before the knobs existed: drop their lines.
    for (const char *key : {"hot_tile ", "hot_tile_slowdown", "link_baud", "workload"}) {
        size_t at = text.find(std::string("\n") + key);
        CHECK(at != std::string::npos);
        text.erase(at + 1, text.find('\n', at + 1) - at);
    }
    Parsed r = parse(text);
    STRCMP_EQUAL("", r.err.c_str());
    CHECK_EQUAL(RP_OK, r.rc);
    CHECK_EQUAL(-1, r.p.hot_tile);
    CHECK(r.p.hot_tile_slowdown == 1.0);
    CHECK_EQUAL(0u, r.p.link_baud);
    STRCMP_EQUAL("", r.p.workload);
}

TEST(params, ScenarioKnobErrors)
{
    expect_error("preset = testchip\nhot_tile = 2\n", RP_ERR_ARG,
                 "my.params:2: 'hot_tile' (2) must be below 'tiles' (2)");
    // The conflict is reported on the line that completed it.
    expect_error("preset = macro\nhot_tile = 5\ntiles = 4\n", RP_ERR_ARG,
                 "my.params:3: 'hot_tile' (5) must be below 'tiles' (4)");
    expect_error("preset = testchip\nhot_tile = hot\n", RP_ERR_MALFORMED,
                 "my.params:2: 'hot_tile' expects a tile index or none, got 'hot'");
    expect_error("preset = testchip\nhot_tile = 0.5\n", RP_ERR_ARG,
                 "my.params:2: 'hot_tile' must be a whole number (got 0.5)");
    expect_error("preset = testchip\nhot_tile_slowdown = 0.9\n", RP_ERR_ARG,
                 "my.params:2: 'hot_tile_slowdown' = 0.9 is out of range (1 .. 1000)");
    expect_error("preset = testchip\nlink_baud = -1\n", RP_ERR_ARG,
                 "my.params:2: 'link_baud' must not be negative (got -1)");
    expect_error("preset = testchip\nworkload = my mlp\n", RP_ERR_ARG,
                 "my.params:2: 'workload' must be none or 1 to 31 characters of letters, "
                 "digits and _ . : + - (got 'my mlp')");

    rp_xmodel_params_t p;
    CHECK_EQUAL(RP_OK, rp_xmodel_preset("testchip", &p));
    char err[200] = "";
    std::memset(p.workload, 'w', sizeof p.workload);   // no terminator
    CHECK_EQUAL(RP_ERR_ARG, rp_xmodel_params_validate(&p, err, sizeof err));
    STRCMP_CONTAINS("'workload' must be none or", err);
}
