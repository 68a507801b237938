// Nominal array timing (ArrayInfo fields 10..17) end to end on the host:
// the decoder puts them in rp_hello_t, the session copies them into
// rp_device_info_t, `rramprof info` prints them; a Hello from an older
// device (fields absent) reads as 0 = unknown.
#include <CppUTest/TestHarness.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "rramprof.pb-c.h"
#include "rramprof/rp_decode.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_session.h"
#include "rramprof/rp_status.h"

extern "C" {
#include "report.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

// A Hello with every timing field set to a distinct value, some past 32 bits.
rp_hello_t timed_hello()
{
    rp_hello_t h = {};
    h.board = "sim";
    h.firmware_version = "1.0";
    h.clock_hz = 100000000;
    h.timer_bits = 64;
    h.array.tiles = 2;
    h.array.rows = 64;
    h.array.cols = 64;
    h.array.model = "sim:testchip";
    h.array.write_pulse_ps = 500000;
    h.array.write_setup_ps = 2000000;
    h.array.write_parallel_cols = 8;
    h.array.read_latency_ps = 1000000;
    h.array.adc_conversion_ps = 10000000000ull;   // 10 ms: beyond 32 bits
    h.array.dac_settle_ps = 500001;
    h.array.interface_overhead_ps = 4000000;
    h.array.interface_bytes_per_s = 2500000;
    h.boot_id = 7;
    return h;
}

Bytes encode(const rp_hello_t &h)
{
    uint8_t buf[1024];
    size_t n = rp_encode_hello(&h, buf, sizeof buf);
    CHECK(n > 0);
    return Bytes(buf, buf + n);
}

std::string print_device(const rp_device_info_t *d)
{
    char *text = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(f != nullptr);
    rp_cli_print_device(f, d);
    fclose(f);
    std::string s(text, len);
    free(text);
    return s;
}

}  // namespace

TEST_GROUP(array_timing)
{
    rp_decoder_t *d = nullptr;
    rp_session_t *s = nullptr;

    void setup() override
    {
        d = rp_decoder_create();
        s = rp_session_create(nullptr);
        CHECK(d != nullptr && s != nullptr);
    }
    void teardown() override
    {
        rp_session_destroy(s);
        rp_decoder_destroy(d);
    }
    rp_msg_t decode(const Bytes &p)
    {
        rp_msg_t m;
        LONGS_EQUAL(RP_OK, rp_decoder_decode(d, p.data(), p.size(), &m));
        LONGS_EQUAL(RP_FRAME_HELLO, m.kind);
        return m;
    }
};

TEST(array_timing, decoder_and_session_carry_every_field)
{
    rp_hello_t h = timed_hello();
    rp_msg_t m = decode(encode(h));
    const rp_array_info_t &a = m.u.hello.array;
    UNSIGNED_LONGLONGS_EQUAL(h.array.write_pulse_ps, a.write_pulse_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.write_setup_ps, a.write_setup_ps);
    UNSIGNED_LONGS_EQUAL(h.array.write_parallel_cols, a.write_parallel_cols);
    UNSIGNED_LONGLONGS_EQUAL(h.array.read_latency_ps, a.read_latency_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.adc_conversion_ps, a.adc_conversion_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.dac_settle_ps, a.dac_settle_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.interface_overhead_ps, a.interface_overhead_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.interface_bytes_per_s, a.interface_bytes_per_s);

    LONGS_EQUAL(RP_OK, rp_session_apply(s, &m));
    const rp_device_info_t *dev = rp_session_device(s);
    CHECK_TRUE(dev->valid);
    UNSIGNED_LONGLONGS_EQUAL(h.array.write_pulse_ps, dev->write_pulse_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.write_setup_ps, dev->write_setup_ps);
    UNSIGNED_LONGS_EQUAL(h.array.write_parallel_cols, dev->write_parallel_cols);
    UNSIGNED_LONGLONGS_EQUAL(h.array.read_latency_ps, dev->read_latency_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.adc_conversion_ps, dev->adc_conversion_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.dac_settle_ps, dev->dac_settle_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.interface_overhead_ps, dev->interface_overhead_ps);
    UNSIGNED_LONGLONGS_EQUAL(h.array.interface_bytes_per_s, dev->interface_bytes_per_s);
}

TEST(array_timing, fields_packed_by_protobuf_c_decode_too)
{
    // Independent of the firmware encoder: the generated packer.
    Rramprof__V1__ArrayInfo a = RRAMPROF__V1__ARRAY_INFO__INIT;
    a.tiles = 1;
    a.write_pulse_ps = 11;
    a.write_setup_ps = 12;
    a.write_parallel_cols = 13;
    a.read_latency_ps = 14;
    a.adc_conversion_ps = 15;
    a.dac_settle_ps = 16;
    a.interface_overhead_ps = 17;
    a.interface_bytes_per_s = 1ull << 40;
    Rramprof__V1__Hello h = RRAMPROF__V1__HELLO__INIT;
    h.array = &a;
    Rramprof__V1__Frame f = RRAMPROF__V1__FRAME__INIT;
    f.body_case = RRAMPROF__V1__FRAME__BODY_HELLO;
    f.hello = &h;
    Bytes p(rramprof__v1__frame__get_packed_size(&f));
    rramprof__v1__frame__pack(&f, p.data());
    rp_msg_t m = decode(p);
    LONGS_EQUAL(RP_OK, rp_session_apply(s, &m));
    const rp_device_info_t *dev = rp_session_device(s);
    UNSIGNED_LONGLONGS_EQUAL(11, dev->write_pulse_ps);
    UNSIGNED_LONGLONGS_EQUAL(12, dev->write_setup_ps);
    UNSIGNED_LONGS_EQUAL(13, dev->write_parallel_cols);
    UNSIGNED_LONGLONGS_EQUAL(14, dev->read_latency_ps);
    UNSIGNED_LONGLONGS_EQUAL(15, dev->adc_conversion_ps);
    UNSIGNED_LONGLONGS_EQUAL(16, dev->dac_settle_ps);
    UNSIGNED_LONGLONGS_EQUAL(17, dev->interface_overhead_ps);
    UNSIGNED_LONGLONGS_EQUAL(1ull << 40, dev->interface_bytes_per_s);
}

TEST(array_timing, older_device_without_timing_reads_as_unknown)
{
    // A session that saw a timed Hello, then a device without the fields
    // (its next boot): nothing stale may remain.
    rp_msg_t m = decode(encode(timed_hello()));
    LONGS_EQUAL(RP_OK, rp_session_apply(s, &m));
    rp_hello_t old = timed_hello();
    old.boot_id = 8;
    old.array.write_pulse_ps = old.array.write_setup_ps = old.array.read_latency_ps = 0;
    old.array.adc_conversion_ps = old.array.dac_settle_ps = 0;
    old.array.interface_overhead_ps = old.array.interface_bytes_per_s = 0;
    old.array.write_parallel_cols = 0;
    m = decode(encode(old));
    LONGS_EQUAL(RP_OK, rp_session_apply(s, &m));
    const rp_device_info_t *dev = rp_session_device(s);
    UNSIGNED_LONGLONGS_EQUAL(8, dev->boot_id);
    UNSIGNED_LONGLONGS_EQUAL(0, dev->write_pulse_ps);
    UNSIGNED_LONGLONGS_EQUAL(0, dev->adc_conversion_ps);
    UNSIGNED_LONGS_EQUAL(0, dev->write_parallel_cols);
    UNSIGNED_LONGLONGS_EQUAL(0, dev->interface_bytes_per_s);
    CHECK(print_device(dev).find("timing") == std::string::npos);
}

TEST(array_timing, info_prints_a_timing_line)
{
    rp_msg_t m = decode(encode(timed_hello()));
    LONGS_EQUAL(RP_OK, rp_session_apply(s, &m));
    std::string out = print_device(rp_session_device(s));
    size_t at = out.find("timing     ");
    CHECK_TEXT(at != std::string::npos, out.c_str());
    std::string line = out.substr(at, out.find('\n', at) - at);
    STRCMP_EQUAL("timing     write pulse 500.0 ns + setup 2.000 us (8 cols/pulse), read 1.000 us, "
                 "ADC 10.000 ms, DAC 500.0 ns, bus 4.000 us + 2.5 MB/s",
                 line.c_str());

    // Fields the device left out print as unknown.
    rp_device_info_t partial = *rp_session_device(s);
    partial.dac_settle_ps = 0;
    partial.interface_bytes_per_s = 0;
    out = print_device(&partial);
    CHECK_TEXT(out.find("DAC ?, bus 4.000 us + ? MB/s") != std::string::npos, out.c_str());
}

TEST(array_timing, device_strings_print_without_escapes_or_bad_utf8)
{
    rp_msg_t m = decode(encode(timed_hello()));
    LONGS_EQUAL(RP_OK, rp_session_apply(s, &m));
    rp_device_info_t d = *rp_session_device(s);
    // A terminal escape and a byte that is not UTF-8, as a device may send.
    snprintf(d.board, sizeof d.board, "x\x1b[31mred\xff");
    snprintf(d.model, sizeof d.model, "m\x07");
    snprintf(d.workloads[0], sizeof d.workloads[0], "w\x1b");
    d.workload_count = 1;
    std::string out = print_device(&d);
    CHECK_TEXT(out.find('\x1b') == std::string::npos, out.c_str());
    CHECK_TEXT(out.find('\x07') == std::string::npos, out.c_str());
    CHECK_TEXT(out.find("board x [31mred\xef\xbf\xbd,") != std::string::npos, out.c_str());
    CHECK_TEXT(out.find("array      m : ") != std::string::npos, out.c_str());
    CHECK_TEXT(out.find("workloads  w \n") != std::string::npos, out.c_str());
}
