/* A sim board behind emulated hardware, for the CLI tests: umockdev builds
 * a sysfs/dev testbed in which
 *   - a CDC-ACM serial port /dev/ttyACM0 (USB 1209:0001, serial RPSER0001)
 *     is a pseudo-terminal whose master side is the sim board's stdio, and
 *   - a USB device /dev/bus/usb/001/003 (1209:0001, serial RPUSB0001) with
 *     the rramprof vendor interface has its usbdevfs ioctls answered here:
 *     bulk OUT URBs go to the sim board's stdin, bulk IN URBs are filled
 *     from its stdout, control URBs answer string descriptors.
 * rramprof runs as a child with libumockdev-preload (and, for serial, the
 * modem-control shim) preloaded, so libserialport and libusb do their real
 * work against these devices. */
#ifndef RP_MOCK_BOARD_H
#define RP_MOCK_BOARD_H

#include <string>
#include <vector>

#include "cli_proc.h"

namespace clitest {

class MockBoard {
public:
    MockBoard();
    ~MockBoard();
    MockBoard(const MockBoard &) = delete;
    MockBoard &operator=(const MockBoard &) = delete;

    /* Adds the devices; each starts its own sim board with sim_args
     * (--transport stdio is added). Returns "" or what failed. */
    std::string add_serial(const std::vector<std::string> &sim_args = {});
    std::string add_usb(const std::vector<std::string> &sim_args = {});

    /* Environment for a child that should see the testbed. */
    std::vector<std::string> env() const;
    /* Runs rramprof with args inside the testbed. */
    Result rramprof(const std::vector<std::string> &args, int timeout_ms = 60000) const;
    /* Command line prefix that runs as user nobody (setpriv). */
    static std::vector<std::string> as_nobody();
    /* Lets other users into the testbed directory (for as_nobody). */
    void open_to_all();

    /* Ends the serial link the way a board reset would: the sim goes, the
     * pty hangs up. */
    void unplug_serial();
    /* The USB device disappears: every URB fails with ENODEV. */
    void unplug_usb();
    /* Closes the host side of the sims' links so they finish and flush
     * their truth files; returns their exit codes (serial, usb; -2 if
     * absent). */
    std::vector<int> finish_sims(int timeout_ms);

    std::string root() const { return root_; }

private:
    struct Impl;
    Impl *impl_;
    std::string root_;
};

} // namespace clitest

#endif
