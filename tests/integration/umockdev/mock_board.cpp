#include "mock_board.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>
#include <umockdev.h>

namespace clitest {

namespace {

/* Device, configuration and string descriptors of the two emulated boards
 * (docs/usb-interface.md). Serial flavour: one CDC communication interface
 * (the tty) and no vendor interface. */
const char *const kSerialDescriptors = "12010002020000400912010000010102030109021200010100803209040000000202010000";
/* Vendor flavour: interface 0, class 0xFF, iInterface 4, bulk IN 0x81 and
 * bulk OUT 0x01 of 512 bytes (high speed). */
const char *const kUsbDescriptors = "120100020000004009120100000101020301"
                                    "0902200001010080320904000002ff0001040705810200020007050102000200";

const char *const kUsbStrings[] = { nullptr, "rramprof", "rramprof sim (usb)", "RPUSB0001", "rramprof" };

std::string serial_testbed()
{
    return std::string("P: /devices/pci0000:00/0000:00:14.0/usb1/1-1\n"
                       "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
                       "E: BUSNUM=001\nE: DEVNUM=002\n"
                       "E: ID_VENDOR_ID=1209\nE: ID_MODEL_ID=0001\nE: ID_SERIAL_SHORT=RPSER0001\n"
                       "A: idVendor=1209\\n\nA: idProduct=0001\\n\nA: busnum=1\\n\nA: devnum=2\\n\n"
                       "A: speed=12\\n\nA: bConfigurationValue=1\\n\n"
                       "A: manufacturer=rramprof\\n\nA: product=rramprof sim serial\\n\nA: serial=RPSER0001\\n\n"
                       "H: descriptors=") +
           kSerialDescriptors +
           "\n\n"
           "P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0\n"
           "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nE: DRIVER=cdc_acm\n"
           "A: bInterfaceClass=02\\n\nA: bInterfaceNumber=00\\n\n\n"
           "P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/tty/ttyACM0\n"
           "N: ttyACM0\n"
           "E: SUBSYSTEM=tty\nE: DEVNAME=/dev/ttyACM0\n"
           "L: device=../../../1-1:1.0\n";
}

std::string usb_testbed()
{
    return std::string("P: /devices/pci0000:00/0000:00:14.0/usb1/1-2\n"
                       "N: bus/usb/001/003\n"
                       "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
                       "E: BUSNUM=001\nE: DEVNUM=003\nE: DEVNAME=/dev/bus/usb/001/003\n"
                       "A: idVendor=1209\\n\nA: idProduct=0001\\n\nA: busnum=1\\n\nA: devnum=3\\n\n"
                       "A: speed=480\\n\nA: bConfigurationValue=1\\n\n"
                       "A: manufacturer=rramprof\\n\nA: product=rramprof sim (usb)\\n\nA: serial=RPUSB0001\\n\n"
                       "H: descriptors=") +
           kUsbDescriptors + "\n";
}

/* usbdevfs emulation state, touched only from umockdev's handler thread
 * and, under the mutex, from the test thread (unplug, finish). */
struct UsbDev {
    GMutex mu;
    int fd = -1;          /* host side of the sim board's stdio */
    bool gone = false;
    GList *pending_in = nullptr;   /* UMockdevIoctlData* of IN URBs */
    GList *done = nullptr;         /* URBs ready to be reaped */
    std::string to_sim;            /* OUT bytes the socket did not take yet */
};

void push_to_sim(UsbDev *u, const uint8_t *data, size_t len)
{
    u->to_sim.append((const char *)data, len);
    while (!u->to_sim.empty() && u->fd >= 0) {
        ssize_t n = send(u->fd, u->to_sim.data(), u->to_sim.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0)
            break;
        u->to_sim.erase(0, (size_t)n);
    }
}

/* Answers GET_DESCRIPTOR(string) in a control URB; false = stall. */
bool control(struct usbdevfs_urb *urb)
{
    uint8_t *b = (uint8_t *)urb->buffer;
    if (urb->buffer_length < 8 || b[0] != 0x80 || b[1] != 6 || b[3] != 3)
        return false;
    unsigned index = b[2];
    unsigned want = (unsigned)(b[6] | (b[7] << 8));
    uint8_t desc[256];
    size_t len;
    if (index == 0) {
        const uint8_t langs[] = { 4, 3, 0x09, 0x04 };
        memcpy(desc, langs, sizeof langs);
        len = sizeof langs;
    } else if (index < sizeof kUsbStrings / sizeof kUsbStrings[0]) {
        const char *s = kUsbStrings[index];
        len = 2 + 2 * strlen(s);
        desc[0] = (uint8_t)len;
        desc[1] = 3;
        for (size_t i = 0; s[i]; i++) {
            desc[2 + 2 * i] = (uint8_t)s[i];
            desc[3 + 2 * i] = 0;
        }
    } else {
        return false;
    }
    size_t room = (size_t)urb->buffer_length - 8;
    size_t n = len < want ? len : want;
    n = n < room ? n : room;
    memcpy(b + 8, desc, n);
    urb->actual_length = (int)n;
    return true;
}

/* Fills the first pending IN URB from the sim board, if it sent anything. */
UMockdevIoctlData *fill_in(UsbDev *u)
{
    if (!u->pending_in || u->fd < 0)
        return nullptr;
    UMockdevIoctlData *ud = (UMockdevIoctlData *)u->pending_in->data;
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)ud->data;
    ssize_t n = recv(u->fd, urb->buffer, (size_t)urb->buffer_length, MSG_DONTWAIT);
    if (n <= 0)
        return nullptr;
    u->pending_in = g_list_delete_link(u->pending_in, u->pending_in);
    urb->actual_length = (int)n;
    urb->status = 0;
    return ud;
}

gboolean on_ioctl(UMockdevIoctlBase *, UMockdevIoctlClient *client, gpointer data)
{
    UsbDev *u = (UsbDev *)data;
    gulong req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    g_mutex_lock(&u->mu);
    gboolean handled = TRUE;
    /* Unplugged: like the kernel, give back the URBs in flight (status
     * -ESHUTDOWN) and fail everything else with ENODEV. */
    bool reap = req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY;
    if (u->gone && !(reap && u->done)) {
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        g_mutex_unlock(&u->mu);
        return TRUE;
    }
    switch (req) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
        *(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                              USBDEVFS_CAP_ZERO_PACKET;
        g_object_unref(d);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_DISCONNECT_CLAIM: /* no kernel driver to disconnect */
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_CLEAR_HALT:
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    case USBDEVFS_GETDRIVER:
        umockdev_ioctl_client_complete(client, -1, ENODATA); /* no kernel driver bound */
        break;
    case USBDEVFS_SUBMITURB: {
        UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), nullptr);
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)ud->data;
        UMockdevIoctlData *bd = urb->buffer_length > 0
                                    ? umockdev_ioctl_data_resolve(ud, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                                  (gsize)urb->buffer_length, nullptr)
                                    : nullptr;
        urb->status = 0;
        urb->actual_length = 0;
        if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
            if (!control(urb))
                urb->status = -EPIPE;
            u->done = g_list_append(u->done, ud);
        } else if (urb->type == USBDEVFS_URB_TYPE_BULK && urb->endpoint == 0x81) {
            u->pending_in = g_list_append(u->pending_in, ud);
        } else if (urb->type == USBDEVFS_URB_TYPE_BULK && urb->endpoint == 0x01) {
            push_to_sim(u, (const uint8_t *)urb->buffer, (size_t)urb->buffer_length);
            urb->actual_length = urb->buffer_length;
            u->done = g_list_append(u->done, ud);
        } else {
            g_object_unref(ud);
            if (bd)
                g_object_unref(bd);
            umockdev_ioctl_client_complete(client, -1, EINVAL);
            break;
        }
        if (bd)
            g_object_unref(bd);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY: {
        UMockdevIoctlData *ud = nullptr;
        if (u->done) {
            ud = (UMockdevIoctlData *)u->done->data;
            u->done = g_list_delete_link(u->done, u->done);
        } else {
            ud = fill_in(u);
        }
        if (!ud) {
            umockdev_ioctl_client_complete(client, -1, EAGAIN);
            break;
        }
        UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), nullptr);
        umockdev_ioctl_data_set_ptr(ptr, 0, ud);
        g_object_unref(ptr);
        g_object_unref(ud);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_DISCARDURB: {
        gulong addr = *(gulong *)arg->data;
        GList *l = u->pending_in;
        while (l && ((UMockdevIoctlData *)l->data)->client_addr != addr)
            l = l->next;
        if (!l) {
            umockdev_ioctl_client_complete(client, -1, EINVAL); /* already done */
            break;
        }
        UMockdevIoctlData *ud = (UMockdevIoctlData *)l->data;
        u->pending_in = g_list_delete_link(u->pending_in, l);
        ((struct usbdevfs_urb *)ud->data)->status = -ENOENT;
        u->done = g_list_append(u->done, ud);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    default:
        handled = FALSE;
        break;
    }
    g_mutex_unlock(&u->mu);
    return handled;
}

void drop_urbs(GList **l)
{
    g_list_free_full(*l, g_object_unref);
    *l = nullptr;
}

} // namespace

struct MockBoard::Impl {
    UMockdevTestbed *tb = nullptr;
    /* serial */
    Proc serial_sim;
    bool has_serial = false;
    int master = -1;   /* owned by the testbed */
    int slave = -1;    /* ours: keeps the pty up between host opens */
    /* usb */
    Proc usb_sim;
    bool has_usb = false;
    UMockdevIoctlBase *handler = nullptr;
    UsbDev usb;
};

MockBoard::MockBoard() : impl_(new Impl)
{
    impl_->tb = umockdev_testbed_new();
    gchar *r = umockdev_testbed_get_root_dir(impl_->tb);
    root_ = r;
    g_free(r);
    g_mutex_init(&impl_->usb.mu);
}

MockBoard::~MockBoard()
{
    finish_sims(3000);
    if (impl_->slave >= 0)
        close(impl_->slave);
    if (impl_->handler) {
        umockdev_testbed_detach_ioctl(impl_->tb, "/dev/bus/usb/001/003", nullptr);
        g_object_unref(impl_->handler);
    }
    g_mutex_lock(&impl_->usb.mu);
    drop_urbs(&impl_->usb.pending_in);
    drop_urbs(&impl_->usb.done);
    g_mutex_unlock(&impl_->usb.mu);
    g_object_unref(impl_->tb);
    g_mutex_clear(&impl_->usb.mu);
    delete impl_;
}

static std::vector<std::string> sim_argv(const std::vector<std::string> &extra)
{
    std::vector<std::string> a = { sim_bin(), "--transport", "stdio", "--quiet" };
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

std::string MockBoard::add_serial(const std::vector<std::string> &sim_args)
{
    GError *err = nullptr;
    if (!umockdev_testbed_add_from_string(impl_->tb, serial_testbed().c_str(), &err)) {
        std::string m = err->message;
        g_error_free(err);
        return "testbed: " + m;
    }
    impl_->master = umockdev_testbed_get_dev_fd(impl_->tb, "/dev/ttyACM0");
    if (impl_->master < 0)
        return "no pty behind /dev/ttyACM0";
    /* Only the sim board may hold the master: a host that inherited it
     * would never see the hang-up of unplug_serial(). */
    fcntl(impl_->master, F_SETFD, FD_CLOEXEC);
    char slave[256];
    ssize_t n = readlink((root_ + "/dev/ttyACM0").c_str(), slave, sizeof slave - 1);
    if (n <= 0)
        return "cannot resolve /dev/ttyACM0";
    slave[n] = '\0';
    /* Raw before the board speaks: a cooked pty would echo its frames back
     * to it. Keeping the slave open also keeps the master from reading EIO
     * while no host has the port open. */
    impl_->slave = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios tio;
    if (impl_->slave < 0 || tcgetattr(impl_->slave, &tio) != 0)
        return std::string("cannot open ") + slave;
    cfmakeraw(&tio);
    tcsetattr(impl_->slave, TCSANOW, &tio);
    if (!impl_->serial_sim.start(sim_argv(sim_args), {}, impl_->master))
        return "cannot start the sim board";
    impl_->has_serial = true;
    return "";
}

std::string MockBoard::add_usb(const std::vector<std::string> &sim_args)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return "socketpair failed";
    impl_->usb.fd = sv[0];
    impl_->handler = umockdev_ioctl_base_new();
    g_signal_connect(impl_->handler, "handle-ioctl", G_CALLBACK(on_ioctl), &impl_->usb);
    GError *err = nullptr;
    /* The handler first, so the device never exists without it. */
    if (!umockdev_testbed_attach_ioctl(impl_->tb, "/dev/bus/usb/001/003", impl_->handler, &err) ||
        !umockdev_testbed_add_from_string(impl_->tb, usb_testbed().c_str(), &err)) {
        std::string m = err ? err->message : "?";
        if (err)
            g_error_free(err);
        close(sv[1]);
        return "testbed: " + m;
    }
    bool ok = impl_->usb_sim.start(sim_argv(sim_args), {}, sv[1]);
    close(sv[1]);
    if (!ok)
        return "cannot start the sim board";
    impl_->has_usb = true;
    return "";
}

std::vector<std::string> MockBoard::env() const
{
    std::string preload = std::string(RP_MODEM_SHIM) + " libumockdev-preload.so.0";
    /* Under ASan the preloads come before the sanitizer runtime, and the
     * preload library's own allocations are not ours to leak-check. */
    std::string asan = "verify_asan_link_order=0:detect_leaks=0";
    if (const char *a = getenv("ASAN_OPTIONS"))
        asan = std::string(a) + ":" + asan;
    return { "LD_PRELOAD=" + preload, "UMOCKDEV_DIR=" + root_, "ASAN_OPTIONS=" + asan };
}

Result MockBoard::rramprof(const std::vector<std::string> &args, int timeout_ms) const
{
    std::vector<std::string> argv = { rramprof_bin() };
    argv.insert(argv.end(), args.begin(), args.end());
    return run_cmd(argv, timeout_ms, env());
}

std::vector<std::string> MockBoard::as_nobody()
{
    return { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--" };
}

void MockBoard::open_to_all()
{
    /* The testbed (sysfs, dev) becomes readable for everyone, its ioctl
     * sockets connectable and its top directory writable (the preload
     * library binds its uevent sockets there). The device nodes keep
     * their owner-only write permission, like real ones (chmod -R leaves
     * symlinks such as dev/ttyACM0 -> /dev/pts/N alone). */
    std::string cmd = "chmod -R a+rX '" + root_ + "' && chmod a+rwx '" + root_ + "' && find '" + root_ +
                      "' -type s -exec chmod a+rw {} +";
    if (system(cmd.c_str()) != 0)
        fprintf(stderr, "mock board: %s failed\n", cmd.c_str());
}

void MockBoard::unplug_serial()
{
    impl_->serial_sim.signal(SIGKILL);
    impl_->serial_sim.wait(5000);
    /* Replace the testbed's master with /dev/null: the pty's last master
     * reference goes, the host side sees a hang-up, and the testbed can
     * still close "its" descriptor later. */
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null_fd, impl_->master);
    close(null_fd);
    if (impl_->slave >= 0) {
        close(impl_->slave);
        impl_->slave = -1;
    }
    impl_->has_serial = false;
}

void MockBoard::unplug_usb()
{
    g_mutex_lock(&impl_->usb.mu);
    impl_->usb.gone = true;
    for (GList *l = impl_->usb.pending_in; l; l = l->next) {
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)((UMockdevIoctlData *)l->data)->data;
        urb->status = -ESHUTDOWN;
        urb->actual_length = 0;
    }
    impl_->usb.done = g_list_concat(impl_->usb.done, impl_->usb.pending_in);
    impl_->usb.pending_in = nullptr;
    g_mutex_unlock(&impl_->usb.mu);
    impl_->usb_sim.signal(SIGKILL);
    impl_->usb_sim.wait(5000);
    impl_->has_usb = false;
}

std::vector<int> MockBoard::finish_sims(int timeout_ms)
{
    std::vector<int> codes = { -2, -2 };
    if (impl_->has_serial) {
        if (impl_->slave >= 0) {
            close(impl_->slave);
            impl_->slave = -1;
        }
        codes[0] = impl_->serial_sim.wait(timeout_ms);
        impl_->has_serial = false;
    }
    if (impl_->has_usb) {
        g_mutex_lock(&impl_->usb.mu);
        shutdown(impl_->usb.fd, SHUT_RDWR);
        g_mutex_unlock(&impl_->usb.mu);
        codes[1] = impl_->usb_sim.wait(timeout_ms);
        impl_->has_usb = false;
    }
    return codes;
}

} // namespace clitest
