/* usb:VID:PID[/SERIAL] through libusb-1.0: the rramprof vendor interface
 * (docs/usb-interface.md) carries device frames on its bulk IN endpoint and
 * host commands on its bulk OUT endpoint, both as plain byte streams. */
#define _GNU_SOURCE
#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_transport_priv.h"

/* One IN transfer at most; a multiple of every max packet size. */
#define PRV_RX_CAP 16384u

typedef struct prv_usb {
    libusb_context *ctx;
    libusb_device_handle *h;
    int iface;
    uint8_t ep_in, ep_out;
    uint16_t mps_in;
    size_t rx_len, rx_off;
    uint8_t rx[PRV_RX_CAP];
} prv_usb_t;

/* The vendor interface of a configuration: class 0xFF with one bulk IN and
 * one bulk OUT endpoint. Returns 1 and fills the outputs when found. */
static int prv_find_iface(const struct libusb_config_descriptor *cfg, int *iface, uint8_t *ep_in,
                          uint8_t *ep_out, uint16_t *mps_in, uint8_t *istr)
{
    for (int i = 0; i < cfg->bNumInterfaces; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        for (int a = 0; a < itf->num_altsetting; a++) {
            const struct libusb_interface_descriptor *d = &itf->altsetting[a];
            if (d->bInterfaceClass != RP_USB_INTERFACE_CLASS)
                continue;
            uint8_t in = 0, out = 0;
            uint16_t mps = 0;
            for (int e = 0; e < d->bNumEndpoints; e++) {
                const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];
                if ((ep->bmAttributes & 0x3) != LIBUSB_TRANSFER_TYPE_BULK)
                    continue;
                if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
                    if (!in) {
                        in = ep->bEndpointAddress;
                        mps = ep->wMaxPacketSize;
                    }
                } else if (!out) {
                    out = ep->bEndpointAddress;
                }
            }
            if (in && out) {
                *iface = d->bInterfaceNumber;
                *ep_in = in;
                *ep_out = out;
                *mps_in = mps ? mps : 64;
                *istr = d->iInterface;
                return 1;
            }
        }
    }
    return 0;
}

static int prv_map(int r)
{
    switch (r) {
    case LIBUSB_ERROR_ACCESS:
        return RP_TRANSPORT_ERR_ACCESS;
    case LIBUSB_ERROR_BUSY:
        return RP_TRANSPORT_ERR_BUSY;
    case LIBUSB_ERROR_NO_DEVICE:
        return RP_TRANSPORT_ERR_GONE;
    case LIBUSB_ERROR_NOT_FOUND:
        return RP_ERR_NOT_FOUND;
    case LIBUSB_ERROR_TIMEOUT:
        return RP_ERR_TIMEOUT;
    case LIBUSB_ERROR_NO_MEM:
        return RP_ERR_NOSPACE;
    default:
        return RP_ERR_IO;
    }
}

static int prv_string(libusb_device_handle *h, uint8_t idx, char *out, size_t cap)
{
    out[0] = '\0';
    if (!idx || cap < 2)
        return 0;
    int n = libusb_get_string_descriptor_ascii(h, idx, (unsigned char *)out, (int)cap);
    if (n < 0) {
        out[0] = '\0';
        return n;
    }
    out[(size_t)n < cap ? (size_t)n : cap - 1] = '\0';
    return n;
}

/* Parses "" | "VID:PID" | "VID:PID/SERIAL" (hex IDs). */
static int prv_parse(rp_transport_t *t, const char *rest, unsigned *vid, unsigned *pid, char *serial,
                     size_t cap)
{
    *vid = RP_USB_DEFAULT_VID;
    *pid = RP_USB_DEFAULT_PID;
    serial[0] = '\0';
    if (rest[0] == '\0')
        return RP_OK;
    char *end = NULL;
    unsigned long v = strtoul(rest, &end, 16);
    if (end == rest || *end != ':' || v > 0xFFFF)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "malformed USB URI 'usb:%s' (want usb:VID:PID[/SERIAL])",
                                 rest);
    const char *p = end + 1;
    unsigned long d = strtoul(p, &end, 16);
    if (end == p || (*end != '\0' && *end != '/') || d > 0xFFFF)
        return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "malformed USB URI 'usb:%s' (want usb:VID:PID[/SERIAL])",
                                 rest);
    if (*end == '/') {
        if (strlen(end + 1) >= cap || end[1] == '\0')
            return rp_transport_fail(t, RP_TRANSPORT_ERR_SCHEME, "bad USB serial in 'usb:%s'", rest);
        snprintf(serial, cap, "%s", end + 1);
    }
    *vid = (unsigned)v;
    *pid = (unsigned)d;
    return RP_OK;
}

static void prv_free(prv_usb_t *u)
{
    if (!u)
        return;
    if (u->h) {
        libusb_release_interface(u->h, u->iface);
        libusb_close(u->h);
    }
    if (u->ctx)
        libusb_exit(u->ctx);
    free(u);
}

static int prv_read(rp_transport_t *t, uint8_t *buf, size_t cap, int timeout_ms)
{
    prv_usb_t *u = t->impl;
    if (u->rx_off == u->rx_len) {
        /* A multiple of the packet size, so a device packet never overflows
         * the transfer. */
        int len = (int)(PRV_RX_CAP - PRV_RX_CAP % u->mps_in);
        int got = 0;
        unsigned to = timeout_ms < 0 ? 0u : (timeout_ms == 0 ? 1u : (unsigned)timeout_ms);
        int r = libusb_bulk_transfer(u->h, u->ep_in, u->rx, len, &got, to);
        if (r != 0 && got <= 0) {
            if (r == LIBUSB_ERROR_TIMEOUT || r == LIBUSB_ERROR_INTERRUPTED)
                return 0;
            return rp_transport_fail(t, prv_map(r), "bulk IN: %s", libusb_strerror((enum libusb_error)r));
        }
        u->rx_len = (size_t)got;
        u->rx_off = 0;
        if (got <= 0)
            return 0;
    }
    size_t n = u->rx_len - u->rx_off;
    if (n > cap)
        n = cap;
    if (n > (size_t)INT32_MAX)
        n = (size_t)INT32_MAX;
    memcpy(buf, u->rx + u->rx_off, n);
    u->rx_off += n;
    return (int)n;
}

static int prv_write(rp_transport_t *t, const uint8_t *buf, size_t len, int timeout_ms)
{
    prv_usb_t *u = t->impl;
    if (len > (size_t)INT32_MAX)
        return RP_ERR_ARG;
    int got = 0;
    unsigned to = timeout_ms < 0 ? 0u : (timeout_ms == 0 ? 1u : (unsigned)timeout_ms);
    int r = libusb_bulk_transfer(u->h, u->ep_out, (unsigned char *)buf, (int)len, &got, to);
    if (r != 0)
        return rp_transport_fail(t, prv_map(r), "bulk OUT: %s", libusb_strerror((enum libusb_error)r));
    if ((size_t)got != len)
        return rp_transport_fail(t, RP_ERR_TIMEOUT, "bulk OUT: %d of %zu bytes sent", got, len);
    return (int)len;
}

static void prv_close(rp_transport_t *t)
{
    prv_free(t->impl);
    t->impl = NULL;
}

static const rp_transport_ops_t prv_usb_ops = {
    "usb", prv_read, prv_write, prv_close,
};

int rp_transport_open_usb(rp_transport_t *t, const char *rest)
{
    unsigned vid, pid;
    char want_serial[64];
    int rc = prv_parse(t, rest, &vid, &pid, want_serial, sizeof want_serial);
    if (rc != RP_OK)
        return rc;

    prv_usb_t *u = calloc(1, sizeof *u);
    if (!u)
        return rp_transport_fail(t, RP_ERR_NOSPACE, "out of memory");
    int r = libusb_init(&u->ctx);
    if (r != 0) {
        u->ctx = NULL;
        prv_free(u);
        /* No usbfs on this machine: no USB device can be there. */
        return rp_transport_fail(t, RP_ERR_NOT_FOUND, "no USB devices: libusb unavailable (%s)",
                                 libusb_strerror((enum libusb_error)r));
    }
    libusb_device **devs = NULL;
    ssize_t n = libusb_get_device_list(u->ctx, &devs);
    int found = 0;       /* devices with the right IDs and interface */
    rc = RP_ERR_NOT_FOUND;
    for (ssize_t i = 0; i < n && !u->h; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(devs[i], &dd) != 0 || dd.idVendor != vid || dd.idProduct != pid)
            continue;
        struct libusb_config_descriptor *cfg = NULL;
        if (libusb_get_active_config_descriptor(devs[i], &cfg) != 0 &&
            libusb_get_config_descriptor(devs[i], 0, &cfg) != 0)
            continue;
        uint8_t istr = 0;
        int ok = prv_find_iface(cfg, &u->iface, &u->ep_in, &u->ep_out, &u->mps_in, &istr);
        libusb_free_config_descriptor(cfg);
        if (!ok)
            continue;
        found++;
        libusb_device_handle *h = NULL;
        r = libusb_open(devs[i], &h);
        if (r != 0) {
            rc = rp_transport_fail(t, prv_map(r), "cannot open USB device %04x:%04x (bus %u address %u): %s", vid,
                                   pid, libusb_get_bus_number(devs[i]), libusb_get_device_address(devs[i]),
                                   libusb_strerror((enum libusb_error)r));
            continue;
        }
        if (want_serial[0]) {
            char s[64];
            if (prv_string(h, dd.iSerialNumber, s, sizeof s) < 0 || strcmp(s, want_serial) != 0) {
                libusb_close(h);
                found--;
                continue;
            }
        }
        libusb_set_auto_detach_kernel_driver(h, 1);
        r = libusb_claim_interface(h, u->iface);
        if (r != 0) {
            rc = rp_transport_fail(t, prv_map(r), "cannot claim interface %d of USB device %04x:%04x: %s", u->iface,
                                   vid, pid, libusb_strerror((enum libusb_error)r));
            libusb_close(h);
            continue;
        }
        u->h = h;
    }
    if (devs)
        libusb_free_device_list(devs, 1);
    if (!u->h) {
        prv_free(u);
        if (rc == RP_ERR_NOT_FOUND || found == 0)
            return rp_transport_fail(t, RP_ERR_NOT_FOUND, "no USB device %04x:%04x%s%s with an rramprof interface",
                                     vid, pid, want_serial[0] ? " serial " : "", want_serial);
        return rc;
    }
    t->impl = u;
    t->ops = &prv_usb_ops;
    return RP_OK;
}

int rp_transport_list_usb(rp_port_list_t *list)
{
    libusb_context *ctx = NULL;
    if (libusb_init(&ctx) != 0)
        return RP_OK; /* no usbfs here: simply no USB devices */
    libusb_device **devs = NULL;
    ssize_t n = libusb_get_device_list(ctx, &devs);
    int rc = RP_OK;
    for (ssize_t i = 0; i < n && rc == RP_OK; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(devs[i], &dd) != 0)
            continue;
        struct libusb_config_descriptor *cfg = NULL;
        if (libusb_get_active_config_descriptor(devs[i], &cfg) != 0 &&
            libusb_get_config_descriptor(devs[i], 0, &cfg) != 0)
            continue;
        int iface;
        uint8_t in, out, istr = 0;
        uint16_t mps;
        int ok = prv_find_iface(cfg, &iface, &in, &out, &mps, &istr);
        libusb_free_config_descriptor(cfg);
        if (!ok)
            continue;
        int default_id = dd.idVendor == RP_USB_DEFAULT_VID && dd.idProduct == RP_USB_DEFAULT_PID;

        rp_port_info_t info;
        memset(&info, 0, sizeof info);
        info.kind = RP_PORT_USB;
        info.vid = dd.idVendor;
        info.pid = dd.idProduct;
        snprintf(info.name, sizeof info.name, "usb bus %u address %u", libusb_get_bus_number(devs[i]),
                 libusb_get_device_address(devs[i]));
        int named = 0;
        libusb_device_handle *h = NULL;
        if (libusb_open(devs[i], &h) == 0) {
            char istring[64];
            prv_string(h, dd.iSerialNumber, info.serial, sizeof info.serial);
            prv_string(h, dd.iProduct, info.product, sizeof info.product);
            prv_string(h, dd.iManufacturer, info.manufacturer, sizeof info.manufacturer);
            named = prv_string(h, istr, istring, sizeof istring) > 0 && strcmp(istring, RP_USB_INTERFACE_STRING) == 0;
            libusb_close(h);
        }
        /* Another vendor's device with some vendor interface is not ours. */
        if (!named && !default_id)
            continue;
        if (info.serial[0])
            snprintf(info.uri, sizeof info.uri, "usb:%04x:%04x/%s", info.vid, info.pid, info.serial);
        else
            snprintf(info.uri, sizeof info.uri, "usb:%04x:%04x", info.vid, info.pid);
        rc = rp_transport_list_push(list, &info);
    }
    if (devs)
        libusb_free_device_list(devs, 1);
    libusb_exit(ctx);
    return rc;
}
