/* Flashing firmware images onto boards: the image model and the method
 * interface shared by `rramprof flash` (host/cmd_flash.c) and its methods.
 *
 * An image is a list of segments (address, bytes) read from .elf (PT_LOAD
 * program headers with p_filesz > 0, at their physical addresses), .hex
 * (Intel HEX, record types 00/01/02/04/05) or .bin (one segment at a base
 * address from --address or the board metadata). Segments are sorted and
 * never overlap (overlap is an error). An ELF built by one of the boards
 * also names its board (section RP_FLASH_BOARD_SECTION), so an image for
 * another board is refused (rp_flash_image_check_board).
 *
 * A method writes every segment, reads it back and compares (verify), then
 * starts the image (Go / DFU leave / reset). It reports progress through
 * the callback and failures as a negative rp_err_t plus a one-line message
 * in rp_flash_ctx_t.err; it never prints. Nothing is "done" unless the
 * read-back matched byte for byte. */
#ifndef RP_FLASH_H
#define RP_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_FLASH_MAX_SEGMENTS 32u
#define RP_FLASH_MAX_IMAGE (16u * 1024u * 1024u)   /* bytes over all segments */
#define RP_FLASH_ERR_MAX 256u
/* The ELF section naming the board an image was built for: the board's
 * name and a NUL, in a section that is not loaded (no flash, no RAM). */
#define RP_FLASH_BOARD_SECTION ".rramprof.board"
#define RP_FLASH_BOARD_MAX 64u

typedef struct rp_flash_segment {
    uint32_t address;
    uint32_t size;
    uint8_t *data;            /* owned by the image */
} rp_flash_segment_t;

typedef struct rp_flash_image {
    uint32_t count;
    rp_flash_segment_t seg[RP_FLASH_MAX_SEGMENTS];
    uint32_t entry;           /* ELF e_entry, HEX type 05, else 0 */
    char format[8];           /* "elf", "hex", "bin" */
    char board[RP_FLASH_BOARD_MAX];   /* ELF: the board it was built for, "" if untagged */
} rp_flash_image_t;

/* Loads path; the format comes from the content (ELF magic, ':' records),
 * else the extension, else binary. bin_base is the address of a .bin.
 * On failure returns RP_ERR_IO / RP_ERR_MALFORMED / RP_ERR_NOSPACE and
 * writes "path:line: ..." or "path: ..." into err. */
int rp_flash_image_load(const char *path, uint32_t bin_base, rp_flash_image_t *img, char *err,
                        size_t errlen);
void rp_flash_image_free(rp_flash_image_t *img);

/* Whether img (read from path) is meant for `board`: RP_ERR_UNSUPPORTED if
 * it names another board, RP_ERR_RANGE if flash_size != 0 and some byte
 * lies outside [flash_base, flash_base + flash_size); else RP_OK (an
 * untagged image is taken on its addresses alone). err says which and how
 * to get a matching image. */
int rp_flash_image_check_board(const rp_flash_image_t *img, const char *path, const char *board,
                               uint32_t flash_base, uint32_t flash_size, char *err, size_t errlen);

/* Whether some byte of img lies outside [base, base + size): then
 * *first..*last (inclusive) are the first such run of bytes. */
bool rp_flash_image_outside(const rp_flash_image_t *img, uint32_t base, uint32_t size, uint32_t *first,
                            uint32_t *last);
uint32_t rp_flash_image_bytes(const rp_flash_image_t *img);

/* Whether img can be started the way the STM32 ROM bootloader's Go starts
 * it: Go loads SP from the first word at the image's first (lowest)
 * address and jumps to the second, and the firmware then points VTOR at
 * that address. So the address must be a vector table's: aligned to
 * RP_FLASH_VTOR_ALIGN (VTOR ignores the low bits; the F2/F4 tables of
 * 98-113 vectors need 512), the first word a stack pointer in RAM, the
 * second a Thumb address (bit 0 set) inside the image. RP_OK, else
 * RP_ERR_RANGE and err says which word or address is wrong. */
#define RP_FLASH_VTOR_ALIGN 512u
int rp_flash_image_check_start(const rp_flash_image_t *img, char *err, size_t errlen);

/* Progress of one phase ("erase", "write", "verify"): done of total bytes. */
typedef void (*rp_flash_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);

typedef struct rp_flash_ctx {
    const char *port;         /* method-specific: serial device, usb:VID:PID, qemu ... */
    uint32_t baud;            /* serial methods */
    uint32_t flash_base;      /* board flash start (e.g. 0x08000000) */
    uint32_t flash_size;      /* bytes; 0 = ask the device / unknown */
    uint16_t expect_chip_id;  /* AN3155 Get ID answer expected, 0 = any */
    bool dry_run;             /* plan only: no device is opened */
    bool no_start;            /* do not Go/leave after verify */
    double timeout_s;         /* per device answer */
    rp_flash_progress_fn progress;
    void *progress_ctx;
    char err[RP_FLASH_ERR_MAX];   /* out: why it failed */
    char info[RP_FLASH_ERR_MAX];  /* out: device identity ("STM32F446, bootloader 3.1") */
} rp_flash_ctx_t;

/* Every method: RP_OK once written, verified and (unless no_start)
 * started; else a negative rp_err_t and ctx->err. The serial method
 * refuses, before it opens the port, an image that Go cannot start
 * (rp_flash_image_check_start) unless no_start. */
int rp_flash_serial_an3155(rp_flash_ctx_t *ctx, const rp_flash_image_t *img);
int rp_flash_dfuse(rp_flash_ctx_t *ctx, const rp_flash_image_t *img);

/* Whether the serial method can run its line at baud (board.conf's
 * bootloader_baud is checked with it); RP_FLASH_AN3155_BAUDS lists them. */
bool rp_flash_an3155_baud_ok(uint32_t baud);
#define RP_FLASH_AN3155_BAUDS "1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600"

/* AN3155 erase plan (for --dry-run): the STM32F2/F4 sectors the image
 * touches, at most cap of them stored. Returns the count, or a negative
 * rp_err_t (RP_ERR_RANGE: the image does not fit ctx->flash_base/size). */
int rp_flash_an3155_sectors(rp_flash_ctx_t *ctx, const rp_flash_image_t *img, uint16_t *sectors, size_t cap);

/* Delegated methods: they run another program, whose own output goes to
 * this process's stdout/stderr. */
/* openocd -f interface_cfg -f target_cfg -c "program PATH [ADDR] verify
 * reset exit" (ADDR = ctx->flash_base for format "bin"; no reset with
 * no_start). ctx->info gets the command line (also on dry_run, which runs
 * nothing). openocd comes from $RRAMPROF_OPENOCD or PATH: RP_ERR_NOT_FOUND
 * with an install hint when it is absent, RP_ERR_HAL when it exits
 * non-zero, RP_ERR_TIMEOUT after max(timeout_s, 300 s). */
int rp_flash_openocd(rp_flash_ctx_t *ctx, const char *image_path, const char *format, const char *interface_cfg,
                     const char *target_cfg);

#ifdef __cplusplus
}
#endif
#endif
