/* An emulated STM32-style DfuSe bootloader for the flashing tests.
 *
 * DfuSim is the device: a memory image laid out in page runs (some may be
 * read-only), the DFU 1.1 state machine (dfuIDLE, dfuDNLOAD-SYNC,
 * dfuDNBUSY, dfuDNLOAD-IDLE, dfuUPLOAD-IDLE, dfuMANIFEST-SYNC, dfuMANIFEST,
 * dfuERROR) with ST's DfuSe commands (0x21 set address, 0x41 erase) and
 * faults to inject. Flash programming only clears bits, as on NOR flash,
 * so a host that skips the erase reads back the wrong bytes.
 *
 * plug() puts it on an emulated USB bus (umockdev): sysfs entries for
 * 0483:df11 at /dev/bus/usb/001/005 and a handler answering the usbdevfs
 * ioctls that libusb issues, so a child process run with env() (rramprof's
 * code or dfu-util) does its real libusb work against it. */
#ifndef RP_DFU_SIM_H
#define RP_DFU_SIM_H

#include <stdint.h>

#include <string>
#include <vector>

namespace dfutest {

struct DfuRun {
    uint32_t count;   /* pages */
    uint32_t size;    /* bytes per page */
    char attr;        /* 'a' read-only ... 'g' read/erase/write */
};

struct DfuSimConfig {
    uint16_t vid = 0x0483, pid = 0xdf11;
    uint32_t base = 0x08000000u;
    std::vector<DfuRun> runs = { { 4, 16 * 1024, 'g' }, { 1, 64 * 1024, 'g' }, { 7, 128 * 1024, 'g' } };
    uint16_t xfer = 2048;          /* wTransferSize */
    uint32_t poll_ms = 1;          /* bwPollTimeout while busy */
    /* Faults. */
    int vanish_after_blocks = -1;  /* device unplugs at data block N+1 */
    uint32_t protected_page = 0;   /* erase/program of this page: errWRITE */
    int errprog_block = -1;        /* data block N (0-based) fails: errPROG */
    uint32_t corrupt_read = 0;     /* UPLOAD returns this byte inverted */
    bool refuse_leave = false;     /* zero-length DNLOAD stalls */
};

/* DFU 1.1 states and status codes used by the tests. */
enum : uint8_t { kDfuIdle = 2, kDnloadIdle = 5, kDfuError = 10 };
enum : uint8_t { kStatusOk = 0, kErrTarget = 1, kErrWrite = 3, kErrProg = 6, kErrVerify = 7, kErrStalled = 15 };

class DfuSim {
public:
    explicit DfuSim(const DfuSimConfig &cfg = DfuSimConfig());
    ~DfuSim();
    DfuSim(const DfuSim &) = delete;
    DfuSim &operator=(const DfuSim &) = delete;

    /* The interface string, e.g. "@Internal Flash  /0x08000000/04*016Kg,...". */
    std::string layout() const;

    /* Memory; addresses outside the runs are an error (empty result). */
    std::vector<uint8_t> read(uint32_t addr, uint32_t len) const;
    void fill_pattern(uint8_t seed);   /* "old firmware" everywhere */
    uint32_t size() const;

    /* One control transfer: setup packet and data stage (OUT data in,
     * IN data out). Returns the data length, -EPIPE (stall) or -ENODEV. */
    int control(const uint8_t setup[8], uint8_t *data, int cap);

    /* Emulated USB: "" or what failed. */
    std::string plug();
    std::vector<std::string> env() const;

    /* Observations. */
    unsigned erases() const;
    unsigned blocks_written() const;
    unsigned early_polls() const;      /* GETSTATUS sooner than bwPollTimeout */
    bool left() const;                 /* manifested: jumped to the image */
    bool gone() const;
    uint8_t state() const;
    uint8_t status() const;
    std::string trace() const;         /* requests seen, one per line */

private:
    struct Impl;
    Impl *impl_;
};

} // namespace dfutest

#endif
