/* Capture files (.rpcap): crash-safe recording of received frames.
 *
 * A capture file is a header followed by checksummed chunks; each chunk
 * holds the payloads of frames as they arrived (after deframing: no COBS,
 * no link CRC). The byte layout is in docs/capture-format.md. In short:
 *
 *   header: magic "\x89RPC\r\n\x1a\n", u16 major, u16 minor, u32 header_len,
 *           u64 host_time_ns, u32 flags, u32 tool_len, u32 hello_len,
 *           tool version bytes, Hello payload bytes, u32 CRC-32C of all the
 *           header bytes before it
 *   chunk:  "RPCK", u32 body_len, u16 type, u16 flags, u32 index,
 *           u32 frame_count, u32 CRC-32C(bytes 4..19 of the chunk header,
 *           then the body), body = frame_count x (u32 len, payload[len])
 *   all integers little-endian. CRC-32C (Castagnoli), not the link's
 *   CRC-32: hosts compute it in hardware, which keeps replay fast.
 *
 * Writer: append-only, never rewrites a byte it wrote. Frames are buffered
 * and written as one chunk (one write(2) call sequence) when the buffer
 * reaches flush_bytes, when the oldest buffered frame is flush_ms old at an
 * append or poll, and at close. So a SIGKILL loses at most the frames
 * appended since the last flush, and a reader recovers every chunk before
 * the cut. A failed write (ENOSPC, EIO, ...) makes the writer fail for good
 * with RP_ERR_IO and the errno kept; the file stays readable up to the
 * last complete chunk. fsync policy: see rp_capture_sync_t.
 *
 * Reader: streaming, fixed memory (one chunk buffer of RP_CAPTURE_MAX_CHUNK
 * bytes plus the header) whatever the file size. It stops at the first
 * chunk that is truncated, corrupt or out of order, and reports how much
 * it recovered and why it stopped (rp_capture_integrity_t). A file whose
 * major format version is newer than this reader is refused with
 * RP_ERR_UNSUPPORTED.
 *
 * Device resets need no marker: the Hello frames stay in the stream and the
 * session (rp_session.h) starts a new segment when boot_id changes. */
#ifndef RP_CAPTURE_H
#define RP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rramprof/rp_decode.h"
#include "rramprof/rp_session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RP_CAPTURE_MAGIC "\x89RPC\r\n\x1a\n"   /* 8 bytes */
#define RP_CAPTURE_MAGIC_LEN 8u
#define RP_CAPTURE_VERSION_MAJOR 1u
#define RP_CAPTURE_VERSION_MINOR 0u
#define RP_CAPTURE_CHUNK_MAGIC "RPCK"
#define RP_CAPTURE_CHUNK_HEADER 24u
/* Largest chunk body a reader accepts and a writer produces. */
#define RP_CAPTURE_MAX_CHUNK (1024u * 1024u)
/* Largest frame payload a capture holds. */
#define RP_CAPTURE_MAX_FRAME RP_DECODE_MAX_PAYLOAD
#define RP_CAPTURE_MAX_TOOL 256u            /* tool version string bytes */
#define RP_CAPTURE_DEFAULT_FLUSH_BYTES (64u * 1024u)
#define RP_CAPTURE_DEFAULT_FLUSH_MS 100u
#define RP_CAPTURE_DEFAULT_SYNC_MS 1000u

/* Chunk types. Readers skip unknown types whose CRC is good. */
enum rp_capture_chunk_type {
    RP_CAPTURE_CHUNK_FRAMES = 1,
    RP_CAPTURE_CHUNK_END = 2     /* empty body; written by a clean close */
};

/* When the writer asks the kernel to put data on the disk. Every policy
 * survives the death of the process (data written is in the page cache);
 * they differ on power loss / OS crash. */
typedef enum rp_capture_sync {
    RP_CAPTURE_SYNC_PERIODIC = 0,  /* fdatasync at a flush or poll at least
                                      sync_ms after the last one, and at close
                                      (default: at most ~sync_ms of data lost
                                      on power loss) */
    RP_CAPTURE_SYNC_NONE = 1,      /* never (fastest; kernel writes back) */
    RP_CAPTURE_SYNC_CHUNK = 2      /* after every chunk */
} rp_capture_sync_t;

/* Replaces write(2) for the writer, for tests and custom sinks: returns the
 * bytes written (may be short) or -1 with errno set. */
typedef long (*rp_capture_write_fn)(void *ctx, int fd, const void *buf, size_t len);

typedef struct rp_capture_writer_opts {
    const char *tool_version;   /* NULL = "" */
    const uint8_t *hello;       /* payload of the frame that carried the
                                   device's Hello (Frame.hello or a Response
                                   with hello); NULL/0 if none */
    size_t hello_len;           /* <= RP_CAPTURE_MAX_FRAME */
    uint64_t host_time_ns;      /* Unix time of the capture; 0 = now */
    uint32_t flush_bytes;       /* 0 = default; capped at RP_CAPTURE_MAX_CHUNK */
    uint32_t flush_ms;          /* 0 = default */
    rp_capture_sync_t sync;
    uint32_t sync_ms;           /* 0 = default */
    bool exclusive;             /* fail with RP_ERR_IO (EEXIST) if the file exists */
    rp_capture_write_fn write_fn;  /* NULL = write(2) */
    void *write_ctx;
} rp_capture_writer_opts_t;

typedef struct rp_capture_writer rp_capture_writer_t;

/* What a writer has done so far. */
typedef struct rp_capture_writer_stats {
    uint64_t frames;            /* appended */
    uint64_t frames_written;    /* inside chunks fully written */
    uint64_t chunks;            /* chunks fully written */
    uint64_t bytes;             /* file bytes fully written (header included) */
    uint64_t syncs;             /* fdatasync calls */
} rp_capture_writer_stats_t;

/* Creates (truncates unless opts->exclusive) path and writes the header.
 * opts may be NULL for defaults. Returns RP_OK, RP_ERR_ARG, RP_ERR_NOSPACE
 * (out of memory) or RP_ERR_IO with errno set to the cause (no writer is
 * returned then, so read errno). */
int rp_capture_writer_open(const char *path, const rp_capture_writer_opts_t *opts,
                           rp_capture_writer_t **out);
/* Appends one frame payload (0..RP_CAPTURE_MAX_FRAME bytes; RP_ERR_ARG
 * otherwise). May write a chunk. RP_ERR_IO once any write failed. */
int rp_capture_writer_append(rp_capture_writer_t *w, const uint8_t *payload, size_t len);
/* Writes the pending chunk if its oldest frame is flush_ms old, and syncs
 * per policy. Call it when the link is idle (e.g. after a read timeout). */
int rp_capture_writer_poll(rp_capture_writer_t *w);
/* Writes the pending frames now. */
int rp_capture_writer_flush(rp_capture_writer_t *w);
/* Flushes, writes the END chunk, syncs (unless SYNC_NONE), closes, frees.
 * Returns the first error the writer met, if any (the file is still
 * readable up to its last complete chunk); then errno holds its cause.
 * The writer is freed even on error: read rp_capture_writer_errno()
 * before closing, or errno after. NULL is fine. */
int rp_capture_writer_close(rp_capture_writer_t *w);
/* errno of the failure behind RP_ERR_IO, 0 if none. */
int rp_capture_writer_errno(const rp_capture_writer_t *w);
void rp_capture_writer_stats(const rp_capture_writer_t *w, rp_capture_writer_stats_t *out);

/* Why a reader stopped. */
typedef enum rp_capture_stop {
    RP_CAPTURE_STOP_NONE = 0,        /* not stopped yet */
    RP_CAPTURE_STOP_END = 1,         /* END chunk: the writer closed cleanly */
    RP_CAPTURE_STOP_EOF = 2,         /* file ends between chunks, no END
                                        (writer killed, or still writing) */
    RP_CAPTURE_STOP_TRUNCATED = 3,   /* file ends inside a chunk */
    RP_CAPTURE_STOP_BAD_MAGIC = 4,   /* no chunk magic where a chunk starts */
    RP_CAPTURE_STOP_BAD_LENGTH = 5,  /* body_len above RP_CAPTURE_MAX_CHUNK */
    RP_CAPTURE_STOP_BAD_CRC = 6,
    RP_CAPTURE_STOP_BAD_INDEX = 7,   /* chunk index out of sequence */
    RP_CAPTURE_STOP_BAD_BODY = 8,    /* CRC good but frames do not fill the body */
    RP_CAPTURE_STOP_IO = 9           /* read error (errno kept) */
} rp_capture_stop_t;

const char *rp_capture_stop_str(int stop);

typedef struct rp_capture_integrity {
    uint64_t chunks_ok;         /* frame chunks recovered */
    uint64_t chunks_skipped;    /* good chunks of unknown type */
    uint64_t frames;            /* frames recovered */
    uint64_t payload_bytes;     /* bytes of recovered frame payloads */
    uint64_t valid_bytes;       /* file prefix that is sound: header + good
                                   chunks (+ END); where reading stopped */
    uint64_t file_size;         /* bytes in the file when reading stopped */
    uint64_t tail_bytes;        /* file_size - valid_bytes: lost tail */
    rp_capture_stop_t stop;
    int sys_errno;              /* for RP_CAPTURE_STOP_IO */
} rp_capture_integrity_t;

/* Header of an open capture. hello points into the reader. */
typedef struct rp_capture_header {
    uint16_t version_major;
    uint16_t version_minor;
    uint64_t host_time_ns;
    char tool_version[RP_CAPTURE_MAX_TOOL + 1];
    const uint8_t *hello;
    size_t hello_len;
} rp_capture_header_t;

typedef struct rp_capture_reader rp_capture_reader_t;

/* Opens and checks the header. RP_ERR_IO (errno kept in errno),
 * RP_ERR_MALFORMED (not a capture file: empty, bad magic, header truncated
 * or inconsistent), RP_ERR_CRC (header checksum mismatch),
 * RP_ERR_UNSUPPORTED (newer major format version). */
int rp_capture_reader_open(const char *path, rp_capture_reader_t **out);
const rp_capture_header_t *rp_capture_reader_header(const rp_capture_reader_t *r);
/* Next frame payload: returns 1 and sets *payload and *len (valid until the
 * next call), 0 when reading stopped (see the integrity), or RP_ERR_IO on a
 * read error (also recorded in the integrity). */
int rp_capture_reader_next(rp_capture_reader_t *r, const uint8_t **payload, size_t *len);
const rp_capture_integrity_t *rp_capture_reader_integrity(const rp_capture_reader_t *r);
void rp_capture_reader_close(rp_capture_reader_t *r);   /* NULL is fine */
/* Bytes of memory the reader holds, fixed at open (for tests of bounded
 * memory). */
size_t rp_capture_reader_footprint(const rp_capture_reader_t *r);

/* True if the first bytes of the file are the capture magic. */
bool rp_capture_is_capture(const uint8_t *head, size_t len);

/* Replays a file through the decoder: a capture file (payloads, header
 * Hello first if it has one) or, if it lacks the capture magic, a raw link
 * byte stream (COBS frames). fn sees every message as rp_decoder_feed
 * would deliver it. integrity (may be NULL) is filled for capture files
 * (zeros with stop = EOF for raw streams); is_capture (may be NULL) says
 * which it was. Returns RP_OK, an open error as rp_capture_reader_open, or
 * what fn returned. */
int rp_capture_replay(const char *path, rp_decoder_t *d, rp_msg_fn fn, void *ctx,
                      rp_capture_integrity_t *integrity, bool *is_capture);

/* CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and
 * final XOR 0xFFFFFFFF), the checksum of capture files. Start with crc = 0
 * and pass the previous result to continue over more data:
 * rp_capture_crc32c(0, "123456789", 9) == 0xE3069283. Uses the CPU's CRC
 * instruction when it has one; rp_capture_crc32c_sw always uses tables
 * (same results; for tests). Thread-safe. */
uint32_t rp_capture_crc32c(uint32_t crc, const void *data, size_t len);
uint32_t rp_capture_crc32c_sw(uint32_t crc, const void *data, size_t len);

/* Everything `rramprof info` prints about a file. */
typedef struct rp_capture_summary {
    bool is_capture;                 /* false: raw link stream */
    uint16_t version_major, version_minor;
    uint64_t host_time_ns;
    char tool_version[RP_CAPTURE_MAX_TOOL + 1];
    rp_device_info_t device;         /* device of the last segment */
    rp_session_stats_t stats;        /* events per op, duration, loss, ... */
    /* Workload results, stats.workload_names entries. */
    rp_workload_stats_t workloads[RP_SESSION_MAX_RESULTS];
    rp_decode_stats_t decode;
    rp_capture_integrity_t integrity;
} rp_capture_summary_t;

/* Reads the whole file once (bounded memory) and fills *out. Same returns
 * as rp_capture_replay. */
int rp_capture_summarize(const char *path, rp_capture_summary_t *out);

#ifdef __cplusplus
}
#endif
#endif
