/* reset_device MODE: a scripted device on stdin/stdout that resets, for
 * the capture's reset paths a sim board cannot take (test_cli.cpp,
 * CliFaults). It sends no events. GetInfo is answered with a Hello of
 * boot 1; after that, by MODE:
 *   refuse  the first Start is answered OK, then the device reboots (a
 *           Hello of boot 2, watchdog) and answers every later Start
 *           RESULT_BUSY;
 *   silent  the same, but later Starts get no answer;
 *   early   the device reboots right after its GetInfo answer, before any
 *           Start (the two frames in one write), then answers every
 *           command OK.
 * Exits when stdin ends. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "rramprof/rp_command.h"
#include "rramprof/rp_encoder.h"
#include "rramprof/rp_frame.h"
#include "rramprof/rp_hal_board.h"
#include "rramprof/rp_status.h"
#include "write_all.h"

#define PRV_PAYLOAD_MAX 512u

static uint8_t prv_out[4 * RP_FRAME_ENCODED_MAX(PRV_PAYLOAD_MAX)];
static size_t prv_out_len;

/* Frames payload[0..len) into prv_out, sent by prv_flush. */
static void prv_frame(const uint8_t *payload, size_t len)
{
    prv_out_len += rp_frame_encode(payload, len, prv_out + prv_out_len, sizeof prv_out - prv_out_len);
}

static int prv_flush(void)
{
    size_t n = prv_out_len;
    prv_out_len = 0;
    return rp_test_write_all(1, prv_out, n);
}

static void prv_hello(rp_hello_t *h, uint64_t boot_id, uint32_t cause)
{
    memset(h, 0, sizeof *h);
    h->board = "reset-device";
    h->firmware_version = "0.0.0";
    h->clock_hz = 1000000u;
    h->timer_bits = 32u;
    h->ring_capacity = 64u;
    h->max_frame_payload = PRV_PAYLOAD_MAX;
    h->boot_id = boot_id;
    h->reset_cause = cause;
}

static void prv_respond(const rp_command_t *cmd, uint32_t result, const rp_hello_t *hello)
{
    uint8_t payload[PRV_PAYLOAD_MAX];
    prv_frame(payload, rp_encode_response(cmd->request_id, result, result ? "still booting" : NULL, hello,
                                          payload, sizeof payload));
}

static void prv_reboot(rp_hello_t *h)
{
    uint8_t payload[PRV_PAYLOAD_MAX];
    prv_hello(h, 2u, RP_RESET_WATCHDOG);
    prv_frame(payload, rp_encode_hello(h, payload, sizeof payload));
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int refuse = strcmp(mode, "refuse") == 0, silent = strcmp(mode, "silent") == 0;
    int early = strcmp(mode, "early") == 0;
    if (!refuse && !silent && !early)
        return 2;
    rp_hello_t hello;
    prv_hello(&hello, 1u, RP_RESET_POWER_ON);
    int rebooted = 0;
    static uint8_t rx[PRV_PAYLOAD_MAX];
    rp_deframer_t d;
    rp_deframer_init(&d, rx, sizeof rx);
    uint8_t buf[256];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n <= 0)
            return 0;
        for (ssize_t i = 0; i < n; i++) {
            rp_command_t cmd;
            if (rp_deframer_feed(&d, buf[i]) != RP_DEFRAME_FRAME ||
                rp_command_parse(rp_deframer_payload(&d), rp_deframer_payload_len(&d), &cmd) != RP_OK)
                continue;
            if (cmd.kind == RP_CMD_GET_INFO) {
                prv_respond(&cmd, RP_RESULT_OK, &hello);
                if (early && !rebooted) {
                    prv_reboot(&hello);
                    rebooted = 1;
                }
            } else if (cmd.kind == RP_CMD_START && !early && rebooted) {
                if (refuse)
                    prv_respond(&cmd, RP_RESULT_BUSY, NULL);
            } else {
                prv_respond(&cmd, RP_RESULT_OK, NULL);
                if (cmd.kind == RP_CMD_START && !early) {
                    prv_reboot(&hello);
                    rebooted = 1;
                }
            }
            if (prv_flush() != 0)
                return 1;
        }
    }
}
