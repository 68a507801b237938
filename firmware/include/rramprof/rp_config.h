/* Compile-time configuration of the firmware core. A board may override any
 * value with -D on the compiler line. */
#ifndef RP_CONFIG_H
#define RP_CONFIG_H

/* 0 compiles every instrumentation macro and span call to nothing and makes
 * the HAL wrappers plain calls. */
#ifndef RRAMPROF_ENABLED
#define RRAMPROF_ENABLED 1
#endif

/* Events the ring holds; must be a power of two. */
#ifndef RP_CONFIG_RING_CAPACITY
#define RP_CONFIG_RING_CAPACITY 1024u
#endif

/* Events per EventBatch at most. Every batch costs the drain a fixed
 * part (header, per-op summary, duration bases): at 256 events it is 3 to
 * 7 instructions per event less than at 128 on a Cortex-M4, for a frame
 * buffer and a payload buffer of 2 KiB each in the device loop instead of
 * 1 KiB (docs/benchmarks.md). A board short of RAM may set 128 and 1024. */
#ifndef RP_CONFIG_BATCH_MAX_EVENTS
#define RP_CONFIG_BATCH_MAX_EVENTS 256u
#endif

/* Largest protobuf Frame payload in bytes, before CRC and COBS: room for
 * a whole batch at up to 7.5 bytes per event (the workloads take 4 to 6). */
#ifndef RP_FRAME_MAX_PAYLOAD
#define RP_FRAME_MAX_PAYLOAD 2048u
#endif

/* Largest Command payload the device accepts. */
#ifndef RP_COMMAND_MAX_PAYLOAD
#define RP_COMMAND_MAX_PAYLOAD 128u
#endif

/* Span / compute names the device can intern. */
#ifndef RP_CONFIG_MAX_NAMES
#define RP_CONFIG_MAX_NAMES 32u
#endif

/* Longest interned name in bytes, excluding the terminator. */
#ifndef RP_CONFIG_MAX_NAME_LEN
#define RP_CONFIG_MAX_NAME_LEN 31u
#endif

/* Nesting depth of open spans begun with rp_span_begin. */
#ifndef RP_CONFIG_SPAN_DEPTH
#define RP_CONFIG_SPAN_DEPTH 8u
#endif

/* 1 trades speed for flash on MCUs (boards/common/cortexm.cmake sets it):
 * the CRC uses one small table (RP_CONFIG_CRC_BITS) instead of the 4 KiB
 * slicing tables, and the framing is one plain word loop instead of the
 * 2 KiB COBS link table and the SSE2 path. Same bytes on the wire either
 * way. */
#ifndef RP_CONFIG_SMALL
#define RP_CONFIG_SMALL 0
#endif

/* Bits of CRC input per table lookup in small builds: 8 = the 1 KiB byte
 * table, four lookups per 32-bit word (3.25 instructions a byte on a
 * Cortex-M4, fused into the framing's COBS pass); 4 = a 64-byte table of
 * 16 entries, two lookups per byte in a byte loop of its own (10
 * instructions a byte, 48 bytes of code), for boards short of flash.
 * Other builds always use the slicing tables, which hold the byte table:
 * 8 there. */
#ifndef RP_CONFIG_CRC_BITS
#define RP_CONFIG_CRC_BITS 8
#endif

/* 1 builds the compact EventBatch encoder (rp_encoder_compact.c) instead
 * of the full one: under 1 KB of flash on a Cortex-M4 instead of 5.4 KB,
 * for several times the instructions per drained event, same wire format.
 * With RP_CONFIG_CRC_BITS 4 the recorder core fits in 4 KB (boards: CMake
 * options RRAMPROF_FW_COMPACT_ENCODER and RRAMPROF_FW_CRC_BITS;
 * docs/benchmarks.md). */
#ifndef RP_CONFIG_COMPACT_ENCODER
#define RP_CONFIG_COMPACT_ENCODER 0
#endif

#define RP_PROTOCOL_VERSION 1u

#endif
