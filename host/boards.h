/* Board metadata: boards/<name>/board.conf, read by `rramprof capture
 * --board NAME` and `rramprof list --boards`.
 *
 * A board file is lines of `key = value`; `#` starts a comment, blank lines
 * are ignored, keys are unique. Keys (docs/porting.md):
 *
 *   name          board name, equal to the folder (or the .conf file) name
 *   mcu           free text, e.g. STM32F446RE
 *   core          e.g. cortex-m4f, host
 *   clock_hz      timestamp clock in Hz (decimal)
 *   flash_method  none | qemu | stlink-swd | serial-bootloader | dfu
 *   transport     exec | qemu | serial | usb   (the default link)
 *   baud          UART rate of the link (decimal; 0 when there is none);
 *                 required for transport = serial
 *   usb_vid       USB IDs of the board's link (hex, 4 digits, optional
 *   usb_pid       0x); required for serial and usb
 *   qemu_machine  qemu-system-arm -M value; required for transport = qemu
 *   qemu_cpu      qemu-system-arm -cpu value (optional)
 *
 * Flashing (`rramprof flash`, docs/flash.md), all optional:
 *   flash_base         first flash address (hex, e.g. 0x08000000); the
 *                      address of a .bin image
 *   flash_size         flash bytes (decimal, or hex with 0x)
 *   chip_id            AN3155 Get ID answer expected (hex, e.g. 0x421)
 *   bootloader_baud    rate of the STM32 serial bootloader (decimal)
 *   openocd_interface  openocd -f config of the probe (interface/stlink.cfg)
 *   openocd_target     openocd -f config of the chip (target/stm32f4x.cfg)
 *
 * name, mcu, core, clock_hz, flash_method and transport are required.
 * Errors are returned with a message "FILE:LINE: what" for the user. */
#ifndef RP_CLI_BOARDS_H
#define RP_CLI_BOARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RP_CLI_BOARD_NAME_MAX 64u      /* buffer sizes, terminator included */
#define RP_CLI_BOARD_TEXT_MAX 96u
#define RP_CLI_BOARD_PATH_MAX 4096u
#define RP_CLI_BOARD_FILE_MAX 16384u   /* longest board file accepted */
#define RP_CLI_BOARD_DIRS_MAX 4u

typedef enum rp_cli_board_flash {
    RP_CLI_BOARD_FLASH_NONE = 0,
    RP_CLI_BOARD_FLASH_QEMU,
    RP_CLI_BOARD_FLASH_STLINK_SWD,
    RP_CLI_BOARD_FLASH_SERIAL_BOOTLOADER,
    RP_CLI_BOARD_FLASH_DFU
} rp_cli_board_flash_t;

typedef enum rp_cli_board_link {
    RP_CLI_BOARD_LINK_EXEC = 0,
    RP_CLI_BOARD_LINK_QEMU,
    RP_CLI_BOARD_LINK_SERIAL,
    RP_CLI_BOARD_LINK_USB
} rp_cli_board_link_t;

typedef struct rp_cli_board {
    char name[RP_CLI_BOARD_NAME_MAX];
    char mcu[RP_CLI_BOARD_TEXT_MAX];
    char core[RP_CLI_BOARD_NAME_MAX];
    uint64_t clock_hz;
    rp_cli_board_flash_t flash;
    rp_cli_board_link_t transport;
    uint32_t baud;
    bool has_usb_id;
    uint16_t usb_vid, usb_pid;
    char qemu_machine[RP_CLI_BOARD_NAME_MAX];
    char qemu_cpu[RP_CLI_BOARD_NAME_MAX];
    char path[RP_CLI_BOARD_PATH_MAX];   /* file it was read from */
    /* flashing; 0 / "" when not given */
    uint32_t flash_base;
    uint32_t flash_size;
    uint16_t chip_id;
    uint32_t bootloader_baud;
    char openocd_interface[RP_CLI_BOARD_TEXT_MAX];
    char openocd_target[RP_CLI_BOARD_TEXT_MAX];
} rp_cli_board_t;

/* Parses the text of one board file. origin names it in messages. Returns
 * 0, or -1 with "origin:LINE: ..." (or "origin: missing ...") in err. */
int rp_cli_board_parse(const char *text, size_t len, const char *origin, rp_cli_board_t *out, char *err,
                       size_t err_cap);

/* Reads and parses path; b->path is set. Returns 0, or -1 with err. */
int rp_cli_board_load(const char *path, rp_cli_board_t *out, char *err, size_t err_cap);

/* Looks name up in dirs, in order; in each dir both DIR/NAME.conf (the
 * installed layout) and DIR/NAME/board.conf (the source tree) count.
 * Returns 0 when found, 1 when no dir has it (err says so), -1 when the
 * file found is invalid (err from the parser). The name in the file must
 * equal name. */
int rp_cli_board_find(const char *name, const char *const *dirs, size_t ndirs, rp_cli_board_t *out, char *err,
                      size_t err_cap);

/* Every board of dirs, sorted by name; a name found in an earlier dir hides
 * later ones. Invalid files are skipped, the first such error is kept in
 * err (err[0] == '\0' when all were valid). *out is heap memory freed with
 * free(); *count may be 0. Returns 0, or -1 when out of memory. */
int rp_cli_board_list(const char *const *dirs, size_t ndirs, rp_cli_board_t **out, size_t *count, char *err,
                      size_t err_cap);

/* The directories rramprof searches, in order: $RRAMPROF_BOARDS_DIR if set,
 * SELF_DIR/boards (the build copies every board.conf there as NAME.conf),
 * and the source tree's boards/ baked in at build time
 * (RRAMPROF_SOURCE_DIR). Fills storage and ptrs; returns the count. */
size_t rp_cli_board_dirs(const char *self_dir, char storage[][RP_CLI_BOARD_PATH_MAX], const char **ptrs,
                         size_t max);

/* A set RRAMPROF_BOARDS_DIR must name a directory: one that does not is a
 * mistake to report (-1, err says why), not a dir to skip. 0 otherwise. */
int rp_cli_board_env_check(char *err, size_t err_cap);

const char *rp_cli_board_flash_name(rp_cli_board_flash_t f);
const char *rp_cli_board_link_name(rp_cli_board_link_t l);

/* Table of boards for `--board list` / `list --boards`. */
void rp_cli_board_print(FILE *f, const rp_cli_board_t *boards, size_t n);

/* Lists every board of rp_cli_board_dirs(self_dir) to out (a note about
 * an invalid board file goes to errf). Returns 0, or -1 when no board was
 * found or memory ran out (the reason on errf). */
int rp_cli_board_show(FILE *out, FILE *errf, const char *self_dir);

#ifdef __cplusplus
}
#endif
#endif
