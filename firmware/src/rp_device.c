/* The device main loop; contract in rp_device.h.
 *
 * Output order within one drain:
 *   1. queued control messages (Hello, Response, WorkloadResult, Counters)
 *      in FIFO order, up to the first one that waits for an empty ring;
 *   2. pending NameTable entries (before any batch that may use them);
 *   3. a DropReport if the ring's drop count grew;
 *   4. EventBatch frames while the transport has room for a worst-case
 *      frame. rp_device_drain sends every event; the poll loop sends full
 *      batches, and a partial one only once the ring stopped growing
 *      between polls, its oldest event is RP_DEVICE_FLUSH_MS old, or
 *      recording stopped: a workload step records a few events, and a batch
 *      per step would spend more bytes on batch headers than on events;
 *   5. once the ring is empty, the queued messages that waited for it (the
 *      final Counters of a session and the answer to its Stop).
 *
 * Answers (Hello, Response, NameTable, final Counters) that do not fit the
 * transport stay queued and block everything behind them: nothing is lost
 * or reordered. Informative frames (WorkloadResult, DropReport, Heartbeat,
 * periodic Counters) go out only with room left for a worst-case batch
 * while events wait, so on a slow link they can never starve the event
 * stream (batches carry the drop total anyway). Commands are not read while
 * the queue is nearly full (back-pressure to the host) or while a session
 * end is still draining. Queue entries are descriptors, encoded when sent,
 * so the queue stays small. */
#include "rramprof/rp_device.h"

#include <string.h>

#include "rp_port.h"
#include "rp_xbar_priv.h"
#include "rramprof/rp_command.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_hal_timer.h"
#include "rramprof/rp_hal_transport.h"
#include "rramprof/rp_hal_xbar.h"
#include "rramprof/rp_recorder.h"
#include "rramprof/rp_salvage.h"
#include "rramprof/rp_span.h"
#include "rramprof/rp_status.h"
#include "rramprof/rp_workload.h"

/* Longest a partial batch waits while events keep coming, in ms. */
#ifndef RP_DEVICE_FLUSH_MS
#define RP_DEVICE_FLUSH_MS 20u
#endif

#define PRV_QUEUE_LEN 8u
#define PRV_MAX_WORKLOADS 16u
#define PRV_RX_CHUNK 64u
#define PRV_FRAME_MAX RP_FRAME_ENCODED_MAX(RP_FRAME_MAX_PAYLOAD)
/* A command may queue two messages (Stop: Counters and its Response). */
#define PRV_QUEUE_FREE_FOR_COMMAND 2u

typedef enum prv_msg_kind {
    PRV_MSG_HELLO = 0,
    PRV_MSG_RESPONSE,
    PRV_MSG_COUNTERS,
    PRV_MSG_WORKLOAD
} prv_msg_kind_t;

typedef struct prv_msg {
    prv_msg_kind_t kind;
    bool after_drain;        /* send only once the ring is empty */
    bool with_hello;         /* RESPONSE to GetInfo */
    uint32_t request_id;
    uint32_t result;
    const char *message;     /* static text or NULL */
    /* WORKLOAD */
    int workload;
    uint32_t run;
    uint64_t start, end;
    rp_workload_result_t outcome;
} prv_msg_t;

typedef struct prv_device {
    rp_device_config_t cfg;
    bool recording;
    rp_array_info_t array;
    const char *workload_names[PRV_MAX_WORKLOADS];
    uint32_t workload_name_count;

    /* periodic frames, in ticks; 0 = off */
    uint64_t hb_period, counters_period;
    uint64_t flush_ticks;    /* RP_DEVICE_FLUSH_MS in ticks */
    uint32_t ring_after_poll;  /* ring fill when the last poll ended */
    uint64_t next_hb, next_counters;
    /* The session ended: an idle Heartbeat goes out right after the final
     * Counters, whatever the period, so the host can tell a session that
     * ended from a device that went away after a periodic Counters. */
    bool idle_due;

    /* session output accounting, reset at Start */
    rp_batch_state_t batch;
    uint64_t dropped_reported;
    uint64_t events_sent, bytes_sent, frames_sent, drain_ticks, tx_stall_ticks;
    bool stalled;
    uint64_t stall_since;
    bool size_first;         /* size batches before encoding them */

    /* running workload */
    bool wl_running;
    int wl_index;
    uint32_t wl_repeat;      /* 0 = until Stop */
    uint32_t wl_run;
    uint64_t wl_seed, wl_start;

    /* commands */
    rp_deframer_t deframer;
    rp_command_t held;       /* Start waiting for the previous session to drain */
    bool has_held;
    uint8_t rx[PRV_RX_CHUNK];
    size_t rx_pos, rx_len;

    /* control queue */
    prv_msg_t queue[PRV_QUEUE_LEN];
    uint32_t q_head, q_count;
} prv_device_t;

static prv_device_t prv_dev;
static uint8_t prv_payload[RP_FRAME_MAX_PAYLOAD];
static uint8_t prv_frame[PRV_FRAME_MAX];
static uint8_t prv_rx_payload[RP_COMMAND_MAX_PAYLOAD + RP_FRAME_CRC_LEN];

/* ---- small helpers ---- */

static uint64_t prv_ms_to_ticks(uint32_t ms)
{
    return rp_hal_timer_hz() * (uint64_t)ms / 1000u;
}

static uint64_t prv_dropped(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    uint64_t n = rp_recorder.ring.dropped;
    rp_port_irq_restore(s);
    return n;
}

static bool prv_names_pending(void)
{
    const uint32_t *ids;
    const char *const *texts;
    return rp_name_pending(&ids, &texts) != 0u;
}

/* ---- control queue ---- */

static uint32_t prv_queue_free(void)
{
    return PRV_QUEUE_LEN - prv_dev.q_count;
}

static bool prv_queue_waits_for_drain(void)
{
    for (uint32_t i = 0; i < prv_dev.q_count; i++) {
        if (prv_dev.queue[(prv_dev.q_head + i) % PRV_QUEUE_LEN].after_drain) {
            return true;
        }
    }
    return false;
}

/* Callers check prv_queue_free() first; a full queue here is a bug, and
 * the message is then dropped rather than overwriting another. */
static prv_msg_t *prv_queue_push(prv_msg_kind_t kind, bool after_drain)
{
    if (prv_dev.q_count == PRV_QUEUE_LEN) {
        return NULL;
    }
    prv_msg_t *m = &prv_dev.queue[(prv_dev.q_head + prv_dev.q_count) % PRV_QUEUE_LEN];
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->after_drain = after_drain;
    prv_dev.q_count++;
    return m;
}

/* Queued behind everything before it: the answer to a Stop therefore
 * follows that session's final Counters. */
static void prv_respond(uint32_t request_id, uint32_t result, const char *message,
                        bool with_hello)
{
    prv_msg_t *m = prv_queue_push(PRV_MSG_RESPONSE, false);
    if (m != NULL) {
        m->request_id = request_id;
        m->result = result;
        m->message = message;
        m->with_hello = with_hello;
    }
}

/* ---- encoding and sending ---- */

static void prv_fill_hello(rp_hello_t *h)
{
    memset(h, 0, sizeof *h);
    h->board = rp_hal_board_name();
    h->firmware_version = rp_hal_board_firmware_version();
    h->clock_hz = rp_hal_timer_hz();
    h->timer_bits = rp_hal_timer_bits();
    h->array = prv_dev.array;
    h->ring_capacity = RP_CONFIG_RING_CAPACITY;
    h->max_frame_payload = RP_FRAME_MAX_PAYLOAD;
    h->boot_id = rp_hal_board_boot_id();
    /* What the board found at run time, limited to what its port reads. */
    h->counters_available = rp_xbar_hw_available();
    h->op_mask = rp_recorder.op_mask;
    h->threshold_ticks = rp_recorder.threshold;
    h->workloads = prv_dev.workload_names;
    h->workload_count = prv_dev.workload_name_count;
    h->reset_cause = (uint32_t)rp_hal_board_reset_cause(&h->fatal_reason);
    /* Where the board salvaged the boot before's counts (a warm reset). */
    h->previous_boot_id = rp_salvage_previous.boot_id;
    h->previous_events_recorded = rp_salvage_previous.events_recorded;
    h->previous_events_sent = rp_salvage_previous.events_sent;
    h->previous_events_dropped = rp_salvage_previous.events_dropped;
}

static void prv_fill_counters(rp_counters_t *c)
{
    memset(c, 0, sizeof *c);
    rp_recorder_counters(c);
    rp_xbar_hw_fill(c);   /* hardware counters since Start (the board hook) */
    c->timestamp = rp_hal_timer_now();
    c->events_sent = prv_dev.events_sent;
    c->drain_ticks = prv_dev.drain_ticks;
    c->bytes_sent = prv_dev.bytes_sent;
    c->frames_sent = prv_dev.frames_sent;
    /* Including a stall still going on (it may end in this very drain). */
    c->tx_stall_ticks = prv_dev.tx_stall_ticks +
                        (prv_dev.stalled ? c->timestamp - prv_dev.stall_since : 0u);
    c->link_rx_lost = rp_hal_transport_rx_lost();
}

/* Encodes a queued message into prv_payload; 0 if it cannot be encoded. */
static size_t prv_encode_msg(const prv_msg_t *m)
{
    rp_hello_t hello;
    rp_counters_t counters;
    size_t len = 0;
    switch (m->kind) {
    case PRV_MSG_HELLO:
    case PRV_MSG_RESPONSE:
        if (m->kind == PRV_MSG_HELLO || m->with_hello) {
            prv_fill_hello(&hello);
        }
        for (int attempt = 0; attempt < 2 && len == 0; attempt++) {
            if (attempt == 1) {
                /* Too many workload names for one frame: send none. */
                hello.workload_count = 0u;
            }
            if (m->kind == PRV_MSG_HELLO) {
                len = rp_encode_hello(&hello, prv_payload, sizeof prv_payload);
            } else {
                len = rp_encode_response(m->request_id, m->result, m->message,
                                         m->with_hello ? &hello : NULL, prv_payload,
                                         sizeof prv_payload);
            }
        }
        break;
    case PRV_MSG_COUNTERS:
        prv_fill_counters(&counters);
        len = rp_encode_counters(&counters, prv_payload, sizeof prv_payload);
        break;
    case PRV_MSG_WORKLOAD:
        len = rp_encode_workload_result(rp_workloads[m->workload].name, m->run,
                                        m->outcome.passed, m->outcome.error_ppm, m->start,
                                        m->end, m->outcome.detail, prv_payload,
                                        sizeof prv_payload);
        break;
    }
    return len;
}

/* Room a best-effort frame leaves for the event stream (see the top). */
static size_t prv_batch_reserve(void)
{
    return rp_ring_count(&rp_recorder.ring) != 0u ? PRV_FRAME_MAX : 0u;
}

/* Frames prv_payload[0..len) and writes it if the transport has room for
 * it plus `reserve` bytes. false = no room; the caller keeps the message. */
static bool prv_send_payload(size_t len, size_t reserve)
{
    size_t flen = rp_frame_encode(prv_payload, len, prv_frame, sizeof prv_frame);
    if (rp_hal_transport_tx_space() < flen + reserve) {
        return false;
    }
    (void)rp_hal_transport_write(prv_frame, flen);
    prv_dev.frames_sent++;
    prv_dev.bytes_sent += flen;
    return true;
}

/* Sends queued messages from the head. Stops at the first one that waits
 * for an empty ring (unless drained) or for room beside the batches, and
 * returns true (batches may go); returns false when an answer does not
 * fit (nothing else may go). */
static bool prv_send_queue(bool drained)
{
    while (prv_dev.q_count > 0u) {
        const prv_msg_t *m = &prv_dev.queue[prv_dev.q_head];
        if (m->after_drain && !drained) {
            return true;
        }
        bool best_effort = m->kind == PRV_MSG_WORKLOAD;
        size_t len = prv_encode_msg(m);
        /* len == 0 cannot happen with the fixed-size messages here; drop
         * it rather than block the link forever. */
        if (len != 0u && !prv_send_payload(len, best_effort ? prv_batch_reserve() : 0u)) {
            return best_effort;
        }
        prv_dev.q_head = (prv_dev.q_head + 1u) % PRV_QUEUE_LEN;
        prv_dev.q_count--;
    }
    return true;
}

static bool prv_send_names(void)
{
    for (;;) {
        const uint32_t *ids;
        const char *const *texts;
        uint32_t n = rp_name_pending(&ids, &texts);
        if (n == 0u) {
            return true;
        }
        size_t len = rp_encode_names(ids, texts, n, prv_payload, sizeof prv_payload);
        if (len != 0u && !prv_send_payload(len, 0u)) {
            return false;
        }
        rp_name_mark_sent();
    }
}

/* A DropReport when the drop count grew; best effort (see the top). */
static void prv_send_drops(void)
{
    rp_port_irq_t s = rp_port_irq_save();
    uint64_t dropped = rp_recorder.ring.dropped;
    uint64_t first = rp_recorder.first_drop_ts;
    rp_port_irq_restore(s);
    if (dropped == prv_dev.dropped_reported) {
        return;
    }
    size_t len = rp_encode_drops(dropped, first, prv_payload, sizeof prv_payload);
    if (len != 0u && !prv_send_payload(len, prv_batch_reserve())) {
        return;   /* later, once the batches leave room */
    }
    prv_dev.dropped_reported = dropped;
    s = rp_port_irq_save();
    if (rp_recorder.ring.dropped == dropped) {
        rp_recorder.first_drop_ts = 0u;   /* the next report starts afresh */
    }
    rp_port_irq_restore(s);
}

#if RP_CONFIG_COMPACT_ENCODER
/* Encodes the longest prefix of recs[0..*n) that fits a frame into
 * prv_payload and sets *n to its length; 0 if not even one event fits.
 * The compact encoder has no sizing pass: a batch that does not fit is
 * bisected down to a prefix that does (every length tried is encoded, so
 * what is kept always fits), on trial copies of the batch state. */
static size_t prv_encode_fitting(const rp_record_t *recs, uint32_t *n, uint64_t dropped)
{
    rp_batch_state_t trial = prv_dev.batch;
    size_t len = rp_encode_batch(&trial, recs, *n, dropped, prv_payload, sizeof prv_payload);
    if (len == 0u) {
        uint32_t fits = 0u, fails = *n;
        while (fails - fits > 1u) {
            uint32_t mid = fits + (fails - fits) / 2u;
            trial = prv_dev.batch;
            if (rp_encode_batch(&trial, recs, mid, dropped, prv_payload, sizeof prv_payload) != 0u) {
                fits = mid;
            } else {
                fails = mid;
            }
        }
        *n = fits;
        trial = prv_dev.batch;
        len = fits != 0u ? rp_encode_batch(&trial, recs, fits, dropped, prv_payload,
                                            sizeof prv_payload)
                         : 0u;
    }
    prv_dev.batch = trial;
    return len;
}
#else
/* Encodes the longest prefix of recs[0..*n) that fits a frame into
 * prv_payload and sets *n to its length; 0 if not even one event fits.
 * Encodes first and sizes only when that failed: rp_encode_batch_fit costs
 * a pass over the records and nearly every batch fits. While batches keep
 * being cut by the payload size, sizes them first. */
static size_t prv_encode_fitting(const rp_record_t *recs, uint32_t *n, uint64_t dropped)
{
    uint32_t peeked = *n;
    bool sized = prv_dev.size_first;
    if (sized) {
        *n = (uint32_t)rp_encode_batch_fit(recs, *n, RP_FRAME_MAX_PAYLOAD);
    }
    size_t len = *n != 0u ? rp_encode_batch(&prv_dev.batch, recs, *n, dropped, prv_payload,
                                            sizeof prv_payload)
                          : 0u;
    if (len == 0u && !sized) {
        sized = true;
        *n = (uint32_t)rp_encode_batch_fit(recs, *n, RP_FRAME_MAX_PAYLOAD);
        len = *n != 0u ? rp_encode_batch(&prv_dev.batch, recs, *n, dropped, prv_payload,
                                         sizeof prv_payload)
                       : 0u;
    }
    /* Sizing first again only while a whole batch at this one's bytes per
     * event would not fit either: the size bound is loose and, trusted
     * alone, it kept cutting batches that would have fit, each behind a
     * sizing pass (docs/architecture.md). */
    prv_dev.size_first = sized && *n < peeked &&
                         (uint64_t)len * peeked >= (uint64_t)RP_FRAME_MAX_PAYLOAD * *n;
    return len;
}
#endif

/* Sends EventBatch frames while there are events and room for a
 * worst-case frame; without `flush`, only while a full batch is waiting.
 * *blocked is set when the transport stopped it. */
static uint32_t prv_send_batches(bool flush, bool *blocked)
{
    uint32_t total = 0u;
    for (;;) {
        const rp_record_t *recs;
        uint32_t n = rp_ring_peek(&rp_recorder.ring, &recs, RP_CONFIG_BATCH_MAX_EVENTS);
        if (n == 0u ||
            (!flush && rp_ring_count(&rp_recorder.ring) < RP_CONFIG_BATCH_MAX_EVENTS)) {
            break;
        }
        if (rp_hal_transport_tx_space() < PRV_FRAME_MAX) {
            *blocked = true;
            break;
        }
        uint64_t dropped = prv_dropped();
        size_t len = prv_encode_fitting(recs, &n, dropped);
        if (len == 0u) {
            *blocked = true;   /* cannot happen: one event always fits */
            break;
        }
        size_t flen = rp_frame_encode(prv_payload, len, prv_frame, sizeof prv_frame);
        (void)rp_hal_transport_write(prv_frame, flen);
        rp_ring_release(&rp_recorder.ring, n);
        prv_dev.events_sent += n;
        prv_dev.frames_sent++;
        prv_dev.bytes_sent += flen;
        total += n;
        rp_port_model_cost(RP_PORT_DRAIN_COST_TICKS_PER_EVENT * n);
    }
    return total;
}

static uint32_t prv_drain(bool flush)
{
    uint32_t t0 = rp_port_cycles32();
    uint32_t sent = 0u;
    /* Every poll drains: sampling here bounds the hardware counters'
     * interval between crossbar operations. */
    rp_xbar_hw_sample();
    /* Extends the recorder's 32-bit counts and takes the ring's backlog
     * at its peak (just before this drain moves the tail). */
    rp_recorder_sync();
    bool blocked = !prv_send_queue(false);
    if (!blocked) {
        blocked = !prv_send_names();
    }
    if (!blocked) {
        prv_send_drops();
        sent = prv_send_batches(flush, &blocked);
    }
    if (!blocked && rp_ring_count(&rp_recorder.ring) == 0u) {
        blocked = !prv_send_queue(true);
    }

    /* Time with output waiting and no room for it. */
    if (blocked != prv_dev.stalled) {
        uint64_t now = rp_hal_timer_now();
        if (blocked) {
            prv_dev.stall_since = now;
        } else {
            prv_dev.tx_stall_ticks += now - prv_dev.stall_since;
        }
        prv_dev.stalled = blocked;
    }
    /* Counted while recording, through the session's final drain (see
     * prv_session_end): the final Counters then hold a figure that no
     * later drain (a host's Stop arriving meanwhile) can move. */
    if (prv_dev.recording) {
        prv_dev.drain_ticks += (uint32_t)(rp_port_cycles32() - t0);
    }
    return sent;
}

uint32_t rp_device_drain(void)
{
    return prv_drain(true);
}

/* Whether the poll loop should send a partial batch now (see the top). */
static bool prv_flush_due(uint64_t now)
{
    if (!prv_dev.recording || rp_ring_count(&rp_recorder.ring) <= prv_dev.ring_after_poll) {
        return true;
    }
    const rp_record_t *oldest;
    if (rp_ring_peek(&rp_recorder.ring, &oldest, 1u) == 0u) {
        return true;
    }
    return now > oldest->start && now - oldest->start >= prv_dev.flush_ticks;
}

/* ---- sessions and workloads ---- */

static void prv_workload_stop(void)
{
    if (prv_dev.wl_running) {
        rp_workload_abort();
        prv_dev.wl_running = false;
    }
}

static int prv_workload_start(int index, uint32_t repeat, uint64_t seed)
{
    prv_workload_stop();
    prv_dev.wl_start = rp_hal_timer_now();
    int rc = rp_workload_begin(index, seed, 0u);
    if (rc == RP_OK) {
        prv_dev.wl_running = true;
        prv_dev.wl_index = index;
        prv_dev.wl_repeat = repeat;
        prv_dev.wl_run = 0u;
        prv_dev.wl_seed = seed;
    }
    return rc;
}

/* Starts a session. `run` (a Start that carries its workload, else NULL)
 * names the workload to run instead of the default one; then the timestamp
 * timer restarts first where the board can, and what follows up to the
 * workload's first step does not depend on when the command arrived. */
static void prv_session_start(uint32_t op_mask, uint64_t threshold, uint64_t event_limit,
                              const rp_command_t *run, int run_index)
{
    prv_workload_stop();
    if (run != NULL && rp_hal_timer_restart()) {
        /* Time went back to 0: the periodic messages restart their rhythm
         * from here, so they too fall at the same instants every run. */
        prv_dev.next_hb = prv_dev.hb_period;
    }
    rp_recorder_set_limit(event_limit != 0u ? event_limit : prv_dev.cfg.event_limit);
    rp_recorder_start(op_mask, threshold);
    rp_xbar_hw_start();
    rp_name_resend_all();
    prv_dev.recording = true;
    prv_dev.idle_due = false;   /* a session follows at once: nothing to announce */
    memset(&prv_dev.batch, 0, sizeof prv_dev.batch);
    prv_dev.dropped_reported = 0u;
    prv_dev.events_sent = 0u;
    prv_dev.bytes_sent = 0u;
    prv_dev.frames_sent = 0u;
    prv_dev.drain_ticks = 0u;
    prv_dev.tx_stall_ticks = 0u;
    prv_dev.stalled = false;
    /* Heartbeats keep their own rhythm across sessions (see above). */
    prv_dev.next_counters = rp_hal_timer_now() + prv_dev.counters_period;
    if (run != NULL) {
        (void)prv_workload_start(run_index, run->repeat, run->seed);
    } else if (prv_dev.cfg.default_workload != NULL) {
        int index = rp_workload_find(prv_dev.cfg.default_workload);
        if (index >= 0) {
            (void)prv_workload_start(index, 0u, prv_dev.cfg.seed);
        }
    }
}

/* Ends the session: workload and recorder stop, the ring drains, then the
 * final Counters go out. */
static void prv_session_end(void)
{
    prv_workload_stop();
    if (!prv_dev.recording) {
        return;
    }
    rp_recorder_stop();
    rp_xbar_hw_stop();   /* hardware totals cover Start to Stop */
    (void)rp_device_drain();   /* still recording: its ticks count */
    prv_dev.recording = false;
    (void)prv_queue_push(PRV_MSG_COUNTERS, true);
    prv_dev.idle_due = true;
}

static void prv_step_workload(void)
{
    if (!prv_dev.wl_running || prv_queue_free() == 0u) {
        return;
    }
    rp_workload_result_t outcome;
    memset(&outcome, 0, sizeof outcome);
    if (rp_workload_step(&outcome) != RP_WORKLOAD_DONE) {
        return;
    }
    uint64_t now = rp_hal_timer_now();
    prv_msg_t *m = prv_queue_push(PRV_MSG_WORKLOAD, false);
    if (m != NULL) {
        m->workload = prv_dev.wl_index;
        m->run = prv_dev.wl_run;
        m->start = prv_dev.wl_start;
        m->end = now;
        m->outcome = outcome;
    }
    prv_dev.wl_run++;
    if (prv_dev.wl_repeat != 0u && prv_dev.wl_run >= prv_dev.wl_repeat) {
        prv_dev.wl_running = false;
        return;
    }
    prv_dev.wl_start = now;
    if (rp_workload_begin(prv_dev.wl_index, prv_dev.wl_seed, prv_dev.wl_run) != RP_OK) {
        prv_dev.wl_running = false;
    }
}

/* ---- commands ---- */

static void prv_configure(const rp_command_t *cmd)
{
    uint32_t mask = cmd->op_mask != 0u ? cmd->op_mask : rp_recorder.op_mask;
    uint64_t threshold = cmd->set_threshold ? cmd->threshold_ticks : rp_recorder.threshold;
    rp_recorder_set_filter(mask, threshold);
    uint64_t now = rp_hal_timer_now();
    if (cmd->heartbeat_ms != 0u) {
        prv_dev.hb_period = prv_ms_to_ticks(cmd->heartbeat_ms);
        prv_dev.next_hb = now + prv_dev.hb_period;
    }
    if (cmd->counters_ms != 0u) {
        prv_dev.counters_period = prv_ms_to_ticks(cmd->counters_ms);
        prv_dev.next_counters = now + prv_dev.counters_period;
    }
}

static void prv_execute(const rp_command_t *cmd)
{
    switch (cmd->kind) {
    case RP_CMD_GET_INFO:
        prv_respond(cmd->request_id, RP_RESULT_OK, NULL, true);
        break;
    case RP_CMD_PING:
        prv_respond(cmd->request_id, RP_RESULT_OK, NULL, false);
        break;
    case RP_CMD_START: {
        int run_index = cmd->start_workload ? rp_workload_find(cmd->workload) : -1;
        if (cmd->start_workload && run_index < 0) {
            /* Refused before anything changes, as RunWorkload is. */
            prv_respond(cmd->request_id, RP_RESULT_UNKNOWN_WORKLOAD, "unknown workload", false);
            break;
        }
        if (prv_dev.recording || (cmd->start_workload && prv_dev.q_count != 0u)) {
            /* Restart: close the running session first; the Start runs
             * once its events and final Counters are out. A Start that
             * carries its workload also waits for earlier answers (a
             * GetInfo's Hello) to go out, so none is encoded inside the
             * session it times. */
            prv_session_end();
            prv_dev.held = *cmd;
            prv_dev.has_held = true;
            break;
        }
        prv_session_start(cmd->op_mask, cmd->threshold_ticks, cmd->event_limit,
                          cmd->start_workload ? cmd : NULL, run_index);
        prv_respond(cmd->request_id, RP_RESULT_OK, NULL, false);
        break;
    }
    case RP_CMD_STOP:
        prv_session_end();
        prv_respond(cmd->request_id, RP_RESULT_OK, NULL, false);
        break;
    case RP_CMD_CONFIGURE:
        prv_configure(cmd);
        prv_respond(cmd->request_id, RP_RESULT_OK, NULL, false);
        break;
    case RP_CMD_RUN_WORKLOAD: {
        int index = rp_workload_find(cmd->workload);
        if (index < 0) {
            prv_respond(cmd->request_id, RP_RESULT_UNKNOWN_WORKLOAD, "unknown workload", false);
        } else if (prv_workload_start(index, cmd->repeat, cmd->seed) != RP_OK) {
            prv_respond(cmd->request_id, RP_RESULT_BAD_ARGUMENT, "workload did not start",
                        false);
        } else {
            prv_respond(cmd->request_id, RP_RESULT_OK, NULL, false);
        }
        break;
    }
    default:
        prv_respond(cmd->request_id, RP_RESULT_UNSUPPORTED, "unsupported command", false);
        break;
    }
}

static bool prv_can_take_command(void)
{
    return !prv_dev.has_held && !prv_queue_waits_for_drain() &&
           prv_queue_free() >= PRV_QUEUE_FREE_FOR_COMMAND;
}

static void prv_read_commands(void)
{
    if (prv_dev.has_held && !prv_queue_waits_for_drain() &&
        (!prv_dev.held.start_workload || prv_dev.q_count == 0u)) {
        prv_dev.has_held = false;
        prv_execute(&prv_dev.held);
    }
    while (prv_can_take_command()) {
        if (prv_dev.rx_pos == prv_dev.rx_len) {
            prv_dev.rx_pos = 0u;
            prv_dev.rx_len = rp_hal_transport_read(prv_dev.rx, sizeof prv_dev.rx);
            if (prv_dev.rx_len == 0u) {
                break;
            }
        }
        uint8_t byte = prv_dev.rx[prv_dev.rx_pos++];
        if (rp_deframer_feed(&prv_dev.deframer, byte) != RP_DEFRAME_FRAME) {
            continue;   /* partial frame, or a corrupt one: the host retries */
        }
        rp_command_t cmd;
        memset(&cmd, 0, sizeof cmd);
        if (rp_command_parse(rp_deframer_payload(&prv_dev.deframer),
                             rp_deframer_payload_len(&prv_dev.deframer), &cmd) != RP_OK) {
            prv_respond(cmd.request_id, RP_RESULT_MALFORMED, "malformed command", false);
            continue;
        }
        prv_execute(&cmd);
    }
}

static void prv_periodic(uint64_t now)
{
    if (prv_dev.q_count != 0u) {
        return;   /* control messages first */
    }
    if (prv_dev.idle_due || (prv_dev.hb_period != 0u && now >= prv_dev.next_hb)) {
        size_t len = rp_encode_heartbeat(now, prv_dev.recording ? 1u : 0u, prv_payload,
                                         sizeof prv_payload);
        if (len != 0u && prv_send_payload(len, prv_batch_reserve())) {
            prv_dev.next_hb = now + prv_dev.hb_period;
            prv_dev.idle_due = false;
        }
    }
    if (prv_dev.recording && prv_dev.counters_period != 0u && now >= prv_dev.next_counters) {
        rp_counters_t c;
        prv_fill_counters(&c);
        size_t len = rp_encode_counters(&c, prv_payload, sizeof prv_payload);
        if (len != 0u && prv_send_payload(len, prv_batch_reserve())) {
            prv_dev.next_counters = now + prv_dev.counters_period;
        }
    }
}

/* ---- public API ---- */

void rp_device_init(const rp_device_config_t *cfg)
{
    memset(&prv_dev, 0, sizeof prv_dev);
    if (cfg != NULL) {
        prv_dev.cfg = *cfg;
    }
    rp_recorder_init();
    rp_salvage_stamp(rp_hal_board_boot_id());
    rp_span_reset();
    rp_deframer_init(&prv_dev.deframer, prv_rx_payload, sizeof prv_rx_payload);
    if (rp_hal_xbar_info(&prv_dev.array) != RP_OK) {
        memset(&prv_dev.array, 0, sizeof prv_dev.array);
    }
    uint32_t n = rp_workload_count();
    for (uint32_t i = 0; i < n && i < PRV_MAX_WORKLOADS; i++) {
        prv_dev.workload_names[i] = rp_workloads[i].name;
        prv_dev.workload_name_count = i + 1u;
    }
    prv_dev.hb_period = prv_ms_to_ticks(prv_dev.cfg.heartbeat_ms);
    prv_dev.counters_period = prv_ms_to_ticks(prv_dev.cfg.counters_ms);
    prv_dev.flush_ticks = prv_ms_to_ticks(RP_DEVICE_FLUSH_MS);
    uint64_t now = rp_hal_timer_now();
    prv_dev.next_hb = now + prv_dev.hb_period;
    prv_dev.next_counters = now + prv_dev.counters_period;

    /* A delimiter first: a reset can cut the old boot's last frame on the
     * wire, and the host's deframer would take the new Hello as the rest
     * of it. Ended here, the cut frame fails its checks alone (an empty
     * frame between two delimiters is no error). */
    static const uint8_t delimiter = 0u;
    (void)rp_hal_transport_write(&delimiter, 1u);
    (void)prv_queue_push(PRV_MSG_HELLO, false);
    if (prv_dev.cfg.autostart) {
        prv_session_start(0u, 0u, 0u, NULL, -1);
    }
    (void)rp_device_drain();
}

bool rp_device_poll(void)
{
    /* Also keeps the timer's 64-bit extension fed. */
    uint64_t now = rp_hal_timer_now();
    bool up = rp_hal_transport_up();
    if (up) {
        prv_read_commands();
    } else {
        /* Nobody is listening: finish the session and wind down. */
        prv_dev.has_held = false;
        prv_session_end();
        prv_dev.idle_due = false;
    }
    prv_step_workload();
    if (prv_dev.recording && !rp_recorder.active) {
        /* The recorder stopped itself at the event limit: end the session
         * like Stop, without a Response. */
        prv_session_end();
    }
    (void)prv_drain(prv_flush_due(rp_hal_timer_now()));
    prv_dev.ring_after_poll = rp_ring_count(&rp_recorder.ring);
    prv_periodic(now);

    bool idle = !prv_dev.recording && !prv_dev.wl_running && !prv_dev.has_held &&
                prv_dev.q_count == 0u && rp_ring_count(&rp_recorder.ring) == 0u &&
                !prv_names_pending() && !prv_dev.idle_due;
    return !(idle && (!up || prv_dev.cfg.autostart));
}

bool rp_device_recording(void)
{
    return prv_dev.recording;
}
