// `rramprof report` and `rramprof export`: SHA-256 against the FIPS 180-4
// examples, the writers on a synthetic session (escaping of device strings,
// an empty report), and the real binary on sim-board captures: every output
// checked by tests/integration/report_check.py (JSON parses with the schema
// and findings, CSV columns, manifest hashes recomputed with sha256sum,
// Chrome trace nesting, HTML rendered by headless Chromium), bad inputs,
// the run directory rules, and the demo.
#include <CppUTest/TestHarness.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli_proc.h"
#include "rp_report_int.h"

extern "C" {
#include "rp_report.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_status.h"
}

using namespace clitest;

namespace {

const int kRunMs = 120000;

bool has(const std::string &hay, const std::string &needle)
{
    return hay.find(needle) != std::string::npos;
}

std::string show(const Result &r)
{
    return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err;
}

#define CHECK_HAS(hay, needle) CHECK_TEXT(has(hay, needle), (std::string("missing '") + (needle) + "' in:\n" + (hay)).c_str())

std::string hex(const uint8_t d[32])
{
    char b[65];
    for (int i = 0; i < 32; i++)
        snprintf(b + 2 * i, 3, "%02x", d[i]);
    return b;
}

std::string sha(const std::string &msg, size_t chunk)
{
    rp_sha256_t s;
    rp_sha256_init(&s);
    for (size_t at = 0; at < msg.size(); at += chunk)
        rp_sha256_update(&s, msg.data() + at, std::min(chunk, msg.size() - at));
    uint8_t d[32];
    rp_sha256_final(&s, d);
    return hex(d);
}

Result checker(const std::vector<std::string> &args)
{
    std::vector<std::string> argv = { RP_PYTHON3, RP_REPORT_CHECK };
    argv.insert(argv.end(), args.begin(), args.end());
    return run_cmd(argv, kRunMs);
}

#define CHECK_PASSES(args)                                                                                            \
    do {                                                                                                              \
        Result c_ = checker(args);                                                                                    \
        LONGS_EQUAL_TEXT(0, c_.code, show(c_).c_str());                                                               \
    } while (0)

#define CHECK_FAILS(args)                                                                                             \
    do {                                                                                                              \
        Result c_ = checker(args);                                                                                    \
        LONGS_EQUAL_TEXT(1, c_.code, show(c_).c_str());                                                               \
    } while (0)

Result rramprof(const std::vector<std::string> &args)
{
    std::vector<std::string> argv = { rramprof_bin() };
    argv.insert(argv.end(), args.begin(), args.end());
    return run_cmd(argv, kRunMs);
}

// One capture of the mlp workload per test process (several file chunks).
const std::string &mlp_capture()
{
    static std::string path;
    if (path.empty()) {
        std::string dir = scratch_dir();
        std::string p = dir + "/mlp.rpcap";
        Result r = rramprof({ "capture", "--from", "exec:" + sim_bin() + " --transport stdio --quiet", "--workload",
                              "mlp", "--events", "60000", "-o", p, "-q" });
        LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
        path = p;
    }
    return path;
}

const char *const kRunFiles[] = { "report.html", "report.md", "summary.json", "metrics.csv" };

// ---- a synthetic session, fed through the real pipeline ----

struct Pipeline {
    rp_session_t *s = nullptr;
    rp_agg_t *agg = nullptr;
    rp_memuse_t *mem = nullptr;
    rp_decode_stats_t ds{};
    rp_session_stats_t st{};
    rp_analysis_t an{};
    rp_report_t r{};

    static void on_segment(void *ctx, uint32_t seg, const rp_device_info_t *info)
    {
        Pipeline *p = static_cast<Pipeline *>(ctx);
        rp_agg_segment(p->agg, seg, info);
        rp_memuse_segment(p->mem, seg, info);
    }
    static int on_events(void *ctx, uint32_t seg, const rp_record_t *ev, size_t n)
    {
        Pipeline *p = static_cast<Pipeline *>(ctx);
        rp_agg_add(p->agg, seg, ev, n);
        rp_memuse_add(p->mem, ev, n, rp_agg_time_shift(p->agg));
        return RP_OK;
    }
    Pipeline()
    {
        rp_session_callbacks_t cb = { on_events, on_segment, this };
        s = rp_session_create(&cb);
        agg = rp_agg_create();
        mem = rp_memuse_create();
    }
    ~Pipeline()
    {
        rp_memuse_destroy(mem);
        rp_agg_destroy(agg);
        rp_session_destroy(s);
    }
    void apply(const rp_msg_t &m) { LONGS_EQUAL(RP_OK, rp_session_apply(s, &m)); }
    const rp_report_t *finish(const char *path)
    {
        rp_agg_finish(agg);
        rp_memuse_finish(mem, rp_agg_totals(agg)->run_ticks, rp_agg_totals(agg)->clock_hz);
        rp_session_stats(s, &st);
        rp_analysis_input_t in = { rp_session_device(s), &st, agg, mem };
        LONGS_EQUAL(RP_OK, rp_analyze(&in, &an));
        r.capture_path = path;
        r.tool_version = "test";
        r.is_capture = true;
        r.decode = &ds;
        r.session = s;
        r.stats = &st;
        r.device = rp_session_device(s);
        r.agg = agg;
        r.mem = mem;
        r.analysis = &an;
        return &r;
    }
};

// Device strings an attacker (or a buggy board) could send.
const char kEvilBoard[] = "board\"</td><script>alert(1)</script>\\\x01\xff|x,y";
const char kEvilName[] = "layer\"1</title><svg onload=x>\n,|*_`\xc3\x28";

void feed_hostile(Pipeline &p)
{
    rp_msg_t m;
    memset(&m, 0, sizeof m);
    m.kind = RP_FRAME_HELLO;
    m.protocol_version = 1;
    m.u.hello.board = kEvilBoard;
    m.u.hello.firmware_version = "1.0 <b>";
    m.u.hello.clock_hz = 100000000;
    m.u.hello.timer_bits = 32;
    m.u.hello.array.tiles = 2;
    m.u.hello.array.rows = 8;
    m.u.hello.array.cols = 8;
    m.u.hello.array.bits_per_cell = 1;
    m.u.hello.array.adcs_per_tile = 2;
    m.u.hello.array.adc_bits = 8;
    m.u.hello.array.input_bits = 4;
    m.u.hello.array.endurance_cycles = 1000000;
    m.u.hello.array.model = "m&m";
    m.u.hello.boot_id = 42;
    p.apply(m);

    static const uint32_t ids[] = { 1 };
    static const char *const names[] = { kEvilName };
    memset(&m, 0, sizeof m);
    m.kind = RP_FRAME_NAMES;
    m.u.names.count = 1;
    m.u.names.ids = ids;
    m.u.names.names = names;
    p.apply(m);

    static rp_record_t ev[64];
    uint64_t t = 1000;
    size_t n = 0;
    for (int i = 0; i < 20; i++) {
        rp_record_t e;
        memset(&e, 0, sizeof e);
        e.start = t;
        e.duration = 100 + (uint32_t)i;
        e.op = (i % 2) ? RP_OP_MVM : RP_OP_READ;
        e.tile = (uint8_t)(i % 2);
        e.row = (uint16_t)(i % 8);
        e.rows = 1;
        e.cols = 8;
        ev[n++] = e;
        t += 150;
    }
    rp_record_t span;
    memset(&span, 0, sizeof span);
    span.start = 1000;
    span.duration = (uint32_t)(t - 1000);
    span.op = RP_OP_SPAN;
    span.arg = 1;
    ev[n++] = span;
    memset(&m, 0, sizeof m);
    m.kind = RP_FRAME_BATCH;
    m.u.batch.sequence = 0;
    m.u.batch.first_event = 0;
    m.u.batch.base_timestamp = 1000;
    m.u.batch.count = (uint32_t)n;
    m.u.batch.events = ev;
    p.apply(m);
}

} // namespace

TEST_GROUP(ReportSha){};

TEST(ReportSha, Fips180Examples)
{
    STRCMP_EQUAL("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha("", 1).c_str());
    STRCMP_EQUAL("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha("abc", 1).c_str());
    const std::string m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    STRCMP_EQUAL("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", sha(m448, 64).c_str());
    const std::string million(1000000, 'a');
    STRCMP_EQUAL("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", sha(million, 1000000).c_str());
}

TEST(ReportSha, ChunkingDoesNotMatter)
{
    // Every split of the input, including ones across the 56-byte padding
    // boundary, gives the one-shot digest.
    std::string msg;
    for (int i = 0; i < 300; i++)
        msg.push_back((char)(i * 7 + 3));
    for (size_t len : { (size_t)55, (size_t)56, (size_t)63, (size_t)64, (size_t)65, (size_t)119, (size_t)300 }) {
        std::string m = msg.substr(0, len);
        std::string whole = sha(m, len ? len : 1);
        for (size_t chunk : { (size_t)1, (size_t)3, (size_t)17, (size_t)63, (size_t)64 })
            STRCMP_EQUAL(whole.c_str(), sha(m, chunk).c_str());
    }
}

TEST(ReportSha, FileMatchesSha256sum)
{
    std::string dir = scratch_dir();
    std::string p = dir + "/blob";
    std::string data;
    for (int i = 0; i < 200000; i++)
        data.push_back((char)(i * 31));
    CHECK(write_file(p, data));
    char h[65];
    LONGS_EQUAL(RP_OK, rp_sha256_file(p.c_str(), h));
    STRCMP_EQUAL(sha(data, 4096).c_str(), h);
    Result r = run_cmd({ RP_SHA256SUM, p }, kRunMs);
    LONGS_EQUAL(0, r.code);
    STRCMP_EQUAL(r.out.substr(0, 64).c_str(), h);
    LONGS_EQUAL(RP_ERR_IO, rp_sha256_file((dir + "/none").c_str(), h));
}

TEST_GROUP(ReportWriters)
{
    std::string dir;
    void setup() override { dir = scratch_dir(); }
};

TEST(ReportWriters, DeviceStringsAreEscapedEverywhere)
{
    Pipeline p;
    feed_hostile(p);
    const rp_report_t *r = p.finish("dir/<cap>.rpcap");
    std::string html = dir + "/report.html", md = dir + "/report.md", js = dir + "/summary.json",
                csvp = dir + "/metrics.csv";
    LONGS_EQUAL(RP_OK, rp_report_write_html(html.c_str(), r));
    LONGS_EQUAL(RP_OK, rp_report_write_md(md.c_str(), r));
    LONGS_EQUAL(RP_OK, rp_report_write_json(js.c_str(), r));
    LONGS_EQUAL(RP_OK, rp_report_write_csv(csvp.c_str(), r));

    std::string h = read_file(html);
    CHECK(!has(h, "<script"));
    CHECK(!has(h, "<svg onload"));
    CHECK_HAS(h, "&lt;script&gt;alert(1)&lt;/script&gt;");
    CHECK_HAS(h, "layer&quot;1&lt;/title&gt;&lt;svg onload=x&gt;");
    CHECK_HAS(h, "m&amp;m");
    std::string m = read_file(md);
    CHECK(!has(m, "<script"));
    CHECK_HAS(m, "\\|x,y");
    // JSON and CSV parse, the names survive (invalid UTF-8 replaced).
    CHECK_PASSES(std::vector<std::string>({ "json", js }));
    CHECK_PASSES(std::vector<std::string>({ "csv", csvp }));
    Result q = run_cmd({ RP_PYTHON3, "-c",
                         "import json,sys; d=json.load(open(sys.argv[1])); "
                         "assert d['device']['board'].startswith('board\"</td><script>'), d['device']['board']; "
                         "assert d['names'][0]['name'].startswith('layer\"1</title>'), d['names']; "
                         "assert '\\ufffd' in d['names'][0]['name']",
                         js },
                       kRunMs);
    LONGS_EQUAL_TEXT(0, q.code, show(q).c_str());
    // The terminal summary keeps control bytes off the terminal.
    std::string txt = dir + "/summary.txt";
    FILE *f = fopen(txt.c_str(), "w");
    CHECK(f != nullptr);
    LONGS_EQUAL(RP_OK, rp_report_write_text(f, r, 5));
    fclose(f);
    CHECK(!has(read_file(txt), "\x01"));
    CHECK_HAS(read_file(txt), "report     dir/<cap>.rpcap");
}

TEST(ReportWriters, EvidenceReadsAsCountsAndTimes)
{
    auto fmt = [](double v, const char *unit) {
        rp_evidence_t e = {};
        snprintf(e.name, sizeof e.name, "x");
        snprintf(e.unit, sizeof e.unit, "%s", unit);
        e.value = v;
        char buf[48];
        const char *u = nullptr;
        rp_report_fmt_evidence(&e, buf, sizeof buf, &u);
        return std::string(buf) + "|" + u;
    };
    // Counts exact, never with an exponent.
    STRCMP_EQUAL("429760|", fmt(429760.0, "").c_str());
    STRCMP_EQUAL("3800914|events", fmt(3800914.0, "events").c_str());
    STRCMP_EQUAL("2313664|B", fmt(2313664.0, "B").c_str());
    STRCMP_EQUAL("124927|B/s", fmt(124926.7, "B/s").c_str());
    // Fractions to four significant digits.
    STRCMP_EQUAL("93.47|%", fmt(93.4737, "%").c_str());
    STRCMP_EQUAL("0.9667|", fmt(0.96666, "").c_str());
    STRCMP_EQUAL("4|", fmt(4.0, "").c_str());
    // Seconds as a time with its own unit, as the report's tables show it.
    STRCMP_EQUAL("131.000|us", fmt(0.000131, "s").c_str());
    STRCMP_EQUAL("600.0|ns", fmt(6e-7, "s").c_str());
    STRCMP_EQUAL("46.600|us", fmt(4.66e-5, "s").c_str());
    STRCMP_EQUAL("149.220|s", fmt(149.22, "s").c_str());
    STRCMP_EQUAL("0.0|ns", fmt(0.0, "s").c_str());
}

TEST(ReportWriters, AnEmptyReportIsStillValid)
{
    // Nothing read at all: no aggregator, no analysis, one problem.
    rp_report_t r;
    memset(&r, 0, sizeof r);
    r.capture_path = "empty.rpcap";
    r.tool_version = "test";
    r.problem_count = 1;
    snprintf(r.problems[0], sizeof r.problems[0], "the file is empty: nothing was read");
    std::vector<std::string> names;
    for (const char *n : kRunFiles)
        names.push_back(n);
    LONGS_EQUAL(RP_OK, rp_report_write_html((dir + "/report.html").c_str(), &r));
    LONGS_EQUAL(RP_OK, rp_report_write_md((dir + "/report.md").c_str(), &r));
    LONGS_EQUAL(RP_OK, rp_report_write_json((dir + "/summary.json").c_str(), &r));
    LONGS_EQUAL(RP_OK, rp_report_write_csv((dir + "/metrics.csv").c_str(), &r));
    LONGS_EQUAL(RP_OK, rp_report_write_manifest(dir.c_str(), kRunFiles, 4, &r));
    CHECK_PASSES(std::vector<std::string>({ "json", dir + "/summary.json" }));
    CHECK_PASSES(std::vector<std::string>({ "csv", dir + "/metrics.csv" }));
    std::vector<std::string> margs = { "manifest", dir };
    margs.insert(margs.end(), names.begin(), names.end());
    CHECK_PASSES(margs);
    for (const char *n : kRunFiles)
        CHECK_HAS(read_file(dir + "/" + n), "nothing was read");
}

TEST(ReportWriters, FailedWritesLeaveNoFile)
{
    rp_report_t r;
    memset(&r, 0, sizeof r);
    std::string bad = dir + "/no/such/dir/summary.json";
    LONGS_EQUAL(RP_ERR_IO, rp_report_write_json(bad.c_str(), &r));
    // The rename into place fails (a directory is in the way): the
    // temporary file is removed.
    std::string in_the_way = dir + "/metrics.csv";
    CHECK(mkdir(in_the_way.c_str(), 0755) == 0);
    LONGS_EQUAL(RP_ERR_IO, rp_report_write_csv(in_the_way.c_str(), &r));
    Result ls = run_cmd({ "/bin/sh", "-c", "ls -A '" + dir + "'" }, kRunMs);
    STRCMP_EQUAL("metrics.csv\n", ls.out.c_str());   // no temporary left behind
}

TEST_GROUP(ReportCli)
{
    std::string dir;
    void setup() override { dir = scratch_dir(); }
};

TEST(ReportCli, TerminalSummaryByDefault)
{
    Result r = rramprof({ "report", mlp_capture() });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "report     " + mlp_capture() + " (complete)");
    CHECK_HAS(r.out, "device     board sim");
    CHECK_HAS(r.out, "validity   ");
    CHECK_HAS(r.out, "PRIMARY BOTTLENECK: ");
    CHECK_HAS(r.out, "time breakdown");
    CHECK_HAS(r.out, "  MVM ");
    CHECK(!has(r.out, "run directory"));
    CHECK(r.err.empty());
    // --top limits the findings listed.
    Result one = rramprof({ "report", mlp_capture(), "--top", "1" });
    LONGS_EQUAL(0, one.code);
    CHECK_HAS(one.out, "findings (top 1 of ");
    CHECK(!has(one.out, "\n 2. "));
}

TEST(ReportCli, RunDirectoryHoldsEveryOutputAndTheyCheckOut)
{
    std::string out = dir + "/run";
    Result r = rramprof({ "report", mlp_capture(), "-o", out });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "PRIMARY BOTTLENECK: ");   // the terminal summary too
    CHECK_HAS(r.out, "open " + out + "/report.html");
    CHECK_PASSES(std::vector<std::string>({ "json", out + "/summary.json", "--min-events", "60000" }));
    CHECK_PASSES(std::vector<std::string>({ "csv", out + "/metrics.csv" }));
    CHECK_PASSES(std::vector<std::string>(
        { "manifest", out, "report.html", "report.md", "summary.json", "metrics.csv" }));

    // The numbers are those of the capture.
    CaptureFacts f = read_capture(mlp_capture());
    std::string js = read_file(out + "/summary.json");
    CHECK_HAS(js, "\"schema\": \"rramprof.report/1\"");
    CHECK_HAS(js, "\"events\": " + std::to_string(f.events) + ",");
    Result q = run_cmd({ RP_PYTHON3, "-c",
                         "import json,sys; d=json.load(open(sys.argv[1])); "
                         "m={o['op']:o['count'] for o in d['ops']}; print(m['MVM'], m['WRITE'])",
                         out + "/summary.json" },
                       kRunMs);
    LONGS_EQUAL(0, q.code);
    STRCMP_EQUAL((std::to_string(f.ops[RP_OP_MVM]) + " " + std::to_string(f.ops[RP_OP_WRITE]) + "\n").c_str(),
                 q.out.c_str());
    std::string md = read_file(out + "/report.md");
    CHECK_HAS(md, "## Findings");
    CHECK_HAS(md, "**Primary bottleneck:**");
    CHECK_HAS(md, "## RRAM memory analytics");
    CHECK_HAS(md, "| MVM | " + std::to_string(f.ops[RP_OP_MVM]) + " |");
    std::string html = read_file(out + "/report.html");
    CHECK(!has(html, "<script"));
    CHECK(!has(html, "http://") && !has(html, "https://"));
    CHECK_HAS(html, "<section id=\"primary\"");
    // The time series' axes end at the run time, not at the last
    // interval's end: three charts (busy share, rate, tile heatmap).
    size_t at = r.out.find(" of run time");
    CHECK(at != std::string::npos);
    size_t from = r.out.rfind(", ", at);
    std::string run_time = r.out.substr(from + 2, at - from - 2);
    std::string end_label = "text-anchor=\"end\">" + run_time + "</text>";
    size_t labels = 0;
    for (size_t p = html.find(end_label); p != std::string::npos; p = html.find(end_label, p + 1))
        labels++;
    LONGS_EQUAL_TEXT(3, labels, run_time.c_str());
}

TEST(ReportCli, TheCheckerCatchesBrokenOutputs)
{
    // The checks above can fail: a tampered file breaks the manifest, a
    // ragged row the CSV, a missing schema the JSON.
    std::string out = dir + "/run";
    Result r = rramprof({ "report", mlp_capture(), "-o", out });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string md = read_file(out + "/report.md");
    CHECK(write_file(out + "/report.md", md + "tampered\n"));
    CHECK_FAILS(std::vector<std::string>(
        { "manifest", out, "report.html", "report.md", "summary.json", "metrics.csv" }));
    CHECK(write_file(out + "/metrics.csv", read_file(out + "/metrics.csv") + "run,x,1\n"));
    CHECK_FAILS(std::vector<std::string>({ "csv", out + "/metrics.csv" }));
    std::string js = read_file(out + "/summary.json");
    size_t at = js.find("rramprof.report/1");
    CHECK(at != std::string::npos);
    js.replace(at, 17, "rramprof.report/0");
    CHECK(write_file(out + "/summary.json", js));
    CHECK_FAILS(std::vector<std::string>({ "json", out + "/summary.json" }));
}

TEST(ReportCli, LostEventsAreSaidEverywhere)
{
    // A link too slow for the event rate: the device drops events.
    std::string cap = dir + "/slow.rpcap";
    Result r = rramprof({ "capture", "--from", "exec:" + sim_bin() + " --transport stdio --quiet --scenario slow-link",
                          "--events", "20000", "-o", cap, "-q" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = read_capture(cap);
    CHECK(f.lost > 0);
    std::string out = dir + "/run";
    r = rramprof({ "report", cap, "-o", out });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string sentence = std::to_string(f.lost) + " event(s) were lost before reaching the file";
    CHECK_HAS(r.out, sentence);
    for (const char *n : kRunFiles)
        CHECK_HAS(read_file(out + "/" + n), sentence);
    CHECK_HAS(read_file(out + "/summary.json"), "\"total_events\": " + std::to_string(f.lost) + ",");
    // A capture that lost that much is not clean, whatever the recorder
    // cost; the count is exact in the terminal and the Markdown.
    CHECK_HAS(r.out, "validity   contaminated: ");
    CHECK_HAS(r.out, "% of the events were lost");
    CHECK_HAS(r.out, "events lost " + std::to_string(f.lost) + ";");
    CHECK_HAS(read_file(out + "/report.md"), "| events lost | " + std::to_string(f.lost) + " |");
    CHECK_HAS(read_file(out + "/summary.json"), "\"loss_class\": \"contaminated\"");
    CHECK_PASSES(std::vector<std::string>({ "json", out + "/summary.json", "--min-events", "20000" }));
    // The trace marks the loss on its own track.
    std::string t = dir + "/trace.json";
    r = rramprof({ "export", cap, "-o", t });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.err, std::to_string(f.lost) + " event(s) were lost");
    CHECK_HAS(read_file(t), "\"name\":\"thread_name\",\"args\":{\"name\":\"loss\"}");
    CHECK_PASSES(std::vector<std::string>({ "trace", t, "--min-events", "20000" }));
}

TEST(ReportCli, ExistingDirectoryNeedsForce)
{
    std::string out = dir + "/run";
    CHECK(mkdir(out.c_str(), 0755) == 0);
    // Empty: fine.
    Result r = rramprof({ "report", mlp_capture(), "-o", out, "--format", "json" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    // Not empty: refused, nothing touched.
    std::string before = read_file(out + "/summary.json");
    r = rramprof({ "report", mlp_capture(), "-o", out });
    LONGS_EQUAL_TEXT(6, r.code, show(r).c_str());
    CHECK_HAS(r.err, "already exists and is not empty");
    CHECK_HAS(r.err, "--force");
    CHECK(file_size(out + "/report.html") < 0);
    // --force replaces the report files.
    r = rramprof({ "report", mlp_capture(), "-o", out, "--force" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_PASSES(std::vector<std::string>(
        { "manifest", out, "report.html", "report.md", "summary.json", "metrics.csv" }));
    CHECK(file_size(out + "/report.html") > 0);
}

TEST(ReportCli, FormatsAndUsage)
{
    std::string out = dir + "/run";
    Result r = rramprof({ "report", mlp_capture(), "-o", out, "--format", "json,csv" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK(!has(r.out, "PRIMARY BOTTLENECK"));   // no text requested
    CHECK(file_size(out + "/report.html") < 0);
    CHECK_PASSES(std::vector<std::string>({ "manifest", out, "summary.json", "metrics.csv" }));

    r = rramprof({ "report", mlp_capture(), "--format", "html" });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "-o DIR is required");
    r = rramprof({ "report", mlp_capture(), "--format", "pdf" });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "bad --format 'pdf'");
    LONGS_EQUAL(2, rramprof({ "report" }).code);
    r = rramprof({ "report", "--help" });
    LONGS_EQUAL(0, r.code);
    CHECK_HAS(r.out, "usage: rramprof report FILE");
    r = rramprof({ "export", mlp_capture(), "--format", "svg", "-o", dir + "/t.json" });
    LONGS_EQUAL(2, r.code);
    r = rramprof({ "export", "--help" });
    LONGS_EQUAL(0, r.code);
    CHECK_HAS(r.out, "usage: rramprof export FILE --format chrome-trace -o OUT.json");
    r = rramprof({ "export", mlp_capture() });
    LONGS_EQUAL(2, r.code);
    CHECK_HAS(r.err, "-o FILE is required");
    Result top = rramprof({ "--help" });
    CHECK_HAS(top.out, "report");
    CHECK_HAS(top.out, "export");
}

TEST_GROUP(ReportExport)
{
    std::string dir;
    void setup() override { dir = scratch_dir(); }
};

TEST(ReportExport, ChromeTraceNestsPerTrack)
{
    std::string t = dir + "/trace.json";
    Result r = rramprof({ "export", mlp_capture(), "--format", "chrome-trace", "-o", t });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CaptureFacts f = read_capture(mlp_capture());
    CHECK_HAS(r.out, std::to_string(f.events) + " events -> " + t);
    CHECK_PASSES(std::vector<std::string>({ "trace", t, "--min-events", std::to_string(f.events) }));
    std::string s = read_file(t);
    CHECK_HAS(s, "\"name\":\"thread_name\",\"args\":{\"name\":\"tile 0\"}");
    CHECK_HAS(s, "\"name\":\"thread_name\",\"args\":{\"name\":\"spans\"}");
    CHECK_HAS(s, "\"cat\":\"span\"");
}

// A capture with spans three deep, recorded as the firmware records them:
// each span when it ends, so children come before their parents, and a
// parent often starts on the same tick as its first child.
// Runs a Python snippet on a trace file loaded as `d`; its output.
std::string trace_query(const std::string &trace, const std::string &script)
{
    Result q = run_cmd({ RP_PYTHON3, "-c", "import json,sys\nd=json.load(open(sys.argv[1]))\n" + script, trace },
                       kRunMs);
    LONGS_EQUAL_TEXT(0, q.code, show(q).c_str());
    return q.out;
}

std::string nested_capture(const std::string &dir, const rp_counters_t *counters = nullptr,
                           uint64_t clock_hz = 100000000, uint64_t outer_gap = 20)
{
    uint8_t buf[65536];
    rp_hello_t h;
    memset(&h, 0, sizeof h);
    h.board = "nest";
    h.firmware_version = "1";
    h.clock_hz = clock_hz;
    h.timer_bits = 32;
    h.array.tiles = 2;
    h.array.rows = 16;
    h.array.cols = 16;
    h.array.adcs_per_tile = 2;
    h.array.input_bits = 4;
    h.boot_id = 7;
    size_t hn = rp_encode_hello(&h, buf, sizeof buf);
    CHECK(hn > 0);
    std::vector<uint8_t> hello(buf, buf + hn);
    rp_capture_writer_opts_t o;
    memset(&o, 0, sizeof o);
    o.tool_version = "test";
    o.hello = hello.data();
    o.hello_len = hello.size();
    o.sync = RP_CAPTURE_SYNC_NONE;
    std::string path = dir + "/nested.rpcap";
    rp_capture_writer_t *w = nullptr;
    LONGS_EQUAL(RP_OK, rp_capture_writer_open(path.c_str(), &o, &w));
    static const uint32_t ids[] = { 1, 2, 3 };
    static const char *const names[] = { "outer", "inner", "leaf" };
    size_t n = rp_encode_names(ids, names, 3, buf, sizeof buf);
    LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, buf, n));

    std::vector<rp_record_t> ev;
    auto rec = [&](uint64_t start, uint32_t dur, uint8_t op, uint8_t tile, uint32_t arg) {
        rp_record_t r;
        memset(&r, 0, sizeof r);
        r.start = start;
        r.duration = dur;
        r.op = op;
        r.tile = op == RP_OP_SPAN ? 0 : tile;
        r.rows = op == RP_OP_SPAN ? 0 : 1;
        r.cols = op == RP_OP_SPAN ? 0 : 16;
        r.arg = arg;
        ev.push_back(r);
    };
    uint64_t t = 1000;
    for (int outer = 0; outer < 40; outer++) {
        uint64_t o0 = t;
        for (int inner = 0; inner < 3; inner++) {
            uint64_t i0 = t;
            for (int leaf = 0; leaf < 2; leaf++) {
                uint64_t l0 = t;
                rec(t, 30, RP_OP_MVM, (uint8_t)(leaf & 1), 0);
                t += 30;
                rec(t, 10, RP_OP_READ, (uint8_t)(leaf & 1), 0);
                t += 15;
                rec(l0, (uint32_t)(t - l0), RP_OP_SPAN, 0, 3);
            }
            rec(i0, (uint32_t)(t - i0), RP_OP_SPAN, 0, 2);
            t += 5;
        }
        rec(o0, (uint32_t)(t - o0), RP_OP_SPAN, 0, 1);
        t += outer_gap;
    }
    rp_batch_state_t st = { 0, 0 };
    for (size_t at = 0; at < ev.size(); at += 37) {
        size_t k = std::min((size_t)37, ev.size() - at);
        n = rp_encode_batch(&st, ev.data() + at, k, 0, buf, sizeof buf);
        CHECK(n > 0);
        LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, buf, n));
    }
    if (counters) {
        n = rp_encode_counters(counters, buf, sizeof buf);
        CHECK(n > 0);
        LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, buf, n));
    }
    LONGS_EQUAL(RP_OK, rp_capture_writer_close(w));
    return path;
}

// Bytes the device's receiver lost (Counters.link_rx_lost) are reported by
// `info`, and only when there are any.
TEST(ReportExport, NeverReplacesItsInputAndKeepsLinksWhatTheyAre)
{
    // -o naming the capture itself (here through a second name): refused,
    // the capture untouched.
    std::string cap = dir + "/in.rpcap", alias = dir + "/alias.rpcap";
    CHECK(system(("cp " + mlp_capture() + " " + cap + " && ln " + cap + " " + alias).c_str()) == 0);
    off_t size = file_size(cap);
    Result r = rramprof({ "export", cap, "-o", alias });
    LONGS_EQUAL_TEXT(2, r.code, show(r).c_str());
    CHECK_HAS(r.err, "is the capture itself");
    LONGS_EQUAL(size, file_size(cap));
    CHECK(read_capture(cap).complete);
    // A symlink as OUT: the trace goes where it points, the link stays.
    std::string target = dir + "/target.json", link = dir + "/link.json";
    CHECK(symlink(target.c_str(), link.c_str()) == 0);
    r = rramprof({ "export", cap, "-o", link });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    struct stat st;
    CHECK(lstat(link.c_str(), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK_PASSES(std::vector<std::string>({ "trace", target, "--min-events", "60000" }));
}

TEST(ReportExport, InfoReportsBytesTheDeviceLostOnItsLink)
{
    rp_counters_t c;
    memset(&c, 0, sizeof c);
    c.events_recorded = c.events_sent = 840;
    Result quiet = rramprof({ "info", nested_capture(dir, &c) });
    LONGS_EQUAL_TEXT(0, quiet.code, show(quiet).c_str());
    CHECK_HAS(quiet.out, "recorder   recorded 840");
    CHECK(!has(quiet.out, "link rx"));
    c.link_rx_lost = 3;
    Result lost = rramprof({ "info", nested_capture(dir, &c) });
    LONGS_EQUAL_TEXT(0, lost.code, show(lost).c_str());
    CHECK_HAS(lost.out, "link rx    the device lost 3 received byte(s) since boot");
}

TEST(ReportExport, NestedSpansComeOutSortedAndNested)
{
    std::string cap = nested_capture(dir);
    std::string t = dir + "/trace.json";
    Result r = rramprof({ "export", cap, "-o", t });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK(!has(r.out, "out of start order"));
    CHECK_PASSES(std::vector<std::string>({ "trace", t, "--min-events", "880" }));
    // Three levels on the spans track, parents written before children.
    STRCMP_EQUAL("400 outer inner leaf leaf\n",
                 trace_query(t, "sp=[e['name'] for e in d['traceEvents'] if e.get('cat')=='span']\n"
                                "print(len(sp), ' '.join(sp[:4]))")
                     .c_str());
    // The report names the spans.
    r = rramprof({ "report", cap, "-o", dir + "/run", "--format", "json" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string js = read_file(dir + "/run/summary.json");
    CHECK_HAS(js, "\"name\": \"outer\", \"op\": \"SPAN\", \"count\": 40,");
    CHECK_HAS(js, "\"name\": \"leaf\", \"op\": \"SPAN\", \"count\": 240,");
}

TEST(ReportExport, AnAbsurdClockStillGivesValidNumbers)
{
    // A corrupt Hello's clock (5e18 Hz) and a run of 4e10 ticks: ticks
    // times 10^9 no longer fit 64 bits (from 2^64 / 10^9 ticks on, which
    // the 19th outer span straddles in run time with this gap); every ts
    // and dur must still be a valid, non-negative JSON number.
    std::string cap = nested_capture(dir, nullptr, 5000000000000000000ull, 1024818824ull);
    std::string t = dir + "/trace.json";
    Result r = rramprof({ "export", cap, "-o", t });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    STRCMP_EQUAL("880 True\n",
                 trace_query(t, "ev=[e for e in d['traceEvents'] if e.get('ph')=='X']\n"
                                "print(len(ev), all(e['dur']>=0 and e['ts']>=0 for e in ev))")
                     .c_str());
}

TEST(ReportExport, TheNestingCheckCanFail)
{
    // A child that outlives its parent on one track, and a track with no name.
    std::string t = dir + "/bad.json";
    CHECK(write_file(t, "{\"traceEvents\":["
                        "{\"ph\":\"M\",\"pid\":1,\"tid\":2,\"name\":\"thread_name\",\"args\":{\"name\":\"spans\"}},"
                        "{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"name\":\"outer\",\"ts\":0,\"dur\":10},"
                        "{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"name\":\"inner\",\"ts\":5,\"dur\":10}]}"));
    CHECK_FAILS(std::vector<std::string>({ "trace", t }));
    CHECK(write_file(t, "{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":7,\"name\":\"a\",\"ts\":0,\"dur\":1}]}"));
    CHECK_FAILS(std::vector<std::string>({ "trace", t }));
    CHECK(write_file(t, "{\"traceEvents\":[}"));
    CHECK_FAILS(std::vector<std::string>({ "trace", t }));
}

TEST(ReportExport, EmptyCaptureGivesValidJson)
{
    // A capture with a header and no events (the device sent nothing).
    std::string cap = dir + "/none.rpcap";
    Result r = rramprof({ "capture", "--from", "exec:" + sim_bin() + " --transport stdio --quiet", "--duration", "0.3",
                          "--op-mask", "0x100", "-o", cap, "-q" });
    CHECK_TEXT(r.code == 0, show(r).c_str());
    std::string t = dir + "/trace.json";
    r = rramprof({ "export", cap, "-o", t });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_PASSES(std::vector<std::string>({ "trace", t }));
    CHECK_HAS(read_file(t), "\"traceEvents\":[");
}

TEST_GROUP(ReportBadInput)
{
    std::string dir;
    void setup() override { dir = scratch_dir(); }

    std::string copy_cut(off_t len, const std::string &name)
    {
        std::string out = dir + "/" + name;
        CHECK(write_file(out, read_file(mlp_capture()).substr(0, (size_t)len)));
        return out;
    }

    // Runs report -o; checks the exit, the message, and that every output
    // exists, checks out, and names what was not read.
    void expect(const std::string &file, int code, const std::string &msg, const std::string &problem)
    {
        std::string out = dir + "/run-" + std::to_string(code) + "-" + std::to_string(rand());
        Result r = rramprof({ "report", file, "-o", out });
        LONGS_EQUAL_TEXT(code, r.code, show(r).c_str());
        CHECK_HAS(r.err, msg);
        CHECK_HAS(r.out, "not read / caveats");
        CHECK_PASSES(std::vector<std::string>({ "json", out + "/summary.json" }));
        CHECK_PASSES(std::vector<std::string>({ "csv", out + "/metrics.csv" }));
        CHECK_PASSES(std::vector<std::string>(
            { "manifest", out, "report.html", "report.md", "summary.json", "metrics.csv" }));
        for (const char *n : { "report.html", "report.md", "summary.json" })
            CHECK_HAS(read_file(out + "/" + n), problem);
    }
};

TEST(ReportBadInput, Empty)
{
    std::string e = dir + "/empty.rpcap";
    CHECK(write_file(e, ""));
    expect(e, 7, "is empty: there is nothing to report", "the file is empty: nothing was read");
}

TEST(ReportBadInput, TruncatedIsReportedUpToTheCut)
{
    off_t size = file_size(mlp_capture());
    std::string cut = copy_cut(size / 2 + 7, "cut.rpcap");
    expect(cut, 7, "is damaged (truncated inside a chunk", "were not read");
    // The report covers the readable half: some events, fewer than all.
    std::string out = dir + "/cut-run";
    Result r = rramprof({ "report", cut, "-o", out, "--format", "json" });
    LONGS_EQUAL(7, r.code);
    CaptureFacts part = read_capture(cut);
    CHECK(part.events > 1000);
    CHECK_HAS(read_file(out + "/summary.json"), "\"events\": " + std::to_string(part.events) + ",");
    CHECK_HAS(read_file(out + "/summary.json"), "\"complete\": false");
}

TEST(ReportBadInput, CorruptChunk)
{
    std::string bad = copy_cut(file_size(mlp_capture()), "bad.rpcap");
    int fd = open(bad.c_str(), O_WRONLY);
    uint8_t x = 0xA5;
    CHECK(pwrite(fd, &x, 1, file_size(bad) * 2 / 3) == 1);
    close(fd);
    expect(bad, 7, "is damaged", "is corrupt");
}

TEST(ReportBadInput, FutureVersion)
{
    std::string fut = copy_cut(file_size(mlp_capture()), "future.rpcap");
    int fd = open(fut.c_str(), O_WRONLY);
    uint8_t v[2] = { 9, 0 };   // major version, little-endian, after the magic
    CHECK(pwrite(fd, v, 2, 8) == 2);
    close(fd);
    expect(fut, 9, "written by a newer rramprof (capture format 9.0", "capture format 9.0 is newer");
}

TEST(ReportBadInput, NotACaptureAndMissing)
{
    std::string text = dir + "/notes.txt";
    CHECK(write_file(text, "these are not the frames you are looking for\n"));
    expect(text, 7, "neither a capture file nor a recorded rramprof link stream", "nothing was read");
    Result r = rramprof({ "report", dir + "/missing.rpcap", "-o", dir + "/m" });
    LONGS_EQUAL_TEXT(1, r.code, show(r).c_str());
    CHECK_HAS(r.err, "No such file or directory");
    CHECK(file_size(dir + "/m/summary.json") < 0);
    // export: the same classes of input.
    r = rramprof({ "export", text, "-o", dir + "/t.json" });
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_PASSES(std::vector<std::string>({ "trace", dir + "/t.json" }));
    r = rramprof({ "export", dir + "/missing.rpcap", "-o", dir + "/t2.json" });
    LONGS_EQUAL_TEXT(1, r.code, show(r).c_str());
    std::string cut = copy_cut(file_size(mlp_capture()) / 2 + 7, "cut.rpcap");
    r = rramprof({ "export", cut, "-o", dir + "/t3.json" });
    LONGS_EQUAL_TEXT(7, r.code, show(r).c_str());
    CHECK_HAS(r.err, "were exported, the rest was not read");
    CHECK_PASSES(std::vector<std::string>({ "trace", dir + "/t3.json", "--min-events", "1000" }));
}

TEST_GROUP(ReportDemo){};

TEST(ReportDemo, EndsWithTheReport)
{
    std::string dir = scratch_dir() + "/demo";
    Result r = rramprof({ "demo", "-o", dir });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_HAS(r.out, "== rramprof report " + dir + "/demo.rpcap -o " + dir + "/report");
    CHECK_HAS(r.out, "PRIMARY BOTTLENECK: ");
    CHECK_HAS(r.out, "open " + dir + "/report/report.html");
    CHECK_PASSES(std::vector<std::string>(
        { "manifest", dir + "/report", "report.html", "report.md", "summary.json", "metrics.csv" }));
    // A second run replaces the report.
    r = rramprof({ "demo", "-o", dir });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
}

#ifdef RP_CHROMIUM
TEST_GROUP(ReportHtml)
{
    std::string dir;
    void setup() override { dir = scratch_dir(); }
};

TEST(ReportHtml, RendersInHeadlessChromiumWithoutConsoleErrors)
{
    std::string out = dir + "/run";
    Result r = rramprof({ "report", mlp_capture(), "-o", out, "--format", "html" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    CHECK_PASSES(std::vector<std::string>({ "html", out + "/report.html", "--chromium", RP_CHROMIUM }));
}

TEST(ReportHtml, ReportsOfDamagedInputRenderToo)
{
    std::string e = dir + "/empty.rpcap";
    CHECK(write_file(e, ""));
    Result r = rramprof({ "report", e, "-o", dir + "/e", "--format", "html" });
    LONGS_EQUAL(7, r.code);
    CHECK_PASSES(std::vector<std::string>({ "html", dir + "/e/report.html", "--chromium", RP_CHROMIUM,
                                            "--no-charts" }));
}

TEST(ReportHtml, TheCheckCatchesABrokenChart)
{
    // The same page with one SVG path whose d attribute is not a number:
    // Chromium logs an error on the console and the check must fail.
    std::string out = dir + "/run";
    Result r = rramprof({ "report", mlp_capture(), "-o", out, "--format", "html" });
    LONGS_EQUAL_TEXT(0, r.code, show(r).c_str());
    std::string html = read_file(out + "/report.html");
    size_t at = html.find("</svg>");
    CHECK(at != std::string::npos);
    html.insert(at, "<path d=\"M 0,0 L x,y\" stroke=\"#000\"/>");
    CHECK(write_file(dir + "/broken.html", html));
    Result c = checker({ "html", dir + "/broken.html", "--chromium", RP_CHROMIUM });
    LONGS_EQUAL_TEXT(1, c.code, show(c).c_str());
    CHECK_HAS(c.err, "attribute d: Expected number");
}
#endif
