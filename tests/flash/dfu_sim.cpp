#include "dfu_sim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/usbdevice_fs.h>
#include <umockdev.h>

namespace dfutest {

namespace {

/* DFU 1.1 requests and the states not named in the header. */
enum : uint8_t { kDnload = 1, kUpload = 2, kGetStatus = 3, kClrStatus = 4, kGetState = 5, kAbort = 6 };
enum : uint8_t { kDnloadSync = 3, kDnBusy = 4, kManifestSync = 6, kManifest = 7, kUploadIdle = 9 };

const char *const kDevNode = "/dev/bus/usb/001/005";

/* What the usbdevfs handler (umockdev's thread) keeps: the device and the
 * answered URBs waiting to be reaped. */
struct UsbGlue {
    DfuSim *sim = nullptr;
    GMutex mu;
    GList *done = nullptr;
};

gboolean on_ioctl(UMockdevIoctlBase *, UMockdevIoctlClient *client, gpointer data);

std::string hex(const std::vector<uint8_t> &b)
{
    std::string s;
    char t[3];
    for (uint8_t c : b) {
        snprintf(t, sizeof t, "%02x", c);
        s += t;
    }
    return s;
}

} // namespace

struct DfuSim::Impl {
    DfuSimConfig cfg;
    GMutex mu;
    std::vector<uint8_t> mem;
    uint8_t state = kDfuIdle;
    uint8_t status = kStatusOk;
    uint32_t ptr = 0;
    /* The DNLOAD waiting for its GETSTATUS. */
    uint16_t pending_block = 0;
    std::vector<uint8_t> pending;
    unsigned erases = 0, blocks = 0, early_polls = 0;
    int64_t busy_until_ms = 0;   /* no GETSTATUS expected before */
    bool left = false, gone = false;
    std::string trace;
    unsigned trace_lines = 0;
    /* umockdev */
    UMockdevTestbed *tb = nullptr;
    UMockdevIoctlBase *handler = nullptr;
    UsbGlue glue;
    std::string root;

    void log(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        if (trace_lines++ > 4000)
            return;
        char line[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        trace += line;
        trace += '\n';
    }

    /* Offset into mem of [addr, addr+len) when it lies in runs whose
     * attribute has all of need's bits; -1 otherwise. */
    long offset(uint32_t addr, uint32_t len, unsigned need) const
    {
        uint64_t a = addr, end = (uint64_t)addr + len;
        uint64_t run_addr = cfg.base;
        bool ok = false;
        for (const DfuRun &r : cfg.runs) {
            uint64_t run_end = run_addr + (uint64_t)r.count * r.size;
            if (a >= run_addr && a < run_end) {
                if (!(((unsigned)(r.attr - 'a' + 1) & need) == need))
                    return -1;
                a = run_end;
                ok = true;
                if (a >= end)
                    break;
            }
            run_addr = run_end;
        }
        if (!ok || a < end)
            return -1;
        return (long)(addr - cfg.base);
    }

    /* Page [start, start+size) holding addr, or false. */
    bool page(uint32_t addr, uint32_t *start, uint32_t *size, char *attr) const
    {
        uint64_t run_addr = cfg.base;
        for (const DfuRun &r : cfg.runs) {
            uint64_t run_end = run_addr + (uint64_t)r.count * r.size;
            if (addr >= run_addr && addr < run_end) {
                *start = (uint32_t)(run_addr + (addr - run_addr) / r.size * r.size);
                *size = r.size;
                *attr = r.attr;
                return true;
            }
            run_addr = run_end;
        }
        return false;
    }

    bool in_page(uint32_t addr, uint32_t len, uint32_t page_addr) const
    {
        uint32_t start, size;
        char attr;
        if (!page_addr || !page(page_addr, &start, &size, &attr))
            return false;
        return addr < start + size && (uint64_t)addr + len > start;
    }

    void fail(uint8_t st)
    {
        status = st;
        state = kDfuError;
    }

    /* The pending DNLOAD is carried out while the device reports dfuDNBUSY. */
    void execute()
    {
        if (pending_block == 0) {
            uint8_t cmd = pending.empty() ? 0xff : pending[0];
            uint32_t addr = pending.size() >= 5 ? (uint32_t)(pending[1] | pending[2] << 8 | pending[3] << 16 |
                                                             (uint32_t)pending[4] << 24)
                                                : 0;
            if (cmd == 0x21 && pending.size() == 5) {
                if (offset(addr, 1, 0) < 0)
                    return fail(kErrTarget);
                ptr = addr;
            } else if (cmd == 0x41 && pending.size() == 5) {
                uint32_t start, size;
                char attr;
                if (!page(addr, &start, &size, &attr) || !(((attr - 'a' + 1) & 2)))
                    return fail(kErrTarget);
                if (in_page(start, size, cfg.protected_page))
                    return fail(kErrWrite);
                memset(&mem[start - cfg.base], 0xff, size);
                erases++;
            } else if (cmd == 0x41 && pending.size() == 1) {
                if (cfg.protected_page)
                    return fail(kErrWrite);
                mem.assign(mem.size(), 0xff); /* every run of the tests is erasable */
                erases++;
            } else {
                return fail(kErrStalled);
            }
        } else {
            uint32_t addr = ptr + (uint32_t)(pending_block - 2) * cfg.xfer;
            uint32_t len = (uint32_t)pending.size();
            long off = offset(addr, len, 4);
            if (off < 0)
                return fail(kErrTarget);
            if (in_page(addr, len, cfg.protected_page))
                return fail(kErrWrite);
            if (cfg.errprog_block >= 0 && blocks == (unsigned)cfg.errprog_block)
                return fail(kErrProg);
            bool ok = true;
            for (uint32_t i = 0; i < len; i++) {
                mem[(size_t)off + i] &= pending[i]; /* programming only clears bits */
                ok = ok && mem[(size_t)off + i] == pending[i];
            }
            blocks++;
            if (!ok)
                return fail(kErrVerify);
        }
        state = kDnloadIdle;
    }

    int stall()
    {
        fail(kErrStalled);
        return -EPIPE;
    }

    int string_desc(unsigned index, uint8_t *out, int cap, unsigned want)
    {
        std::string s;
        uint8_t d[256];
        size_t len;
        if (index == 0) {
            const uint8_t langs[] = { 4, 3, 0x09, 0x04 };
            memcpy(d, langs, sizeof langs);
            len = sizeof langs;
        } else {
            switch (index) {
            case 1: s = "STMicroelectronics"; break;
            case 2: s = "STM32  BOOTLOADER"; break;
            case 3: s = "RPDFU0001"; break;
            case 4: s = layout(); break;
            default: return -EPIPE;
            }
            len = 2 + 2 * s.size();
            if (len > 254)
                return -EPIPE;
            d[0] = (uint8_t)len;
            d[1] = 3;
            for (size_t i = 0; i < s.size(); i++) {
                d[2 + 2 * i] = (uint8_t)s[i];
                d[3 + 2 * i] = 0;
            }
        }
        size_t n = len < want ? len : want;
        n = n < (size_t)cap ? n : (size_t)cap;
        memcpy(out, d, n);
        return (int)n;
    }

    std::string layout() const
    {
        char b[64];
        snprintf(b, sizeof b, "@Internal Flash  /0x%08X/", cfg.base);
        std::string s = b;
        for (size_t i = 0; i < cfg.runs.size(); i++) {
            const DfuRun &r = cfg.runs[i];
            if (r.size % 1024 == 0)
                snprintf(b, sizeof b, "%s%02u*%03uK%c", i ? "," : "", r.count, r.size / 1024, r.attr);
            else
                snprintf(b, sizeof b, "%s%02u*%03u %c", i ? "," : "", r.count, r.size, r.attr);
            s += b;
        }
        return s;
    }

    std::vector<uint8_t> descriptors() const
    {
        /* Device descriptor, then the configuration: one interface, DfuSe
         * (0xFE/1/2), string 4, then the functional descriptor: can
         * download + upload, will detach, wTransferSize, DfuSe version
         * 1.1a. One array: GCC 12 misreads vector::insert at -O2. */
        const uint8_t all[] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, (uint8_t)cfg.vid, (uint8_t)(cfg.vid >> 8),
                                (uint8_t)cfg.pid, (uint8_t)(cfg.pid >> 8), 0x00, 0x22, 1, 2, 3, 1,
                                9, 2, 27, 0, 1, 1, 0, 0xc0, 50, 9, 4, 0, 0, 0, 0xfe, 1, 2, 4,
                                9, 0x21, 0x0b, 0xff, 0, (uint8_t)cfg.xfer, (uint8_t)(cfg.xfer >> 8), 0x1a, 0x01 };
        return std::vector<uint8_t>(all, all + sizeof all);
    }

    int get_descriptor(const uint8_t *s, uint8_t *out, int cap)
    {
        unsigned type = s[3], index = s[2], want = (unsigned)(s[6] | s[7] << 8);
        log("GET_DESCRIPTOR type %u index %u", type, index);
        if (type == 3)
            return string_desc(index, out, cap, want);
        std::vector<uint8_t> all = descriptors();
        size_t from = type == 1 ? 0 : type == 2 ? 18 : all.size();
        if (from >= all.size() || index != 0)
            return -EPIPE;
        size_t n = all.size() - from;
        n = n < want ? n : want;
        n = n < (size_t)cap ? n : (size_t)cap;
        memcpy(out, &all[from], n);
        return (int)n;
    }

    int dfu(uint8_t req, uint16_t value, uint16_t length, uint8_t *data, int cap)
    {
        switch (req) {
        case kGetStatus: {
            if (length < 6 || cap < 6)
                return stall();
            uint32_t poll = 0;
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
            if (now < busy_until_ms)
                early_polls++;
            busy_until_ms = 0;
            if (state == kDnloadSync) {
                state = kDnBusy;
                poll = cfg.poll_ms;
            } else if (state == kDnBusy) {
                execute();
            } else if (state == kManifestSync) {
                state = kManifest;
                poll = cfg.poll_ms;
            }
            data[0] = status;
            data[1] = (uint8_t)poll;
            data[2] = (uint8_t)(poll >> 8);
            data[3] = (uint8_t)(poll >> 16);
            data[4] = state;
            data[5] = 0;
            if (poll)
                busy_until_ms = now + poll;
            log("GETSTATUS -> status %u state %u", status, state);
            if (state == kManifest) {
                /* The bootloader jumps to the image and leaves the bus
                 * once this answer is out. */
                left = true;
                gone = true;
            }
            return 6;
        }
        case kGetState:
            if (length < 1 || cap < 1)
                return stall();
            data[0] = state;
            return 1;
        case kClrStatus:
            log("CLRSTATUS in state %u", state);
            if (state != kDfuError)
                return stall();
            state = kDfuIdle;
            status = kStatusOk;
            return 0;
        case kAbort:
            log("ABORT in state %u", state);
            if (state != kDfuIdle && state != kDnloadSync && state != kDnloadIdle && state != kManifestSync &&
                state != kUploadIdle)
                return stall();
            state = kDfuIdle;
            return 0;
        case kDnload:
            if (state != kDfuIdle && state != kDnloadIdle) {
                log("DNLOAD %u in state %u: stall", value, state);
                return stall();
            }
            if (length == 0) {
                if (cfg.refuse_leave) {
                    log("DNLOAD %u zero length: refused", value);
                    return stall();
                }
                log("DNLOAD %u zero length: leave from 0x%08x", value, ptr);
                state = kManifestSync;
                return 0;
            }
            if (value == 1 || length > cfg.xfer || length > cap)
                return stall();
            if (value >= 2 && cfg.vanish_after_blocks >= 0 && blocks >= (unsigned)cfg.vanish_after_blocks) {
                log("DNLOAD %u: unplugged", value);
                gone = true;
                return -ENODEV;
            }
            pending_block = value;
            pending.assign(data, data + length);
            if (value == 0)
                log("DNLOAD 0 cmd %s", hex(pending).c_str());
            else
                log("DNLOAD %u %u bytes", value, length);
            state = kDnloadSync;
            return length;
        case kUpload: {
            if (state != kDfuIdle && state != kUploadIdle) {
                log("UPLOAD %u in state %u: stall", value, state);
                return stall();
            }
            if (value == 0) {
                const uint8_t cmds[] = { 0x00, 0x21, 0x41 };
                int n = length < (int)sizeof cmds ? length : (int)sizeof cmds;
                memcpy(data, cmds, (size_t)n);
                state = kUploadIdle;
                return n;
            }
            if (value == 1 || length > cfg.xfer || length > cap)
                return stall();
            uint32_t addr = ptr + (uint32_t)(value - 2) * cfg.xfer;
            long off = offset(addr, length, 1);
            log("UPLOAD %u %u bytes at 0x%08x", value, length, addr);
            if (off < 0) {
                fail(kErrTarget);
                return -EPIPE;
            }
            memcpy(data, &mem[(size_t)off], length);
            if (cfg.corrupt_read && cfg.corrupt_read >= addr && cfg.corrupt_read < addr + length)
                data[cfg.corrupt_read - addr] = (uint8_t)~data[cfg.corrupt_read - addr];
            state = kUploadIdle;
            return length;
        }
        default:
            return stall();
        }
    }

    int control(const uint8_t s[8], uint8_t *data, int cap)
    {
        if (gone)
            return -ENODEV;
        uint8_t rt = s[0], req = s[1];
        uint16_t value = (uint16_t)(s[2] | s[3] << 8), length = (uint16_t)(s[6] | s[7] << 8);
        if (rt == 0x80 && req == 6)
            return get_descriptor(s, data, cap);
        if (rt == 0x00 && req == 9) /* SET_CONFIGURATION */
            return 0;
        if (rt == 0x01 && req == 11) /* SET_INTERFACE */
            return 0;
        if ((rt == 0x21 || rt == 0xa1) && s[4] == 0)
            return dfu(req, value, length, data, cap);
        log("unknown request %02x %02x", rt, req);
        return -EPIPE;
    }
};

DfuSim::DfuSim(const DfuSimConfig &cfg) : impl_(new Impl)
{
    impl_->cfg = cfg;
    g_mutex_init(&impl_->mu);
    g_mutex_init(&impl_->glue.mu);
    impl_->glue.sim = this;
    uint64_t total = 0;
    for (const DfuRun &r : cfg.runs)
        total += (uint64_t)r.count * r.size;
    impl_->mem.assign((size_t)total, 0xff);
}

DfuSim::~DfuSim()
{
    if (impl_->handler) {
        umockdev_testbed_detach_ioctl(impl_->tb, kDevNode, nullptr);
        g_object_unref(impl_->handler);
    }
    g_mutex_lock(&impl_->glue.mu);
    g_list_free_full(impl_->glue.done, g_object_unref);
    impl_->glue.done = nullptr;
    g_mutex_unlock(&impl_->glue.mu);
    if (impl_->tb)
        g_object_unref(impl_->tb);
    g_mutex_clear(&impl_->glue.mu);
    g_mutex_clear(&impl_->mu);
    delete impl_;
}

std::string DfuSim::layout() const
{
    return impl_->layout();
}

std::vector<uint8_t> DfuSim::read(uint32_t addr, uint32_t len) const
{
    g_mutex_lock(&impl_->mu);
    std::vector<uint8_t> out;
    if (addr >= impl_->cfg.base && (uint64_t)addr - impl_->cfg.base + len <= impl_->mem.size()) {
        auto from = impl_->mem.begin() + (addr - impl_->cfg.base);
        out.assign(from, from + len);
    }
    g_mutex_unlock(&impl_->mu);
    return out;
}

void DfuSim::fill_pattern(uint8_t seed)
{
    g_mutex_lock(&impl_->mu);
    uint32_t x = 0x9e3779b9u ^ seed;
    for (uint8_t &b : impl_->mem) {
        x = x * 1664525u + 1013904223u;
        b = (uint8_t)(x >> 24);
    }
    g_mutex_unlock(&impl_->mu);
}

uint32_t DfuSim::size() const
{
    return (uint32_t)impl_->mem.size();
}

int DfuSim::control(const uint8_t setup[8], uint8_t *data, int cap)
{
    g_mutex_lock(&impl_->mu);
    int r = impl_->control(setup, data, cap);
    g_mutex_unlock(&impl_->mu);
    return r;
}

#define SIM_GETTER(type, name, field)   \
    type DfuSim::name() const           \
    {                                   \
        g_mutex_lock(&impl_->mu);       \
        type v = impl_->field;          \
        g_mutex_unlock(&impl_->mu);     \
        return v;                       \
    }
SIM_GETTER(unsigned, erases, erases)
SIM_GETTER(unsigned, blocks_written, blocks)
SIM_GETTER(unsigned, early_polls, early_polls)
SIM_GETTER(bool, left, left)
SIM_GETTER(bool, gone, gone)
SIM_GETTER(uint8_t, state, state)
SIM_GETTER(uint8_t, status, status)
SIM_GETTER(std::string, trace, trace)
#undef SIM_GETTER

std::string DfuSim::plug()
{
    Impl *d = impl_;
    d->tb = umockdev_testbed_new();
    gchar *r = umockdev_testbed_get_root_dir(d->tb);
    d->root = r;
    g_free(r);
    char ids[200];
    snprintf(ids, sizeof ids,
             "E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\nA: idVendor=%04x\\n\nA: idProduct=%04x\\n\n", d->cfg.vid,
             d->cfg.pid, d->cfg.vid, d->cfg.pid);
    std::string bed = std::string("P: /devices/pci0000:00/0000:00:14.0/usb1/1-4\n"
                                  "N: bus/usb/001/005\n"
                                  "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
                                  "E: BUSNUM=001\nE: DEVNUM=005\nE: DEVNAME=/dev/bus/usb/001/005\n") +
                      ids +
                      "A: busnum=1\\n\nA: devnum=5\\n\nA: speed=12\\n\nA: bConfigurationValue=1\\n\n"
                      "A: manufacturer=STMicroelectronics\\n\nA: product=STM32  BOOTLOADER\\n\n"
                      "A: serial=RPDFU0001\\n\n"
                      "H: descriptors=" +
                      hex(d->descriptors()) + "\n";
    d->handler = umockdev_ioctl_base_new();
    g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(on_ioctl), &d->glue);
    GError *err = nullptr;
    /* The handler first, so the device never exists without it. */
    if (!umockdev_testbed_attach_ioctl(d->tb, kDevNode, d->handler, &err) ||
        !umockdev_testbed_add_from_string(d->tb, bed.c_str(), &err)) {
        std::string m = err ? err->message : "?";
        if (err)
            g_error_free(err);
        return "testbed: " + m;
    }
    return "";
}

std::vector<std::string> DfuSim::env() const
{
    /* Under ASan the preload comes before the sanitizer runtime, and the
     * preload library's own allocations are not ours to leak-check. */
    std::string asan = "verify_asan_link_order=0:detect_leaks=0";
    if (const char *a = getenv("ASAN_OPTIONS"))
        asan = std::string(a) + ":" + asan;
    return { "LD_PRELOAD=libumockdev-preload.so.0", "UMOCKDEV_DIR=" + impl_->root, "ASAN_OPTIONS=" + asan };
}

namespace {

/* Control URBs are answered at once (the device model is synchronous) and
 * queued for reaping; the rest of usbdevfs is what libusb needs to open,
 * claim and select an alternate setting. Once the device is gone,
 * everything but reaping fails with ENODEV, like the kernel after an
 * unplug. */
gboolean on_ioctl(UMockdevIoctlBase *, UMockdevIoctlClient *client, gpointer data)
{
    UsbGlue *u = (UsbGlue *)data;
    gulong req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    g_mutex_lock(&u->mu);
    gboolean handled = TRUE;
    bool reap = req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY;
    if (u->sim->gone() && !(reap && u->done)) {
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        g_mutex_unlock(&u->mu);
        return TRUE;
    }
    switch (req) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
        *(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM;
        g_object_unref(d);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_DISCONNECT_CLAIM:
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESET:
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    case USBDEVFS_GETDRIVER:
        umockdev_ioctl_client_complete(client, -1, ENODATA); /* no kernel driver bound */
        break;
    case USBDEVFS_SUBMITURB: {
        UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), nullptr);
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)ud->data;
        if (urb->type != USBDEVFS_URB_TYPE_CONTROL || urb->buffer_length < 8) {
            g_object_unref(ud);
            umockdev_ioctl_client_complete(client, -1, EINVAL);
            break;
        }
        UMockdevIoctlData *bd = umockdev_ioctl_data_resolve(ud, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                            (gsize)urb->buffer_length, nullptr);
        uint8_t *b = (uint8_t *)urb->buffer;
        int r = u->sim->control(b, b + 8, urb->buffer_length - 8);
        if (r == -ENODEV) {
            g_object_unref(bd);
            g_object_unref(ud);
            umockdev_ioctl_client_complete(client, -1, ENODEV);
            break;
        }
        urb->status = r < 0 ? r : 0;
        urb->actual_length = r < 0 ? 0 : r;
        u->done = g_list_append(u->done, ud);
        g_object_unref(bd);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY: {
        if (!u->done) {
            umockdev_ioctl_client_complete(client, -1, EAGAIN);
            break;
        }
        UMockdevIoctlData *ud = (UMockdevIoctlData *)u->done->data;
        u->done = g_list_delete_link(u->done, u->done);
        UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), nullptr);
        umockdev_ioctl_data_set_ptr(ptr, 0, ud);
        g_object_unref(ptr);
        g_object_unref(ud);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_DISCARDURB:
        umockdev_ioctl_client_complete(client, -1, EINVAL); /* every URB is already done */
        break;
    default:
        handled = FALSE;
        break;
    }
    g_mutex_unlock(&u->mu);
    return handled;
}

} // namespace

} // namespace dfutest
