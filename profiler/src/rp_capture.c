/* Capture files: crash-safe writer, streaming reader, replay.
 * Layout and guarantees: rp_capture.h and docs/capture-format.md. */
#define _POSIX_C_SOURCE 200809L

#include "rramprof/rp_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rramprof/rp_status.h"

/* Header bytes whose layout never changes: magic, major, minor, length. */
#define PRV_HDR_STABLE 16u
/* Fixed part of the file header, before the tool and Hello bytes. */
#define PRV_HDR_FIXED 36u
/* Room left for fields a later minor version may add to the header. */
#define PRV_HDR_SPARE 4096u
#define PRV_HDR_MAX (PRV_HDR_FIXED + RP_CAPTURE_MAX_TOOL + RP_CAPTURE_MAX_FRAME + PRV_HDR_SPARE + 4u)
/* Per-frame prefix inside a chunk body. */
#define PRV_FRAME_PREFIX 4u

/* ---- little-endian helpers ---- */

static void prv_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void prv_put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4u; i++) {
        p[i] = (uint8_t)(v >> (8u * i));
    }
}

static void prv_put64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8u; i++) {
        p[i] = (uint8_t)(v >> (8u * i));
    }
}

static uint16_t prv_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t prv_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t prv_get64(const uint8_t *p)
{
    return (uint64_t)prv_get32(p) | ((uint64_t)prv_get32(p + 4) << 32);
}

static uint64_t prv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* CRC of a chunk: header bytes 4..19 (length, type, flags, index, count)
 * then the body, so a damaged length or count is caught too. */
static uint32_t prv_chunk_crc(const uint8_t *hdr, const uint8_t *body, size_t body_len)
{
    return rp_capture_crc32c(rp_capture_crc32c(0, hdr + 4, 16), body, body_len);
}

/* ================= writer ================= */

struct rp_capture_writer {
    int fd;
    rp_capture_sync_t sync;
    uint32_t flush_bytes;
    uint32_t flush_ms;
    uint32_t sync_ms;
    rp_capture_write_fn write_fn;
    void *write_ctx;
    uint8_t *buf;             /* chunk header + body being filled */
    size_t body_len;
    uint32_t frames_in_chunk;
    uint32_t next_index;
    uint64_t oldest_ms;       /* when the first buffered frame came */
    uint64_t last_sync_ms;
    bool unsynced;            /* bytes written since the last sync */
    int err;                  /* sticky first error */
    int sys_errno;
    rp_capture_writer_stats_t stats;
};

static long prv_sys_write(void *ctx, int fd, const void *buf, size_t len)
{
    (void)ctx;
    return (long)write(fd, buf, len);
}

/* Writes all of buf or fails for good, keeping errno. A short write that
 * made no progress (e.g. disk full reported as 0) counts as ENOSPC. */
static int prv_write_all(rp_capture_writer_t *w, const uint8_t *buf, size_t len)
{
    if (w->err != RP_OK) {
        return w->err;
    }
    while (len > 0) {
        long n = w->write_fn(w->write_ctx, w->fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            w->sys_errno = n < 0 ? errno : ENOSPC;
            w->err = RP_ERR_IO;
            return w->err;
        }
        buf += n;
        len -= (size_t)n;
        w->stats.bytes += (uint64_t)n;
    }
    return RP_OK;
}

static int prv_sync(rp_capture_writer_t *w, uint64_t now)
{
    if (w->err != RP_OK || !w->unsynced) {
        return w->err;
    }
    if (fdatasync(w->fd) != 0 && errno != EINVAL && errno != EROFS) {
        /* EINVAL/EROFS: the fd (a pipe, a special file) cannot be synced. */
        w->sys_errno = errno;
        w->err = RP_ERR_IO;
        return w->err;
    }
    w->stats.syncs++;
    w->unsynced = false;
    w->last_sync_ms = now;
    return RP_OK;
}

static int prv_write_chunk(rp_capture_writer_t *w, uint16_t type)
{
    uint8_t *h = w->buf;
    memcpy(h, RP_CAPTURE_CHUNK_MAGIC, 4);
    prv_put32(h + 4, (uint32_t)w->body_len);
    prv_put16(h + 8, type);
    prv_put16(h + 10, 0);
    prv_put32(h + 12, w->next_index);
    prv_put32(h + 16, w->frames_in_chunk);
    prv_put32(h + 20, prv_chunk_crc(h, h + RP_CAPTURE_CHUNK_HEADER, w->body_len));
    int rc = prv_write_all(w, h, RP_CAPTURE_CHUNK_HEADER + w->body_len);
    if (rc != RP_OK) {
        return rc;
    }
    w->next_index++;
    w->stats.chunks++;
    w->stats.frames_written += w->frames_in_chunk;
    w->body_len = 0;
    w->frames_in_chunk = 0;
    w->unsynced = true;
    uint64_t now = prv_now_ms();
    if (w->sync == RP_CAPTURE_SYNC_CHUNK ||
        (w->sync == RP_CAPTURE_SYNC_PERIODIC && now - w->last_sync_ms >= w->sync_ms)) {
        return prv_sync(w, now);
    }
    return RP_OK;
}

int rp_capture_writer_flush(rp_capture_writer_t *w)
{
    if (w == NULL) {
        return RP_ERR_ARG;
    }
    if (w->err != RP_OK || w->frames_in_chunk == 0) {
        return w->err;
    }
    return prv_write_chunk(w, RP_CAPTURE_CHUNK_FRAMES);
}

static void prv_writer_free(rp_capture_writer_t *w)
{
    int saved = errno;
    if (w->fd >= 0) {
        close(w->fd);
    }
    free(w->buf);
    free(w);
    errno = saved;
}

int rp_capture_writer_open(const char *path, const rp_capture_writer_opts_t *opts,
                           rp_capture_writer_t **out)
{
    static const rp_capture_writer_opts_t defaults = {0};
    if (out == NULL) {
        return RP_ERR_ARG;
    }
    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    const char *tool = opts->tool_version != NULL ? opts->tool_version : "";
    size_t tool_len = strlen(tool);
    if (path == NULL || tool_len > RP_CAPTURE_MAX_TOOL || opts->hello_len > RP_CAPTURE_MAX_FRAME ||
        (opts->hello == NULL && opts->hello_len > 0)) {
        return RP_ERR_ARG;
    }
    rp_capture_writer_t *w = calloc(1, sizeof *w);
    if (w == NULL) {
        return RP_ERR_NOSPACE;
    }
    w->fd = -1;
    w->sync = opts->sync;
    w->flush_bytes = opts->flush_bytes ? opts->flush_bytes : RP_CAPTURE_DEFAULT_FLUSH_BYTES;
    if (w->flush_bytes > RP_CAPTURE_MAX_CHUNK) {
        w->flush_bytes = RP_CAPTURE_MAX_CHUNK;
    }
    w->flush_ms = opts->flush_ms ? opts->flush_ms : RP_CAPTURE_DEFAULT_FLUSH_MS;
    w->sync_ms = opts->sync_ms ? opts->sync_ms : RP_CAPTURE_DEFAULT_SYNC_MS;
    w->write_fn = opts->write_fn != NULL ? opts->write_fn : prv_sys_write;
    w->write_ctx = opts->write_ctx;
    /* The header (at most PRV_HDR_MAX) is built in the chunk buffer too. */
    w->buf = malloc(RP_CAPTURE_CHUNK_HEADER + RP_CAPTURE_MAX_CHUNK);
    if (w->buf == NULL) {
        prv_writer_free(w);
        return RP_ERR_NOSPACE;
    }
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (opts->exclusive ? O_EXCL : O_TRUNC);
    w->fd = open(path, flags, 0644);
    if (w->fd < 0) {
        prv_writer_free(w);
        return RP_ERR_IO;
    }

    uint64_t host_time = opts->host_time_ns;
    if (host_time == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        host_time = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    }
    size_t hlen = PRV_HDR_FIXED + tool_len + opts->hello_len + 4u;
    uint8_t *h = w->buf;
    memcpy(h, RP_CAPTURE_MAGIC, RP_CAPTURE_MAGIC_LEN);
    prv_put16(h + 8, RP_CAPTURE_VERSION_MAJOR);
    prv_put16(h + 10, RP_CAPTURE_VERSION_MINOR);
    prv_put32(h + 12, (uint32_t)hlen);
    prv_put64(h + 16, host_time);
    prv_put32(h + 24, 0);
    prv_put32(h + 28, (uint32_t)tool_len);
    prv_put32(h + 32, (uint32_t)opts->hello_len);
    memcpy(h + PRV_HDR_FIXED, tool, tool_len);
    if (opts->hello_len > 0) {
        memcpy(h + PRV_HDR_FIXED + tool_len, opts->hello, opts->hello_len);
    }
    prv_put32(h + hlen - 4u, rp_capture_crc32c(0, h, hlen - 4u));
    if (prv_write_all(w, h, hlen) != RP_OK) {
        errno = w->sys_errno;
        prv_writer_free(w);
        return RP_ERR_IO;
    }
    w->unsynced = true;
    w->last_sync_ms = prv_now_ms();
    *out = w;
    return RP_OK;
}

int rp_capture_writer_append(rp_capture_writer_t *w, const uint8_t *payload, size_t len)
{
    if (w == NULL || len > RP_CAPTURE_MAX_FRAME || (payload == NULL && len > 0)) {
        return RP_ERR_ARG;
    }
    if (w->err != RP_OK) {
        return w->err;
    }
    size_t need = PRV_FRAME_PREFIX + len;
    if (w->frames_in_chunk > 0 && w->body_len + need > w->flush_bytes) {
        int rc = prv_write_chunk(w, RP_CAPTURE_CHUNK_FRAMES);
        if (rc != RP_OK) {
            return rc;
        }
    }
    uint64_t now = prv_now_ms();
    if (w->frames_in_chunk == 0) {
        w->oldest_ms = now;
    }
    uint8_t *p = w->buf + RP_CAPTURE_CHUNK_HEADER + w->body_len;
    prv_put32(p, (uint32_t)len);
    if (len > 0) {
        memcpy(p + PRV_FRAME_PREFIX, payload, len);
    }
    w->body_len += need;
    w->frames_in_chunk++;
    w->stats.frames++;
    if (w->body_len >= w->flush_bytes || now - w->oldest_ms >= w->flush_ms) {
        return prv_write_chunk(w, RP_CAPTURE_CHUNK_FRAMES);
    }
    return RP_OK;
}

int rp_capture_writer_poll(rp_capture_writer_t *w)
{
    if (w == NULL) {
        return RP_ERR_ARG;
    }
    if (w->err != RP_OK) {
        return w->err;
    }
    uint64_t now = prv_now_ms();
    if (w->frames_in_chunk > 0 && now - w->oldest_ms >= w->flush_ms) {
        int rc = prv_write_chunk(w, RP_CAPTURE_CHUNK_FRAMES);
        if (rc != RP_OK) {
            return rc;
        }
    }
    if (w->sync == RP_CAPTURE_SYNC_PERIODIC && now - w->last_sync_ms >= w->sync_ms) {
        return prv_sync(w, now);
    }
    return RP_OK;
}

int rp_capture_writer_close(rp_capture_writer_t *w)
{
    if (w == NULL) {
        return RP_OK;
    }
    (void)rp_capture_writer_flush(w);
    if (w->err == RP_OK) {
        (void)prv_write_chunk(w, RP_CAPTURE_CHUNK_END);
    }
    if (w->err == RP_OK && w->sync != RP_CAPTURE_SYNC_NONE) {
        (void)prv_sync(w, prv_now_ms());
    }
    if (close(w->fd) != 0 && w->err == RP_OK) {
        w->sys_errno = errno;
        w->err = RP_ERR_IO;
    }
    w->fd = -1;
    int rc = w->err;
    int e = w->sys_errno;
    prv_writer_free(w);
    if (rc != RP_OK) {
        errno = e;
    }
    return rc;
}

int rp_capture_writer_errno(const rp_capture_writer_t *w)
{
    return w != NULL ? w->sys_errno : 0;
}

void rp_capture_writer_stats(const rp_capture_writer_t *w, rp_capture_writer_stats_t *out)
{
    *out = w->stats;
}

/* ================= reader ================= */

struct rp_capture_reader {
    int fd;
    rp_capture_header_t hdr;
    uint8_t *hdr_buf;          /* PRV_HDR_MAX */
    uint8_t *chunk;            /* chunk header + RP_CAPTURE_MAX_CHUNK */
    const uint8_t *next;       /* next frame in the loaded chunk */
    uint32_t frames_left;
    uint32_t next_index;
    rp_capture_integrity_t integ;
};

const char *rp_capture_stop_str(int stop)
{
    switch (stop) {
    case RP_CAPTURE_STOP_NONE: return "not stopped";
    case RP_CAPTURE_STOP_END: return "closed cleanly";
    case RP_CAPTURE_STOP_EOF: return "ends between chunks without end marker";
    case RP_CAPTURE_STOP_TRUNCATED: return "truncated inside a chunk";
    case RP_CAPTURE_STOP_BAD_MAGIC: return "no chunk where one should start";
    case RP_CAPTURE_STOP_BAD_LENGTH: return "chunk length out of range";
    case RP_CAPTURE_STOP_BAD_CRC: return "chunk checksum mismatch";
    case RP_CAPTURE_STOP_BAD_INDEX: return "chunk out of sequence";
    case RP_CAPTURE_STOP_BAD_BODY: return "chunk frames do not fill its body";
    case RP_CAPTURE_STOP_IO: return "read error";
    default: return "unknown";
    }
}

bool rp_capture_is_capture(const uint8_t *head, size_t len)
{
    return head != NULL && len >= RP_CAPTURE_MAGIC_LEN &&
           memcmp(head, RP_CAPTURE_MAGIC, RP_CAPTURE_MAGIC_LEN) == 0;
}

/* Reads up to len bytes; returns the count (short only at end of file) or
 * -1 on error. */
static long prv_read_full(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    return (long)got;
}

static void prv_reader_free(rp_capture_reader_t *r)
{
    int saved = errno;
    if (r->fd >= 0) {
        close(r->fd);
    }
    free(r->hdr_buf);
    free(r->chunk);
    free(r);
    errno = saved;
}

static int prv_read_header(rp_capture_reader_t *r)
{
    uint8_t *h = r->hdr_buf;
    long n = prv_read_full(r->fd, h, PRV_HDR_STABLE);
    if (n < 0) {
        return RP_ERR_IO;
    }
    if ((size_t)n < RP_CAPTURE_MAGIC_LEN || !rp_capture_is_capture(h, (size_t)n)) {
        return RP_ERR_MALFORMED;
    }
    if ((size_t)n < 10u) {
        return RP_ERR_MALFORMED;
    }
    /* Magic, versions and header length keep their place in every
     * version, so a newer major is recognised before anything else is
     * trusted. */
    uint16_t major = prv_get16(h + 8);
    if (major > RP_CAPTURE_VERSION_MAJOR) {
        return RP_ERR_UNSUPPORTED;
    }
    if ((size_t)n < PRV_HDR_STABLE) {
        return RP_ERR_MALFORMED;
    }
    uint32_t hlen = prv_get32(h + 12);
    if (major == 0 || hlen < PRV_HDR_FIXED + 4u || hlen > PRV_HDR_MAX) {
        return RP_ERR_MALFORMED;
    }
    n = prv_read_full(r->fd, h + PRV_HDR_STABLE, hlen - PRV_HDR_STABLE);
    if (n < 0) {
        return RP_ERR_IO;
    }
    if ((size_t)n < hlen - PRV_HDR_STABLE) {
        return RP_ERR_MALFORMED;
    }
    if (rp_capture_crc32c(0, h, hlen - 4u) != prv_get32(h + hlen - 4u)) {
        return RP_ERR_CRC;
    }
    uint32_t tool_len = prv_get32(h + 28);
    uint32_t hello_len = prv_get32(h + 32);
    if (tool_len > RP_CAPTURE_MAX_TOOL || hello_len > RP_CAPTURE_MAX_FRAME ||
        (uint64_t)PRV_HDR_FIXED + tool_len + hello_len + 4u > hlen) {
        return RP_ERR_MALFORMED;
    }
    r->hdr.version_major = major;
    r->hdr.version_minor = prv_get16(h + 10);
    r->hdr.host_time_ns = prv_get64(h + 16);
    memcpy(r->hdr.tool_version, h + PRV_HDR_FIXED, tool_len);
    r->hdr.tool_version[tool_len] = '\0';
    r->hdr.hello = h + PRV_HDR_FIXED + tool_len;
    r->hdr.hello_len = hello_len;
    r->integ.valid_bytes = hlen;
    return RP_OK;
}

int rp_capture_reader_open(const char *path, rp_capture_reader_t **out)
{
    if (path == NULL || out == NULL) {
        return RP_ERR_ARG;
    }
    *out = NULL;
    rp_capture_reader_t *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return RP_ERR_NOSPACE;
    }
    r->fd = -1;
    r->hdr_buf = malloc(PRV_HDR_MAX);
    r->chunk = malloc(RP_CAPTURE_CHUNK_HEADER + RP_CAPTURE_MAX_CHUNK);
    if (r->hdr_buf == NULL || r->chunk == NULL) {
        prv_reader_free(r);
        return RP_ERR_NOSPACE;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        prv_reader_free(r);
        return RP_ERR_IO;
    }
    int rc = prv_read_header(r);
    if (rc != RP_OK) {
        prv_reader_free(r);
        return rc;
    }
    *out = r;
    return RP_OK;
}

const rp_capture_header_t *rp_capture_reader_header(const rp_capture_reader_t *r)
{
    return &r->hdr;
}

const rp_capture_integrity_t *rp_capture_reader_integrity(const rp_capture_reader_t *r)
{
    return &r->integ;
}

size_t rp_capture_reader_footprint(const rp_capture_reader_t *r)
{
    (void)r;
    return sizeof(rp_capture_reader_t) + PRV_HDR_MAX + RP_CAPTURE_CHUNK_HEADER + RP_CAPTURE_MAX_CHUNK;
}

static int prv_stop(rp_capture_reader_t *r, rp_capture_stop_t why)
{
    r->integ.stop = why;
    struct stat st;
    if (fstat(r->fd, &st) == 0) {
        r->integ.file_size = (uint64_t)st.st_size;
    }
    if (r->integ.file_size < r->integ.valid_bytes) {
        r->integ.file_size = r->integ.valid_bytes;
    }
    r->integ.tail_bytes = r->integ.file_size - r->integ.valid_bytes;
    if (why == RP_CAPTURE_STOP_IO) {
        r->integ.sys_errno = errno;
        return RP_ERR_IO;
    }
    return 0;
}

/* Checks that frame_count length-prefixed frames fill the body exactly;
 * returns the payload bytes or -1. */
static long prv_check_body(const uint8_t *body, size_t len, uint32_t count)
{
    size_t pos = 0;
    long payload = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (len - pos < PRV_FRAME_PREFIX) {
            return -1;
        }
        uint32_t n = prv_get32(body + pos);
        pos += PRV_FRAME_PREFIX;
        if (n > RP_CAPTURE_MAX_FRAME || n > len - pos) {
            return -1;
        }
        pos += n;
        payload += (long)n;
    }
    return pos == len ? payload : -1;
}

/* Loads the next chunk. Returns 1 when frames are ready, 0 when reading
 * stopped, or RP_ERR_IO. */
static int prv_load_chunk(rp_capture_reader_t *r)
{
    for (;;) {
        uint8_t *h = r->chunk;
        long n = prv_read_full(r->fd, h, RP_CAPTURE_CHUNK_HEADER);
        if (n < 0) {
            return prv_stop(r, RP_CAPTURE_STOP_IO);
        }
        if (n == 0) {
            return prv_stop(r, RP_CAPTURE_STOP_EOF);
        }
        size_t have = (size_t)n < 4u ? (size_t)n : 4u;
        if (memcmp(h, RP_CAPTURE_CHUNK_MAGIC, have) != 0) {
            return prv_stop(r, RP_CAPTURE_STOP_BAD_MAGIC);
        }
        if ((size_t)n < RP_CAPTURE_CHUNK_HEADER) {
            return prv_stop(r, RP_CAPTURE_STOP_TRUNCATED);
        }
        uint32_t body_len = prv_get32(h + 4);
        if (body_len > RP_CAPTURE_MAX_CHUNK) {
            return prv_stop(r, RP_CAPTURE_STOP_BAD_LENGTH);
        }
        uint8_t *body = h + RP_CAPTURE_CHUNK_HEADER;
        n = prv_read_full(r->fd, body, body_len);
        if (n < 0) {
            return prv_stop(r, RP_CAPTURE_STOP_IO);
        }
        if ((size_t)n < body_len) {
            return prv_stop(r, RP_CAPTURE_STOP_TRUNCATED);
        }
        if (prv_chunk_crc(h, body, body_len) != prv_get32(h + 20)) {
            return prv_stop(r, RP_CAPTURE_STOP_BAD_CRC);
        }
        if (prv_get32(h + 12) != r->next_index) {
            return prv_stop(r, RP_CAPTURE_STOP_BAD_INDEX);
        }
        uint16_t type = prv_get16(h + 8);
        uint32_t count = prv_get32(h + 16);
        if (type == RP_CAPTURE_CHUNK_FRAMES) {
            long payload = prv_check_body(body, body_len, count);
            if (payload < 0) {
                return prv_stop(r, RP_CAPTURE_STOP_BAD_BODY);
            }
            r->integ.chunks_ok++;
            r->integ.frames += count;
            r->integ.payload_bytes += (uint64_t)payload;
        }
        r->next_index++;
        r->integ.valid_bytes += RP_CAPTURE_CHUNK_HEADER + (uint64_t)body_len;
        if (type == RP_CAPTURE_CHUNK_END) {
            return prv_stop(r, RP_CAPTURE_STOP_END);
        }
        if (type != RP_CAPTURE_CHUNK_FRAMES) {
            r->integ.chunks_skipped++;   /* a newer minor's chunk: not ours */
            continue;
        }
        if (count == 0) {
            continue;
        }
        r->next = body;
        r->frames_left = count;
        return 1;
    }
}

int rp_capture_reader_next(rp_capture_reader_t *r, const uint8_t **payload, size_t *len)
{
    if (r == NULL || payload == NULL || len == NULL) {
        return RP_ERR_ARG;
    }
    if (r->frames_left == 0) {
        if (r->integ.stop != RP_CAPTURE_STOP_NONE) {
            return r->integ.stop == RP_CAPTURE_STOP_IO ? RP_ERR_IO : 0;
        }
        int rc = prv_load_chunk(r);
        if (rc != 1) {
            return rc;
        }
    }
    /* The chunk was checked whole at load: lengths are in bounds. */
    uint32_t n = prv_get32(r->next);
    *payload = r->next + PRV_FRAME_PREFIX;
    *len = n;
    r->next += PRV_FRAME_PREFIX + n;
    r->frames_left--;
    return 1;
}

void rp_capture_reader_close(rp_capture_reader_t *r)
{
    if (r != NULL) {
        prv_reader_free(r);
    }
}

/* ================= replay ================= */

static int prv_replay_capture(rp_capture_reader_t *r, rp_decoder_t *d, rp_msg_fn fn, void *ctx)
{
    rp_msg_t msg;
    const rp_capture_header_t *h = rp_capture_reader_header(r);
    if (h->hello_len > 0) {
        (void)rp_decoder_decode(d, h->hello, h->hello_len, &msg);
        int rc = fn != NULL ? fn(ctx, &msg) : RP_OK;
        if (rc != RP_OK) {
            return rc;
        }
    }
    const uint8_t *p;
    size_t len;
    int got;
    while ((got = rp_capture_reader_next(r, &p, &len)) == 1) {
        (void)rp_decoder_decode(d, p, len, &msg);
        int rc = fn != NULL ? fn(ctx, &msg) : RP_OK;
        if (rc != RP_OK) {
            return rc;
        }
    }
    return got;   /* 0 at the end, RP_ERR_IO on a read error */
}

static int prv_replay_raw(int fd, rp_decoder_t *d, rp_msg_fn fn, void *ctx)
{
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return RP_ERR_IO;
        }
        if (n == 0) {
            return RP_OK;
        }
        int rc = rp_decoder_feed(d, buf, (size_t)n, fn, ctx, NULL);
        if (rc != RP_OK) {
            return rc;
        }
    }
}

int rp_capture_replay(const char *path, rp_decoder_t *d, rp_msg_fn fn, void *ctx,
                      rp_capture_integrity_t *integrity, bool *is_capture)
{
    if (path == NULL || d == NULL) {
        return RP_ERR_ARG;
    }
    if (integrity != NULL) {
        memset(integrity, 0, sizeof *integrity);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return RP_ERR_IO;
    }
    uint8_t head[RP_CAPTURE_MAGIC_LEN];
    long n = prv_read_full(fd, head, sizeof head);
    bool cap = n > 0 && rp_capture_is_capture(head, (size_t)n);
    if (is_capture != NULL) {
        *is_capture = cap;
    }
    if (!cap) {
        int rc = RP_ERR_IO;
        if (n >= 0) {
            rc = rp_decoder_feed(d, head, (size_t)n, fn, ctx, NULL);
            if (rc == RP_OK) {
                rc = prv_replay_raw(fd, d, fn, ctx);
            }
        }
        struct stat st;
        if (integrity != NULL) {
            integrity->stop = RP_CAPTURE_STOP_EOF;
            if (fstat(fd, &st) == 0) {
                integrity->file_size = (uint64_t)st.st_size;
                integrity->valid_bytes = (uint64_t)st.st_size;
            }
        }
        int saved = errno;
        close(fd);
        errno = saved;
        return rc;
    }
    close(fd);
    rp_capture_reader_t *r;
    int rc = rp_capture_reader_open(path, &r);
    if (rc != RP_OK) {
        return rc;
    }
    rc = prv_replay_capture(r, d, fn, ctx);
    if (integrity != NULL) {
        *integrity = *rp_capture_reader_integrity(r);
    }
    rp_capture_reader_close(r);
    return rc;
}
