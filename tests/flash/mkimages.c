/* Writes the test images of `rramprof flash` into DIR, each with the
 * memory the simulated 512 KiB STM32F446 flash must hold afterwards:
 *
 *   app.bin     40000 bytes at 0x08000000             exp_bin.mem
 *   app4000.bin 40000 bytes linked for 0x08004000     exp_4000.mem
 *   noise.bin   1024 bytes with no vector table (no stack pointer)
 *   app.elf     ELF32 ARM: .text at 0x08000000, .data loaded at
 *               0x08010000 (runs at 0x20000000), a .bss and a note
 *               segment that must not be written       exp_elf.mem
 *   app.hex     Intel HEX: 3000 bytes at 0x08000000 and 600 bytes at
 *               0x0801fff0, across a 64 KiB window     exp_hex.mem
 *   exp_empty.mem  erased flash (nothing written)
 *   big.bin     600000 bytes: does not fit
 *   outside.elf a segment in RAM: does not fit
 *   corrupt.hex app.hex with a wrong checksum on line 5
 *   noeof.hex   app.hex without its end-of-file record
 *
 * The images that start begin with a vector table (initial SP in RAM, a
 * Thumb reset vector inside the image), as Go needs. The expected
 * memories are built from the payload directly, never by the parser under
 * test. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLASH_BASE 0x08000000u
#define FLASH_SIZE (512u * 1024u)

static const char *g_dir;

static uint32_t g_seed = 12345u;

static uint8_t rnd(void)
{
    g_seed = g_seed * 1103515245u + 12345u;
    return (uint8_t)(g_seed >> 16);
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rnd();
}

static FILE *open_out(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static void write_file(const char *name, const void *data, size_t n)
{
    FILE *f = open_out(name);
    if (fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(name);
        exit(1);
    }
}

static void put_mem(uint8_t *mem, uint32_t addr, const uint8_t *data, size_t n)
{
    memcpy(mem + (addr - FLASH_BASE), data, n);
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* The first two words Go uses: initial SP and reset vector (Thumb). */
static void vectors(uint8_t *p, uint32_t base)
{
    le32(p, 0x20020000u);
    le32(p + 4, base + 0x101u);
}

typedef struct ph {
    uint32_t type, vaddr, paddr, filesz, memsz;
    const uint8_t *data;
} ph_t;

/* ELF32 little-endian ARM executable: header, program headers, data. */
static void write_elf(const char *name, const ph_t *ph, unsigned n, uint32_t entry)
{
    size_t off = 52 + 32 * n, total = off;
    for (unsigned i = 0; i < n; i++)
        total += ph[i].filesz;
    uint8_t *b = calloc(1, total);
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 1;   /* ELFCLASS32 */
    b[5] = 1;   /* little-endian */
    b[6] = 1;   /* EV_CURRENT */
    le16(b + 16, 2);    /* ET_EXEC */
    le16(b + 18, 40);   /* EM_ARM */
    le32(b + 20, 1);
    le32(b + 24, entry);
    le32(b + 28, 52);   /* e_phoff */
    le32(b + 36, 0x05000400u);
    le16(b + 40, 52);
    le16(b + 42, 32);
    le16(b + 44, (uint16_t)n);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = b + 52 + 32 * i;
        le32(p, ph[i].type);
        le32(p + 4, (uint32_t)off);
        le32(p + 8, ph[i].vaddr);
        le32(p + 12, ph[i].paddr);
        le32(p + 16, ph[i].filesz);
        le32(p + 20, ph[i].memsz);
        le32(p + 24, 5);
        le32(p + 28, 4);
        if (ph[i].filesz)
            memcpy(b + off, ph[i].data, ph[i].filesz);
        off += ph[i].filesz;
    }
    write_file(name, b, total);
    free(b);
}

static void hex_record(FILE *f, uint8_t type, uint16_t addr, const uint8_t *d, uint8_t n)
{
    uint8_t sum = (uint8_t)(n + (addr >> 8) + (addr & 0xFF) + type);
    fprintf(f, ":%02X%04X%02X", n, addr, type);
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "%02X", d[i]);
        sum = (uint8_t)(sum + d[i]);
    }
    fprintf(f, "%02X\r\n", (uint8_t)(0x100u - sum) & 0xFFu);
}

/* 16-byte data records; a type 04 record whenever the upper half changes. */
static void hex_data(FILE *f, uint32_t addr, const uint8_t *d, size_t n, uint32_t *upper)
{
    while (n > 0) {
        if ((addr >> 16) != *upper) {
            *upper = addr >> 16;
            uint8_t u[2] = { (uint8_t)(*upper >> 8), (uint8_t)*upper };
            hex_record(f, 0x04, 0, u, 2);
        }
        size_t k = n < 16 ? n : 16;
        if ((addr & 0xFFFFu) + k > 0x10000u)
            k = 0x10000u - (addr & 0xFFFFu);
        hex_record(f, 0x00, (uint16_t)addr, d, (uint8_t)k);
        addr += (uint32_t)k;
        d += k;
        n -= k;
    }
}

static void write_hex(const char *name, const uint8_t *a, const uint8_t *b, int corrupt_line, int eof)
{
    FILE *f = open_out(name);
    uint32_t upper = 0xFFFFFFFFu;
    /* Built in memory first so one line can be damaged. */
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    hex_data(m, FLASH_BASE, a, 3000, &upper);
    hex_data(m, 0x0801FFF0u, b, 600, &upper);
    uint8_t start[4] = { 0x08, 0x00, 0x01, 0x01 };
    hex_record(m, 0x05, 0, start, 4);
    if (eof)
        hex_record(m, 0x01, 0, NULL, 0);
    fclose(m);
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        /* Damage the last digit of the checksum of the chosen line. */
        if (line == corrupt_line && i + 2 < len && text[i + 1] == '\r')
            c = c == '0' ? '1' : '0';
        fputc(c, f);
        if (text[i] == '\n')
            line++;
    }
    free(text);
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkimages DIR\n");
        return 2;
    }
    g_dir = argv[1];
    uint8_t *mem = malloc(FLASH_SIZE);

    memset(mem, 0xFF, FLASH_SIZE);
    write_file("exp_empty.mem", mem, FLASH_SIZE);

    static uint8_t bin[40000];
    fill(bin, sizeof bin);
    vectors(bin, FLASH_BASE);
    write_file("app.bin", bin, sizeof bin);
    put_mem(mem, FLASH_BASE, bin, sizeof bin);
    write_file("exp_bin.mem", mem, FLASH_SIZE);

    vectors(bin, 0x08004000u);
    write_file("app4000.bin", bin, sizeof bin);
    memset(mem, 0xFF, FLASH_SIZE);
    put_mem(mem, 0x08004000u, bin, sizeof bin);
    write_file("exp_4000.mem", mem, FLASH_SIZE);

    static uint8_t text[20000], data[1001], note[16];
    fill(text, sizeof text);
    fill(data, sizeof data);
    fill(note, sizeof note);
    vectors(text, FLASH_BASE);
    const ph_t ph[] = {
        { 1, FLASH_BASE, FLASH_BASE, sizeof text, sizeof text, text },
        { 1, 0x20000000u, 0x08010000u, sizeof data, 2000, data },
        { 1, 0x20001000u, 0x20001000u, 0, 4096, NULL },      /* .bss: nothing to write */
        { 4, 0x00000000u, 0x00000000u, sizeof note, sizeof note, note },   /* PT_NOTE */
    };
    write_elf("app.elf", ph, 4, FLASH_BASE + 0x101u);
    memset(mem, 0xFF, FLASH_SIZE);
    put_mem(mem, FLASH_BASE, text, sizeof text);
    put_mem(mem, 0x08010000u, data, sizeof data);
    write_file("exp_elf.mem", mem, FLASH_SIZE);

    const ph_t ram[] = { { 1, 0x20000000u, 0x20000000u, sizeof data, sizeof data, data } };
    write_elf("outside.elf", ram, 1, 0x20000001u);

    static uint8_t ha[3000], hb[600];
    fill(ha, sizeof ha);
    fill(hb, sizeof hb);
    vectors(ha, FLASH_BASE);
    write_hex("app.hex", ha, hb, 0, 1);
    write_hex("corrupt.hex", ha, hb, 5, 1);
    write_hex("noeof.hex", ha, hb, 0, 0);
    memset(mem, 0xFF, FLASH_SIZE);
    put_mem(mem, FLASH_BASE, ha, sizeof ha);
    put_mem(mem, 0x0801FFF0u, hb, sizeof hb);
    write_file("exp_hex.mem", mem, FLASH_SIZE);

    uint8_t *big = malloc(600000);
    fill(big, 600000);
    write_file("big.bin", big, 600000);
    free(big);

    static uint8_t noise[1024];
    fill(noise, sizeof noise);
    le32(noise, 0x12345678u);   /* not in RAM: no stack pointer */
    write_file("noise.bin", noise, sizeof noise);
    free(mem);
    return 0;
}
