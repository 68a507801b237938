// Hardware counters end to end on the sim board, which has none: a real
// capture through `rramprof capture`, then `rramprof report` and `rramprof
// info`. Hello says counters_available 0, so every output says "not
// available on this board" for each counter instead of showing zeros, and
// summary.json still passes report_check.py.
#include <CppUTest/TestHarness.h>

#include <string>
#include <vector>

#include "cli_proc.h"

using namespace clitest;

namespace {

const int kRunMs = 120000;

std::string show(const Result &r)
{
    return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err;
}

bool has(const std::string &hay, const std::string &needle)
{
    return hay.find(needle) != std::string::npos;
}

#define CHECK_HAS(hay, needle)                                                                                        \
    CHECK_TEXT(has(hay, needle), (std::string("missing '") + (needle) + "' in:\n" + (hay)).c_str())

Result rramprof(const std::vector<std::string> &args)
{
    std::vector<std::string> argv = { rramprof_bin() };
    argv.insert(argv.end(), args.begin(), args.end());
    return run_cmd(argv, kRunMs);
}

std::string read_all(const std::string &path)
{
    Result r = run_cmd({ "/bin/cat", path }, kRunMs);
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    return r.out;
}

} // namespace

TEST_GROUP(ReportHwSim)
{
    std::string dir, cap;
    void setup() override
    {
        dir = scratch_dir();
        cap = dir + "/mlp.rpcap";
        Result r = rramprof({ "capture", "--from", "exec:" + sim_bin() + " --transport stdio --quiet", "--workload",
                              "mlp", "--events", "3000", "-o", cap, "-q" });
        LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    }
};

TEST(ReportHwSim, EveryOutputSaysNotAvailable)
{
    std::string out = dir + "/run";
    Result r = rramprof({ "report", cap, "-o", out });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "hardware   counters: not available on this board\n");

    std::string md = read_all(out + "/report.md");
    CHECK_HAS(md, "## Hardware counters");
    const char *names[] = { "CYCCNT", "CPICNT", "EXCCNT", "SLEEPCNT", "LSUCNT", "FOLDCNT" };
    for (const char *n : names)
        CHECK_HAS(md, std::string("| ") + n + " | not available on this board |");
    std::string html = read_all(out + "/report.html");
    for (const char *n : names)
        CHECK_HAS(html, std::string("<td>") + n + "</td><td class=\"muted\">not available on this board</td>");

    // summary.json: still valid for the checker, and per counter
    // {name, available: false, value: "not available on this board"}.
    std::string js = out + "/summary.json";
    Result c = run_cmd({ RP_PYTHON3, RP_REPORT_CHECK, "json", js }, kRunMs);
    LONGS_EQUAL_TEXT(0, c.code, show(c).c_str());
    Result q = run_cmd({ RP_PYTHON3, "-c",
                         "import json,sys\n"
                         "d = json.load(open(sys.argv[1]))\n"
                         "hw = d['hw_counters']\n"
                         "assert d['device']['board'] == 'sim', d['device']\n"
                         "assert hw['available_bits'] == 0 and hw['valid_bits'] == 0, hw\n"
                         "names = [x['name'] for x in hw['counters']]\n"
                         "assert names == ['CYCCNT','CPICNT','EXCCNT','SLEEPCNT','LSUCNT','FOLDCNT'], names\n"
                         "for x in hw['counters']:\n"
                         "    assert x['available'] is False and x['value'] == 'not available on this board', x\n"
                         "assert hw['derived'] == 'not available on this board', hw\n",
                         js },
                       kRunMs);
    LONGS_EQUAL_TEXT(0, q.code, show(q).c_str());

    // metrics.csv: the reason in the unit column, no value.
    std::string csv = out + "/metrics.csv";
    c = run_cmd({ RP_PYTHON3, RP_REPORT_CHECK, "csv", csv }, kRunMs);
    LONGS_EQUAL_TEXT(0, c.code, show(c).c_str());
    std::string rows = read_all(csv);
    for (const char *n : names)
        CHECK_HAS(rows, std::string("\nhw,") + n + ",,not available on this board\n");
}

TEST(ReportHwSim, InfoSaysTheBoardHasNone)
{
    Result r = rramprof({ "info", cap });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "hardware   counters: not available on this board\n");
    CHECK(!has(r.out, "hw totals"));
}

#ifdef RP_QEMU_AN386_DIR
// The same on the Cortex-M firmware under QEMU (mps2-an386): QEMU models no
// DWT, so Hello says counters_available 0 and the final Counters hw_valid
// 0, and the report says so.
TEST_GROUP(ReportHwQemu){};

TEST(ReportHwQemu, An386SaysNotAvailable)
{
    std::string dir = scratch_dir();
    std::string cap = dir + "/an386.rpcap";
    Result r = rramprof({ "capture", "--board", "qemu-mps2-an386", "--firmware",
                          std::string(RP_QEMU_AN386_DIR) + "/rramprof-qemu-mps2-an386.elf", "--workload", "mlp",
                          "--events", "1000", "-o", cap, "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string out = dir + "/run";
    r = rramprof({ "report", cap, "-o", out });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "device     board qemu-mps2-an386");
    CHECK_HAS(r.out, "hardware   counters: not available on this board\n");
    Result q = run_cmd({ RP_PYTHON3, "-c",
                         "import json,sys\n"
                         "d = json.load(open(sys.argv[1]))\n"
                         "assert d['counters'] is not None, 'no Counters from the firmware'\n"
                         "hw = d['hw_counters']\n"
                         "assert hw['available_bits'] == 0 and hw['valid_bits'] == 0, hw\n"
                         "assert all(x['value'] == 'not available on this board' for x in hw['counters']), hw\n",
                         out + "/summary.json" },
                       kRunMs);
    LONGS_EQUAL_TEXT(0, q.code, show(q).c_str());
    r = rramprof({ "info", cap });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "hardware   counters: not available on this board\n");
}
#endif
