// Device main loop: commands, workloads, drain, loss-free control frames.
// Everything the device writes is deframed and unpacked with the protobuf-c
// code generated from proto/rramprof.proto, as the host does.
#include <CppUTest/TestHarness.h>

#include <string.h>
#include <vector>

extern "C" {
#include "fake_hal.h"
#include "mock_workload.h"
#include "rp_port.h"
#include "rramprof.pb-c.h"
#include "rramprof/rp_command_out.h"
#include "rramprof/rp_device.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_salvage.h"
#include "rramprof/rp_span.h"
#include "rramprof/rp_xbar.h"
}

typedef Rramprof__V1__Frame Frame;

// Host side of the fake link: deframes and unpacks what the device wrote.
struct Link {
    size_t pos = 0;
    rp_deframer_t d;
    uint8_t buf[RP_FRAME_MAX_PAYLOAD + RP_FRAME_CRC_LEN];
    std::vector<Frame *> frames;
    std::vector<size_t> frame_bytes;  // wire bytes of each frame
    size_t cur_bytes = 0;
    size_t empty_frames = 0;          // lone delimiters seen

    void reset()
    {
        clear();
        pos = 0;
        cur_bytes = 0;
        empty_frames = 0;
        rp_deframer_init(&d, buf, sizeof buf);
    }
    void clear()
    {
        for (Frame *f : frames) {
            rramprof__v1__frame__free_unpacked(f, NULL);
        }
        frames.clear();
        frame_bytes.clear();
    }
    // Unpacks every complete frame written since the last call.
    void collect()
    {
        for (; pos < fake_hal.tx_len; pos++) {
            cur_bytes++;
            rp_deframe_result_t r = rp_deframer_feed(&d, fake_hal.tx[pos]);
            if (fake_hal.tx[pos] == 0 && cur_bytes == 1 && r == RP_DEFRAME_NONE) {
                empty_frames++;   // a lone delimiter: the boot's, before its Hello
                cur_bytes = 0;
                continue;
            }
            if (fake_hal.tx[pos] == 0) {
                LONGS_EQUAL(RP_DEFRAME_FRAME, r);
                Frame *f = rramprof__v1__frame__unpack(NULL, rp_deframer_payload_len(&d),
                                                        rp_deframer_payload(&d));
                CHECK(f != NULL);
                CHECK(rp_deframer_payload_len(&d) <= RP_FRAME_MAX_PAYLOAD);
                frames.push_back(f);
                frame_bytes.push_back(cur_bytes);
                cur_bytes = 0;
            }
        }
    }
    size_t count(Rramprof__V1__Frame__BodyCase c) const
    {
        size_t n = 0;
        for (Frame *f : frames) {
            n += f->body_case == c;
        }
        return n;
    }
    Frame *first(Rramprof__V1__Frame__BodyCase c) const
    {
        for (Frame *f : frames) {
            if (f->body_case == c) {
                return f;
            }
        }
        return NULL;
    }
    Frame *last(Rramprof__V1__Frame__BodyCase c) const
    {
        Frame *found = NULL;
        for (Frame *f : frames) {
            if (f->body_case == c) {
                found = f;
            }
        }
        return found;
    }
    int index_of(Rramprof__V1__Frame__BodyCase c) const
    {
        for (size_t i = 0; i < frames.size(); i++) {
            if (frames[i]->body_case == c) {
                return (int)i;
            }
        }
        return -1;
    }
};

static Link link;

static const auto HELLO = RRAMPROF__V1__FRAME__BODY_HELLO;
static const auto BATCH = RRAMPROF__V1__FRAME__BODY_BATCH;
static const auto NAMES = RRAMPROF__V1__FRAME__BODY_NAMES;
static const auto COUNTERS = RRAMPROF__V1__FRAME__BODY_COUNTERS;
static const auto DROPS = RRAMPROF__V1__FRAME__BODY_DROPS;
static const auto HEARTBEAT = RRAMPROF__V1__FRAME__BODY_HEARTBEAT;
static const auto RESPONSE = RRAMPROF__V1__FRAME__BODY_RESPONSE;
static const auto WORKLOAD = RRAMPROF__V1__FRAME__BODY_WORKLOAD;

static rp_command_t make_cmd(rp_command_kind_t kind, uint32_t id)
{
    rp_command_t c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.request_id = id;
    return c;
}

static void push_payload(const uint8_t *p, size_t len)
{
    uint8_t frame[RP_FRAME_ENCODED_MAX(RP_COMMAND_MAX_PAYLOAD)];
    size_t flen = rp_frame_encode(p, len, frame, sizeof frame);
    CHECK(flen > 0);
    LONGS_EQUAL(flen, fake_hal_rx_push(frame, flen));
}

static void send_cmd(const rp_command_t &c)
{
    uint8_t payload[RP_COMMAND_MAX_PAYLOAD];
    size_t len = rp_command_encode(&c, payload, sizeof payload);
    CHECK(len > 0);
    push_payload(payload, len);
}

static void poll_n(int n)
{
    for (int i = 0; i < n; i++) {
        rp_device_poll();
    }
    link.collect();
}

static void record_reads(int n, uint64_t ticks = 20)
{
    fake_hal.op_ticks[FAKE_OP_READ] = ticks;
    uint8_t levels[4];
    for (int i = 0; i < n; i++) {
        rp_xbar_read(0, (uint16_t)(i % 64), 0, 4, levels);
    }
}

// Rebuilds records from a batch's columns (the inverse of the encoder).
static void decode_batch(const Rramprof__V1__EventBatch *b, std::vector<rp_record_t> &out)
{
    uint64_t end = b->base_timestamp;
    for (uint32_t i = 0; i < b->count; i++) {
        rp_record_t r;
        memset(&r, 0, sizeof r);
        r.op = (uint8_t)(b->n_op ? b->op[i] : b->op_all);
        r.duration = b->n_duration ? b->duration[i] : b->duration_all;
        if (b->op_bits != 0) {  // the op folded into the duration column
            r.op = (uint8_t)(r.duration & ((1u << b->op_bits) - 1u));
            r.duration >>= b->op_bits;
        }
        r.duration += r.op < b->n_duration_base ? b->duration_base[r.op] : 0u;  // per-op base
        int64_t gap = b->n_gap ? b->gap[i] : 0;
        r.start = (uint64_t)((int64_t)end + gap);
        end = r.start + r.duration;
        r.tile = (uint8_t)(b->n_tile ? b->tile[i] : b->tile_all);
        r.row = (uint16_t)(b->n_row ? b->row[i] : b->row_all);
        r.rows = (uint16_t)(b->n_rows ? b->rows[i] : b->rows_all);
        r.col = (uint16_t)(b->n_col ? b->col[i] : b->col_all);
        r.cols = (uint16_t)(b->n_cols ? b->cols[i] : b->cols_all);
        r.iterations = (uint8_t)(b->n_iterations ? b->iterations[i] : b->iterations_all);
        r.status = (uint8_t)(b->n_status ? b->status[i] : b->status_all);
        r.arg = b->n_arg ? b->arg[i] : b->arg_all;
        rp_record_clear_unused(&r);  // members the op does not use: 0
        out.push_back(r);
    }
}

static std::vector<rp_record_t> all_events()
{
    std::vector<rp_record_t> ev;
    for (Frame *f : link.frames) {
        if (f->body_case == BATCH) {
            decode_batch(f->batch, ev);
        }
    }
    return ev;
}

TEST_GROUP(device)
{
    rp_device_config_t cfg;

    void setup() override
    {
        fake_hal_reset();
        mock_workload_reset();
        link.reset();
        memset(&cfg, 0, sizeof cfg);
        memset(&rp_salvage_previous, 0, sizeof rp_salvage_previous);   // a cold boot
    }
    void teardown() override
    {
        link.clear();
        LONGS_EQUAL(0, rp_fake_port.irq_depth);
        LONGS_EQUAL(0, rp_fake_port.irq_bad_restores);
    }

    void init_and_start(uint32_t id = 1)
    {
        rp_device_init(&cfg);
        send_cmd(make_cmd(RP_CMD_START, id));
        poll_n(1);
        CHECK_TRUE(rp_device_recording());
    }
};

TEST(device, init_sends_hello)
{
    // A reset cut the old boot's last frame on the wire: the boot's first
    // byte is a delimiter, so the host's deframer drops the cut frame
    // alone and gets the Hello whole.
    static const uint8_t cut[] = { 0x05, 0x11, 0x22 };
    rp_deframer_feed(&link.d, cut[0]);
    rp_deframer_feed(&link.d, cut[1]);
    rp_deframer_feed(&link.d, cut[2]);
    rp_device_init(&cfg);
    LONGS_EQUAL(0, fake_hal.tx[0]);
    LONGS_EQUAL(RP_DEFRAME_ERR_COBS, rp_deframer_feed(&link.d, fake_hal.tx[0]));
    link.pos = 1;
    link.collect();
    LONGS_EQUAL(1, link.frames.size());
    Frame *f = link.frames[0];
    LONGS_EQUAL(HELLO, f->body_case);
    const Rramprof__V1__Hello *h = f->hello;
    LONGS_EQUAL(1, h->protocol_version);
    STRCMP_EQUAL("fake", h->board);
    STRCMP_EQUAL("0.0.0-test", h->firmware_version);
    LONGS_EQUAL(1000000, h->clock_hz);
    LONGS_EQUAL(32, h->timer_bits);
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY, h->ring_capacity);
    LONGS_EQUAL(RP_FRAME_MAX_PAYLOAD, h->max_frame_payload);
    LONGS_EQUAL(0x1234, h->boot_id);
    LONGS_EQUAL(RP_RESET_POWER_ON, h->reset_cause);
    LONGS_EQUAL(0, h->fatal_reason);
    LONGS_EQUAL(0, h->previous_boot_id);   // cold: nothing known of a boot before
    LONGS_EQUAL(0, h->op_mask);
    CHECK(h->array != NULL);
    LONGS_EQUAL(FAKE_XBAR_MAX_TILES, h->array->tiles);
    LONGS_EQUAL(FAKE_XBAR_MAX_COLS, h->array->cols);
    STRCMP_EQUAL("fake", h->array->model);
    LONGS_EQUAL(2, h->n_workloads);
    STRCMP_EQUAL("alpha", h->workloads[0]);
    STRCMP_EQUAL("beta", h->workloads[1]);
    CHECK_FALSE(rp_device_recording());
    CHECK_TRUE(rp_device_poll());  // idle but alive without autostart
}

TEST(device, hello_says_why_the_board_reset)
{
    fake_hal.reset_cause = RP_RESET_FATAL;
    fake_hal.fatal_reason = 5u;   // BusFault
    rp_device_init(&cfg);
    link.collect();
    LONGS_EQUAL(1, link.frames.size());
    LONGS_EQUAL(HELLO, link.frames[0]->body_case);
    LONGS_EQUAL(RP_RESET_FATAL, link.frames[0]->hello->reset_cause);
    LONGS_EQUAL(5, link.frames[0]->hello->fatal_reason);
}

TEST(device, hello_reports_what_the_boot_before_recorded)
{
    // A reset in the middle of a session, RAM kept: the reset handler
    // salvages the recorder's counts before the new boot's rp_device_init,
    // whose Hello reports them under the old boot id.
    init_and_start();
    rp_record_t r;
    memset(&r, 0, sizeof r);
    r.op = RP_OP_READ;
    r.duration = 10;
    for (int i = 0; i < 7; i++) {
        rp_recorder_record(&r);
    }
    rp_salvage_read();
    fake_hal.boot_id = 0x5678u;
    fake_hal.reset_cause = RP_RESET_WATCHDOG;
    link.reset();
    fake_hal.tx_len = 0;
    rp_device_init(&cfg);
    link.collect();
    LONGS_EQUAL(1, link.frames.size());
    const Rramprof__V1__Hello *h = link.frames[0]->hello;
    CHECK(h != NULL);
    LONGS_EQUAL(0x5678u, h->boot_id);
    LONGS_EQUAL(0x1234u, h->previous_boot_id);
    LONGS_EQUAL(7, h->previous_events_recorded);
    LONGS_EQUAL(0, h->previous_events_sent);
    LONGS_EQUAL(0, h->previous_events_dropped);
}

TEST(device, get_info_answers_with_hello_and_echoes_request_id)
{
    rp_device_init(&cfg);
    send_cmd(make_cmd(RP_CMD_GET_INFO, 4242));
    poll_n(1);
    LONGS_EQUAL(2, link.frames.size());
    Frame *f = link.frames[1];
    LONGS_EQUAL(RESPONSE, f->body_case);
    LONGS_EQUAL(4242, f->response->request_id);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, f->response->result);
    CHECK(f->response->hello != NULL);
    STRCMP_EQUAL("fake", f->response->hello->board);
    LONGS_EQUAL(2, f->response->hello->n_workloads);
}

TEST(device, hello_reports_the_live_filter)
{
    init_and_start();
    rp_command_t c = make_cmd(RP_CMD_CONFIGURE, 2);
    c.op_mask = 1u << RP_OP_MVM;
    c.set_threshold = true;
    c.threshold_ticks = 77;
    send_cmd(c);
    send_cmd(make_cmd(RP_CMD_GET_INFO, 3));
    poll_n(1);
    Frame *f = link.last(RESPONSE);
    LONGS_EQUAL(3, f->response->request_id);
    LONGS_EQUAL(1u << RP_OP_MVM, f->response->hello->op_mask);
    LONGS_EQUAL(77, f->response->hello->threshold_ticks);
}

TEST(device, ping_is_answered)
{
    rp_device_init(&cfg);
    rp_command_t c = make_cmd(RP_CMD_PING, 9);
    c.token = 123456789;
    send_cmd(c);
    poll_n(1);
    Frame *f = link.last(RESPONSE);
    CHECK(f != NULL);
    LONGS_EQUAL(9, f->response->request_id);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, f->response->result);
    POINTERS_EQUAL(NULL, f->response->hello);
}

TEST(device, malformed_command_is_answered_and_changes_nothing)
{
    rp_device_init(&cfg);
    const uint8_t bad[] = {0x08, 0xFF, 0xFF};  // truncated varint
    push_payload(bad, sizeof bad);
    poll_n(2);
    LONGS_EQUAL(1, link.count(RESPONSE));
    Frame *f = link.last(RESPONSE);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_MALFORMED, f->response->result);
    LONGS_EQUAL(0, f->response->request_id);
    CHECK_FALSE(rp_device_recording());
    LONGS_EQUAL(0, mock_workload.begins);
}

TEST(device, corrupt_frames_are_dropped_and_the_next_command_is_read)
{
    rp_device_init(&cfg);
    const uint8_t noise[] = {0x05, 0x11, 0x22, 0x33, 0x44, 0x00};  // CRC fails
    fake_hal_rx_push(noise, sizeof noise);
    send_cmd(make_cmd(RP_CMD_PING, 5));
    poll_n(1);
    LONGS_EQUAL(1, link.count(RESPONSE));
    LONGS_EQUAL(5, link.last(RESPONSE)->response->request_id);
}

TEST(device, commands_split_across_reads_are_reassembled)
{
    rp_device_init(&cfg);
    fake_hal.rx_chunk = 1;
    rp_command_t c = make_cmd(RP_CMD_PING, 77);
    uint8_t payload[RP_COMMAND_MAX_PAYLOAD];
    size_t len = rp_command_encode(&c, payload, sizeof payload);
    uint8_t frame[RP_FRAME_ENCODED_MAX(RP_COMMAND_MAX_PAYLOAD)];
    size_t flen = rp_frame_encode(payload, len, frame, sizeof frame);
    fake_hal_rx_push(frame, 3);
    poll_n(3);
    LONGS_EQUAL(0, link.count(RESPONSE));
    fake_hal_rx_push(frame + 3, flen - 3);
    poll_n(3);
    LONGS_EQUAL(1, link.count(RESPONSE));
    LONGS_EQUAL(77, link.last(RESPONSE)->response->request_id);
}

TEST(device, unknown_workload_is_refused)
{
    rp_device_init(&cfg);
    rp_command_t c = make_cmd(RP_CMD_RUN_WORKLOAD, 11);
    strcpy(c.workload, "gamma");
    send_cmd(c);
    poll_n(3);
    Frame *f = link.last(RESPONSE);
    LONGS_EQUAL(11, f->response->request_id);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_UNKNOWN_WORKLOAD, f->response->result);
    LONGS_EQUAL(0, mock_workload.begins);
    LONGS_EQUAL(0, link.count(WORKLOAD));
}

TEST(device, workload_that_fails_to_begin_is_a_bad_argument)
{
    rp_device_init(&cfg);
    mock_workload.begin_rc = -1;
    rp_command_t c = make_cmd(RP_CMD_RUN_WORKLOAD, 12);
    strcpy(c.workload, "alpha");
    send_cmd(c);
    poll_n(3);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_BAD_ARGUMENT,
                link.last(RESPONSE)->response->result);
    LONGS_EQUAL(0, mock_workload.steps);
}

TEST(device, start_streams_events_in_sequenced_batches)
{
    init_and_start(7);
    Frame *resp = link.last(RESPONSE);
    LONGS_EQUAL(7, resp->response->request_id);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, resp->response->result);

    // Two full batches and a part of one (the final drain's).
    const int n = 2 * (int)RP_CONFIG_BATCH_MAX_EVENTS + 44;
    fake_hal.now = 1000;
    record_reads(n, 20);
    poll_n(2);
    LONGS_EQUAL(3, link.count(BATCH));
    uint32_t seq = 0;
    uint64_t first = 0;
    for (Frame *f : link.frames) {
        if (f->body_case != BATCH) {
            continue;
        }
        LONGS_EQUAL(seq, f->batch->sequence);
        LONGS_EQUAL(first, f->batch->first_event);
        CHECK(f->batch->count <= RP_CONFIG_BATCH_MAX_EVENTS);
        LONGS_EQUAL(0, f->batch->dropped_total);
        seq++;
        first += f->batch->count;
    }
    std::vector<rp_record_t> ev = all_events();
    LONGS_EQUAL(n, ev.size());
    for (int i = 0; i < n; i++) {
        LONGS_EQUAL(RP_OP_READ, ev[i].op);
        LONGS_EQUAL(1000 + 20 * i, ev[i].start);
        LONGS_EQUAL(20, ev[i].duration);
        LONGS_EQUAL(i % 64, ev[i].row);
        LONGS_EQUAL(4, ev[i].cols);
    }
    LONGS_EQUAL(0, rp_ring_count(&rp_recorder.ring));
}

TEST(device, batches_too_big_for_one_frame_are_split)
{
    init_and_start();
    // Wide, varying values: far more than a frame's worth in 128 events.
    std::vector<rp_record_t> want;
    uint64_t t = 1ull << 40;
    uint32_t x = 1;
    for (int i = 0; i < 400; i++) {
        x = x * 1103515245u + 12345u;
        rp_record_t r;
        memset(&r, 0, sizeof r);
        r.start = t;
        r.duration = x >> 4;
        r.arg = x;
        r.op = (uint8_t)(1 + i % 7);
        r.tile = (uint8_t)(x >> 24);
        r.row = (uint16_t)(x >> 8);
        r.rows = (uint16_t)(x >> 12);
        r.col = (uint16_t)(x >> 16);
        r.cols = (uint16_t)(x >> 3);
        r.iterations = (uint8_t)(x >> 20);
        r.status = (uint8_t)(i % 4);
        t += r.duration + (x >> 2);
        rp_recorder_record(&r);
        want.push_back(r);
    }
    poll_n(2);
    size_t batches = link.count(BATCH);
    CHECK(batches > 400 / RP_CONFIG_BATCH_MAX_EVENTS + 1);
    std::vector<rp_record_t> got = all_events();
    LONGS_EQUAL(want.size(), got.size());
    for (size_t i = 0; i < want.size(); i++) {
        rp_record_t a = want[i];
        rp_record_clear_unused(&a);  // unused members are unspecified on the wire
        const rp_record_t &b = got[i];
        CHECK(a.start == b.start && a.duration == b.duration && a.arg == b.arg &&
              a.op == b.op && a.status == b.status && a.tile == b.tile &&
              a.iterations == b.iterations && a.row == b.row && a.rows == b.rows &&
              a.col == b.col && a.cols == b.cols);
    }
    // Batches of ordinary events go back to full size afterwards.
    link.clear();
    record_reads(RP_CONFIG_BATCH_MAX_EVENTS);
    poll_n(1);
    LONGS_EQUAL(1, link.count(BATCH));
    LONGS_EQUAL(RP_CONFIG_BATCH_MAX_EVENTS, link.last(BATCH)->batch->count);
}

TEST(device, poll_holds_a_partial_batch_while_events_keep_coming)
{
    init_and_start();
    record_reads(10);
    poll_n(1);
    LONGS_EQUAL(0, link.count(BATCH));
    record_reads(5);
    poll_n(1);
    LONGS_EQUAL(0, link.count(BATCH));
    poll_n(1);  // the ring stopped growing: send what is there
    LONGS_EQUAL(1, link.count(BATCH));
    LONGS_EQUAL(15, link.last(BATCH)->batch->count);
}

TEST(device, poll_sends_full_batches_at_once)
{
    init_and_start();
    record_reads(RP_CONFIG_BATCH_MAX_EVENTS + 2);
    poll_n(1);
    LONGS_EQUAL(1, link.count(BATCH));
    LONGS_EQUAL(RP_CONFIG_BATCH_MAX_EVENTS, link.last(BATCH)->batch->count);
    poll_n(1);
    LONGS_EQUAL(2, link.count(BATCH));
    LONGS_EQUAL(2, link.last(BATCH)->batch->count);
}

TEST(device, poll_sends_a_partial_batch_once_its_oldest_event_is_old)
{
    init_and_start();
    fake_hal.now = 5000;
    record_reads(3, 10);
    poll_n(1);
    LONGS_EQUAL(0, link.count(BATCH));
    // 20 ms at 1 MHz after the oldest event's start, events still coming.
    fake_hal.now = 5000 + 20000 - 10;
    record_reads(1, 10);
    poll_n(1);
    LONGS_EQUAL(1, link.count(BATCH));
    LONGS_EQUAL(4, link.last(BATCH)->batch->count);
}

TEST(device, drain_returns_events_sent)
{
    init_and_start();
    record_reads(200);
    LONGS_EQUAL(200, rp_device_drain());
    LONGS_EQUAL(0, rp_device_drain());
}

TEST(device, stop_sends_rest_then_counters_then_response)
{
    init_and_start(1);
    size_t start_frame = link.frames.size() - 1;  // the Start response
    record_reads(150);
    send_cmd(make_cmd(RP_CMD_STOP, 2));
    poll_n(2);
    CHECK_FALSE(rp_device_recording());

    // Order: batches, then Counters, then the Stop response, then an idle
    // Heartbeat (heartbeats are off here: it marks the session's end).
    int counters_at = link.index_of(COUNTERS);
    CHECK(counters_at > 0);
    Frame *stop = link.frames[link.frames.size() - 2];
    LONGS_EQUAL(RESPONSE, stop->body_case);
    LONGS_EQUAL(2, stop->response->request_id);
    LONGS_EQUAL((int)link.frames.size() - 3, counters_at);
    LONGS_EQUAL(HEARTBEAT, link.frames.back()->body_case);
    LONGS_EQUAL(0, link.frames.back()->heartbeat->state);
    LONGS_EQUAL(1, link.count(HEARTBEAT));
    for (size_t i = start_frame + 1; i < (size_t)counters_at; i++) {
        LONGS_EQUAL(BATCH, link.frames[i]->body_case);
    }
    LONGS_EQUAL(150, all_events().size());

    const Rramprof__V1__Counters *c = link.frames[counters_at]->counters;
    LONGS_EQUAL(150, c->events_recorded);
    LONGS_EQUAL(150, c->events_sent);
    LONGS_EQUAL(0, c->events_dropped);
    LONGS_EQUAL(0, c->events_filtered);
    LONGS_EQUAL(150 * RP_PORT_RECORD_COST_TICKS, c->record_ticks);
    LONGS_EQUAL(150 * RP_PORT_DRAIN_COST_TICKS_PER_EVENT, c->drain_ticks);
    // Frames and bytes since Start: its response and the batches.
    size_t frames = 0, bytes = 0;
    for (size_t i = start_frame; i < (size_t)counters_at; i++) {
        frames++;
        bytes += link.frame_bytes[i];
    }
    LONGS_EQUAL(frames, c->frames_sent);
    LONGS_EQUAL(bytes, c->bytes_sent);
    LONGS_EQUAL(150, c->ring_high_water);
}

TEST(device, stop_when_stopped_is_ok_and_sends_no_counters)
{
    rp_device_init(&cfg);
    send_cmd(make_cmd(RP_CMD_STOP, 3));
    poll_n(2);
    LONGS_EQUAL(0, link.count(COUNTERS));
    LONGS_EQUAL(1, link.count(RESPONSE));
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, link.last(RESPONSE)->response->result);
}

TEST(device, start_while_started_restarts_cleanly)
{
    init_and_start(1);
    record_reads(10);
    poll_n(2);
    record_reads(5);
    send_cmd(make_cmd(RP_CMD_START, 2));
    poll_n(3);
    CHECK_TRUE(rp_device_recording());
    // Old session: its last batch, its final Counters, then the answer.
    LONGS_EQUAL(2, link.count(BATCH));
    Frame *c = link.first(COUNTERS);
    CHECK(c != NULL);
    LONGS_EQUAL(15, c->counters->events_recorded);
    LONGS_EQUAL(15, c->counters->events_sent);
    CHECK(link.index_of(COUNTERS) < (int)link.frames.size() - 1);
    Frame *r = link.frames.back();
    LONGS_EQUAL(RESPONSE, r->body_case);
    LONGS_EQUAL(2, r->response->request_id);

    // New session: sequence, event index and counters start again.
    link.clear();
    record_reads(3);
    poll_n(2);
    Frame *b = link.first(BATCH);
    CHECK(b != NULL);
    LONGS_EQUAL(0, b->batch->sequence);
    LONGS_EQUAL(0, b->batch->first_event);
    LONGS_EQUAL(3, b->batch->count);
    send_cmd(make_cmd(RP_CMD_STOP, 3));
    poll_n(2);
    const Rramprof__V1__Counters *c2 = link.last(COUNTERS)->counters;
    LONGS_EQUAL(3, c2->events_recorded);
    LONGS_EQUAL(3, c2->events_sent);
    LONGS_EQUAL(2, c2->frames_sent);  // the Start answer and one batch
}

TEST(device, restart_waits_until_the_old_session_is_out)
{
    init_and_start(1);
    record_reads(5);
    fake_hal.tx_space = 0;
    send_cmd(make_cmd(RP_CMD_START, 2));
    poll_n(4);
    CHECK_FALSE(rp_device_recording());
    LONGS_EQUAL(5, rp_ring_count(&rp_recorder.ring));
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    poll_n(3);
    CHECK_TRUE(rp_device_recording());
    LONGS_EQUAL(5, all_events().size());
    LONGS_EQUAL(5, link.last(COUNTERS)->counters->events_sent);
    LONGS_EQUAL(2, link.frames.back()->response->request_id);
}

TEST(device, run_workload_repeats_and_reports_each_run)
{
    rp_device_init(&cfg);
    fake_hal.op_ticks[FAKE_OP_READ] = 10;
    rp_command_t c = make_cmd(RP_CMD_RUN_WORKLOAD, 21);
    strcpy(c.workload, "beta");
    c.repeat = 2;
    c.seed = 99;
    send_cmd(c);
    poll_n(20);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, link.first(RESPONSE)->response->result);
    LONGS_EQUAL(2, mock_workload.begins);
    LONGS_EQUAL(1, mock_workload.last_index);
    LONGS_EQUAL(99, mock_workload.last_seed);
    LONGS_EQUAL(1, mock_workload.last_run);
    LONGS_EQUAL(6, mock_workload.steps);  // 2 runs x 3 steps, then idle
    LONGS_EQUAL(2, link.count(WORKLOAD));
    uint32_t run = 0;
    for (Frame *f : link.frames) {
        if (f->body_case != WORKLOAD) {
            continue;
        }
        STRCMP_EQUAL("beta", f->workload->name);
        LONGS_EQUAL(run, f->workload->run);
        CHECK_TRUE(f->workload->passed);
        LONGS_EQUAL(-(int64_t)(run + 1), f->workload->error_ppm);
        LONGS_EQUAL(30, f->workload->end - f->workload->start);  // 3 reads of 10 ticks
        run++;
    }
    STRCMP_EQUAL("run 1", link.last(WORKLOAD)->workload->detail);
    // Not recording: the workload's events were neither sent nor counted.
    LONGS_EQUAL(0, link.count(BATCH));
    LONGS_EQUAL(0, rp_recorder_filtered());
}

TEST(device, default_workload_runs_with_every_start_until_stop)
{
    cfg.default_workload = "alpha";
    cfg.seed = 5;
    init_and_start();
    poll_n(10);
    LONGS_EQUAL(5, mock_workload.last_seed);
    LONGS_EQUAL(0, mock_workload.last_index);
    CHECK(link.count(WORKLOAD) >= 3);
    send_cmd(make_cmd(RP_CMD_STOP, 2));
    poll_n(2);
    LONGS_EQUAL(1, mock_workload.aborts);
    uint32_t steps = mock_workload.steps;
    poll_n(5);
    LONGS_EQUAL(steps, mock_workload.steps);
    // Every step's READ was recorded and sent.
    Frame *c = link.last(COUNTERS);
    LONGS_EQUAL(steps, c->counters->events_recorded);
    LONGS_EQUAL(steps, all_events().size());
}

TEST(device, configure_changes_filters_during_a_session)
{
    init_and_start();
    rp_command_t c = make_cmd(RP_CMD_CONFIGURE, 2);
    c.op_mask = 1u << RP_OP_WRITE;
    send_cmd(c);
    poll_n(1);
    record_reads(4);
    c = make_cmd(RP_CMD_CONFIGURE, 3);
    c.op_mask = 1u << RP_OP_READ;
    c.set_threshold = true;
    c.threshold_ticks = 15;
    send_cmd(c);
    poll_n(1);
    record_reads(2, 10);  // shorter than the threshold
    record_reads(3, 15);
    send_cmd(make_cmd(RP_CMD_STOP, 4));
    poll_n(2);
    const Rramprof__V1__Counters *cn = link.last(COUNTERS)->counters;
    LONGS_EQUAL(3, cn->events_recorded);
    // The 2 short READs; the 4 READs the WRITE-only mask excluded are not counted.
    LONGS_EQUAL(2, cn->events_filtered);
}

TEST(device, heartbeats_follow_the_configured_period)
{
    cfg.heartbeat_ms = 10;  // 10000 ticks at 1 MHz
    rp_device_init(&cfg);
    poll_n(1);
    LONGS_EQUAL(0, link.count(HEARTBEAT));
    fake_hal_timer_advance(10000);
    poll_n(1);
    LONGS_EQUAL(1, link.count(HEARTBEAT));
    LONGS_EQUAL(0, link.last(HEARTBEAT)->heartbeat->state);
    LONGS_EQUAL(10000, link.last(HEARTBEAT)->heartbeat->timestamp);
    fake_hal_timer_advance(5000);
    poll_n(1);
    LONGS_EQUAL(1, link.count(HEARTBEAT));
    fake_hal_timer_advance(5000);
    send_cmd(make_cmd(RP_CMD_START, 1));
    poll_n(1);
    LONGS_EQUAL(2, link.count(HEARTBEAT));
    LONGS_EQUAL(1, link.last(HEARTBEAT)->heartbeat->state);
}

TEST(device, only_a_session_end_sends_an_idle_heartbeat_between_periods)
{
    cfg.counters_ms = 1;  // periodic Counters every 1000 ticks, no heartbeats
    init_and_start(1);
    for (int i = 0; i < 5; i++) {
        fake_hal_timer_advance(1000);
        poll_n(1);
    }
    link.collect();
    CHECK(link.count(COUNTERS) >= 4);
    LONGS_EQUAL(0, link.count(HEARTBEAT));  // periodic Counters: no end announced
    send_cmd(make_cmd(RP_CMD_STOP, 2));
    poll_n(2);
    LONGS_EQUAL(1, link.count(HEARTBEAT));
    LONGS_EQUAL(0, link.last(HEARTBEAT)->heartbeat->state);
    fake_hal_timer_advance(100000);
    poll_n(3);
    LONGS_EQUAL(1, link.count(HEARTBEAT));  // once, not a period
}

TEST(device, configure_sets_periodic_counters_while_recording)
{
    rp_device_init(&cfg);
    rp_command_t c = make_cmd(RP_CMD_CONFIGURE, 1);
    c.counters_ms = 2;  // 2000 ticks
    send_cmd(c);
    poll_n(1);
    fake_hal_timer_advance(5000);
    poll_n(1);
    LONGS_EQUAL(0, link.count(COUNTERS));  // not recording
    send_cmd(make_cmd(RP_CMD_START, 2));
    poll_n(1);
    record_reads(10);
    fake_hal_timer_advance(2000);
    poll_n(1);
    LONGS_EQUAL(1, link.count(COUNTERS));
    LONGS_EQUAL(10, link.last(COUNTERS)->counters->events_recorded);
    poll_n(1);
    LONGS_EQUAL(1, link.count(COUNTERS));
}

/* The link's lost received bytes reach the host in every Counters, as the
 * transport counts them (since boot, not reset by Start). */
TEST(device, counters_carry_the_links_lost_bytes)
{
    fake_hal.rx_lost = 7;
    init_and_start(1);
    record_reads(1);
    send_cmd(make_cmd(RP_CMD_STOP, 2));
    poll_n(3);
    LONGS_EQUAL(7, link.last(COUNTERS)->counters->link_rx_lost);
    fake_hal.rx_lost = 9;
    send_cmd(make_cmd(RP_CMD_START, 3));
    poll_n(2);
    send_cmd(make_cmd(RP_CMD_STOP, 4));
    poll_n(3);
    LONGS_EQUAL(9, link.last(COUNTERS)->counters->link_rx_lost);
}

TEST(device, control_frames_wait_for_room_and_are_never_lost)
{
    fake_hal.tx_space = 0;
    rp_device_init(&cfg);
    for (uint32_t id = 1; id <= 3; id++) {
        send_cmd(make_cmd(RP_CMD_PING, id));
    }
    poll_n(5);
    LONGS_EQUAL(0, fake_hal.tx_total);
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    poll_n(1);
    LONGS_EQUAL(4, link.frames.size());
    LONGS_EQUAL(HELLO, link.frames[0]->body_case);
    for (uint32_t id = 1; id <= 3; id++) {
        LONGS_EQUAL(RESPONSE, link.frames[id]->body_case);
        LONGS_EQUAL(id, link.frames[id]->response->request_id);
    }
}

TEST(device, a_full_queue_pushes_back_on_commands_without_losing_any)
{
    fake_hal.tx_space = 0;
    rp_device_init(&cfg);
    for (uint32_t id = 1; id <= 20; id++) {
        send_cmd(make_cmd(RP_CMD_PING, id));
    }
    poll_n(10);
    CHECK(fake_hal.rx_len > 0);  // the device stopped reading
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    poll_n(10);
    LONGS_EQUAL(20, link.count(RESPONSE));
    uint32_t id = 1;
    for (Frame *f : link.frames) {
        if (f->body_case == RESPONSE) {
            LONGS_EQUAL(id++, f->response->request_id);
        }
    }
}

TEST(device, batches_wait_for_room_for_a_worst_case_frame)
{
    init_and_start();
    record_reads(10);
    fake_hal.tx_space = RP_FRAME_ENCODED_MAX(RP_FRAME_MAX_PAYLOAD) - 1;
    send_cmd(make_cmd(RP_CMD_PING, 5));
    poll_n(2);
    LONGS_EQUAL(0, link.count(BATCH));
    LONGS_EQUAL(5, link.last(RESPONSE)->response->request_id);  // small control frame fits
    LONGS_EQUAL(10, rp_ring_count(&rp_recorder.ring));
    fake_hal.tx_space = RP_FRAME_ENCODED_MAX(RP_FRAME_MAX_PAYLOAD);
    poll_n(1);
    LONGS_EQUAL(1, link.count(BATCH));
    LONGS_EQUAL(10, link.last(BATCH)->batch->count);
}

TEST(device, stall_time_is_counted)
{
    init_and_start();
    record_reads(10);
    poll_n(1);  // a partial batch: held while the ring grew
    fake_hal.tx_space = 0;
    poll_n(1);  // now due, and the link is full
    fake_hal_timer_advance(500);
    poll_n(1);
    fake_hal_timer_advance(700);
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    send_cmd(make_cmd(RP_CMD_STOP, 2));
    poll_n(2);
    LONGS_EQUAL(1200, link.last(COUNTERS)->counters->tx_stall_ticks);
}

TEST(device, counters_include_a_stall_still_going_on)
{
    init_and_start();
    rp_command_t c = make_cmd(RP_CMD_CONFIGURE, 2);
    c.counters_ms = 1;  // 1000 ticks
    send_cmd(c);
    poll_n(1);
    record_reads(RP_CONFIG_BATCH_MAX_EVENTS);
    fake_hal.tx_space = 0;
    poll_n(1);  // the batch cannot go: stalled from here
    fake_hal_timer_advance(1000);
    fake_hal.tx_space = 1000;  // room for small frames, not for the batch
    poll_n(1);
    // Periodic Counters leave room for the waiting batch.
    LONGS_EQUAL(0, link.count(COUNTERS));
    fake_hal.tx_space = 0;
    send_cmd(make_cmd(RP_CMD_STOP, 3));
    poll_n(1);
    fake_hal_timer_advance(300);
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    poll_n(1);
    // The final Counters went out in the drain that ended the stall.
    LONGS_EQUAL(1, link.count(COUNTERS));
    LONGS_EQUAL(1300, link.last(COUNTERS)->counters->tx_stall_ticks);
    LONGS_EQUAL(3, link.last(RESPONSE)->response->request_id);
}

TEST(device, ring_overflow_is_reported_exactly)
{
    init_and_start();
    fake_hal.tx_space = 0;
    fake_hal.now = 100;
    const int extra = 10;
    record_reads(RP_CONFIG_RING_CAPACITY + extra, 20);
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    poll_n(1);
    Frame *d = link.first(DROPS);
    CHECK(d != NULL);
    LONGS_EQUAL(extra, d->drops->dropped_total);
    LONGS_EQUAL(100 + 20 * RP_CONFIG_RING_CAPACITY, d->drops->first_drop_timestamp);
    CHECK(link.index_of(DROPS) < link.index_of(BATCH));
    LONGS_EQUAL(extra, link.last(BATCH)->batch->dropped_total);
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY, all_events().size());

    // A second overflow is reported with the new total and its own first drop.
    fake_hal.tx_space = 0;
    fake_hal.now = 900000;
    record_reads(RP_CONFIG_RING_CAPACITY + 3, 20);
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    poll_n(1);
    LONGS_EQUAL(2, link.count(DROPS));
    LONGS_EQUAL(extra + 3, link.last(DROPS)->drops->dropped_total);
    LONGS_EQUAL(900000 + 20 * RP_CONFIG_RING_CAPACITY,
                link.last(DROPS)->drops->first_drop_timestamp);

    send_cmd(make_cmd(RP_CMD_STOP, 2));
    poll_n(2);
    LONGS_EQUAL(extra + 3, link.last(COUNTERS)->counters->events_dropped);
    LONGS_EQUAL(2 * RP_CONFIG_RING_CAPACITY, link.last(COUNTERS)->counters->events_sent);
}

TEST(device, small_frames_never_starve_the_event_stream_on_a_slow_link)
{
    // A workload ending a run every step (a WorkloadResult per poll) into
    // a full ring (a new drop count per poll), over a link that frees 40
    // bytes per poll: less than those small frames would take.
    cfg.default_workload = "alpha";
    mock_workload.steps_per_run = 1;
    mock_workload.events_per_step = 5;
    init_and_start();
    fake_hal.tx_space = 0;
    record_reads(RP_CONFIG_RING_CAPACITY);
    for (int i = 0; i < 1000; i++) {
        fake_hal.tx_space += 40;
        rp_device_poll();
    }
    link.collect();
    CHECK(link.count(BATCH) >= 20);
    CHECK(link.count(WORKLOAD) > 0);
    CHECK(link.count(DROPS) > 0);
    // Loss is still exact: what was sent plus what was dropped is what
    // the workload and the test recorded.
    uint64_t sent = all_events().size() + rp_ring_count(&rp_recorder.ring);
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY + 5 * mock_workload.steps,
                sent + rp_recorder.ring.dropped);
}

TEST(device, drop_reports_never_starve_the_event_stream)
{
    // New drops before every poll, over a link freeing 10 bytes per poll:
    // fewer than one DropReport takes.
    init_and_start();
    fake_hal.tx_space = 0;
    record_reads(RP_CONFIG_RING_CAPACITY);
    for (int i = 0; i < 3000; i++) {
        record_reads(1);
        fake_hal.tx_space += 10;
        rp_device_poll();
    }
    link.collect();
    CHECK(link.count(BATCH) >= 10);
    CHECK(link.count(DROPS) > 0);
    LONGS_EQUAL(RP_CONFIG_RING_CAPACITY + 3000,
                all_events().size() + rp_ring_count(&rp_recorder.ring) + rp_recorder.ring.dropped);
}

TEST(device, names_go_out_before_the_batch_and_again_after_start)
{
    init_and_start();
    static rp_name_t layer = RP_NAME("layer1");
    rp_span_begin(&layer);
    fake_hal_timer_advance(30);
    rp_span_end(&layer);
    poll_n(2);
    int names_at = link.index_of(NAMES);
    CHECK(names_at >= 0);
    CHECK(names_at < link.index_of(BATCH));
    const Rramprof__V1__NameTable *t = link.frames[names_at]->names;
    LONGS_EQUAL(1, t->n_id);
    LONGS_EQUAL(1, t->id[0]);
    STRCMP_EQUAL("layer1", t->name[0]);
    std::vector<rp_record_t> ev = all_events();
    LONGS_EQUAL(1, ev.size());
    LONGS_EQUAL(RP_OP_SPAN, ev[0].op);
    LONGS_EQUAL(1, ev[0].arg);
    LONGS_EQUAL(30, ev[0].duration);

    send_cmd(make_cmd(RP_CMD_STOP, 2));
    poll_n(2);
    LONGS_EQUAL(1, link.count(NAMES));
    send_cmd(make_cmd(RP_CMD_START, 3));
    poll_n(2);
    LONGS_EQUAL(2, link.count(NAMES));
}

TEST(device, event_limit_with_autostart_finishes_by_itself)
{
    cfg.autostart = true;
    cfg.event_limit = 50;
    cfg.default_workload = "alpha";
    mock_workload.events_per_step = 4;
    rp_device_init(&cfg);
    CHECK_TRUE(rp_device_recording());
    int polls = 0;
    while (rp_device_poll()) {
        polls++;
        CHECK(polls < 1000);
    }
    link.collect();
    CHECK_FALSE(rp_device_recording());
    LONGS_EQUAL(HELLO, link.frames[0]->body_case);
    LONGS_EQUAL(0, link.count(RESPONSE));
    // The final Counters, then the idle Heartbeat that says the session ended.
    LONGS_EQUAL(HEARTBEAT, link.frames.back()->body_case);
    LONGS_EQUAL(0, link.frames.back()->heartbeat->state);
    Frame *last = link.frames[link.frames.size() - 2];
    LONGS_EQUAL(COUNTERS, last->body_case);
    LONGS_EQUAL(50, last->counters->events_recorded);  // exactly, mid-step
    LONGS_EQUAL(last->counters->events_recorded, last->counters->events_sent);
    LONGS_EQUAL(last->counters->events_recorded, all_events().size());
    LONGS_EQUAL(1, mock_workload.aborts);
}

TEST(device, autostart_waits_for_the_transport_before_finishing)
{
    cfg.autostart = true;
    cfg.event_limit = 5;
    rp_device_init(&cfg);
    record_reads(5);
    fake_hal.tx_space = 0;
    for (int i = 0; i < 5; i++) {
        CHECK_TRUE(rp_device_poll());  // limit reached, but not drained
    }
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    CHECK_FALSE(rp_device_poll());
    link.collect();
    LONGS_EQUAL(5, all_events().size());
    LONGS_EQUAL(COUNTERS, link.frames[link.frames.size() - 2]->body_case);
    LONGS_EQUAL(HEARTBEAT, link.frames.back()->body_case);   // sent before the loop ends
}

TEST(device, link_down_ends_the_session_and_the_loop)
{
    init_and_start();
    record_reads(7);
    fake_hal.up = false;
    CHECK_FALSE(rp_device_poll());
    link.collect();
    CHECK_FALSE(rp_device_recording());
    // Bookkeeping still went out (the sim link discards it once down); no
    // idle Heartbeat waits for a link that is gone.
    LONGS_EQUAL(7, all_events().size());
    LONGS_EQUAL(COUNTERS, link.frames.back()->body_case);
}

TEST(device, commands_wait_while_a_stop_is_draining)
{
    init_and_start();
    record_reads(20);
    fake_hal.tx_space = 0;
    send_cmd(make_cmd(RP_CMD_STOP, 2));
    send_cmd(make_cmd(RP_CMD_START, 3));
    poll_n(3);
    CHECK_FALSE(rp_device_recording());  // Start not executed yet
    LONGS_EQUAL(20, rp_ring_count(&rp_recorder.ring));
    fake_hal.tx_space = FAKE_TX_UNLIMITED;
    poll_n(3);
    CHECK_TRUE(rp_device_recording());
    // Stop's events, Counters, answer and idle Heartbeat precede the Start
    // answer.
    LONGS_EQUAL(20, all_events().size());
    Frame *last = link.frames.back();
    LONGS_EQUAL(3, last->response->request_id);
    LONGS_EQUAL(HEARTBEAT, link.frames[link.frames.size() - 2]->body_case);
    Frame *stop = link.frames[link.frames.size() - 3];
    LONGS_EQUAL(RESPONSE, stop->body_case);
    LONGS_EQUAL(2, stop->response->request_id);
    LONGS_EQUAL(COUNTERS, link.frames[link.frames.size() - 4]->body_case);
}

static rp_command_t start_with(const char *workload, uint32_t id, uint64_t limit = 0)
{
    rp_command_t c = make_cmd(RP_CMD_START, id);
    c.start_workload = true;
    strcpy(c.workload, workload);
    c.repeat = 1;
    c.seed = 42;
    c.event_limit = limit;
    return c;
}

TEST(device, start_with_a_workload_runs_it_instead_of_the_default)
{
    cfg.default_workload = "alpha";
    mock_workload.steps_per_run = 2;
    mock_workload.events_per_step = 3;
    rp_device_init(&cfg);
    send_cmd(start_with("beta", 5));
    poll_n(8);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, link.last(RESPONSE)->response->result);
    LONGS_EQUAL(1, mock_workload.begins);   // beta only: the default never began
    LONGS_EQUAL(1, mock_workload.last_index);
    LONGS_EQUAL(42, mock_workload.last_seed);
    LONGS_EQUAL(1, link.count(WORKLOAD));   // repeat 1
    STRCMP_EQUAL("beta", link.last(WORKLOAD)->workload->name);
    LONGS_EQUAL(6, all_events().size());
}

TEST(device, start_with_an_unknown_workload_is_refused_and_starts_nothing)
{
    fake_hal.can_restart = true;
    rp_device_init(&cfg);
    send_cmd(start_with("gamma", 6));
    poll_n(3);
    LONGS_EQUAL(6, link.last(RESPONSE)->response->request_id);
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_UNKNOWN_WORKLOAD,
                link.last(RESPONSE)->response->result);
    CHECK_FALSE(rp_device_recording());
    LONGS_EQUAL(0, mock_workload.begins);
    LONGS_EQUAL(0, fake_hal.restarts);
}

TEST(device, start_with_a_workload_restarts_the_clock_where_the_board_can)
{
    fake_hal.can_restart = true;
    fake_hal.now = 5000000;   // long after boot
    mock_workload.steps_per_run = 1;
    mock_workload.events_per_step = 2;
    rp_device_init(&cfg);
    send_cmd(start_with("alpha", 7));
    poll_n(4);
    LONGS_EQUAL(1, fake_hal.restarts);
    std::vector<rp_record_t> ev = all_events();
    LONGS_EQUAL(2, ev.size());
    CHECK_TRUE(ev[0].start < 1000);   // timestamps count from the restart
    // A plain Start leaves the clock alone.
    send_cmd(make_cmd(RP_CMD_START, 8));
    poll_n(4);
    LONGS_EQUAL(1, fake_hal.restarts);
}

TEST(device, start_with_a_workload_keeps_the_clock_where_the_board_cannot)
{
    fake_hal.now = 5000000;
    mock_workload.steps_per_run = 1;
    mock_workload.events_per_step = 1;
    rp_device_init(&cfg);
    send_cmd(start_with("alpha", 7));
    poll_n(4);
    LONGS_EQUAL(0, fake_hal.restarts);
    std::vector<rp_record_t> ev = all_events();
    LONGS_EQUAL(1, ev.size());
    CHECK_TRUE(ev[0].start >= 5000000);
}

TEST(device, start_with_a_workload_waits_for_earlier_answers_to_go_out)
{
    fake_hal.can_restart = true;
    fake_hal.now = 5000000;
    mock_workload.steps_per_run = 1;
    mock_workload.events_per_step = 1;
    rp_device_init(&cfg);
    link.collect();
    size_t boot_frames = link.frames.size();
    // GetInfo and Start in the same read: the Hello answer must be encoded
    // before the clock restarts, not inside the session.
    send_cmd(make_cmd(RP_CMD_GET_INFO, 1));
    send_cmd(start_with("alpha", 2));
    poll_n(4);
    CHECK(link.frames.size() > boot_frames + 1);
    Frame *answer = link.frames[boot_frames];
    LONGS_EQUAL(RESPONSE, answer->body_case);
    LONGS_EQUAL(1, answer->response->request_id);
    CHECK(answer->response->hello != NULL);
    LONGS_EQUAL(1, fake_hal.restarts);
    size_t through_answer = 0;
    for (size_t i = 0; i <= boot_frames; i++) {
        through_answer += link.frame_bytes[i];
    }
    CHECK_TRUE(through_answer <= fake_hal.tx_len_at_restart);   // out before the restart
    LONGS_EQUAL(RRAMPROF__V1__RESULT_CODE__RESULT_OK, link.last(RESPONSE)->response->result);
    LONGS_EQUAL(2, link.last(RESPONSE)->response->request_id);
}

TEST(device, start_event_limit_ends_the_session_after_that_many_events)
{
    cfg.event_limit = 100;   // the Start's limit takes precedence
    mock_workload.steps_per_run = 50;
    mock_workload.events_per_step = 2;
    rp_device_init(&cfg);
    send_cmd(start_with("alpha", 3, 7));
    poll_n(20);
    CHECK_FALSE(rp_device_recording());
    LONGS_EQUAL(7, all_events().size());
    LONGS_EQUAL(7, link.last(COUNTERS)->counters->events_recorded);
    // The next Start without a limit falls back to the device's own.
    send_cmd(make_cmd(RP_CMD_START, 4));
    poll_n(1);
    LONGS_EQUAL(100, rp_recorder.limit);
}
