/* A simulated STM32 ROM bootloader speaking the USART protocol of ST's
 * AN3155 on a pseudo-terminal, for testing `rramprof flash` and checking
 * the simulation against an independent client (stm32flash).
 *
 *   sim_an3155 --image FILE [--flash-size N] [--flash-base A] [--chip-id ID]
 *              [--version V] [--wp SECTOR]... [--nack CMD:N]... [--vanish-after N]
 *              [--legacy-erase] [--silent] [--bad-byte OFFSET] [--fd MASTER]
 *
 * It prints the slave path (/dev/pts/N) on stdout (with --fd it serves the
 * pty master it inherited instead of making one), then serves until
 * SIGTERM/SIGINT, or until --vanish-after N received bytes, when it closes
 * the terminal mid-stream like an unplugged board. On every exit it writes
 * its flash memory to FILE (read from FILE at start when the file exists
 * and has the flash size; else erased, all 0xFF). stderr logs each command.
 *
 * The flash is the STM32F2/F4 sector map (4 x 16 KiB, 64 KiB, then 128 KiB)
 * with NOR semantics: programming only clears bits, erase sets a whole
 * sector to 0xFF. Write-protected sectors NACK erase and write; --nack
 * refuses the Nth use of a command; --silent never answers; --bad-byte
 * makes one flash byte read back with a flipped bit. Simplifications: the sync byte 0x7F is
 * answered with NACK once synchronised (as stm32flash expects of a
 * bootloader left running), and Readout/Write (un)protect are not offered. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ACK 0x79u
#define NACK 0x1Fu
#define MAX_NACKS 8

typedef struct sim {
    int master, slave;
    uint8_t *mem;
    uint32_t base, size;
    uint16_t chip_id;
    uint8_t version;
    bool legacy_erase;
    bool wp[64];
    struct { uint8_t cmd; unsigned nth, seen; } nack[MAX_NACKS];
    unsigned nnack;
    uint64_t received, vanish_after;   /* 0: never */
    bool silent;                       /* reads everything, answers nothing */
    int64_t bad_byte;                  /* flash offset that reads back flipped, -1: none */
    bool synced, vanished;
} sim_t;

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static uint32_t sector_size(unsigned k)
{
    return k < 4 ? 0x4000u : k == 4 ? 0x10000u : 0x20000u;
}

static unsigned sector_count(uint32_t flash_size)
{
    unsigned k = 0;
    uint32_t at = 0;
    while (at < flash_size && k < 64)
        at += sector_size(k++);
    return k;
}

static uint32_t sector_start(unsigned k)
{
    uint32_t at = 0;
    for (unsigned i = 0; i < k; i++)
        at += sector_size(i);
    return at;
}

static unsigned sector_of(uint32_t offset)
{
    unsigned k = 0;
    while (sector_start(k + 1) <= offset)
        k++;
    return k;
}

/* Closes the line like a board pulled off the cable. */
static void vanish(sim_t *s)
{
    fprintf(stderr, "sim: vanishing after %llu bytes\n", (unsigned long long)s->received);
    close(s->master);
    close(s->slave);
    s->master = s->slave = -1;
    s->vanished = true;
}

/* Reads n bytes; false on stop or vanish. */
static bool get(sim_t *s, uint8_t *buf, size_t n)
{
    while (n > 0) {
        if (g_stop || s->vanished)
            return false;
        size_t want = n;
        if (s->vanish_after && s->received + want > s->vanish_after)
            want = (size_t)(s->vanish_after - s->received);
        if (want == 0) {
            vanish(s);
            return false;
        }
        struct pollfd p = { s->master, POLLIN, 0 };
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t r = read(s->master, buf, want);
        if (r <= 0) {
            if (r < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            usleep(10000);   /* no client on the slave yet / any more */
            continue;
        }
        s->received += (uint64_t)r;
        buf += r;
        n -= (size_t)r;
    }
    return true;
}

static void put(sim_t *s, const uint8_t *buf, size_t n)
{
    if (s->silent)
        return;
    while (n > 0 && s->master >= 0) {
        ssize_t w = write(s->master, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

static void put1(sim_t *s, uint8_t b)
{
    put(s, &b, 1);
}

static uint8_t xor_of(const uint8_t *b, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= b[i];
    return x;
}

/* Address + XOR; NACKs a bad checksum. */
static bool get_address(sim_t *s, uint32_t *a)
{
    uint8_t b[5];
    if (!get(s, b, 5))
        return false;
    if (xor_of(b, 4) != b[4]) {
        fprintf(stderr, "sim: bad address checksum\n");
        put1(s, NACK);
        return false;
    }
    *a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return true;
}

static bool in_flash(const sim_t *s, uint32_t a, uint32_t n)
{
    return a >= s->base && (uint64_t)a + n <= (uint64_t)s->base + s->size;
}

static bool injected_nack(sim_t *s, uint8_t cmd)
{
    for (unsigned i = 0; i < s->nnack; i++)
        if (s->nack[i].cmd == cmd && ++s->nack[i].seen == s->nack[i].nth) {
            fprintf(stderr, "sim: injected NACK on command 0x%02x (#%u)\n", cmd, s->nack[i].nth);
            return true;
        }
    return false;
}

static void cmd_get(sim_t *s)
{
    static const uint8_t ext[] = { 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44 };
    static const uint8_t leg[] = { 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43 };
    const uint8_t *c = s->legacy_erase ? leg : ext;
    uint8_t out[3 + sizeof ext];
    out[0] = ACK;
    out[1] = (uint8_t)sizeof ext;   /* bytes that follow - 1: version + commands */
    out[2] = s->version;
    memcpy(out + 3, c, sizeof ext);
    put(s, out, sizeof out);
    put1(s, ACK);
}

static void cmd_read(sim_t *s)
{
    put1(s, ACK);
    uint32_t a;
    if (!get_address(s, &a))
        return;
    put1(s, ACK);
    uint8_t b[2];
    if (!get(s, b, 2))
        return;
    uint32_t n = (uint32_t)b[0] + 1;
    if ((b[0] ^ b[1]) != 0xFF || !in_flash(s, a, n)) {
        fprintf(stderr, "sim: read 0x%08x+%u refused\n", a, n);
        put1(s, NACK);
        return;
    }
    put1(s, ACK);
    uint8_t out[256];
    memcpy(out, s->mem + (a - s->base), n);
    /* A weak cell: programmed right, but one bit reads back wrong. */
    if (s->bad_byte >= (int64_t)(a - s->base) && s->bad_byte < (int64_t)(a - s->base + n))
        out[s->bad_byte - (int64_t)(a - s->base)] ^= 0x01u;
    put(s, out, n);
}

static void cmd_write(sim_t *s)
{
    put1(s, ACK);
    uint32_t a;
    if (!get_address(s, &a))
        return;
    put1(s, ACK);
    uint8_t buf[258];
    if (!get(s, buf, 1))
        return;
    uint32_t n = (uint32_t)buf[0] + 1;
    if (!get(s, buf + 1, n + 1))
        return;
    if (xor_of(buf, n + 1) != buf[n + 1]) {
        fprintf(stderr, "sim: write 0x%08x: bad data checksum\n", a);
        put1(s, NACK);
        return;
    }
    if ((a & 3u) || (n & 3u) || !in_flash(s, a, n)) {
        fprintf(stderr, "sim: write 0x%08x+%u refused (alignment or range)\n", a, n);
        put1(s, NACK);
        return;
    }
    for (unsigned k = sector_of(a - s->base); k <= sector_of(a - s->base + n - 1); k++)
        if (s->wp[k]) {
            fprintf(stderr, "sim: write 0x%08x refused: sector %u is write-protected\n", a, k);
            put1(s, NACK);
            return;
        }
    for (uint32_t i = 0; i < n; i++)
        s->mem[a - s->base + i] &= buf[1 + i];   /* NOR: programming clears bits */
    put1(s, ACK);
}

static bool erase_sectors(sim_t *s, const unsigned *list, unsigned n)
{
    unsigned count = sector_count(s->size);
    for (unsigned i = 0; i < n; i++) {
        if (list[i] >= count) {
            fprintf(stderr, "sim: erase refused: no sector %u\n", list[i]);
            return false;
        }
        if (s->wp[list[i]]) {
            fprintf(stderr, "sim: erase refused: sector %u is write-protected\n", list[i]);
            return false;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        uint32_t at = sector_start(list[i]), len = sector_size(list[i]);
        if (at + len > s->size)
            len = s->size - at;
        memset(s->mem + at, 0xFF, len);
        fprintf(stderr, "sim: erased sector %u\n", list[i]);
    }
    return true;
}

static void cmd_ext_erase(sim_t *s)
{
    put1(s, ACK);
    uint8_t hdr[2];
    if (!get(s, hdr, 2))
        return;
    uint16_t n = (uint16_t)(hdr[0] << 8 | hdr[1]);
    unsigned list[64], count = 0;
    if (n >= 0xFFF0u) {   /* special erases: mass (FFFF), bank 1 (FFFE), bank 2 (FFFD) */
        uint8_t sum;
        if (!get(s, &sum, 1))
            return;
        if ((uint8_t)(hdr[0] ^ hdr[1]) != sum || n < 0xFFFDu) {
            put1(s, NACK);
            return;
        }
        count = sector_count(s->size);
        for (unsigned k = 0; k < count; k++)
            list[k] = k;
    } else {
        uint8_t buf[2 * 65536 + 1];
        size_t len = 2u * ((size_t)n + 1) + 1;
        if (!get(s, buf, len))
            return;
        if ((uint8_t)(xor_of(hdr, 2) ^ xor_of(buf, len - 1)) != buf[len - 1]) {
            fprintf(stderr, "sim: erase: bad checksum\n");
            put1(s, NACK);
            return;
        }
        if (n + 1u > 64u) {
            put1(s, NACK);
            return;
        }
        for (unsigned i = 0; i <= n; i++)
            list[count++] = (unsigned)(buf[2 * i] << 8 | buf[2 * i + 1]);
    }
    put1(s, erase_sectors(s, list, count) ? ACK : NACK);
}

static void cmd_erase(sim_t *s)
{
    put1(s, ACK);
    uint8_t n;
    if (!get(s, &n, 1))
        return;
    unsigned list[64], count = 0;
    if (n == 0xFF) {   /* global erase */
        uint8_t sum;
        if (!get(s, &sum, 1))
            return;
        count = sector_count(s->size);
        for (unsigned k = 0; k < count; k++)
            list[k] = k;
        put1(s, sum == 0x00 && erase_sectors(s, list, count) ? ACK : NACK);
        return;
    }
    uint8_t buf[258];
    if (!get(s, buf, (size_t)n + 2))
        return;
    if ((uint8_t)(n ^ xor_of(buf, (size_t)n + 1)) != buf[n + 1] || n + 1u > 64u) {
        put1(s, NACK);
        return;
    }
    for (unsigned i = 0; i <= n; i++)
        list[count++] = buf[i];
    put1(s, erase_sectors(s, list, count) ? ACK : NACK);
}

static void cmd_go(sim_t *s)
{
    put1(s, ACK);
    uint32_t a;
    if (!get_address(s, &a))
        return;
    if (!in_flash(s, a, 8)) {
        put1(s, NACK);
        return;
    }
    put1(s, ACK);
    /* The image now runs: the bootloader is gone until the next reset. */
    fprintf(stderr, "sim: go 0x%08x\n", a);
    s->synced = false;
}

static void serve(sim_t *s)
{
    while (!g_stop && !s->vanished) {
        uint8_t c;
        if (!get(s, &c, 1))
            return;
        if (!s->synced) {
            if (c == 0x7F) {
                s->synced = true;
                fprintf(stderr, "sim: sync\n");
                put1(s, ACK);
            }
            continue;   /* anything else is noise before autobaud */
        }
        if (c == 0x7F) {
            put1(s, NACK);
            continue;
        }
        uint8_t x;
        if (!get(s, &x, 1))
            return;
        if ((uint8_t)(c ^ x) != 0xFF) {
            put1(s, NACK);
            continue;
        }
        fprintf(stderr, "sim: command 0x%02x\n", c);
        if (injected_nack(s, c)) {
            put1(s, NACK);
            continue;
        }
        switch (c) {
        case 0x00:
            cmd_get(s);
            break;
        case 0x01: {
            uint8_t out[5] = { ACK, s->version, 0x00, 0x00, ACK };
            put(s, out, sizeof out);
            break;
        }
        case 0x02: {
            uint8_t out[5] = { ACK, 0x01, (uint8_t)(s->chip_id >> 8), (uint8_t)s->chip_id, ACK };
            put(s, out, sizeof out);
            break;
        }
        case 0x11:
            cmd_read(s);
            break;
        case 0x21:
            cmd_go(s);
            break;
        case 0x31:
            cmd_write(s);
            break;
        case 0x43:
            if (s->legacy_erase)
                cmd_erase(s);
            else
                put1(s, NACK);
            break;
        case 0x44:
            if (!s->legacy_erase)
                cmd_ext_erase(s);
            else
                put1(s, NACK);
            break;
        default:
            put1(s, NACK);
            break;
        }
    }
}

static bool parse_u32(const char *v, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 0);
    if (errno || !end || *end || end == v || x > 0xFFFFFFFFull)
        return false;
    *out = (uint32_t)x;
    return true;
}

static int usage(void)
{
    fprintf(stderr, "usage: sim_an3155 --image FILE [--flash-size N] [--flash-base A] [--chip-id ID] "
                    "[--version V] [--wp SECTOR]... [--nack CMD:N]... [--vanish-after N] [--legacy-erase] [--silent] [--bad-byte OFFSET] [--fd MASTER]\n");
    return 2;
}

static void save(const sim_t *s, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->mem, 1, s->size, f) != s->size)
        fprintf(stderr, "sim: cannot write %s: %s\n", path, strerror(errno));
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    sim_t s;
    memset(&s, 0, sizeof s);
    s.base = 0x08000000u;
    s.size = 512u * 1024u;
    s.chip_id = 0x421;
    s.version = 0x31;
    s.bad_byte = -1;
    const char *image = NULL;
    int given_fd = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint32_t x;
        if (strcmp(a, "--legacy-erase") == 0) {
            s.legacy_erase = true;
            continue;
        }
        if (strcmp(a, "--silent") == 0) {
            s.silent = true;
            continue;
        }
        if (!v)
            return usage();
        i++;
        if (strcmp(a, "--image") == 0) {
            image = v;
        } else if (strcmp(a, "--flash-size") == 0 && parse_u32(v, &x) && x > 0) {
            s.size = x;
        } else if (strcmp(a, "--flash-base") == 0 && parse_u32(v, &x)) {
            s.base = x;
        } else if (strcmp(a, "--chip-id") == 0 && parse_u32(v, &x) && x <= 0xFFFF) {
            s.chip_id = (uint16_t)x;
        } else if (strcmp(a, "--version") == 0 && parse_u32(v, &x) && x <= 0xFF) {
            s.version = (uint8_t)x;
        } else if (strcmp(a, "--wp") == 0 && parse_u32(v, &x) && x < 64) {
            s.wp[x] = true;
        } else if (strcmp(a, "--fd") == 0 && parse_u32(v, &x) && x > 2 && x < 1024) {
            given_fd = (int)x;
        } else if (strcmp(a, "--bad-byte") == 0 && parse_u32(v, &x)) {
            s.bad_byte = x;
        } else if (strcmp(a, "--vanish-after") == 0 && parse_u32(v, &x) && x > 0) {
            s.vanish_after = x;
        } else if (strcmp(a, "--nack") == 0 && s.nnack < MAX_NACKS) {
            char *colon = strchr(v, ':');
            uint32_t cmd, nth;
            if (!colon)
                return usage();
            *colon = '\0';
            if (!parse_u32(v, &cmd) || cmd > 0xFF || !parse_u32(colon + 1, &nth) || nth == 0)
                return usage();
            s.nack[s.nnack].cmd = (uint8_t)cmd;
            s.nack[s.nnack].nth = nth;
            s.nnack++;
        } else {
            return usage();
        }
    }
    if (!image || sector_count(s.size) > 64)
        return usage();
    s.mem = malloc(s.size);
    if (!s.mem)
        return 1;
    memset(s.mem, 0xFF, s.size);
    FILE *f = fopen(image, "rb");
    if (f) {
        size_t n = fread(s.mem, 1, s.size, f);
        fclose(f);
        if (n != s.size) {
            fprintf(stderr, "sim: %s is not %u bytes: starting erased\n", image, s.size);
            memset(s.mem, 0xFF, s.size);
        }
    }

    const char *name = "(given fd)";
    if (given_fd >= 0) {
        /* A pty master made by someone else (a umockdev testbed), who also
         * keeps the slave open and raw. */
        s.master = given_fd;
        s.slave = -1;
    } else {
        s.master = posix_openpt(O_RDWR | O_NOCTTY);
        if (s.master < 0 || grantpt(s.master) != 0 || unlockpt(s.master) != 0) {
            perror("sim: pty");
            return 1;
        }
        name = ptsname(s.master);
        /* Held open so the master never reads EIO between clients; raw from
         * the start so nothing the client sends is echoed or edited. */
        s.slave = name ? open(name, O_RDWR | O_NOCTTY) : -1;
        struct termios tio;
        if (s.slave < 0 || tcgetattr(s.slave, &tio) != 0) {
            perror("sim: slave");
            return 1;
        }
        cfmakeraw(&tio);
        tcsetattr(s.slave, TCSANOW, &tio);
    }
    int fl = fcntl(s.master, F_GETFL);
    fcntl(s.master, F_SETFL, fl | O_NONBLOCK);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("%s\n", name);
    fflush(stdout);
    serve(&s);
    save(&s, image);
    if (!s.vanished) {
        if (s.slave >= 0)
            close(s.slave);
        close(s.master);
    }
    free(s.mem);
    fprintf(stderr, "sim: exit (%llu bytes received)\n", (unsigned long long)s.received);
    return 0;
}
