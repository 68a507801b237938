/* Firmware images for `rramprof flash` (rp_flash.h): ELF32 little-endian
 * ARM (PT_LOAD physical addresses), Intel HEX and raw binary, reduced to a
 * sorted list of non-overlapping segments. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp_flash.h"

#define PRV_MAX_FILE (64u * 1024u * 1024u)   /* an ELF carries symbols: allow more than the image */

/* A growable list of segments used while parsing; merged at the end. */
typedef struct prv_list {
    rp_flash_segment_t *seg;
    size_t count, cap;
    uint64_t bytes;
} prv_list_t;

static int prv_fail(char *err, size_t cap, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int prv_fail(char *err, size_t cap, int rc, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void prv_list_free(prv_list_t *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->seg[i].data);
    free(l->seg);
    memset(l, 0, sizeof *l);
}

/* Appends bytes at address; joins the last segment when contiguous. */
static int prv_list_add(prv_list_t *l, uint32_t address, const uint8_t *data, uint32_t size)
{
    if (size == 0)
        return RP_OK;
    if ((uint64_t)address + size > 0x100000000ull)
        return RP_ERR_RANGE;
    if (l->bytes + size > RP_FLASH_MAX_IMAGE)
        return RP_ERR_NOSPACE;
    rp_flash_segment_t *last = l->count ? &l->seg[l->count - 1] : NULL;
    if (last && (uint64_t)last->address + last->size == address) {
        uint8_t *grown = realloc(last->data, (size_t)last->size + size);
        if (!grown)
            return RP_ERR_NOSPACE;
        memcpy(grown + last->size, data, size);
        last->data = grown;
        last->size += size;
    } else {
        if (l->count == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 8;
            rp_flash_segment_t *more = realloc(l->seg, cap * sizeof *more);
            if (!more)
                return RP_ERR_NOSPACE;
            l->seg = more;
            l->cap = cap;
        }
        uint8_t *copy = malloc(size);
        if (!copy)
            return RP_ERR_NOSPACE;
        memcpy(copy, data, size);
        l->seg[l->count].address = address;
        l->seg[l->count].size = size;
        l->seg[l->count].data = copy;
        l->count++;
    }
    l->bytes += size;
    return RP_OK;
}

static int prv_cmp_seg(const void *a, const void *b)
{
    uint32_t x = ((const rp_flash_segment_t *)a)->address, y = ((const rp_flash_segment_t *)b)->address;
    return x < y ? -1 : x > y;
}

/* Sorts, joins touching segments, rejects overlaps, moves into img. */
static int prv_finish(prv_list_t *l, const char *path, rp_flash_image_t *img, char *err, size_t cap)
{
    if (l->count == 0)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: the image holds no bytes to write", path);
    qsort(l->seg, l->count, sizeof *l->seg, prv_cmp_seg);
    size_t out = 0;
    for (size_t i = 1; i < l->count; i++) {
        rp_flash_segment_t *a = &l->seg[out], *b = &l->seg[i];
        uint64_t a_end = (uint64_t)a->address + a->size;
        if (b->address < a_end)
            return prv_fail(err, cap, RP_ERR_MALFORMED,
                            "%s: overlapping data: 0x%08x-0x%08llx and 0x%08x-0x%08llx", path, a->address,
                            (unsigned long long)(a_end - 1), b->address,
                            (unsigned long long)((uint64_t)b->address + b->size - 1));
        if (b->address == a_end) {
            uint8_t *grown = realloc(a->data, (size_t)a->size + b->size);
            if (!grown)
                return prv_fail(err, cap, RP_ERR_NOSPACE, "%s: out of memory", path);
            memcpy(grown + a->size, b->data, b->size);
            a->data = grown;
            a->size += b->size;
            free(b->data);
            b->data = NULL;
        } else {
            out++;
            if (out != i) {
                l->seg[out] = *b;
                b->data = NULL;
            }
        }
    }
    size_t n = out + 1;
    if (n > RP_FLASH_MAX_SEGMENTS) {
        for (size_t i = 0; i < n; i++) {
            free(l->seg[i].data);
            l->seg[i].data = NULL;
        }
        return prv_fail(err, cap, RP_ERR_NOSPACE, "%s: %zu separate address ranges (at most %u)", path, n,
                        RP_FLASH_MAX_SEGMENTS);
    }
    for (size_t i = 0; i < n; i++) {
        img->seg[i] = l->seg[i];
        l->seg[i].data = NULL;
    }
    img->count = (uint32_t)n;
    l->count = 0;
    return RP_OK;
}

/* ---- ELF32 ---- */

static uint32_t prv_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t prv_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* A tag fit to print and compare: 1..63 visible ASCII characters (board
 * names are narrower, see host/boards.c; comparing with one decides). */
static bool prv_tag_ok(const char *s, size_t n)
{
    if (n == 0 || n >= RP_FLASH_BOARD_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return false;
    return true;
}

/* The board named by section RP_FLASH_BOARD_SECTION into img->board. No
 * section table (a stripped image) or no such section: untagged. A table
 * that runs past the file is as malformed as such program headers. */
static int prv_elf_board(const char *path, const uint8_t *buf, size_t len, rp_flash_image_t *img, char *err,
                         size_t cap)
{
    static const char want[] = RP_FLASH_BOARD_SECTION;
    uint32_t shoff = prv_le32(buf + 32);
    uint16_t shentsize = prv_le16(buf + 46), shnum = prv_le16(buf + 48), shstrndx = prv_le16(buf + 50);
    if (shoff == 0 || shnum == 0)
        return RP_OK;
    if (shentsize < 40 || (uint64_t)shoff + (uint64_t)shentsize * shnum > len || shstrndx >= shnum)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF section headers run past the end of the file", path);
    const uint8_t *names = buf + shoff + (size_t)shstrndx * shentsize;
    uint32_t names_off = prv_le32(names + 16), names_size = prv_le32(names + 20);
    if ((uint64_t)names_off + names_size > len)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF section names run past the end of the file", path);
    for (uint16_t i = 0; i < shnum; i++) {
        const uint8_t *sh = buf + shoff + (size_t)i * shentsize;
        uint32_t name = prv_le32(sh);
        if (name >= names_size)   /* a damaged table could hide the tag */
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF section %u's name lies outside the section names",
                            path, i);
        if (names_size - name < sizeof want ||
            memcmp(buf + names_off + name, want, sizeof want) != 0)
            continue;
        uint32_t type = prv_le32(sh + 4), offset = prv_le32(sh + 16), size = prv_le32(sh + 20);
        if (type == 1 && (uint64_t)offset + size <= len) {   /* SHT_PROGBITS, inside the file */
            const char *tag = (const char *)buf + offset;
            size_t n = strnlen(tag, size);
            if (n < size && prv_tag_ok(tag, n)) {   /* a name and its NUL */
                memcpy(img->board, tag, n + 1);
                return RP_OK;
            }
        }
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF section %s does not hold a board name", path, want);
    }
    return RP_OK;
}

static int prv_load_elf(const char *path, const uint8_t *buf, size_t len, prv_list_t *l, rp_flash_image_t *img,
                        char *err, size_t cap)
{
    if (len < 52)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: truncated ELF header", path);
    if (buf[4] != 1)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: not a 32-bit ELF (Cortex-M images are ELF32)", path);
    if (buf[5] != 1)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: not a little-endian ELF", path);
    if (buf[6] != 1)   /* EI_VERSION */
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF version %u, not 1", path, buf[6]);
    uint16_t etype = prv_le16(buf + 16);
    if (etype != 2)   /* ET_EXEC: a linked image; no relocations, core dumps or shared objects */
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF of type %u, not a linked executable (2)", path, etype);
    uint16_t machine = prv_le16(buf + 18);
    if (machine != 40)   /* EM_ARM */
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF for machine %u, not ARM (40)", path, machine);
    uint32_t phoff = prv_le32(buf + 28);
    uint16_t phentsize = prv_le16(buf + 42), phnum = prv_le16(buf + 44);
    if (phnum == 0)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF has no program headers (an object file, not a linked "
                                                    "image?)", path);
    if (phentsize != 32)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF program header size %u, not 32", path, phentsize);
    if ((uint64_t)phoff + (uint64_t)phentsize * phnum > len)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF program headers run past the end of the file", path);
    img->entry = prv_le32(buf + 24);
    for (uint16_t i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + phoff + (size_t)i * phentsize;
        uint32_t type = prv_le32(ph), offset = prv_le32(ph + 4), paddr = prv_le32(ph + 12);
        uint32_t filesz = prv_le32(ph + 16), memsz = prv_le32(ph + 20);
        if (type != 1 || filesz == 0)   /* PT_LOAD with bytes in the file */
            continue;
        if ((uint64_t)offset + filesz > len)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF segment %u runs past the end of the file", path, i);
        if (filesz > memsz)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF segment %u holds more bytes (%u) than it loads (%u)",
                            path, i, filesz, memsz);
        int rc = prv_list_add(l, paddr, buf + offset, filesz);
        if (rc == RP_ERR_RANGE)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: ELF segment %u wraps past 4 GiB", path, i);
        if (rc != RP_OK)
            return prv_fail(err, cap, RP_ERR_NOSPACE, "%s: image larger than %u bytes", path, RP_FLASH_MAX_IMAGE);
    }
    return prv_elf_board(path, buf, len, img, err, cap);
}

/* ---- Intel HEX ---- */

static int prv_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int prv_load_hex(const char *path, const uint8_t *buf, size_t len, prv_list_t *l, rp_flash_image_t *img,
                        char *err, size_t cap)
{
    uint32_t base = 0;   /* from record 02 (segment << 4) or 04 (linear << 16) */
    bool eof = false;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        const char *s = (const char *)buf + pos;
        pos += n + (nl ? 1 : 0);
        while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n == 0)
            continue;
        if (eof)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: data after the end-of-file record", path, line);
        if (s[0] != ':')
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: a record must start with ':'", path, line);
        if (n < 11 || (n - 1) % 2 != 0)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: record too short or odd number of digits", path,
                            line);
        uint8_t rec[262];
        size_t count = (n - 1) / 2;
        if (count > sizeof rec)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: record too long", path, line);
        uint8_t sum = 0;
        for (size_t i = 0; i < count; i++) {
            int hi = prv_hexval(s[1 + 2 * i]), lo = prv_hexval(s[2 + 2 * i]);
            if (hi < 0 || lo < 0)
                return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: '%c' is not a hex digit", path, line,
                                hi < 0 ? s[1 + 2 * i] : s[2 + 2 * i]);
            rec[i] = (uint8_t)(hi << 4 | lo);
            sum = (uint8_t)(sum + rec[i]);
        }
        uint8_t nbytes = rec[0], type = rec[3];
        uint16_t off = (uint16_t)(rec[1] << 8 | rec[2]);
        if (count != (size_t)nbytes + 5)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: length byte says %u data bytes, the record has %zu",
                            path, line, nbytes, count < 5 ? 0 : count - 5);
        if (sum != 0)
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: checksum mismatch (record sums to 0x%02x, not 0)",
                            path, line, sum);
        const uint8_t *d = rec + 4;
        switch (type) {
        case 0x00: {
            /* Addresses wrap inside the 64 KiB window, as the format says. */
            uint32_t a = base + off;
            uint32_t first = nbytes;
            if ((uint32_t)off + nbytes > 0x10000u)
                first = 0x10000u - off;
            int rc = prv_list_add(l, a, d, first);
            if (rc == RP_OK && first < nbytes)
                rc = prv_list_add(l, base, d + first, nbytes - first);
            if (rc != RP_OK)
                return prv_fail(err, cap, RP_ERR_NOSPACE, "%s:%u: image larger than %u bytes", path, line,
                                RP_FLASH_MAX_IMAGE);
            break;
        }
        case 0x01:
            if (nbytes != 0)
                return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: end-of-file record with data", path, line);
            eof = true;
            break;
        case 0x02:
        case 0x04:
            if (nbytes != 2)
                return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: address record needs 2 data bytes, has %u", path,
                                line, nbytes);
            base = (uint32_t)(d[0] << 8 | d[1]) << (type == 0x02 ? 4 : 16);
            break;
        case 0x03:
        case 0x05:
            if (nbytes != 4)
                return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: start address record needs 4 data bytes, has %u",
                                path, line, nbytes);
            if (type == 0x05)
                img->entry = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
            else
                img->entry = ((uint32_t)(d[0] << 8 | d[1]) << 4) + (uint32_t)(d[2] << 8 | d[3]);
            break;
        default:
            return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: unknown record type 0x%02x", path, line, type);
        }
    }
    if (!eof)
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s:%u: no end-of-file record (:00000001FF): truncated file?",
                        path, line);
    return RP_OK;
}

/* ---- entry points ---- */

static bool prv_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int prv_read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t cap)
{
    /* Opened without blocking and checked before reading: a FIFO or a
     * device would otherwise wait for a writer or never end. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return prv_fail(err, cap, RP_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return prv_fail(err, cap, RP_ERR_MALFORMED, "%s: not a regular file", path);
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return prv_fail(err, cap, RP_ERR_IO, "%s: %s", path, strerror(errno));
    }
    size_t have = 0, room = 64 * 1024;
    uint8_t *buf = malloc(room);
    while (buf) {
        size_t n = fread(buf + have, 1, room - have, f);
        have += n;
        if (have < room)
            break;
        if (room >= PRV_MAX_FILE) {
            free(buf);
            fclose(f);
            return prv_fail(err, cap, RP_ERR_NOSPACE, "%s: larger than %u MiB", path, PRV_MAX_FILE >> 20);
        }
        uint8_t *more = realloc(buf, room * 2);
        if (!more)
            free(buf);
        buf = more;
        room *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return prv_fail(err, cap, RP_ERR_NOSPACE, "%s: out of memory", path);
    if (bad) {
        free(buf);
        return prv_fail(err, cap, RP_ERR_IO, "%s: read error", path);
    }
    *out = buf;
    *len = have;
    return RP_OK;
}

int rp_flash_image_load(const char *path, uint32_t bin_base, rp_flash_image_t *img, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path || !img)
        return prv_fail(err, errlen, RP_ERR_ARG, "no image");
    memset(img, 0, sizeof *img);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = prv_read_file(path, &buf, &len, err, errlen);
    if (rc != RP_OK)
        return rc;
    size_t first = 0;
    while (first < len && (buf[first] == ' ' || buf[first] == '\t' || buf[first] == '\r' || buf[first] == '\n'))
        first++;
    prv_list_t l = { 0 };
    if (len >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0) {
        memcpy(img->format, "elf", 4);
        rc = prv_load_elf(path, buf, len, &l, img, err, errlen);
    } else if ((first < len && buf[first] == ':') || prv_ends_with(path, ".hex") || prv_ends_with(path, ".ihex")) {
        memcpy(img->format, "hex", 4);
        rc = prv_load_hex(path, buf, len, &l, img, err, errlen);
    } else if (prv_ends_with(path, ".elf")) {
        rc = prv_fail(err, errlen, RP_ERR_MALFORMED, "%s: not an ELF file (no ELF magic)", path);
    } else {
        memcpy(img->format, "bin", 4);
        if (len == 0)
            rc = prv_fail(err, errlen, RP_ERR_MALFORMED, "%s: empty file", path);
        else if (len > RP_FLASH_MAX_IMAGE)
            rc = prv_fail(err, errlen, RP_ERR_NOSPACE, "%s: image larger than %u bytes", path, RP_FLASH_MAX_IMAGE);
        else if ((uint64_t)bin_base + len > 0x100000000ull)
            rc = prv_fail(err, errlen, RP_ERR_MALFORMED, "%s: %zu bytes at 0x%08x run past 4 GiB", path, len,
                          bin_base);
        else
            rc = prv_list_add(&l, bin_base, buf, (uint32_t)len);
    }
    free(buf);
    if (rc == RP_OK)
        rc = prv_finish(&l, path, img, err, errlen);
    prv_list_free(&l);
    if (rc != RP_OK)
        rp_flash_image_free(img);
    return rc;
}

void rp_flash_image_free(rp_flash_image_t *img)
{
    if (!img)
        return;
    for (uint32_t i = 0; i < img->count && i < RP_FLASH_MAX_SEGMENTS; i++) {
        free(img->seg[i].data);
        img->seg[i].data = NULL;
    }
    img->count = 0;
}

uint32_t rp_flash_image_bytes(const rp_flash_image_t *img)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < img->count; i++)
        n += img->seg[i].size;
    return (uint32_t)n;
}

int rp_flash_image_check_board(const rp_flash_image_t *img, const char *path, const char *board,
                               uint32_t flash_base, uint32_t flash_size, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!img || !path)
        return prv_fail(err, errlen, RP_ERR_ARG, "no image");
    const char *name = board && board[0] ? board : "this board";
    if (board && board[0] && img->board[0] && strcmp(img->board, board) != 0)
        return prv_fail(err, errlen, RP_ERR_UNSUPPORTED,
                        "%s is built for board %s, not %s: build it with -DRRAMPROF_BOARD=%s, or use --board %s",
                        path, img->board, board, board, img->board);
    if (flash_size == 0)
        return RP_OK;
    uint32_t first, last;
    if (rp_flash_image_outside(img, flash_base, flash_size, &first, &last))
        return prv_fail(err, errlen, RP_ERR_RANGE,
                        "the image does not fit: bytes 0x%08" PRIx32 "-0x%08" PRIx32 " lie outside the flash 0x%08"
                        PRIx32 "-0x%08" PRIx64 " of %s: is %s built for it?",
                        first, last, flash_base, (uint64_t)flash_base + flash_size - 1, name, path);
    return RP_OK;
}

bool rp_flash_image_outside(const rp_flash_image_t *img, uint32_t base, uint32_t size, uint32_t *first,
                            uint32_t *last)
{
    uint64_t lo = base, hi = (uint64_t)base + size;
    for (uint32_t i = 0; i < img->count; i++) {
        uint64_t a = img->seg[i].address, end = a + img->seg[i].size;
        if (a >= lo && end <= hi)
            continue;
        /* The bytes that lie outside, not the whole segment. */
        uint64_t out_a = a < lo ? a : (a > hi ? a : hi), out_end = a < lo ? (end < lo ? end : lo) : end;
        *first = (uint32_t)out_a;
        *last = (uint32_t)(out_end - 1);
        return true;
    }
    return false;
}

/* An initial stack pointer: word-aligned, at most the top of a RAM (the
 * stack grows down from it), in the Cortex-M SRAM region or the
 * STM32F4's CCM RAM (0x10000000, 64 KiB). */
static bool prv_stack_in_ram(uint32_t sp)
{
    return (sp & 3u) == 0 && ((sp > 0x20000000u && sp <= 0x40000000u) || (sp > 0x10000000u && sp <= 0x10010000u));
}

static bool prv_inside(const rp_flash_image_t *img, uint32_t a)
{
    for (uint32_t i = 0; i < img->count; i++)
        if (a >= img->seg[i].address && (uint64_t)a < (uint64_t)img->seg[i].address + img->seg[i].size)
            return true;
    return false;
}

int rp_flash_image_check_start(const rp_flash_image_t *img, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!img || img->count == 0)
        return prv_fail(err, errlen, RP_ERR_ARG, "empty image");
    const rp_flash_segment_t *s = &img->seg[0];   /* segments are sorted: the lowest address */
    if (s->address % RP_FLASH_VTOR_ALIGN != 0)
        return prv_fail(err, errlen, RP_ERR_RANGE,
                        "0x%08" PRIx32 " is not a vector table address (not %u-byte aligned)", s->address,
                        RP_FLASH_VTOR_ALIGN);
    if (s->size < 8)
        return prv_fail(err, errlen, RP_ERR_RANGE, "%" PRIu32 " byte(s) at 0x%08" PRIx32 " hold no vector table",
                        s->size, s->address);
    uint32_t sp = prv_le32(s->data), reset = prv_le32(s->data + 4);
    if (!prv_stack_in_ram(sp))
        return prv_fail(err, errlen, RP_ERR_RANGE,
                        "its first word 0x%08" PRIx32 " is no initial stack pointer (not in RAM)", sp);
    if (!(reset & 1u) || !prv_inside(img, reset & ~1u))
        return prv_fail(err, errlen, RP_ERR_RANGE,
                        "its reset vector 0x%08" PRIx32 " is not a Thumb address inside the image", reset);
    return RP_OK;
}
