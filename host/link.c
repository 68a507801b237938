/* The CLI's device link: a transport, the decoder, and framed commands. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rramprof/rp_command_out.h"
#include "rramprof/rp_config.h"
#include "rramprof/rp_frame.h"

#define PRV_WRITE_TIMEOUT_MS 2000
#define PRV_READ_CHUNK 65536

void rp_cli_udev_hint(FILE *f)
{
    fprintf(f,
            "hint: give your user access to rramprof devices with the udev rule shipped in\n"
            "      host/udev/99-rramprof.rules:\n"
            "        sudo cp host/udev/99-rramprof.rules /etc/udev/rules.d/ && sudo udevadm control --reload\n"
            "      then unplug and replug the board (serial ports also need your user in group dialout).\n");
}

int rp_link_open(rp_link_t *l, const char *uri, char *msg, size_t cap)
{
    memset(l, 0, sizeof *l);
    l->next_request = 1;
    char detail[RP_TRANSPORT_DETAIL_MAX];
    int rc = rp_transport_open(uri, &l->t, detail, sizeof detail);
    if (rc != RP_OK) {
        snprintf(msg, cap, "cannot open %s: %s%s%s", uri, rp_transport_strerror(rc), detail[0] ? ": " : "",
                 detail);
        return rc;
    }
    l->dec = rp_decoder_create();
    if (!l->dec) {
        rp_transport_close(l->t);
        l->t = NULL;
        snprintf(msg, cap, "out of memory");
        return RP_ERR_NOSPACE;
    }
    return RP_OK;
}

void rp_link_close(rp_link_t *l)
{
    rp_transport_close(l->t);
    rp_decoder_destroy(l->dec);
    l->t = NULL;
    l->dec = NULL;
}

int rp_link_send(rp_link_t *l, struct rp_command *cmd, uint32_t *request_id)
{
    uint8_t payload[RP_COMMAND_MAX_PAYLOAD];
    uint8_t frame[RP_FRAME_ENCODED_MAX(RP_COMMAND_MAX_PAYLOAD)];
    cmd->request_id = l->next_request++;
    size_t n = rp_command_encode(cmd, payload, sizeof payload);
    if (n == 0)
        return RP_ERR_NOSPACE;
    size_t f = rp_frame_encode(payload, n, frame, sizeof frame);
    if (f == 0)
        return RP_ERR_NOSPACE;
    if (request_id)
        *request_id = cmd->request_id;
    int rc = rp_transport_write(l->t, frame, f, PRV_WRITE_TIMEOUT_MS);
    if (rc < 0) {
        l->last_err = rc;
        return rc;
    }
    return RP_OK;
}

int rp_link_pump(rp_link_t *l, int timeout_ms, rp_msg_fn fn, void *ctx)
{
    static uint8_t buf[PRV_READ_CHUNK];
    int n = rp_transport_read(l->t, buf, sizeof buf, timeout_ms);
    if (n < 0) {
        l->last_err = n;
        return n;
    }
    if (n == 0)
        return 0;
    l->bytes_in += (uint64_t)n;
    int rc = rp_decoder_feed(l->dec, buf, (size_t)n, fn, ctx, NULL);
    return rc != RP_OK ? rc : n;
}

typedef struct prv_probe {
    uint32_t request_id;
    int done;
    char *board, *fw;
    size_t board_cap, fw_cap;
} prv_probe_t;

static int prv_probe_msg(void *ctx, const rp_msg_t *m)
{
    prv_probe_t *p = ctx;
    if (m->err != RP_OK)
        return RP_OK;
    const rp_hello_t *h = NULL;
    if (m->kind == RP_FRAME_RESPONSE && m->u.response.request_id == p->request_id && m->u.response.has_hello)
        h = &m->u.response.hello;
    else if (m->kind == RP_FRAME_HELLO)
        h = &m->u.hello;
    if (!h)
        return RP_OK;
    if (p->board)
        snprintf(p->board, p->board_cap, "%s", h->board);
    if (p->fw)
        snprintf(p->fw, p->fw_cap, "%s", h->firmware_version);
    p->done = 1;
    return RP_OK;
}

int rp_link_probe(const char *uri, int timeout_ms, char *board, size_t board_cap, char *fw, size_t fw_cap,
                  char *why, size_t why_cap)
{
    rp_link_t l;
    char msg[512];
    if (why && why_cap)
        why[0] = '\0';
    int rc = rp_link_open(&l, uri, msg, sizeof msg);
    if (rc != RP_OK) {
        if (why && why_cap)
            snprintf(why, why_cap, "%s", msg);
        return rc;
    }
    rp_command_t cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = RP_CMD_GET_INFO;
    prv_probe_t p = { 0, 0, board, fw, board_cap, fw_cap };
    rc = rp_link_send(&l, &cmd, &p.request_id);
    int64_t deadline = rp_cli_now_ms() + timeout_ms;
    while (rc == RP_OK && !p.done) {
        int64_t left = deadline - rp_cli_now_ms();
        if (left <= 0) {
            rc = RP_ERR_TIMEOUT;
            break;
        }
        int n = rp_link_pump(&l, (int)left, prv_probe_msg, &p);
        if (n < 0)
            rc = n;
    }
    /* The transport's own account (for QEMU: its last line, such as a
     * Lockup) says more than the error code alone. */
    const char *detail = rp_transport_detail(l.t);
    if (rc != RP_OK && why && why_cap && detail && detail[0])
        snprintf(why, why_cap, "%s", detail);
    rp_link_close(&l);
    return rc;
}
