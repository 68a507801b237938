// Framing: COBS + CRC-32 encoder and the streaming deframer.
//
// Round trips over awkward payloads, byte-exact known frames, and every kind
// of damage a link can do; after each the next intact frame must decode and
// the deframer's statistics must account for every byte.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "rramprof/rp_config.h"
#include "rramprof/rp_crc32.h"
#include "rramprof/rp_frame.h"
#include "../../firmware/src/rp_crc32_priv.h"

// CppUTest last: its leak-detector macros redefine new.
#include <CppUTest/TestHarness.h>

namespace {

using Bytes = std::vector<uint8_t>;

Bytes frame_of(const Bytes &payload)
{
    Bytes out(RP_FRAME_ENCODED_MAX(payload.size()) + 8, 0xA5);
    size_t n = rp_frame_encode(payload.data(), payload.size(), out.data(), out.size() - 8);
    CHECK(n > 0);
    for (size_t i = n; i < out.size(); i++) {
        BYTES_EQUAL(0xA5, out[i]);  // nothing written past the frame
    }
    out.resize(n);
    return out;
}

// Classic COBS decoder, written independently of the code under test.
Bytes ref_cobs_decode(const Bytes &enc)
{
    Bytes out;
    size_t i = 0;
    size_t n = enc.size() - 1;  // without the delimiter
    while (i < n) {
        uint8_t code = enc[i++];
        for (uint8_t k = 1; k < code && i < n; k++) {
            out.push_back(enc[i++]);
        }
        if (code < 0xFF && i < n) {
            out.push_back(0);
        }
    }
    return out;
}

// Plain COBS + CRC encoder, one byte at a time, to pin the word-wise fast
// path of rp_frame_encode to the exact same bytes.
Bytes ref_frame(const Bytes &payload)
{
    Bytes body = payload;
    uint32_t crc = rp_crc32(payload.data(), payload.size());
    for (unsigned k = 0; k < 4; k++) {
        body.push_back((uint8_t)(crc >> (8 * k)));
    }
    Bytes out(1, 0);
    size_t code_at = 0;
    for (uint8_t b : body) {
        if (b != 0) {
            out.push_back(b);
        }
        if (b == 0 || out.size() - code_at == 0xFF) {
            out[code_at] = (uint8_t)(out.size() - code_at);
            code_at = out.size();
            out.push_back(0);
        }
    }
    out[code_at] = (uint8_t)(out.size() - code_at);
    out.push_back(0);
    return out;
}

// The frame through the fused word loop with the table CRC: the only path
// off x86-64, and the one of short payloads and older CPUs there.
Bytes portable_frame_of(const Bytes &payload)
{
    rp_crc32_force_portable(true);
    Bytes f = frame_of(payload);
    rp_crc32_force_portable(false);
    return f;
}

// Both paths, and the byte-at-a-time reference, agree on payload.
void check_both_paths(const Bytes &payload)
{
    Bytes fast = frame_of(payload);
    CHECK(fast == ref_frame(payload));
    CHECK(fast == portable_frame_of(payload));
}

// Positions of the COBS code bytes in an encoded frame.
std::vector<bool> code_positions(const Bytes &enc)
{
    std::vector<bool> is_code(enc.size(), false);
    size_t i = 0;
    while (i + 1 < enc.size()) {
        is_code[i] = true;
        i += enc[i];
    }
    return is_code;
}

Bytes random_bytes(std::mt19937 &rng, size_t n)
{
    Bytes b(n);
    for (auto &x : b) {
        x = (uint8_t)rng();
    }
    return b;
}

// Receiver: a deframer plus a log of what it produced.
struct Rx {
    Bytes buf;
    rp_deframer_t d;
    std::vector<Bytes> frames;
    std::vector<rp_deframe_result_t> errors;
    uint64_t good_bytes = 0;  // encoded bytes (with delimiter) of good frames
    size_t pending = 0;       // bytes fed since the last delimiter

    explicit Rx(size_t max_payload = RP_FRAME_MAX_PAYLOAD) : buf(max_payload + RP_FRAME_CRC_LEN)
    {
        rp_deframer_init(&d, buf.data(), buf.size());
    }

    void feed(const Bytes &bytes)
    {
        for (uint8_t b : bytes) {
            pending++;
            rp_deframe_result_t r = rp_deframer_feed(&d, b);
            if (r == RP_DEFRAME_FRAME) {
                const uint8_t *p = rp_deframer_payload(&d);
                frames.emplace_back(p, p + rp_deframer_payload_len(&d));
                good_bytes += pending;
            } else if (r != RP_DEFRAME_NONE) {
                errors.push_back(r);
            }
            if (b == 0) {
                pending = 0;
            }
        }
    }

    uint64_t error_count() const
    {
        const rp_deframer_stats_t &s = d.stats;
        return s.crc_errors + s.cobs_errors + s.oversize + s.short_frames;
    }

    // Every byte fed is either in a good frame, discarded, or in the frame
    // still open.
    void check_accounting() const
    {
        const rp_deframer_stats_t &s = d.stats;
        UNSIGNED_LONGS_EQUAL(s.bytes, good_bytes + s.discarded_bytes + s.empty_frames + pending);
        UNSIGNED_LONGS_EQUAL(frames.size(), s.frames);
        UNSIGNED_LONGS_EQUAL(errors.size(), error_count());
    }
};

}  // namespace

TEST_GROUP(frame_encode){};

TEST(frame_encode, empty_payload_is_the_crc_of_nothing)
{
    // CRC of no bytes is 0, so the body is four zeros: four empty blocks.
    Bytes expect = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x00 };
    Bytes got = frame_of({});
    CHECK(expect == got);
}

TEST(frame_encode, check_string_known_bytes)
{
    Bytes payload = { '1', '2', '3', '4', '5', '6', '7', '8', '9' };
    // CRC 0xCBF43926 little-endian, no zero anywhere: one block of 13.
    Bytes expect = { 0x0E, '1', '2', '3', '4', '5', '6', '7', '8', '9', 0x26, 0x39, 0xF4, 0xCB, 0x00 };
    CHECK(expect == frame_of(payload));
}

TEST(frame_encode, single_zero_known_bytes)
{
    // CRC("\0") = 0xD202EF8D.
    Bytes expect = { 0x01, 0x05, 0x8D, 0xEF, 0x02, 0xD2, 0x00 };
    CHECK(expect == frame_of({ 0x00 }));
}

TEST(frame_encode, refuses_buffer_below_worst_case)
{
    Bytes payload(300, 0x11);
    Bytes out(RP_FRAME_ENCODED_MAX(payload.size()));
    UNSIGNED_LONGS_EQUAL(0, rp_frame_encode(payload.data(), payload.size(), out.data(), out.size() - 1));
    CHECK(rp_frame_encode(payload.data(), payload.size(), out.data(), out.size()) > 0);
    UNSIGNED_LONGS_EQUAL(0, rp_frame_encode(nullptr, 5, out.data(), out.size()));
    UNSIGNED_LONGS_EQUAL(0, rp_frame_encode(payload.data(), 5, nullptr, 100));
}

TEST(frame_encode, same_bytes_as_a_byte_at_a_time_encoder)
{
    // Zeros at every position around word and block boundaries.
    for (size_t n : { 7u, 8u, 9u, 15u, 16u, 17u, 245u, 246u, 247u, 248u, 249u, 250u, 251u, 252u, 253u, 254u, 255u, 256u, 300u, 509u, 510u }) {
        Bytes p(n, 0x5C);
        CHECK(frame_of(p) == ref_frame(p));
        for (size_t z = 0; z < n; z++) {
            Bytes q = p;
            q[z] = 0;
            CHECK(frame_of(q) == ref_frame(q));
            if (z + 9 < n) {
                q[z + 9] = 0;
                CHECK(frame_of(q) == ref_frame(q));
            }
        }
    }
    std::mt19937 rng(17);
    for (int i = 0; i < 3000; i++) {
        Bytes p = random_bytes(rng, rng() % 1100);
        unsigned density = rng() % 4;  // 0: few zeros .. 3: many
        for (auto &b : p) {
            if (density == 0 && b == 0) {
                b = 1;
            } else if (density == 3 && rng() % 3 == 0) {
                b = 0;
            }
        }
        CHECK(frame_of(p) == ref_frame(p));
    }
}

TEST(frame_encode, every_zero_pattern_of_a_word_at_every_position)
{
    // The word path encodes a word's zeros from a table indexed by their
    // pattern, and links the word's first zero to the open block: every
    // pattern, after every number of non-zero bytes up to past a full
    // block (all alignments, and blocks closing just before, inside and
    // after the word), with more bytes and a second pattern behind it.
    for (unsigned m = 0; m < 256; m++) {
        for (size_t lead = 0; lead <= 270; lead++) {
            Bytes p(lead, 0x3C);
            for (unsigned k = 0; k < 8; k++) {
                p.push_back((m >> k) & 1u ? 0x00 : (uint8_t)(0x41 + k));
            }
            for (unsigned k = 0; k < 8; k++) {
                p.push_back((m >> (7 - k)) & 1u ? 0x00 : 0x7E);
            }
            p.insert(p.end(), 19, 0x5A);
            CHECK(frame_of(p) == ref_frame(p));
        }
    }
}

TEST(frame_encode, zero_bytes_in_the_crc_at_every_position)
{
    // The CRC goes out as one word while the open block has room for it,
    // byte by byte otherwise: payloads whose CRC has a zero byte at each
    // position, after open blocks of every length around that limit.
    for (size_t lead : { 0u, 1u, 7u, 8u, 100u, 244u, 245u, 246u, 247u, 248u, 249u, 250u, 251u,
                         252u, 253u, 254u, 255u, 256u, 257u, 300u }) {
        for (unsigned k = 0; k < 4; k++) {
            Bytes p(lead + 4, 0x11);
            bool found = false;
            for (uint32_t i = 1; i < 100000 && !found; i++) {
                for (unsigned b = 0; b < 4; b++) {
                    p[lead + b] = (uint8_t)((i >> (8 * b)) | 0x01);  // no zeros in the payload
                }
                found = ((rp_crc32(p.data(), p.size()) >> (8 * k)) & 0xFFu) == 0;
            }
            CHECK(found);
            CHECK(frame_of(p) == ref_frame(p));
        }
    }
}

TEST(frame_encode, any_alignment_of_payload_and_output)
{
    // The word loops load and store unaligned words: payload and frame at
    // every offset from a word boundary give the same bytes.
    std::mt19937 rng(19);
    Bytes p = random_bytes(rng, 300);
    for (size_t i = 0; i < p.size(); i += 5) {
        p[i] = 0;
    }
    Bytes want = ref_frame(p);
    Bytes in(p.size() + 8), out(RP_FRAME_ENCODED_MAX(p.size()) + 8);
    for (size_t in_off = 0; in_off < 8; in_off++) {
        std::copy(p.begin(), p.end(), in.begin() + (long)in_off);
        for (size_t out_off = 0; out_off < 8; out_off++) {
            size_t n = rp_frame_encode(in.data() + in_off, p.size(), out.data() + out_off,
                                       out.size() - out_off);
            UNSIGNED_LONGS_EQUAL(want.size(), n);
            CHECK(Bytes(out.begin() + (long)out_off, out.begin() + (long)(out_off + n)) == want);
        }
    }
}

TEST(frame_encode, structure_and_reference_decode_over_many_shapes)
{
    std::mt19937 rng(7);
    std::vector<size_t> lens;
    for (size_t n = 0; n <= 300; n++) {
        lens.push_back(n);
    }
    for (size_t n : { 500u, 503u, 504u, 505u, 506u, 507u, 508u, 509u, 510u, 760u, 1019u, 1020u, 1021u, 1024u, 4000u }) {
        lens.push_back(n);
    }
    for (size_t n : lens) {
        for (int pattern = 0; pattern < 4; pattern++) {
            Bytes p = random_bytes(rng, n);
            for (size_t i = 0; i < n; i++) {
                if (pattern == 1) {
                    p[i] = 0x00;
                } else if (pattern == 2) {
                    p[i] = 0xFF;
                } else if (pattern == 3 && p[i] == 0) {
                    p[i] = 1;  // no zeros: the longest blocks
                }
            }
            Bytes enc = frame_of(p);
            CHECK(enc.size() <= RP_FRAME_ENCODED_MAX(n));
            BYTES_EQUAL(0x00, enc.back());
            for (size_t i = 0; i + 1 < enc.size(); i++) {
                CHECK(enc[i] != 0x00);
            }
            Bytes body = ref_cobs_decode(enc);
            UNSIGNED_LONGS_EQUAL(n + 4, body.size());
            CHECK(Bytes(body.begin(), body.begin() + (long)n) == p);
            uint32_t crc = rp_crc32(p.data(), p.size());
            for (unsigned k = 0; k < 4; k++) {
                BYTES_EQUAL((uint8_t)(crc >> (8 * k)), body[n + k]);
            }
        }
    }
}

// On x86-64 with PCLMULQDQ, payloads of RP_CRC32_CLMUL_MIN bytes or more
// take a CRC pass and a COBS pass 16 bytes at a time (prv_cobs_wide); the
// frames must be the very bytes of the fused word loop.
TEST_GROUP(frame_paths)
{
    void teardown() override { rp_crc32_force_portable(false); }
};

TEST(frame_paths, same_bytes_as_the_portable_path_every_length)
{
    std::mt19937 rng(23);
    for (size_t n = 0; n <= 1100; n++) {
        for (unsigned density = 0; density < 4; density++) {
            Bytes p = random_bytes(rng, n);
            for (auto &b : p) {
                if (density == 0 && b == 0) {
                    b = 1;  // no zeros: blocks of 254
                } else if (density == 2 && rng() % 6 == 0) {
                    b = 0;  // about as many as in real batches
                } else if (density == 3 && rng() % 2 == 0) {
                    b = 0;
                }
            }
            check_both_paths(p);
        }
    }
}

TEST(frame_paths, every_zero_pattern_of_a_chunk_at_every_alignment)
{
    // Zeros in either half of a 16-byte chunk, both, or neither, after
    // every lead (so at every offset from the chunk grid) and before tails
    // of every length, where the last bytes are encoded as an overlapping
    // chunk.
    std::mt19937 rng(29);
    const uint8_t halves[] = { 0x00, 0x01, 0x80, 0x81, 0xFF, 0x55, 0xAA, 0x10, 0x0F, 0xF0, 0x18 };
    std::vector<unsigned> patterns;
    for (uint8_t lo : halves) {
        for (uint8_t hi : halves) {
            patterns.push_back((unsigned)hi << 8 | lo);
        }
    }
    for (int k = 0; k < 32; k++) {
        patterns.push_back(rng() & 0xFFFFu);
    }
    for (unsigned m : patterns) {
        for (size_t lead = 0; lead < 34; lead++) {
            for (size_t tail : { 0u, 1u, 7u, 8u, 9u, 15u, 16u, 17u, 31u }) {
                Bytes p(lead, 0x3C);
                for (unsigned k = 0; k < 16; k++) {
                    p.push_back((m >> k) & 1u ? 0x00 : (uint8_t)(0x41 + k));
                }
                for (size_t k = 0; k < tail; k++) {
                    p.push_back((m >> (k % 16)) & 1u ? 0x00 : 0x7E);
                }
                check_both_paths(p);
            }
        }
    }
}

TEST(frame_paths, blocks_filling_at_every_offset)
{
    // Runs without zeros that fill a block (254 data bytes) at every
    // position of a chunk and of the last bytes, with and without a zero
    // just before, at or after the point where the block fills.
    for (size_t lead = 0; lead < 20; lead++) {
        for (size_t run = 236; run <= 272; run++) {
            for (size_t tail = 0; tail < 20; tail++) {
                Bytes p(lead, 0x00);
                p.insert(p.end(), run, 0x5A);
                p.insert(p.end(), tail, 0xA5);
                check_both_paths(p);
                if (tail > 0) {
                    p[lead + run] = 0x00;  // a zero right after the run
                    check_both_paths(p);
                }
                p[lead + run - 1] = 0x00;  // a zero at the run's last byte
                check_both_paths(p);
            }
        }
    }
    // Long runs: several full blocks in a row, then every tail.
    for (size_t n = 500; n <= 1100; n += 17) {
        check_both_paths(Bytes(n, 0x77));
    }
}

TEST(frame_paths, the_folded_crc_is_used_where_the_cpu_allows)
{
    // What rp_frame_encode consults; fails if the dispatch never takes the
    // folding on a CPU that has it (x86-64 builds but RP_CONFIG_SMALL).
#if RP_CRC32_CLMUL
    bool can = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#else
    bool can = false;
#endif
    CHECK_EQUAL(can, rp_crc32_fast(RP_CRC32_CLMUL_MIN));
    CHECK_FALSE(rp_crc32_fast(RP_CRC32_CLMUL_MIN - 1));
}

TEST_GROUP(deframer){};

TEST(deframer, round_trip_many_shapes_back_to_back)
{
    std::mt19937 rng(11);
    Rx rx(5000);
    std::vector<Bytes> sent;
    Bytes stream;
    for (size_t n : { 0u, 1u, 2u, 3u, 4u, 5u, 252u, 253u, 254u, 255u, 256u, 257u, 506u, 507u, 508u, 509u, 1024u, 4999u, 5000u }) {
        for (int pattern = 0; pattern < 3; pattern++) {
            Bytes p = random_bytes(rng, n);
            if (pattern == 1) {
                std::fill(p.begin(), p.end(), 0x00);
            } else if (pattern == 2) {
                std::fill(p.begin(), p.end(), 0xFF);
            }
            sent.push_back(p);
            Bytes f = frame_of(p);
            stream.insert(stream.end(), f.begin(), f.end());
        }
    }
    rx.feed(stream);
    UNSIGNED_LONGS_EQUAL(sent.size(), rx.frames.size());
    for (size_t i = 0; i < sent.size(); i++) {
        CHECK(sent[i] == rx.frames[i]);
    }
    UNSIGNED_LONGS_EQUAL(0, rx.error_count());
    UNSIGNED_LONGS_EQUAL(0, rx.d.stats.discarded_bytes);
    UNSIGNED_LONGS_EQUAL(stream.size(), rx.d.stats.bytes);
    rx.check_accounting();
}

TEST(deframer, random_payloads_round_trip)
{
    std::mt19937 rng(12);
    Rx rx;
    for (int i = 0; i < 2000; i++) {
        Bytes p = random_bytes(rng, rng() % (RP_FRAME_MAX_PAYLOAD + 1));
        // Bias towards zero-rich data like protobuf varints of small values.
        if (i % 3 == 0) {
            for (auto &b : p) {
                b &= 0x03;
            }
        }
        rx.feed(frame_of(p));
        CHECK(rx.frames.back() == p);
    }
    UNSIGNED_LONGS_EQUAL(2000, rx.d.stats.frames);
    rx.check_accounting();
}

TEST(deframer, payload_exactly_fills_buffer_and_one_more_is_oversize)
{
    const size_t max = 64;
    Rx rx(max);
    Bytes ok(max, 0x42);
    Bytes big(max + 1, 0x42);
    Bytes next = { 1, 2, 3 };
    Bytes f_big = frame_of(big);
    rx.feed(frame_of(ok));
    rx.feed(f_big);
    rx.feed(frame_of(next));
    UNSIGNED_LONGS_EQUAL(2, rx.frames.size());
    CHECK(rx.frames[0] == ok);
    CHECK(rx.frames[1] == next);
    UNSIGNED_LONGS_EQUAL(1, rx.errors.size());
    LONGS_EQUAL(RP_DEFRAME_ERR_OVERSIZE, rx.errors[0]);
    UNSIGNED_LONGS_EQUAL(1, rx.d.stats.oversize);
    UNSIGNED_LONGS_EQUAL(f_big.size(), rx.d.stats.discarded_bytes);
    rx.check_accounting();
}

TEST(deframer, a_zero_implied_past_the_buffer_is_oversize)
{
    // The buffer holds an empty payload and its CRC (four zeros, four
    // empty blocks); a fifth empty block implies a fifth zero, stored past
    // the end only when the frame goes on: that frame is oversize, and the
    // ones on either side decode.
    Rx rx(0);
    Bytes exact = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x00 };
    Bytes over = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00 };
    CHECK(exact == frame_of({}));
    rx.feed(exact);
    rx.feed(over);
    rx.feed(exact);
    UNSIGNED_LONGS_EQUAL(2, rx.frames.size());
    UNSIGNED_LONGS_EQUAL(0, rx.frames[1].size());
    UNSIGNED_LONGS_EQUAL(1, rx.errors.size());
    LONGS_EQUAL(RP_DEFRAME_ERR_OVERSIZE, rx.errors[0]);
    UNSIGNED_LONGS_EQUAL(over.size(), rx.d.stats.discarded_bytes);
    rx.check_accounting();
}

TEST(deframer, full_blocks_up_to_the_buffer_end)
{
    // Payloads without zeros fill blocks of 254 data bytes (code 0xFF, no
    // implied zero): bodies (payload and CRC) around one and two full
    // blocks, into a buffer of exactly their size and one byte short.
    std::mt19937 rng(4);
    for (size_t n : { 249u, 250u, 251u, 254u, 500u, 504u, 505u, 506u }) {
        Bytes p = random_bytes(rng, n);
        for (auto &b : p) {
            b |= 1u;
        }
        Rx fits(n), short_by_one(n - 1);
        Bytes f = frame_of(p);
        fits.feed(f);
        short_by_one.feed(f);
        UNSIGNED_LONGS_EQUAL(1, fits.frames.size());
        CHECK(fits.frames[0] == p);
        UNSIGNED_LONGS_EQUAL(0, short_by_one.frames.size());
        UNSIGNED_LONGS_EQUAL(1, short_by_one.d.stats.oversize);
        fits.check_accounting();
        short_by_one.check_accounting();
    }
}

TEST(deframer, endless_garbage_without_delimiter_is_one_oversize)
{
    Rx rx(64);
    Bytes junk(10000, 0x37);
    junk.push_back(0x00);
    rx.feed(junk);
    rx.feed(frame_of({ 9, 9 }));
    UNSIGNED_LONGS_EQUAL(1, rx.frames.size());
    UNSIGNED_LONGS_EQUAL(1, rx.d.stats.oversize);
    UNSIGNED_LONGS_EQUAL(10001, rx.d.stats.discarded_bytes);
    rx.check_accounting();
}

TEST(deframer, every_data_bit_flip_is_a_crc_error)
{
    Bytes p = { 0x10, 0x00, 0x20, 0x30, 0x00, 0x00, 0x40, 0xFF };
    Bytes f = frame_of(p);
    std::vector<bool> is_code = code_positions(f);
    Bytes next = { 0xAB, 0x00 };
    Rx rx;
    uint64_t expect_crc = 0, expect_discarded = 0;
    for (size_t i = 0; i + 1 < f.size(); i++) {
        if (is_code[i]) {
            continue;
        }
        for (int bit = 0; bit < 8; bit++) {
            Bytes bad = f;
            bad[i] ^= (uint8_t)(1u << bit);
            if (bad[i] == 0) {
                continue;  // that would be a delimiter, not a flip
            }
            size_t frames_before = rx.frames.size();
            rx.feed(bad);
            rx.feed(frame_of(next));
            expect_crc++;
            expect_discarded += bad.size();
            UNSIGNED_LONGS_EQUAL(frames_before + 1, rx.frames.size());
            CHECK(rx.frames.back() == next);
            LONGS_EQUAL(RP_DEFRAME_ERR_CRC, rx.errors.back());
        }
    }
    CHECK(expect_crc > 40);
    UNSIGNED_LONGS_EQUAL(expect_crc, rx.d.stats.crc_errors);
    UNSIGNED_LONGS_EQUAL(0, rx.d.stats.cobs_errors + rx.d.stats.short_frames + rx.d.stats.oversize);
    UNSIGNED_LONGS_EQUAL(expect_discarded, rx.d.stats.discarded_bytes);
    rx.check_accounting();
}

TEST(deframer, dropped_byte_in_a_single_block_is_a_cobs_error)
{
    // No zero in the payload nor in its CRC: one block, so losing any data
    // byte leaves the block unfinished at the delimiter.
    Bytes p = { '1', '2', '3', '4', '5', '6', '7', '8', '9' };
    Bytes f = frame_of(p);
    UNSIGNED_LONGS_EQUAL(15, f.size());
    Rx rx;
    for (size_t i = 1; i + 1 < f.size(); i++) {
        Bytes bad = f;
        bad.erase(bad.begin() + (long)i);
        rx.feed(bad);
        rx.feed(frame_of(p));
        LONGS_EQUAL(RP_DEFRAME_ERR_COBS, rx.errors.back());
        CHECK(rx.frames.back() == p);
    }
    UNSIGNED_LONGS_EQUAL(13, rx.d.stats.cobs_errors);
    UNSIGNED_LONGS_EQUAL(13, rx.d.stats.frames);
    UNSIGNED_LONGS_EQUAL(13 * 14, rx.d.stats.discarded_bytes);
    UNSIGNED_LONGS_EQUAL(0, rx.d.stats.crc_errors);
    rx.check_accounting();
}

TEST(deframer, hand_made_short_cobs_and_crc_frames)
{
    Rx rx;
    rx.feed({ 0x01, 0x00 });                    // 0 bytes decoded
    rx.feed({ 0x02, 0x11, 0x00 });              // 1 byte
    rx.feed({ 0x04, 0x11, 0x22, 0x33, 0x00 });  // 3 bytes
    rx.feed({ 0x05, 0x11, 0x22, 0x00 });        // block cut short
    rx.feed({ 0x05, 0x11, 0x22, 0x33, 0x44, 0x00 });  // CRC only, wrong
    rx.feed(frame_of({ 0x55 }));
    UNSIGNED_LONGS_EQUAL(3, rx.d.stats.short_frames);
    UNSIGNED_LONGS_EQUAL(1, rx.d.stats.cobs_errors);
    UNSIGNED_LONGS_EQUAL(1, rx.d.stats.crc_errors);
    UNSIGNED_LONGS_EQUAL(1, rx.d.stats.frames);
    UNSIGNED_LONGS_EQUAL(2 + 3 + 5 + 4 + 6, rx.d.stats.discarded_bytes);
    LONGS_EQUAL(RP_DEFRAME_ERR_SHORT, rx.errors[0]);
    LONGS_EQUAL(RP_DEFRAME_ERR_SHORT, rx.errors[1]);
    LONGS_EQUAL(RP_DEFRAME_ERR_SHORT, rx.errors[2]);
    LONGS_EQUAL(RP_DEFRAME_ERR_COBS, rx.errors[3]);
    LONGS_EQUAL(RP_DEFRAME_ERR_CRC, rx.errors[4]);
    rx.check_accounting();
}

TEST(deframer, stray_delimiters_are_empty_frames_not_errors_or_garbage)
{
    Rx rx;
    rx.feed({ 0x00, 0x00, 0x00 });
    rx.feed(frame_of({ 1, 2, 3 }));
    rx.feed({ 0x00 });
    rx.feed(frame_of({ 4 }));
    UNSIGNED_LONGS_EQUAL(2, rx.frames.size());
    UNSIGNED_LONGS_EQUAL(0, rx.error_count());
    UNSIGNED_LONGS_EQUAL(0, rx.d.stats.discarded_bytes);
    UNSIGNED_LONGS_EQUAL(4, rx.d.stats.empty_frames);
    rx.check_accounting();
}

TEST(deframer, garbage_between_frames)
{
    std::mt19937 rng(5);
    Bytes a = random_bytes(rng, 40), b = random_bytes(rng, 40), c = random_bytes(rng, 40);
    Bytes fa = frame_of(a), fb = frame_of(b), fc = frame_of(c);

    // Garbage ending in a delimiter is a frame of its own: only it is lost.
    Rx rx1;
    Bytes junk = { 0x13, 0x99, 0x07, 0x00 };
    rx1.feed(fa);
    rx1.feed(junk);
    rx1.feed(fb);
    UNSIGNED_LONGS_EQUAL(2, rx1.frames.size());
    CHECK(rx1.frames[1] == b);
    UNSIGNED_LONGS_EQUAL(1, rx1.error_count());
    UNSIGNED_LONGS_EQUAL(junk.size(), rx1.d.stats.discarded_bytes);
    rx1.check_accounting();

    // Garbage without a delimiter merges with the following frame, which is
    // lost with it; the one after decodes.
    Rx rx2;
    Bytes junk2 = { 0x13, 0x99, 0x07 };
    rx2.feed(fa);
    rx2.feed(junk2);
    rx2.feed(fb);
    rx2.feed(fc);
    UNSIGNED_LONGS_EQUAL(2, rx2.frames.size());
    CHECK(rx2.frames[0] == a);
    CHECK(rx2.frames[1] == c);
    UNSIGNED_LONGS_EQUAL(1, rx2.error_count());
    UNSIGNED_LONGS_EQUAL(junk2.size() + fb.size(), rx2.d.stats.discarded_bytes);
    rx2.check_accounting();
}

TEST(deframer, truncated_frames)
{
    std::mt19937 rng(6);
    Bytes a = random_bytes(rng, 300), b = random_bytes(rng, 20), c = random_bytes(rng, 20);
    Bytes fa = frame_of(a), fb = frame_of(b), fc = frame_of(c);
    for (size_t cut = 1; cut < fa.size() - 1; cut += 7) {
        // Cut and closed by a delimiter (sender reset mid-frame).
        Rx rx1;
        Bytes part(fa.begin(), fa.begin() + (long)cut);
        part.push_back(0x00);
        rx1.feed(part);
        rx1.feed(fb);
        UNSIGNED_LONGS_EQUAL(1, rx1.frames.size());
        CHECK(rx1.frames[0] == b);
        UNSIGNED_LONGS_EQUAL(1, rx1.error_count());
        UNSIGNED_LONGS_EQUAL(part.size(), rx1.d.stats.discarded_bytes);
        rx1.check_accounting();

        // Cut with no delimiter: the next frame goes down with it.
        Rx rx2;
        rx2.feed(Bytes(fa.begin(), fa.begin() + (long)cut));
        rx2.feed(fb);
        rx2.feed(fc);
        UNSIGNED_LONGS_EQUAL(1, rx2.frames.size());
        CHECK(rx2.frames[0] == c);
        UNSIGNED_LONGS_EQUAL(1, rx2.error_count());
        rx2.check_accounting();
    }
}

TEST(deframer, joining_mid_frame_loses_only_that_frame)
{
    std::mt19937 rng(8);
    Bytes a = random_bytes(rng, 200), b = random_bytes(rng, 30);
    Bytes fa = frame_of(a), fb = frame_of(b);
    Rx rx;
    rx.feed(Bytes(fa.begin() + 100, fa.end()));
    rx.feed(fb);
    UNSIGNED_LONGS_EQUAL(1, rx.frames.size());
    CHECK(rx.frames[0] == b);
    UNSIGNED_LONGS_EQUAL(1, rx.error_count());
    rx.check_accounting();
}

TEST(deframer, random_damage_never_loses_an_untouched_frame)
{
    std::mt19937 rng(2024);
    Rx rx(512);
    size_t must_arrive = 0;
    // A frame is safe when it is intact and the stream before it ended on a
    // delimiter: damage never reaches past the next 0x00.
    bool clean = true;
    for (int i = 0; i < 3000; i++) {
        Bytes p = random_bytes(rng, rng() % 600);
        Bytes f = frame_of(p);
        bool damaged = true;
        switch (rng() % 8) {
        case 0: f[rng() % f.size()] ^= (uint8_t)(1u << (rng() % 8)); break;   // bit flip
        case 1: f.erase(f.begin() + (long)(rng() % f.size())); break;           // lost byte
        case 2: f.insert(f.begin() + (long)(rng() % f.size()), (uint8_t)rng()); break;  // extra byte
        case 3: f.resize(rng() % f.size()); break;                              // truncated
        default: damaged = false; break;
        }
        size_t before = rx.frames.size();
        rx.feed(f);
        if (!damaged && clean && p.size() <= 512) {
            must_arrive++;
            UNSIGNED_LONGS_EQUAL(before + 1, rx.frames.size());
            CHECK(rx.frames.back() == p);
        }
        if (!f.empty()) {
            clean = f.back() == 0x00;
        }
    }
    CHECK(must_arrive > 1000);
    CHECK(rx.frames.size() >= must_arrive);
    CHECK(rx.error_count() > 500);
    rx.check_accounting();
}
