// The report's hardware counters: the one derivation every writer uses
// (host/report/rp_report_util.c), checked with numbers worked out by hand,
// and the "Hardware counters" section of each writer for a board with all
// counters, one with only CYCCNT and one with none.
#include <CppUTest/TestHarness.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>

extern "C" {
#include "rp_report_int.h"
#include "rramprof/rp_encoder.h"
}

namespace {

rp_device_info_t device(uint32_t available)
{
    rp_device_info_t d;
    memset(&d, 0, sizeof d);
    d.valid = true;
    snprintf(d.board, sizeof d.board, "test-board");
    d.clock_hz = 100000000;
    d.counters_available = available;
    return d;
}

rp_session_stats_t stats(uint32_t valid, uint64_t cyc, uint64_t cpi, uint64_t exc, uint64_t sleep, uint64_t lsu,
                         uint64_t fold)
{
    rp_session_stats_t s;
    memset(&s, 0, sizeof s);
    s.has_counters = true;
    s.counters.hw_valid = valid;
    s.counters.hw_cycles = cyc;
    s.counters.hw_cpi = cpi;
    s.counters.hw_exc = exc;
    s.counters.hw_sleep = sleep;
    s.counters.hw_lsu = lsu;
    s.counters.hw_fold = fold;
    return s;
}

const uint32_t kAll = 0x3F;

std::string slurp(const std::string &path)
{
    std::string out;
    FILE *f = fopen(path.c_str(), "r");
    if (!f)
        return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        out.append(buf, n);
    fclose(f);
    return out;
}

#define CHECK_HAS(hay, needle)                                                                                        \
    CHECK_TEXT((hay).find(needle) != std::string::npos, (std::string("missing '") + (needle) + "' in:\n" + (hay)).c_str())

// The number after "key": in a JSON text (NaN when absent).
double json_num(const std::string &json, const std::string &key)
{
    size_t at = json.find("\"" + key + "\": ");
    if (at == std::string::npos)
        return NAN;
    return strtod(json.c_str() + at + key.size() + 4, nullptr);
}

// Every writer's output for one report, by writer.
struct Outputs {
    std::string text, md, html, json, csv;
};

Outputs write_all(const rp_device_info_t *d, const rp_session_stats_t *st)
{
    rp_report_t r;
    memset(&r, 0, sizeof r);
    r.capture_path = "hw.rpcap";
    r.tool_version = "test";
    r.device = d;
    r.stats = st;
    char dir[] = "/tmp/rp_hw_report_XXXXXX";
    CHECK(mkdtemp(dir) != nullptr);
    std::string base = dir;
    Outputs o;
    std::string t = base + "/summary.txt";
    FILE *f = fopen(t.c_str(), "w");
    CHECK(f != nullptr);
    LONGS_EQUAL(RP_OK, rp_report_write_text(f, &r, 5));
    fclose(f);
    LONGS_EQUAL(RP_OK, rp_report_write_md((base + "/report.md").c_str(), &r));
    LONGS_EQUAL(RP_OK, rp_report_write_html((base + "/report.html").c_str(), &r));
    LONGS_EQUAL(RP_OK, rp_report_write_json((base + "/summary.json").c_str(), &r));
    LONGS_EQUAL(RP_OK, rp_report_write_csv((base + "/metrics.csv").c_str(), &r));
    o.text = slurp(t);
    o.md = slurp(base + "/report.md");
    o.html = slurp(base + "/report.html");
    o.json = slurp(base + "/summary.json");
    o.csv = slurp(base + "/metrics.csv");
    for (const char *n : { "/summary.txt", "/report.md", "/report.html", "/summary.json", "/metrics.csv" })
        unlink((base + n).c_str());
    rmdir(dir);
    return o;
}

} // namespace

TEST_GROUP(hw_derive){};

TEST(hw_derive, hand_numbers)
{
    // 10000 cycles: 1000 extra CPI cycles, 500 in exception entry/exit,
    // 2000 asleep, 1500 load-store stalls, 1000 folded instructions.
    // instructions = 10000 - 1000 - 500 - 2000 - 1500 + 1000 = 6000.
    rp_device_info_t d = device(kAll);
    rp_session_stats_t s = stats(kAll, 10000, 1000, 500, 2000, 1500, 1000);
    rp_report_hw_t hw;
    CHECK_TRUE(rp_report_hw_derive(&d, &s, &hw));
    CHECK_TRUE(hw.derived);
    UNSIGNED_LONGLONGS_EQUAL(6000, hw.instructions);
    DOUBLES_EQUAL(10000.0 / 6000.0, hw.cpi, 1e-12);
    DOUBLES_EQUAL(0.05, hw.exc_share, 1e-12);
    DOUBLES_EQUAL(0.20, hw.sleep_share, 1e-12);
    DOUBLES_EQUAL(0.15, hw.lsu_share, 1e-12);
    DOUBLES_EQUAL(0.10, hw.cpi_share, 1e-12);
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++)
        LONGS_EQUAL(RP_REPORT_HW_VALUE, hw.state[i]);
    UNSIGNED_LONGLONGS_EQUAL(1500, hw.value[4]);
    STRCMP_EQUAL("LSUCNT", rp_report_hw_name(4));

    char line[256];
    rp_report_hw_line(&hw, line, sizeof line);
    STRCMP_EQUAL("10k cycles, CPI 1.667, exceptions 5.00 %, sleep 20.00 %, load-store stalls 15.00 % of cycles", line);
}

TEST(hw_derive, a_board_without_counters)
{
    // The sim board and QEMU: Hello says 0, the Counters mark nothing valid.
    rp_device_info_t d = device(0);
    rp_session_stats_t s = stats(0, 0, 0, 0, 0, 0, 0);
    rp_report_hw_t hw;
    CHECK_FALSE(rp_report_hw_derive(&d, &s, &hw));
    CHECK_FALSE(hw.derived);
    for (unsigned i = 0; i < RP_REPORT_HW_COUNTERS; i++)
        LONGS_EQUAL(RP_REPORT_HW_NOT_ON_BOARD, hw.state[i]);
    STRCMP_EQUAL("not available on this board", hw.why_not);
    char line[256];
    rp_report_hw_line(&hw, line, sizeof line);
    STRCMP_EQUAL("not available on this board", line);
}

TEST(hw_derive, only_cyccnt)
{
    rp_device_info_t d = device(1);
    rp_session_stats_t s = stats(1, 123456, 7, 7, 7, 7, 7);   // invalid fields ignored
    rp_report_hw_t hw;
    CHECK_TRUE(rp_report_hw_derive(&d, &s, &hw));
    CHECK_FALSE(hw.derived);
    UNSIGNED_LONGLONGS_EQUAL(123456, hw.value[0]);
    UNSIGNED_LONGLONGS_EQUAL(0, hw.value[1]);
    LONGS_EQUAL(RP_REPORT_HW_NOT_ON_BOARD, hw.state[1]);
    char line[256];
    rp_report_hw_line(&hw, line, sizeof line);
    STRCMP_EQUAL("CYCCNT 123456; CPICNT, EXCCNT, SLEEPCNT, LSUCNT, FOLDCNT not available on this board", line);
}

TEST(hw_derive, known_but_not_sent_and_unknown)
{
    rp_device_info_t d = device(kAll);
    rp_session_stats_t none;
    memset(&none, 0, sizeof none);   // no Counters received
    rp_report_hw_t hw;
    CHECK_FALSE(rp_report_hw_derive(&d, &none, &hw));
    LONGS_EQUAL(RP_REPORT_HW_NOT_SENT, hw.state[0]);
    STRCMP_EQUAL("not sent by the device", hw.why_not);
    CHECK_FALSE(rp_report_hw_derive(nullptr, nullptr, &hw));
    LONGS_EQUAL(RP_REPORT_HW_UNKNOWN, hw.state[5]);
    char line[256];
    rp_report_hw_line(&hw, line, sizeof line);
    STRCMP_EQUAL("unknown (no Hello received)", line);
}

TEST(hw_derive, nothing_counted_or_inconsistent_gives_no_figures)
{
    rp_device_info_t d = device(kAll);
    rp_session_stats_t zero = stats(kAll, 0, 0, 0, 0, 0, 0);
    rp_report_hw_t hw;
    CHECK_TRUE(rp_report_hw_derive(&d, &zero, &hw));   // valid zeros are values
    CHECK_FALSE(hw.derived);
    STRCMP_EQUAL("no cycles were counted", hw.why_not);
    // More stall cycles than cycles cannot be: no negative instruction count.
    rp_session_stats_t bad = stats(kAll, 100, 90, 10, 10, 10, 5);
    CHECK_TRUE(rp_report_hw_derive(&d, &bad, &hw));
    CHECK_FALSE(hw.derived);
}

TEST_GROUP(hw_writers){};

TEST(hw_writers, every_writer_shows_the_same_figures)
{
    rp_device_info_t d = device(kAll);
    rp_session_stats_t s = stats(kAll, 10000, 1000, 500, 2000, 1500, 1000);
    Outputs o = write_all(&d, &s);
    CHECK_HAS(o.text, "hardware   counters: 10k cycles, CPI 1.667, exceptions 5.00 %, sleep 20.00 %, "
                      "load-store stalls 15.00 % of cycles\n");
    CHECK_HAS(o.md, "## Hardware counters");
    CHECK_HAS(o.md, "| CPICNT | 1000 |");
    CHECK_HAS(o.md, "| instructions (" RP_REPORT_HW_FORMULA ") | 6000 |");
    CHECK_HAS(o.md, "| CPI (cycles / instructions) | 1.667 |");
    CHECK_HAS(o.md, "| load-store stalls (LSUCNT / CYCCNT) | 15.00 % |");
    CHECK_HAS(o.md, "fewer than 256 events between two samples");
    CHECK_HAS(o.html, "<h2>Hardware counters</h2>");
    CHECK_HAS(o.html, "<td>SLEEPCNT</td><td class=\"n\">2000</td>");
    CHECK_HAS(o.html, "<td class=\"n\">1.667</td>");
    CHECK_HAS(o.html, "<td class=\"n\">5.00 %</td>");
    CHECK_HAS(o.json, "\"hw_counters\": {\"available_bits\": 63, \"valid_bits\": 63");
    CHECK_HAS(o.json, "{\"name\": \"FOLDCNT\", \"available\": true, \"value\": 1000}");
    CHECK_HAS(o.json, "\"instructions\": 6000");
    DOUBLES_EQUAL(10000.0 / 6000.0, json_num(o.json, "cpi"), 1e-12);
    DOUBLES_EQUAL(0.05, json_num(o.json, "exception_share"), 1e-12);
    DOUBLES_EQUAL(0.20, json_num(o.json, "sleep_share"), 1e-12);
    DOUBLES_EQUAL(0.15, json_num(o.json, "lsu_stall_share"), 1e-12);
    CHECK(o.json.find("not available on this board") == std::string::npos);
    CHECK_HAS(o.csv, "\nhw,LSUCNT,1500,counts\n");
    CHECK_HAS(o.csv, "\nhw,instructions,6000,instructions\n");
    CHECK_HAS(o.csv, "\nhw,sleep_share,0.2");
}

TEST(hw_writers, a_board_without_counters_says_so_rather_than_zeros)
{
    rp_device_info_t d = device(0);
    rp_session_stats_t s = stats(0, 0, 0, 0, 0, 0, 0);
    Outputs o = write_all(&d, &s);
    CHECK_HAS(o.text, "hardware   counters: not available on this board\n");
    CHECK_HAS(o.md, "| CYCCNT | not available on this board |");
    CHECK_HAS(o.md, "| FOLDCNT | not available on this board |");
    CHECK(o.md.find("| CYCCNT | 0 |") == std::string::npos);
    CHECK_HAS(o.html, "<td>CYCCNT</td><td class=\"muted\">not available on this board</td>");
    CHECK_HAS(o.json, "{\"name\": \"CYCCNT\", \"available\": false, \"value\": \"not available on this board\"}");
    CHECK_HAS(o.json, "\"derived\": \"not available on this board\"");
    CHECK_HAS(o.csv, "\nhw,CYCCNT,,not available on this board\n");
    CHECK(o.csv.find("hw,cpi") == std::string::npos);
}

TEST(hw_writers, cyccnt_only)
{
    rp_device_info_t d = device(1);
    rp_session_stats_t s = stats(1, 4242, 0, 0, 0, 0, 0);
    Outputs o = write_all(&d, &s);
    CHECK_HAS(o.text, "hardware   counters: CYCCNT 4242; CPICNT, EXCCNT, SLEEPCNT, LSUCNT, FOLDCNT not available on "
                      "this board\n");
    CHECK_HAS(o.md, "| CYCCNT | 4242 |");
    CHECK_HAS(o.md, "| EXCCNT | not available on this board |");
    CHECK_HAS(o.json, "{\"name\": \"CYCCNT\", \"available\": true, \"value\": 4242}");
    // No 8-bit counter, no caveat about them.
    CHECK(o.md.find("fewer than 256") == std::string::npos);
}
