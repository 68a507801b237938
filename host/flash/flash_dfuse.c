/* `rramprof flash --method dfu`: USB DFU 1.1 with ST's DfuSe extensions
 * (UM0424) through libusb-1.0.
 *
 * DfuSe puts commands into DNLOAD block 0 (0x21 set address pointer, 0x41
 * erase page) and maps data block n >= 2 to pointer + (n - 2) *
 * wTransferSize, for DNLOAD and UPLOAD alike. Every DNLOAD is followed by
 * GETSTATUS polls (the device names the wait, bwPollTimeout) until the
 * device is back in dfuDNLOAD-IDLE or reports an error in dfuERROR. The
 * memory layout comes from the DFU interface's string
 * ("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"), so the image
 * is checked against it before anything on the device changes. */
#define _POSIX_C_SOURCE 200809L
#include <libusb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rp_flash.h"

#define PRV_DEFAULT_VID 0x0483u
#define PRV_DEFAULT_PID 0xdf11u

/* DFU 1.1 class requests (interface recipient). */
#define PRV_REQ_DNLOAD 1u
#define PRV_REQ_UPLOAD 2u
#define PRV_REQ_GETSTATUS 3u
#define PRV_REQ_CLRSTATUS 4u
#define PRV_REQ_ABORT 6u

/* DFU 1.1 states. */
#define PRV_ST_DFU_IDLE 2u
#define PRV_ST_DNLOAD_SYNC 3u
#define PRV_ST_DNBUSY 4u
#define PRV_ST_DNLOAD_IDLE 5u
#define PRV_ST_MANIFEST_SYNC 6u
#define PRV_ST_MANIFEST 7u
#define PRV_ST_MANIFEST_WAIT_RESET 8u
#define PRV_ST_ERROR 10u

/* DfuSe commands in DNLOAD block 0. */
#define PRV_CMD_SET_ADDRESS 0x21u
#define PRV_CMD_ERASE 0x41u

/* Layout attribute bits ('a' = 1 ... 'g' = 7). */
#define PRV_ATTR_READ 1u
#define PRV_ATTR_ERASE 2u
#define PRV_ATTR_WRITE 4u

#define PRV_MAX_RUNS 32u
#define PRV_BUSY_MAX_MS 60000u   /* longest erase we wait for */

/* One run of equal pages of the layout: count pages of size bytes. */
typedef struct prv_run {
    uint32_t addr;
    uint32_t size;
    uint32_t count;
    uint8_t attr;
} prv_run_t;

typedef struct prv_dfu {
    rp_flash_ctx_t *ctx;
    libusb_context *usb;
    libusb_device_handle *h;
    int iface;
    int alt;
    bool claimed;
    uint16_t xfer;
    unsigned timeout_ms;
    char name[128];           /* layout string as read */
    prv_run_t run[PRV_MAX_RUNS];
    unsigned nruns;
    const char *phase;        /* for messages */
    uint32_t at;              /* address in progress, for messages */
} prv_dfu_t;

typedef struct prv_status {
    uint8_t status;
    uint32_t poll_ms;
    uint8_t state;
} prv_status_t;

static int prv_fail(prv_dfu_t *d, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int prv_fail(prv_dfu_t *d, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->ctx->err, sizeof d->ctx->err, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *prv_status_str(uint8_t s)
{
    static const char *const names[] = {
        "OK",
        "errTARGET (address out of range or not supported)",
        "errFILE (file not for this device)",
        "errWRITE (device cannot write memory: write-protected?)",
        "errERASE (memory erase failed)",
        "errCHECK_ERASED (memory erase check failed)",
        "errPROG (program memory failed)",
        "errVERIFY (programmed memory failed verification)",
        "errADDRESS (address out of range)",
        "errNOTDONE (download ended before it was complete)",
        "errFIRMWARE (firmware corrupt)",
        "errVENDOR (vendor-specific error)",
        "errUSBR (unexpected USB reset)",
        "errPOR (unexpected power on reset)",
        "errUNKNOWN",
        "errSTALLEDPKT (request not expected)",
    };
    return s < sizeof names / sizeof names[0] ? names[s] : "unknown status";
}

static void prv_sleep_ms(uint32_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static uint64_t prv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A libusb failure in the current phase as a one-line message. */
static int prv_usb_fail(prv_dfu_t *d, int r, const char *what)
{
    if (r == LIBUSB_ERROR_NO_DEVICE)
        return prv_fail(d, RP_ERR_IO,
                        "DFU device vanished during %s at 0x%08x (%s): the flash is incomplete, "
                        "reconnect the board in DFU mode and flash again",
                        d->phase, (unsigned)d->at, what);
    if (r == LIBUSB_ERROR_TIMEOUT)
        return prv_fail(d, RP_ERR_TIMEOUT, "DFU device did not answer %s during %s at 0x%08x", what, d->phase,
                        (unsigned)d->at);
    return prv_fail(d, RP_ERR_IO, "DFU %s failed during %s at 0x%08x: %s", what, d->phase, (unsigned)d->at,
                    libusb_strerror((enum libusb_error)r));
}

static int prv_out(prv_dfu_t *d, uint8_t req, uint16_t value, uint8_t *data, uint16_t len)
{
    return libusb_control_transfer(d->h, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
                                   req, value, (uint16_t)d->iface, data, len, d->timeout_ms);
}

static int prv_get_status(prv_dfu_t *d, prv_status_t *st)
{
    uint8_t b[6];
    int r = libusb_control_transfer(d->h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
                                    PRV_REQ_GETSTATUS, 0, (uint16_t)d->iface, b, sizeof b, d->timeout_ms);
    if (r < 0)
        return prv_usb_fail(d, r, "GETSTATUS");
    if (r < 6)
        return prv_fail(d, RP_ERR_MALFORMED, "DFU GETSTATUS answer of %d bytes (want 6) during %s", r, d->phase);
    st->status = b[0];
    st->poll_ms = (uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16;
    st->state = b[4];
    return RP_OK;
}

/* After the device reported an error: say what, and leave it in dfuIDLE
 * for whoever comes next (CLRSTATUS; best effort). */
static int prv_status_fail(prv_dfu_t *d, const prv_status_t *st)
{
    prv_fail(d, RP_ERR_HAL, "DFU device reported %s during %s at 0x%08x (state %u)", prv_status_str(st->status),
             d->phase, (unsigned)d->at, (unsigned)st->state);
    prv_out(d, PRV_REQ_CLRSTATUS, 0, NULL, 0);
    return RP_ERR_HAL;
}

/* GETSTATUS until the device leaves its busy states; fails on any error
 * status. *out gets the final status. */
static int prv_poll(prv_dfu_t *d, prv_status_t *out)
{
    uint64_t deadline = prv_now_ms() + PRV_BUSY_MAX_MS;
    for (;;) {
        int rc = prv_get_status(d, out);
        if (rc != RP_OK)
            return rc;
        if (out->status != 0 || out->state == PRV_ST_ERROR)
            return prv_status_fail(d, out);
        if (out->state != PRV_ST_DNBUSY && out->state != PRV_ST_DNLOAD_SYNC)
            return RP_OK;
        if (prv_now_ms() > deadline)
            return prv_fail(d, RP_ERR_TIMEOUT, "DFU device still busy after %u s during %s at 0x%08x",
                            PRV_BUSY_MAX_MS / 1000u, d->phase, (unsigned)d->at);
        prv_sleep_ms(out->poll_ms);
    }
}

/* A stalled request: the reason is in the device's status. */
static int prv_stall_fail(prv_dfu_t *d, const char *what)
{
    prv_status_t st;
    if (prv_get_status(d, &st) == RP_OK && st.status != 0)
        return prv_status_fail(d, &st);
    return prv_fail(d, RP_ERR_HAL, "DFU device refused %s during %s at 0x%08x", what, d->phase, (unsigned)d->at);
}

/* One DNLOAD (command or data block) and its GETSTATUS polls. */
static int prv_dnload(prv_dfu_t *d, uint16_t block, uint8_t *data, uint16_t len, const char *what)
{
    int r = prv_out(d, PRV_REQ_DNLOAD, block, data, len);
    if (r == LIBUSB_ERROR_PIPE)
        return prv_stall_fail(d, what);
    if (r < 0)
        return prv_usb_fail(d, r, what);
    if (r != len)
        return prv_fail(d, RP_ERR_MALFORMED, "DFU device took %d of %u bytes of %s at 0x%08x", r, (unsigned)len, what,
                        (unsigned)d->at);
    prv_status_t st;
    int rc = prv_poll(d, &st);
    if (rc != RP_OK)
        return rc;
    if (st.state != PRV_ST_DNLOAD_IDLE)
        return prv_fail(d, RP_ERR_STATE, "DFU device in state %u instead of dfuDNLOAD-IDLE after %s at 0x%08x",
                        (unsigned)st.state, what, (unsigned)d->at);
    return RP_OK;
}

static int prv_command(prv_dfu_t *d, uint8_t cmd, uint32_t addr)
{
    uint8_t b[5] = { cmd, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16), (uint8_t)(addr >> 24) };
    d->at = addr;
    return prv_dnload(d, 0, b, sizeof b, cmd == PRV_CMD_ERASE ? "erase page" : "set address");
}

/* Brings the device to dfuIDLE from wherever a previous session left it. */
static int prv_to_idle(prv_dfu_t *d)
{
    prv_status_t st;
    int rc = prv_get_status(d, &st);
    if (rc != RP_OK)
        return rc;
    if (st.state == PRV_ST_ERROR) {
        int r = prv_out(d, PRV_REQ_CLRSTATUS, 0, NULL, 0);
        if (r < 0)
            return prv_usb_fail(d, r, "CLRSTATUS");
    } else if (st.state != PRV_ST_DFU_IDLE) {
        int r = prv_out(d, PRV_REQ_ABORT, 0, NULL, 0);
        if (r < 0)
            return prv_usb_fail(d, r, "ABORT");
    } else {
        return RP_OK;
    }
    rc = prv_get_status(d, &st);
    if (rc != RP_OK)
        return rc;
    if (st.state != PRV_ST_DFU_IDLE)
        return prv_fail(d, RP_ERR_STATE, "DFU device stays in state %u (not dfuIDLE) during %s; is it in DFU mode?",
                        (unsigned)st.state, d->phase);
    return RP_OK;
}

/* --- memory layout ------------------------------------------------------ */

/* "@Name /0xADDR/NN*SSSMa,NN*SSSMa[/0xADDR/...]": NN pages of SSS bytes
 * times M (' ' or 'B' = 1, 'K', 'M'); the letter is 'a' + attribute bits
 * - 1 (bit 0 readable, bit 1 erasable, bit 2 writable). */
static int prv_parse_layout(prv_dfu_t *d)
{
    const char *p = d->name;
    if (*p != '@')
        return prv_fail(d, RP_ERR_MALFORMED, "DFU interface string '%s' is not a DfuSe memory layout", d->name);
    p = strchr(p, '/');
    d->nruns = 0;
    while (p && *p == '/') {
        char *end;
        unsigned long addr = strtoul(p + 1, &end, 0);
        if (end == p + 1 || *end != '/')
            goto bad;
        p = end;
        do {
            p++; /* '/' or ',' */
            unsigned long count = strtoul(p, &end, 10);
            if (end == p || *end != '*' || count == 0)
                goto bad;
            p = end + 1;
            unsigned long size = strtoul(p, &end, 10);
            if (end == p || size == 0)
                goto bad;
            p = end;
            switch (*p) {
            case 'K':
                size *= 1024u;
                p++;
                break;
            case 'M':
                size *= 1024u * 1024u;
                p++;
                break;
            case 'B':
            case ' ':
                p++;
                break;
            default:
                break;
            }
            if (*p < 'a' || *p > 'g' || d->nruns == PRV_MAX_RUNS)
                goto bad;
            if (addr + (unsigned long long)count * size > 0x100000000ull)
                goto bad;
            d->run[d->nruns++] =
                (prv_run_t){ (uint32_t)addr, (uint32_t)size, (uint32_t)count, (uint8_t)(*p - 'a' + 1) };
            addr += count * size;
            p++;
            while (*p == ' ')
                p++;
        } while (*p == ',');
    }
    if (d->nruns == 0)
        goto bad;
    return RP_OK;
bad:
    return prv_fail(d, RP_ERR_MALFORMED, "cannot parse the DfuSe memory layout '%s'", d->name);
}

/* The page holding addr: run index or -1; *start gets the page start. */
static int prv_page(const prv_dfu_t *d, uint32_t addr, uint32_t *start)
{
    for (unsigned i = 0; i < d->nruns; i++) {
        const prv_run_t *r = &d->run[i];
        uint64_t end = (uint64_t)r->addr + (uint64_t)r->size * r->count;
        if (addr >= r->addr && addr < end) {
            *start = r->addr + (addr - r->addr) / r->size * r->size;
            return (int)i;
        }
    }
    return -1;
}

/* Every segment lies in writable pages. Collects the erasable pages the
 * image touches into pages[] (sorted, no duplicates) when pages != NULL. */
static int prv_check_fit(prv_dfu_t *d, const rp_flash_image_t *img, uint32_t *pages, uint32_t *npages,
                         uint64_t *erase_bytes)
{
    uint32_t n = 0;
    uint64_t bytes = 0;
    for (uint32_t s = 0; s < img->count; s++) {
        uint64_t a = img->seg[s].address;
        uint64_t end = a + img->seg[s].size;
        while (a < end) {
            uint32_t start = 0;
            int i = a > UINT32_MAX ? -1 : prv_page(d, (uint32_t)a, &start);
            if (i < 0) {
                const prv_run_t *last = &d->run[d->nruns - 1];
                return prv_fail(d, RP_ERR_RANGE,
                                "image does not fit: 0x%08x (segment 0x%08x, %u bytes) is outside the device "
                                "memory '%s' (0x%08x..0x%08x); nothing was written",
                                (unsigned)a, (unsigned)img->seg[s].address, (unsigned)img->seg[s].size, d->name,
                                (unsigned)d->run[0].addr,
                                (unsigned)(last->addr + (uint64_t)last->size * last->count - 1u));
            }
            uint8_t attr = d->run[i].attr;
            if (!(attr & PRV_ATTR_WRITE) || !(attr & PRV_ATTR_READ))
                return prv_fail(d, RP_ERR_STATE,
                                "page 0x%08x (%u bytes, attribute '%c') is %s; the image cannot be written there; "
                                "nothing was written",
                                (unsigned)start, (unsigned)d->run[i].size, 'a' + attr - 1,
                                !(attr & PRV_ATTR_WRITE) ? "write-protected" : "not readable for verify");
            if ((attr & PRV_ATTR_ERASE) && (n == 0 || pages == NULL || pages[n - 1] != start)) {
                if (pages)
                    pages[n] = start;
                n++;
                bytes += d->run[i].size;
            }
            a = (uint64_t)start + d->run[i].size;
        }
    }
    *npages = n;
    *erase_bytes = bytes;
    return RP_OK;
}

/* --- device ------------------------------------------------------------- */

static int prv_parse_port(prv_dfu_t *d, unsigned *vid, unsigned *pid)
{
    const char *port = d->ctx->port;
    *vid = PRV_DEFAULT_VID;
    *pid = PRV_DEFAULT_PID;
    if (!port || !*port || strcmp(port, "usb") == 0 || strcmp(port, "usb:") == 0)
        return RP_OK;
    if (strncmp(port, "usb:", 4) != 0)
        return prv_fail(d, RP_ERR_ARG, "DFU port '%s' is not usb:VID:PID", port);
    char *end;
    unsigned long v = strtoul(port + 4, &end, 16);
    if (end == port + 4 || *end != ':' || v > 0xffffu)
        return prv_fail(d, RP_ERR_ARG, "DFU port '%s' is not usb:VID:PID (hex)", port);
    const char *q = end + 1;
    unsigned long p = strtoul(q, &end, 16);
    if (end == q || *end != '\0' || p > 0xffffu)
        return prv_fail(d, RP_ERR_ARG, "DFU port '%s' is not usb:VID:PID (hex)", port);
    *vid = (unsigned)v;
    *pid = (unsigned)p;
    return RP_OK;
}

/* The DFU functional descriptor (type 0x21) in a descriptor's extra bytes:
 * wTransferSize at offset 5. */
static uint16_t prv_transfer_size(const unsigned char *extra, int len)
{
    for (int i = 0; i + 1 < len && extra[i] >= 2; i += extra[i]) {
        if (extra[i + 1] == 0x21 && extra[i] >= 7 && i + 7 <= len)
            return (uint16_t)(extra[i + 5] | extra[i + 6] << 8);
    }
    return 0;
}

/* One DfuSe alternate setting: reads and parses its layout. RP_OK when it
 * holds want_addr (or is the last choice, so the fit check can say why
 * not), RP_ERR_NOT_FOUND to try the next one, else an error. */
static int prv_try_alt(prv_dfu_t *d, const struct libusb_interface_descriptor *id, bool last, uint32_t want_addr)
{
    int r = libusb_get_string_descriptor_ascii(d->h, id->iInterface, (unsigned char *)d->name, (int)sizeof d->name);
    if (r <= 0)
        return prv_fail(d, RP_ERR_NOT_FOUND, "cannot read the DfuSe memory layout (string %u): %s",
                        (unsigned)id->iInterface,
                        r < 0 ? libusb_strerror((enum libusb_error)r) : "empty");
    d->name[(size_t)r < sizeof d->name ? (size_t)r : sizeof d->name - 1] = '\0';
    int rc = prv_parse_layout(d);
    if (rc != RP_OK)
        return rc;
    uint32_t start;
    if (prv_page(d, want_addr, &start) < 0 && !last)
        return RP_ERR_NOT_FOUND;
    d->iface = id->bInterfaceNumber;
    d->alt = id->bAlternateSetting;
    return RP_OK;
}

/* The DfuSe interface (class 0xFE, subclass 1, protocol 2) of the first
 * device with the wanted IDs; the image's first address picks the
 * alternate setting whose layout holds it. Opens the device, claims the
 * interface and selects the setting. */
static int prv_open(prv_dfu_t *d, unsigned vid, unsigned pid, uint32_t want_addr)
{
    libusb_device **list;
    ssize_t n = libusb_get_device_list(d->usb, &list);
    if (n < 0)
        return prv_fail(d, RP_ERR_NOT_FOUND, "cannot list USB devices: %s", libusb_strerror((enum libusb_error)n));
    libusb_device *dev = NULL;
    for (ssize_t i = 0; i < n && !dev; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) == 0 && dd.idVendor == vid && dd.idProduct == pid)
            dev = libusb_ref_device(list[i]);
    }
    libusb_free_device_list(list, 1);
    if (!dev)
        return prv_fail(d, RP_ERR_NOT_FOUND,
                        "no USB device %04x:%04x found; is the board in DFU mode (BOOT0 high, reset)?", vid, pid);
    struct libusb_config_descriptor *cfg = NULL;
    int r = libusb_get_config_descriptor(dev, 0, &cfg);
    if (r == 0)
        r = libusb_open(dev, &d->h);
    libusb_unref_device(dev);
    if (r != 0) {
        if (cfg)
            libusb_free_config_descriptor(cfg);
        d->h = NULL;
        if (r == LIBUSB_ERROR_ACCESS)
            return prv_fail(d, RP_ERR_NOT_FOUND,
                            "no permission to open USB %04x:%04x; install host/udev/99-rramprof.rules", vid, pid);
        return prv_fail(d, RP_ERR_NOT_FOUND, "cannot open USB %04x:%04x: %s", vid, pid,
                        libusb_strerror((enum libusb_error)r));
    }
    int rc = prv_fail(d, RP_ERR_NOT_FOUND, "USB %04x:%04x has no DfuSe interface (class 0xFE/1/2)", vid, pid);
    const struct libusb_interface *found = NULL;
    for (int f = 0; f < cfg->bNumInterfaces && rc != RP_OK; f++) {
        const struct libusb_interface *itf = &cfg->interface[f];
        for (int a = 0; a < itf->num_altsetting && rc != RP_OK; a++) {
            const struct libusb_interface_descriptor *id = &itf->altsetting[a];
            if (id->bInterfaceClass != 0xFE || id->bInterfaceSubClass != 1 || id->bInterfaceProtocol != 2)
                continue;
            rc = prv_try_alt(d, id, a + 1 == itf->num_altsetting, want_addr);
            if (rc == RP_OK)
                found = itf;
            else if (rc != RP_ERR_NOT_FOUND)
                break;
        }
    }
    /* wTransferSize: the functional descriptor follows the interface
     * descriptors (any of its settings) or, rarely, the configuration. */
    if (found) {
        for (int a = 0; !d->xfer && a < found->num_altsetting; a++)
            d->xfer = prv_transfer_size(found->altsetting[a].extra, found->altsetting[a].extra_length);
        if (!d->xfer)
            d->xfer = prv_transfer_size(cfg->extra, cfg->extra_length);
        if (!d->xfer)
            rc = prv_fail(d, RP_ERR_MALFORMED, "DFU interface has no functional descriptor (wTransferSize)");
    }
    libusb_free_config_descriptor(cfg);
    if (rc != RP_OK)
        return rc;

    r = libusb_claim_interface(d->h, d->iface);
    if (r != 0)
        return r == LIBUSB_ERROR_BUSY
                   ? prv_fail(d, RP_ERR_NOT_FOUND, "DFU interface %d of %04x:%04x is busy (another dfu-util/rramprof?)",
                              d->iface, vid, pid)
                   : prv_usb_fail(d, r, "claim interface");
    d->claimed = true;
    r = libusb_set_interface_alt_setting(d->h, d->iface, d->alt);
    if (r != 0)
        return prv_usb_fail(d, r, "set alternate setting");
    snprintf(d->ctx->info, sizeof d->ctx->info, "DfuSe %04x:%04x alt %d '%s', %u-byte blocks", vid, pid, d->alt,
             d->name, (unsigned)d->xfer);
    return RP_OK;
}

/* --- phases --------------------------------------------------------------- */

static void prv_progress(prv_dfu_t *d, const char *phase, uint64_t done, uint64_t total)
{
    if (d->ctx->progress)
        d->ctx->progress(d->ctx->progress_ctx, phase, done, total);
}

static int prv_erase(prv_dfu_t *d, const uint32_t *pages, uint32_t npages, uint64_t total)
{
    uint64_t done = 0;
    d->phase = "erase";
    prv_progress(d, "erase", 0, total);
    for (uint32_t i = 0; i < npages; i++) {
        int rc = prv_command(d, PRV_CMD_ERASE, pages[i]);
        if (rc != RP_OK)
            return rc;
        uint32_t start;
        done += d->run[prv_page(d, pages[i], &start)].size;
        prv_progress(d, "erase", done, total);
    }
    return RP_OK;
}

static int prv_write(prv_dfu_t *d, const rp_flash_image_t *img, uint64_t total)
{
    uint64_t done = 0;
    d->phase = "write";
    prv_progress(d, "write", 0, total);
    for (uint32_t s = 0; s < img->count; s++) {
        const rp_flash_segment_t *seg = &img->seg[s];
        uint32_t off = 0;
        uint32_t block = 2;
        while (off < seg->size) {
            /* Block numbers are 16 bits: move the pointer before they wrap. */
            if (off == 0 || block > 0xffffu) {
                int rc = prv_command(d, PRV_CMD_SET_ADDRESS, seg->address + off);
                if (rc != RP_OK)
                    return rc;
                block = 2;
            }
            uint32_t len = seg->size - off < d->xfer ? seg->size - off : d->xfer;
            d->at = seg->address + off;
            int rc = prv_dnload(d, (uint16_t)block, seg->data + off, (uint16_t)len, "write block");
            if (rc != RP_OK)
                return rc;
            off += len;
            block++;
            done += len;
            prv_progress(d, "write", done, total);
        }
    }
    return RP_OK;
}

static int prv_verify(prv_dfu_t *d, const rp_flash_image_t *img, uint64_t total, uint8_t *buf)
{
    uint64_t done = 0;
    d->phase = "verify";
    prv_progress(d, "verify", 0, total);
    for (uint32_t s = 0; s < img->count; s++) {
        const rp_flash_segment_t *seg = &img->seg[s];
        uint32_t off = 0;
        uint32_t block = 2;
        while (off < seg->size) {
            if (off == 0 || block > 0xffffu) {
                /* DNLOAD (set address) is not allowed in dfuUPLOAD-IDLE
                 * and UPLOAD starts from dfuIDLE: abort around it. */
                int rc = prv_to_idle(d);
                if (rc == RP_OK)
                    rc = prv_command(d, PRV_CMD_SET_ADDRESS, seg->address + off);
                if (rc == RP_OK)
                    rc = prv_to_idle(d);
                if (rc != RP_OK)
                    return rc;
                block = 2;
            }
            uint32_t len = seg->size - off < d->xfer ? seg->size - off : d->xfer;
            d->at = seg->address + off;
            int r = libusb_control_transfer(
                d->h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE, PRV_REQ_UPLOAD,
                (uint16_t)block, (uint16_t)d->iface, buf, (uint16_t)len, d->timeout_ms);
            if (r == LIBUSB_ERROR_PIPE)
                return prv_stall_fail(d, "UPLOAD");
            if (r < 0)
                return prv_usb_fail(d, r, "UPLOAD");
            if ((uint32_t)r != len)
                return prv_fail(d, RP_ERR_MALFORMED, "verify at 0x%08x: device sent %d of %u bytes", (unsigned)d->at, r,
                                (unsigned)len);
            for (uint32_t i = 0; i < len; i++) {
                if (buf[i] != seg->data[off + i])
                    return prv_fail(d, RP_ERR_CRC, "verify failed at 0x%08x: wrote 0x%02x, read back 0x%02x",
                                    (unsigned)(seg->address + off + i), seg->data[off + i], buf[i]);
            }
            off += len;
            block++;
            done += len;
            prv_progress(d, "verify", done, total);
        }
    }
    /* Back to dfuIDLE from dfuUPLOAD-IDLE. */
    return prv_to_idle(d);
}

/* Set the pointer to the image start, then a zero-length DNLOAD: the
 * device manifests (jumps to the image) and leaves the bus, so losing it
 * after the request is success. */
static int prv_leave(prv_dfu_t *d, uint32_t start)
{
    d->phase = "leave";
    int rc = prv_command(d, PRV_CMD_SET_ADDRESS, start);
    if (rc != RP_OK)
        return rc;
    int r = prv_out(d, PRV_REQ_DNLOAD, 2, NULL, 0);
    /* Some bootloaders start the image before the status stage of this
     * very request completes. */
    if (r == LIBUSB_ERROR_NO_DEVICE || r == LIBUSB_ERROR_IO)
        return RP_OK;
    if (r == LIBUSB_ERROR_PIPE)
        return prv_stall_fail(d, "leave");
    if (r < 0)
        return prv_usb_fail(d, r, "leave");
    prv_status_t st;
    uint8_t b[6];
    r = libusb_control_transfer(d->h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
                                PRV_REQ_GETSTATUS, 0, (uint16_t)d->iface, b, sizeof b, d->timeout_ms);
    if (r < 6)
        return RP_OK; /* gone while answering: it left */
    st.status = b[0];
    st.state = b[4];
    if (st.status != 0 || st.state == PRV_ST_ERROR)
        return prv_status_fail(d, &st);
    if (st.state != PRV_ST_MANIFEST && st.state != PRV_ST_MANIFEST_SYNC && st.state != PRV_ST_MANIFEST_WAIT_RESET)
        return prv_fail(d, RP_ERR_STATE, "DFU device did not start the image (state %u after leave)",
                        (unsigned)st.state);
    return RP_OK;
}

static uint64_t prv_image_bytes(const rp_flash_image_t *img)
{
    uint64_t n = 0;
    for (uint32_t s = 0; s < img->count; s++)
        n += img->seg[s].size;
    return n;
}

static int prv_run(prv_dfu_t *d, const rp_flash_image_t *img)
{
    unsigned vid, pid;
    int rc = prv_parse_port(d, &vid, &pid);
    if (rc != RP_OK)
        return rc;
    uint64_t total = prv_image_bytes(img);
    if (d->ctx->dry_run) {
        /* No device, so no layout: the board's flash range, when known. */
        uint64_t lo = d->ctx->flash_base, hi = lo + d->ctx->flash_size;
        for (uint32_t s = 0; s < img->count && d->ctx->flash_size; s++) {
            if (img->seg[s].address < lo || img->seg[s].address + (uint64_t)img->seg[s].size > hi)
                return prv_fail(d, RP_ERR_RANGE,
                                "image does not fit: segment 0x%08x (%u bytes) is outside the board flash "
                                "0x%08x..0x%08x",
                                (unsigned)img->seg[s].address, (unsigned)img->seg[s].size, (unsigned)lo,
                                (unsigned)(hi - 1u));
        }
        snprintf(d->ctx->info, sizeof d->ctx->info,
                 "dry run: would erase, write and verify %llu bytes in %u segment(s) from 0x%08x on DfuSe %04x:%04x",
                 (unsigned long long)total, (unsigned)img->count, (unsigned)img->seg[0].address, vid, pid);
        return RP_OK;
    }
    int r = libusb_init(&d->usb);
    if (r != 0) {
        d->usb = NULL;
        return prv_fail(d, RP_ERR_NOT_FOUND, "cannot start libusb: %s", libusb_strerror((enum libusb_error)r));
    }
    rc = prv_open(d, vid, pid, img->seg[0].address);
    if (rc != RP_OK)
        return rc;

    uint32_t npages = 0;
    uint64_t erase_bytes = 0;
    rc = prv_check_fit(d, img, NULL, &npages, &erase_bytes);
    if (rc != RP_OK)
        return rc;
    uint32_t *pages = malloc((size_t)(npages ? npages : 1) * sizeof *pages);
    uint8_t *buf = malloc(d->xfer);
    if (!pages || !buf) {
        free(pages);
        free(buf);
        return prv_fail(d, RP_ERR_NOSPACE, "out of memory");
    }
    rc = prv_check_fit(d, img, pages, &npages, &erase_bytes);
    d->phase = "start";
    d->at = img->seg[0].address;
    if (rc == RP_OK)
        rc = prv_to_idle(d);
    if (rc == RP_OK)
        rc = prv_erase(d, pages, npages, erase_bytes);
    if (rc == RP_OK)
        rc = prv_write(d, img, total);
    if (rc == RP_OK)
        rc = prv_verify(d, img, total, buf);
    if (rc == RP_OK && !d->ctx->no_start)
        rc = prv_leave(d, img->seg[0].address);
    free(pages);
    free(buf);
    return rc;
}

int rp_flash_dfuse(rp_flash_ctx_t *ctx, const rp_flash_image_t *img)
{
    if (!ctx)
        return RP_ERR_ARG;
    ctx->err[0] = '\0';
    ctx->info[0] = '\0';
    prv_dfu_t *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        return RP_ERR_NOSPACE;
    }
    d->ctx = ctx;
    d->phase = "start";
    d->timeout_ms = ctx->timeout_s > 0 ? (unsigned)(ctx->timeout_s * 1000.0) : 5000u;
    int rc;
    char why[RP_FLASH_ERR_MAX];
    if (!img || img->count == 0 || img->count > RP_FLASH_MAX_SEGMENTS || prv_image_bytes(img) == 0)
        rc = prv_fail(d, RP_ERR_ARG, "empty image: nothing to flash");
    else if (!ctx->no_start && rp_flash_image_check_start(img, why, sizeof why) != RP_OK)
        /* Leaving DFU jumps through the image's first two words, as the
         * serial method's Go does: refused before the device is opened. */
        rc = prv_fail(d, RP_ERR_RANGE,
                      "cannot start the image on leaving DFU: %.120s; nothing was written (flash it where it "
                      "was linked, or add --no-start)",
                      why);
    else
        rc = prv_run(d, img);
    if (d->h) {
        if (d->claimed)
            libusb_release_interface(d->h, d->iface);
        libusb_close(d->h);
    }
    if (d->usb)
        libusb_exit(d->usb);
    free(d);
    return rc;
}
