// Capture files: round trip, flush policy, crash safety (truncation at
// every byte), corruption, versions, ENOSPC, bounded reader memory, replay
// and the `info` summary.
#include <CppUTest/TestHarness.h>

#include <cerrno>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "profiler_util.h"
#include "rramprof.pb-c.h"
#include "rramprof/rp_capture.h"
#include "rramprof/rp_status.h"

using rpt::Bytes;

namespace {

void put32(Bytes &b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++) b[at + i] = (uint8_t)(v >> (8 * i));
}

uint32_t get32(const Bytes &b, size_t at)
{
    return (uint32_t)b[at] | (uint32_t)b[at + 1] << 8 | (uint32_t)b[at + 2] << 16 |
           (uint32_t)b[at + 3] << 24;
}

void append32(Bytes &b, uint32_t v)
{
    for (int i = 0; i < 4; i++) b.push_back((uint8_t)(v >> (8 * i)));
}

// Frames of varied sizes, distinct content.
std::vector<Bytes> make_frames(std::mt19937_64 &rng, size_t n, size_t max_len)
{
    std::vector<Bytes> v;
    for (size_t i = 0; i < n; i++) {
        Bytes f(rng() % (max_len + 1));
        for (auto &b : f) b = (uint8_t)rng();
        v.push_back(f);
    }
    return v;
}

void write_capture(const char *path, const std::vector<Bytes> &frames,
                   rp_capture_writer_opts_t *opts = nullptr)
{
    rp_capture_writer_t *w = nullptr;
    LONGS_EQUAL(RP_OK, rp_capture_writer_open(path, opts, &w));
    for (const auto &f : frames) {
        LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, f.data(), f.size()));
    }
    LONGS_EQUAL(RP_OK, rp_capture_writer_close(w));
}

// Reads every frame; returns the reader's open result.
int read_capture(const char *path, std::vector<Bytes> *frames, rp_capture_integrity_t *integ,
                 rp_capture_header_t *hdr = nullptr)
{
    rp_capture_reader_t *r = nullptr;
    int rc = rp_capture_reader_open(path, &r);
    if (rc != RP_OK) {
        CHECK(r == nullptr);
        return rc;
    }
    if (hdr != nullptr) {
        *hdr = *rp_capture_reader_header(r);
    }
    const uint8_t *p;
    size_t len;
    int got;
    while ((got = rp_capture_reader_next(r, &p, &len)) == 1) {
        frames->emplace_back(p, p + len);
    }
    LONGS_EQUAL(0, got);
    *integ = *rp_capture_reader_integrity(r);
    rp_capture_reader_close(r);
    return RP_OK;
}

// Independent walk of the layout: end offset and frame count of each chunk.
struct ChunkInfo {
    size_t end;
    uint32_t frames;
    uint16_t type;
};

std::vector<ChunkInfo> walk_chunks(const Bytes &file, size_t *header_len)
{
    *header_len = get32(file, 12);
    std::vector<ChunkInfo> v;
    size_t at = *header_len;
    while (at + RP_CAPTURE_CHUNK_HEADER <= file.size()) {
        CHECK(memcmp(&file[at], "RPCK", 4) == 0);
        uint32_t body = get32(file, at + 4);
        uint16_t type = (uint16_t)(file[at + 8] | file[at + 9] << 8);
        at += RP_CAPTURE_CHUNK_HEADER + body;
        v.push_back({at, get32(file, at - body - 8), type});
    }
    CHECK_EQUAL(file.size(), at);
    return v;
}

// A chunk built by the spec in docs/capture-format.md.
Bytes spec_chunk(uint16_t type, uint32_t index, const std::vector<Bytes> &frames)
{
    Bytes body;
    for (const auto &f : frames) {
        append32(body, (uint32_t)f.size());
        body.insert(body.end(), f.begin(), f.end());
    }
    Bytes c = {'R', 'P', 'C', 'K'};
    append32(c, (uint32_t)body.size());
    c.push_back((uint8_t)type);
    c.push_back((uint8_t)(type >> 8));
    c.push_back(0);
    c.push_back(0);
    append32(c, index);
    append32(c, (uint32_t)frames.size());
    append32(c, rp_capture_crc32c(rp_capture_crc32c(0, &c[4], 16), body.data(), body.size()));
    c.insert(c.end(), body.begin(), body.end());
    return c;
}

struct WriteHook {
    size_t budget = SIZE_MAX;   // bytes the "disk" still takes
    uint64_t written = 0;
    bool append_only = true;    // every write started where the last ended
};

long hook_write(void *ctx, int fd, const void *buf, size_t len)
{
    WriteHook *h = static_cast<WriteHook *>(ctx);
    off_t pos = lseek(fd, 0, SEEK_CUR);
    if (pos != (off_t)h->written) h->append_only = false;
    if (h->budget == 0) {
        errno = ENOSPC;
        return -1;
    }
    size_t n = len < h->budget ? len : h->budget;   // a short write, then ENOSPC
    ssize_t k = write(fd, buf, n);
    if (k > 0) {
        h->budget -= (size_t)k;
        h->written += (uint64_t)k;
    }
    return (long)k;
}

}  // namespace

TEST_GROUP(capture)
{
    std::mt19937_64 rng{2024};
};

TEST(capture, round_trip_with_header_fields)
{
    rpt::TempPath tmp;
    std::vector<Bytes> frames = make_frames(rng, 500, 3000);
    frames.push_back(Bytes());   // an empty payload is a legal frame
    Bytes hello = rpt::enc_hello(5);
    rp_capture_writer_opts_t o = {};
    o.tool_version = "rramprof 0.1.0";
    o.hello = hello.data();
    o.hello_len = hello.size();
    o.host_time_ns = 1700000000123456789ull;
    o.flush_bytes = 8192;
    write_capture(tmp.c_str(), frames, &o);

    std::vector<Bytes> back;
    rp_capture_integrity_t in;
    rp_capture_header_t h;
    LONGS_EQUAL(RP_OK, read_capture(tmp.c_str(), &back, &in, &h));
    CHECK(frames == back);
    UNSIGNED_LONGS_EQUAL(RP_CAPTURE_VERSION_MAJOR, h.version_major);
    UNSIGNED_LONGS_EQUAL(RP_CAPTURE_VERSION_MINOR, h.version_minor);
    UNSIGNED_LONGS_EQUAL(1700000000123456789ull, h.host_time_ns);
    STRCMP_EQUAL("rramprof 0.1.0", h.tool_version);
    LONGS_EQUAL(RP_CAPTURE_STOP_END, in.stop);
    UNSIGNED_LONGS_EQUAL(frames.size(), in.frames);
    uint64_t payload = 0;
    for (auto &f : frames) payload += f.size();
    UNSIGNED_LONGS_EQUAL(payload, in.payload_bytes);
    UNSIGNED_LONGS_EQUAL(0, in.tail_bytes);
    Bytes file = rpt::read_file(tmp.c_str());
    UNSIGNED_LONGS_EQUAL(file.size(), in.valid_bytes);
    size_t hl;
    std::vector<ChunkInfo> chunks = walk_chunks(file, &hl);
    UNSIGNED_LONGS_EQUAL(chunks.size() - 1, in.chunks_ok);   // all but END
    CHECK(chunks.size() > 20);
    for (size_t i = 0; i + 1 < chunks.size(); i++) {
        CHECK(chunks[i].end - (i ? chunks[i - 1].end : hl) <= 8192 + RP_CAPTURE_CHUNK_HEADER);
    }
    LONGS_EQUAL(RP_CAPTURE_CHUNK_END, chunks.back().type);
}

TEST(capture, crc32c_known_value_and_both_implementations_agree)
{
    const char *check = "123456789";
    UNSIGNED_LONGS_EQUAL(0xE3069283u, rp_capture_crc32c(0, check, 9));
    UNSIGNED_LONGS_EQUAL(0xE3069283u, rp_capture_crc32c_sw(0, check, 9));
    UNSIGNED_LONGS_EQUAL(0, rp_capture_crc32c(0, check, 0));
    Bytes buf(5000 + 3);   // room for the largest length at the largest offset
    for (auto &b : buf) b = (uint8_t)rng();
    for (size_t len : {1u, 7u, 8u, 9u, 63u, 64u, 1000u, 4999u}) {
        for (size_t off : {0u, 1u, 3u}) {
            uint32_t hw = rp_capture_crc32c(0, buf.data() + off, len);
            UNSIGNED_LONGS_EQUAL(rp_capture_crc32c_sw(0, buf.data() + off, len), hw);
            // Incremental over two pieces gives the same.
            uint32_t inc = rp_capture_crc32c(rp_capture_crc32c(0, buf.data() + off, len / 3),
                                             buf.data() + off + len / 3, len - len / 3);
            UNSIGNED_LONGS_EQUAL(hw, inc);
        }
    }
}

TEST(capture, writer_only_appends)
{
    rpt::TempPath tmp;
    WriteHook hook;
    rp_capture_writer_opts_t o = {};
    o.flush_bytes = 1000;
    o.write_fn = hook_write;
    o.write_ctx = &hook;
    write_capture(tmp.c_str(), make_frames(rng, 200, 300), &o);
    CHECK_TRUE(hook.append_only);
    UNSIGNED_LONGS_EQUAL(rpt::read_file(tmp.c_str()).size(), hook.written);
}

TEST(capture, truncation_at_every_byte_recovers_exactly_the_complete_chunks)
{
    rpt::TempPath full_path, cut_path;
    std::vector<Bytes> frames = make_frames(rng, 12, 40);
    rp_capture_writer_opts_t o = {};
    o.flush_bytes = 100;   // a few frames per chunk
    o.tool_version = "t";
    write_capture(full_path.c_str(), frames, &o);
    Bytes file = rpt::read_file(full_path.c_str());
    size_t hl;
    std::vector<ChunkInfo> chunks = walk_chunks(file, &hl);
    CHECK(chunks.size() >= 4);

    for (size_t cut = 0; cut <= file.size(); cut++) {
        rpt::write_file(cut_path.c_str(), Bytes(file.begin(), file.begin() + (long)cut));
        std::vector<Bytes> back;
        rp_capture_integrity_t in;
        int rc = read_capture(cut_path.c_str(), &back, &in);
        if (cut < hl) {
            LONGS_EQUAL(RP_ERR_MALFORMED, rc);
            continue;
        }
        LONGS_EQUAL(RP_OK, rc);
        size_t want_frames = 0, valid = hl;
        bool at_boundary = cut == hl;
        for (const auto &c : chunks) {
            if (c.end <= cut) {
                want_frames += c.frames;
                valid = c.end;
            }
            at_boundary = at_boundary || c.end == cut;
        }
        LONGS_EQUAL(want_frames, back.size());
        for (size_t i = 0; i < back.size(); i++) CHECK(frames[i] == back[i]);
        UNSIGNED_LONGS_EQUAL(valid, in.valid_bytes);
        UNSIGNED_LONGS_EQUAL(cut, in.file_size);
        UNSIGNED_LONGS_EQUAL(cut - valid, in.tail_bytes);
        if (cut == file.size()) {
            LONGS_EQUAL(RP_CAPTURE_STOP_END, in.stop);
        } else if (at_boundary) {
            LONGS_EQUAL(RP_CAPTURE_STOP_EOF, in.stop);
        } else {
            LONGS_EQUAL(RP_CAPTURE_STOP_TRUNCATED, in.stop);
        }
    }
}

TEST(capture, corrupt_chunks_stop_the_reader_there)
{
    rpt::TempPath path, bad;
    std::vector<Bytes> frames = make_frames(rng, 30, 60);
    rp_capture_writer_opts_t o = {};
    o.flush_bytes = 200;
    write_capture(path.c_str(), frames, &o);
    Bytes file = rpt::read_file(path.c_str());
    size_t hl;
    std::vector<ChunkInfo> chunks = walk_chunks(file, &hl);
    size_t c2 = chunks[1].end;   // chunk index 2 starts here
    size_t before = chunks[0].frames + chunks[1].frames;

    struct Case {
        size_t offset;
        uint8_t xor_mask;
        rp_capture_stop_t stop;
    } cases[] = {
        {c2 + RP_CAPTURE_CHUNK_HEADER + 3, 0x10, RP_CAPTURE_STOP_BAD_CRC},   // body
        {c2 + 20, 0x01, RP_CAPTURE_STOP_BAD_CRC},                            // stored CRC
        {c2 + 12, 0x01, RP_CAPTURE_STOP_BAD_CRC},                            // index (CRC-covered)
        {c2 + 16, 0x02, RP_CAPTURE_STOP_BAD_CRC},                            // frame count
        {c2 + 0, 0x20, RP_CAPTURE_STOP_BAD_MAGIC},
        {c2 + 7, 0x40, RP_CAPTURE_STOP_BAD_LENGTH},                          // body_len huge
    };
    for (const auto &c : cases) {
        Bytes f = file;
        f[c.offset] ^= c.xor_mask;
        rpt::write_file(bad.c_str(), f);
        std::vector<Bytes> back;
        rp_capture_integrity_t in;
        LONGS_EQUAL(RP_OK, read_capture(bad.c_str(), &back, &in));
        LONGS_EQUAL(c.stop, in.stop);
        LONGS_EQUAL(before, back.size());
        UNSIGNED_LONGS_EQUAL(c2, in.valid_bytes);
        UNSIGNED_LONGS_EQUAL(file.size() - c2, in.tail_bytes);
        UNSIGNED_LONGS_EQUAL(2, in.chunks_ok);
    }
}

TEST(capture, chunk_index_and_body_structure_are_checked)
{
    rpt::TempPath path;
    Bytes file;
    {
        rpt::TempPath empty;
        rp_capture_writer_t *w;
        LONGS_EQUAL(RP_OK, rp_capture_writer_open(empty.c_str(), nullptr, &w));
        // Take just the header of a real file, then add spec-built chunks.
        Bytes hdr = rpt::read_file(empty.c_str());
        rp_capture_writer_close(w);
        file = hdr;
    }
    Bytes a = {1, 2, 3};
    Bytes c0 = spec_chunk(RP_CAPTURE_CHUNK_FRAMES, 0, {a});
    Bytes c_skip = spec_chunk(RP_CAPTURE_CHUNK_FRAMES, 5, {a});   // index jumps
    Bytes f1 = file;
    f1.insert(f1.end(), c0.begin(), c0.end());
    f1.insert(f1.end(), c_skip.begin(), c_skip.end());
    rpt::write_file(path.c_str(), f1);
    std::vector<Bytes> back;
    rp_capture_integrity_t in;
    LONGS_EQUAL(RP_OK, read_capture(path.c_str(), &back, &in));
    LONGS_EQUAL(1, back.size());
    LONGS_EQUAL(RP_CAPTURE_STOP_BAD_INDEX, in.stop);

    // CRC fine but the count promises more frames than the body holds.
    Bytes c_bad = spec_chunk(RP_CAPTURE_CHUNK_FRAMES, 1, {a});
    put32(c_bad, 16, 2);
    put32(c_bad, 20, rp_capture_crc32c(rp_capture_crc32c(0, &c_bad[4], 16), &c_bad[24], c_bad.size() - 24));
    Bytes f2 = file;
    f2.insert(f2.end(), c0.begin(), c0.end());
    f2.insert(f2.end(), c_bad.begin(), c_bad.end());
    rpt::write_file(path.c_str(), f2);
    back.clear();
    LONGS_EQUAL(RP_OK, read_capture(path.c_str(), &back, &in));
    LONGS_EQUAL(1, back.size());
    LONGS_EQUAL(RP_CAPTURE_STOP_BAD_BODY, in.stop);
}

TEST(capture, newer_minor_with_unknown_chunk_is_read_newer_major_refused)
{
    rpt::TempPath path;
    rp_capture_writer_t *w;
    LONGS_EQUAL(RP_OK, rp_capture_writer_open(path.c_str(), nullptr, &w));
    Bytes hdr = rpt::read_file(path.c_str());
    rp_capture_writer_close(w);

    // Minor 7 with 8 extra header bytes and an unknown chunk type first.
    Bytes h = hdr;
    h[10] = 7;
    h.resize(h.size() - 4);
    for (int i = 0; i < 8; i++) h.push_back(0xEE);
    put32(h, 12, (uint32_t)h.size() + 4);
    append32(h, rp_capture_crc32c(0, h.data(), h.size()));
    Bytes a = {9, 9};
    Bytes future = spec_chunk(77, 0, {Bytes{1}});
    Bytes c1 = spec_chunk(RP_CAPTURE_CHUNK_FRAMES, 1, {a, a});
    Bytes f = h;
    f.insert(f.end(), future.begin(), future.end());
    f.insert(f.end(), c1.begin(), c1.end());
    rpt::write_file(path.c_str(), f);
    std::vector<Bytes> back;
    rp_capture_integrity_t in;
    rp_capture_header_t hh;
    LONGS_EQUAL(RP_OK, read_capture(path.c_str(), &back, &in, &hh));
    UNSIGNED_LONGS_EQUAL(7, hh.version_minor);
    LONGS_EQUAL(2, back.size());
    UNSIGNED_LONGS_EQUAL(1, in.chunks_skipped);
    UNSIGNED_LONGS_EQUAL(1, in.chunks_ok);
    LONGS_EQUAL(RP_CAPTURE_STOP_EOF, in.stop);

    // Major 2: refused before anything else is looked at (even a CRC that
    // no longer matches).
    Bytes g = hdr;
    g[8] = 2;
    rpt::write_file(path.c_str(), g);
    LONGS_EQUAL(RP_ERR_UNSUPPORTED, read_capture(path.c_str(), &back, &in));
    rp_capture_summary_t sum;
    LONGS_EQUAL(RP_ERR_UNSUPPORTED, rp_capture_summarize(path.c_str(), &sum));
}

TEST(capture, not_a_capture_empty_missing_and_bad_header)
{
    rpt::TempPath path;
    std::vector<Bytes> back;
    rp_capture_integrity_t in;
    rpt::write_file(path.c_str(), Bytes());
    LONGS_EQUAL(RP_ERR_MALFORMED, read_capture(path.c_str(), &back, &in));
    std::string text = "this is a text file, not a capture\n";
    rpt::write_file(path.c_str(), Bytes(text.begin(), text.end()));
    LONGS_EQUAL(RP_ERR_MALFORMED, read_capture(path.c_str(), &back, &in));

    write_capture(path.c_str(), make_frames(rng, 3, 10));
    Bytes f = rpt::read_file(path.c_str());
    f[20] ^= 1;   // inside host_time: header CRC no longer matches
    rpt::write_file(path.c_str(), f);
    LONGS_EQUAL(RP_ERR_CRC, read_capture(path.c_str(), &back, &in));

    errno = 0;
    LONGS_EQUAL(RP_ERR_IO, read_capture("/nonexistent/dir/x.rpcap", &back, &in));
    LONGS_EQUAL(ENOENT, errno);
    rp_capture_reader_t *r = nullptr;
    LONGS_EQUAL(RP_ERR_ARG, rp_capture_reader_open(nullptr, &r));
}

TEST(capture, timed_flush_makes_frames_readable_while_writing)
{
    rpt::TempPath path;
    rp_capture_writer_opts_t o = {};
    o.flush_ms = 30;
    rp_capture_writer_t *w;
    LONGS_EQUAL(RP_OK, rp_capture_writer_open(path.c_str(), &o, &w));
    Bytes fr = {1, 2, 3, 4};
    LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, fr.data(), fr.size()));
    LONGS_EQUAL(RP_OK, rp_capture_writer_poll(w));
    rp_capture_writer_stats_t ws;
    rp_capture_writer_stats(w, &ws);
    UNSIGNED_LONGS_EQUAL(0, ws.chunks);   // too young to flush
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, nullptr);
    LONGS_EQUAL(RP_OK, rp_capture_writer_poll(w));
    rp_capture_writer_stats(w, &ws);
    UNSIGNED_LONGS_EQUAL(1, ws.chunks);
    UNSIGNED_LONGS_EQUAL(1, ws.frames_written);

    // A reader now (the writer is still open, as after a SIGKILL) sees it.
    std::vector<Bytes> back;
    rp_capture_integrity_t in;
    LONGS_EQUAL(RP_OK, read_capture(path.c_str(), &back, &in));
    LONGS_EQUAL(1, back.size());
    LONGS_EQUAL(RP_CAPTURE_STOP_EOF, in.stop);

    // An append after the deadline flushes by itself.
    LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, fr.data(), fr.size()));
    nanosleep(&ts, nullptr);
    LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, fr.data(), fr.size()));
    rp_capture_writer_stats(w, &ws);
    UNSIGNED_LONGS_EQUAL(2, ws.chunks);
    UNSIGNED_LONGS_EQUAL(3, ws.frames_written);
    LONGS_EQUAL(RP_OK, rp_capture_writer_close(w));
}

TEST(capture, sync_policies)
{
    rpt::TempPath path;
    rp_capture_writer_stats_t ws;
    rp_capture_writer_t *w;
    Bytes fr(100, 7);
    for (int policy = 0; policy < 3; policy++) {
        rp_capture_writer_opts_t o = {};
        o.flush_bytes = 500;
        o.sync = (rp_capture_sync_t)policy;
        o.sync_ms = 100000;   // periodic: only at close
        LONGS_EQUAL(RP_OK, rp_capture_writer_open(path.c_str(), &o, &w));
        for (int i = 0; i < 20; i++) rp_capture_writer_append(w, fr.data(), fr.size());
        rp_capture_writer_stats(w, &ws);
        if (policy == RP_CAPTURE_SYNC_CHUNK) {
            UNSIGNED_LONGS_EQUAL(ws.chunks, ws.syncs);
            CHECK(ws.chunks >= 4);
        } else {
            UNSIGNED_LONGS_EQUAL(0, ws.syncs);
        }
        LONGS_EQUAL(RP_OK, rp_capture_writer_close(w));
    }
}

TEST(capture, disk_full_keeps_the_file_readable)
{
    rpt::TempPath path;
    std::vector<Bytes> frames = make_frames(rng, 200, 100);
    WriteHook hook;
    hook.budget = 1500;   // header + a few chunks, then ENOSPC mid-chunk
    rp_capture_writer_opts_t o = {};
    o.flush_bytes = 300;
    o.write_fn = hook_write;
    o.write_ctx = &hook;
    rp_capture_writer_t *w;
    LONGS_EQUAL(RP_OK, rp_capture_writer_open(path.c_str(), &o, &w));
    int first_err = RP_OK;
    size_t i = 0;
    for (; i < frames.size(); i++) {
        first_err = rp_capture_writer_append(w, frames[i].data(), frames[i].size());
        if (first_err != RP_OK) break;
    }
    LONGS_EQUAL(RP_ERR_IO, first_err);
    LONGS_EQUAL(ENOSPC, rp_capture_writer_errno(w));
    rp_capture_writer_stats_t ws;
    rp_capture_writer_stats(w, &ws);
    // Sticky: later appends fail the same way; close reports it.
    LONGS_EQUAL(RP_ERR_IO, rp_capture_writer_append(w, frames[0].data(), frames[0].size()));
    LONGS_EQUAL(RP_ERR_IO, rp_capture_writer_flush(w));
    errno = 0;
    LONGS_EQUAL(RP_ERR_IO, rp_capture_writer_close(w));
    LONGS_EQUAL(ENOSPC, errno);

    std::vector<Bytes> back;
    rp_capture_integrity_t in;
    LONGS_EQUAL(RP_OK, read_capture(path.c_str(), &back, &in));
    UNSIGNED_LONGS_EQUAL(ws.frames_written, back.size());
    CHECK(back.size() > 0);
    for (size_t k = 0; k < back.size(); k++) CHECK(frames[k] == back[k]);
    LONGS_EQUAL(RP_CAPTURE_STOP_TRUNCATED, in.stop);
    UNSIGNED_LONGS_EQUAL(1500, in.file_size);
}

TEST(capture, dev_full_fails_at_open_with_enospc)
{
    rp_capture_writer_t *w = nullptr;
    errno = 0;
    LONGS_EQUAL(RP_ERR_IO, rp_capture_writer_open("/dev/full", nullptr, &w));
    LONGS_EQUAL(ENOSPC, errno);
    CHECK(w == nullptr);
}

TEST(capture, exclusive_open_and_argument_checks)
{
    rpt::TempPath path;   // exists already
    rp_capture_writer_opts_t o = {};
    o.exclusive = true;
    rp_capture_writer_t *w = nullptr;
    LONGS_EQUAL(RP_ERR_IO, rp_capture_writer_open(path.c_str(), &o, &w));
    LONGS_EQUAL(EEXIST, errno);
    o.exclusive = false;
    std::string long_tool(RP_CAPTURE_MAX_TOOL + 1, 'v');
    o.tool_version = long_tool.c_str();
    LONGS_EQUAL(RP_ERR_ARG, rp_capture_writer_open(path.c_str(), &o, &w));
    LONGS_EQUAL(RP_OK, rp_capture_writer_open(path.c_str(), nullptr, &w));
    Bytes big(RP_CAPTURE_MAX_FRAME + 1);
    LONGS_EQUAL(RP_ERR_ARG, rp_capture_writer_append(w, big.data(), big.size()));
    // The largest frame fits whatever flush_bytes says.
    LONGS_EQUAL(RP_OK, rp_capture_writer_append(w, big.data(), RP_CAPTURE_MAX_FRAME));
    LONGS_EQUAL(RP_OK, rp_capture_writer_close(w));
    std::vector<Bytes> back;
    rp_capture_integrity_t in;
    LONGS_EQUAL(RP_OK, read_capture(path.c_str(), &back, &in));
    LONGS_EQUAL(1, back.size());
    LONGS_EQUAL(RP_CAPTURE_MAX_FRAME, back[0].size());
    LONGS_EQUAL(RP_OK, rp_capture_writer_close(nullptr));
}

TEST(capture, reader_memory_does_not_depend_on_file_size)
{
    rpt::TempPath small, large;
    write_capture(small.c_str(), make_frames(rng, 2, 10));
    rp_capture_writer_opts_t o = {};
    o.sync = RP_CAPTURE_SYNC_NONE;
    write_capture(large.c_str(), make_frames(rng, 4000, 2000), &o);   // ~4 MB
    rp_capture_reader_t *a, *b;
    LONGS_EQUAL(RP_OK, rp_capture_reader_open(small.c_str(), &a));
    LONGS_EQUAL(RP_OK, rp_capture_reader_open(large.c_str(), &b));
    const uint8_t *p;
    size_t len;
    uint64_t n = 0;
    while (rp_capture_reader_next(b, &p, &len) == 1) n++;
    UNSIGNED_LONGS_EQUAL(4000, n);
    UNSIGNED_LONGS_EQUAL(rp_capture_reader_footprint(a), rp_capture_reader_footprint(b));
    CHECK(rp_capture_reader_footprint(b) < 2u * 1024u * 1024u);
    CHECK(rp_capture_reader_integrity(b)->valid_bytes > 4u * rp_capture_reader_footprint(b) / 2u);
    rp_capture_reader_close(a);
    rp_capture_reader_close(b);
}

namespace {

// A realistic stream: Hello, names, batches (one lost), drops, counters.
std::vector<Bytes> session_stream(std::mt19937_64 &rng, uint64_t *events_kept)
{
    std::vector<Bytes> v;
    v.push_back(rpt::enc_hello(31, 1000000));
    uint8_t buf[256];
    const uint32_t ids[] = {1};
    const char *const names[] = {"layer1"};
    size_t n = rp_encode_names(ids, names, 1, buf, sizeof buf);
    v.push_back(Bytes(buf, buf + n));
    rp_batch_state_t st = {};
    *events_kept = 0;
    for (int b = 0; b < 30; b++) {
        std::vector<rp_record_t> ev = rpt::make_events(rng, 40, 1000000 + 20000 * (uint64_t)b);
        Bytes p = rpt::enc_batch(&st, ev, b >= 10 ? 6 : 0);
        if (b == 17) continue;   // lost on the link: 40 events
        *events_kept += ev.size();
        v.push_back(p);
    }
    v.push_back(rpt::enc_drops(6));
    v.push_back(rpt::enc_counters(30 * 40, 6));
    Rramprof__V1__WorkloadResult w = RRAMPROF__V1__WORKLOAD_RESULT__INIT;
    w.name = (char *)"mvm_bench";
    w.passed = 1;
    w.error_ppm = 42;
    Rramprof__V1__Frame f = RRAMPROF__V1__FRAME__INIT;
    f.body_case = RRAMPROF__V1__FRAME__BODY_WORKLOAD;
    f.workload = &w;
    Bytes wp(rramprof__v1__frame__get_packed_size(&f));
    rramprof__v1__frame__pack(&f, wp.data());
    v.push_back(wp);
    return v;
}

}  // namespace

TEST(capture, summary_of_capture_and_of_raw_stream_agree)
{
    uint64_t kept;
    std::vector<Bytes> frames = session_stream(rng, &kept);
    rpt::TempPath cap, raw;
    rp_capture_writer_opts_t o = {};
    o.tool_version = "rramprof test";
    o.hello = frames[0].data();
    o.hello_len = frames[0].size();
    o.flush_bytes = 2048;
    write_capture(cap.c_str(), frames, &o);
    Bytes stream;
    for (const auto &f : frames) {
        Bytes l = rpt::link_frame(f);
        stream.insert(stream.end(), l.begin(), l.end());
    }
    rpt::write_file(raw.c_str(), stream);

    rp_capture_summary_t a, b;
    LONGS_EQUAL(RP_OK, rp_capture_summarize(cap.c_str(), &a));
    LONGS_EQUAL(RP_OK, rp_capture_summarize(raw.c_str(), &b));
    CHECK_TRUE(a.is_capture);
    CHECK_FALSE(b.is_capture);
    STRCMP_EQUAL("rramprof test", a.tool_version);
    UNSIGNED_LONGS_EQUAL(1, a.version_major);
    STRCMP_EQUAL("sim", a.device.board);
    STRCMP_EQUAL("sim", b.device.board);
    UNSIGNED_LONGS_EQUAL(1000000, a.device.clock_hz);
    for (const rp_capture_summary_t *s : {&a, &b}) {
        UNSIGNED_LONGS_EQUAL(kept, s->stats.events);
        UNSIGNED_LONGS_EQUAL(1, s->stats.segments);
        UNSIGNED_LONGS_EQUAL(1, s->stats.loss.lost_batches);
        UNSIGNED_LONGS_EQUAL(40, s->stats.loss.link_events);
        UNSIGNED_LONGS_EQUAL(6, s->stats.loss.device_events);
        UNSIGNED_LONGS_EQUAL(46, s->stats.loss.total_events);
        uint64_t per_op = 0;
        for (int op = 0; op < 16; op++) per_op += s->stats.ops[op].count;
        UNSIGNED_LONGS_EQUAL(kept, per_op);
        CHECK(s->stats.duration_s > 0.5 && s->stats.duration_s < 0.7);   // ~30 x 20000 ticks at 1 MHz
        UNSIGNED_LONGS_EQUAL(0, s->decode.proto_errors + s->decode.malformed);
        UNSIGNED_LONGS_EQUAL(1, s->stats.workload_names);
        STRCMP_EQUAL("mvm_bench", s->workloads[0].name);
        LONGS_EQUAL(42, s->workloads[0].worst_error_ppm);
    }
    DOUBLES_EQUAL(a.stats.duration_s, b.stats.duration_s, 0.0);
    // The header Hello is replayed too: one more Hello than the raw stream.
    UNSIGNED_LONGS_EQUAL(b.stats.frames[RP_FRAME_HELLO] + 1, a.stats.frames[RP_FRAME_HELLO]);
    LONGS_EQUAL(RP_CAPTURE_STOP_END, a.integrity.stop);
    UNSIGNED_LONGS_EQUAL(frames.size(), a.integrity.frames);
    CHECK(a.integrity.chunks_ok > 3);
    UNSIGNED_LONGS_EQUAL(stream.size(), b.decode.link_bytes);
    UNSIGNED_LONGS_EQUAL(0, b.decode.garbage_bytes);
}

TEST(capture, summary_of_a_truncated_capture_reports_the_tail)
{
    uint64_t kept;
    std::vector<Bytes> frames = session_stream(rng, &kept);
    rpt::TempPath cap;
    rp_capture_writer_opts_t o = {};
    o.flush_bytes = 2048;
    write_capture(cap.c_str(), frames, &o);
    Bytes file = rpt::read_file(cap.c_str());
    file.resize(file.size() - 700);   // killed mid-chunk
    rpt::write_file(cap.c_str(), file);
    rp_capture_summary_t s;
    LONGS_EQUAL(RP_OK, rp_capture_summarize(cap.c_str(), &s));
    LONGS_EQUAL(RP_CAPTURE_STOP_TRUNCATED, s.integrity.stop);
    CHECK(s.integrity.tail_bytes > 0);
    CHECK(s.integrity.frames < frames.size());
    CHECK(s.stats.events < kept);
    CHECK(s.stats.events > 0);
    UNSIGNED_LONGS_EQUAL(file.size(), s.integrity.valid_bytes + s.integrity.tail_bytes);
}

TEST(capture, replay_delivers_the_same_messages_from_capture_and_raw)
{
    uint64_t kept;
    std::vector<Bytes> frames = session_stream(rng, &kept);
    rpt::TempPath cap, raw;
    write_capture(cap.c_str(), frames);
    Bytes stream;
    for (const auto &f : frames) {
        Bytes l = rpt::link_frame(f);
        stream.insert(stream.end(), l.begin(), l.end());
    }
    rpt::write_file(raw.c_str(), stream);
    struct Got {
        std::vector<Bytes> payloads;
    } ga, gb;
    auto fn = [](void *ctx, const rp_msg_t *m) -> int {
        static_cast<Got *>(ctx)->payloads.emplace_back(m->payload, m->payload + m->payload_len);
        return RP_OK;
    };
    rp_decoder_t *d = rp_decoder_create();
    bool is_cap = false;
    rp_capture_integrity_t in;
    LONGS_EQUAL(RP_OK, rp_capture_replay(cap.c_str(), d, fn, &ga, &in, &is_cap));
    CHECK_TRUE(is_cap);
    rp_decoder_reset(d);
    LONGS_EQUAL(RP_OK, rp_capture_replay(raw.c_str(), d, fn, &gb, &in, &is_cap));
    CHECK_FALSE(is_cap);
    rp_decoder_destroy(d);
    CHECK(ga.payloads == frames);
    CHECK(gb.payloads == frames);
}
