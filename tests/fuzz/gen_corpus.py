#!/usr/bin/env python3
"""Writes the seed corpora of the wire fuzzers (tests/fuzz/corpus/).

command/:  rramprof.v1.Command payloads, one per body kind plus a few
           near misses (unknown fields, truncation, over-long name).
deframer/: byte streams of COBS+CRC32 frames, clean and damaged.
Run from anywhere: python3 tests/fuzz/gen_corpus.py
"""
import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def key(field, wt):
    return varint(field << 3 | wt)


def uint_field(field, v):
    return key(field, 0) + varint(v) if v else b""


def len_field(field, body):
    return key(field, 2) + varint(len(body)) + body


def command(request_id, kind, body=b""):
    return uint_field(1, request_id) + len_field(kind, body)


def cobs(data):
    out = bytearray([0])
    code_at = 0
    for b in data:
        if b:
            out.append(b)
        if b == 0 or len(out) - code_at == 0xFF:
            out[code_at] = len(out) - code_at
            code_at = len(out)
            out.append(0)
    out[code_at] = len(out) - code_at
    return bytes(out)


def frame(payload):
    crc = zlib.crc32(payload) & 0xFFFFFFFF
    return cobs(payload + crc.to_bytes(4, "little")) + b"\x00"


def write(sub, name, data):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    cmds = {
        "get_info": command(1, 2),
        "start": command(2, 3, uint_field(1, 0x7E) + uint_field(2, 1000)),
        "stop": command(3, 4),
        "configure": command(4, 5, uint_field(1, 2) + uint_field(2, 50) + uint_field(3, 1)
                             + uint_field(4, 1000) + uint_field(5, 250)),
        "run_workload": command(5, 6, len_field(1, b"write_verify") + uint_field(2, 3)
                                + uint_field(3, 0xDEADBEEF)),
        "ping": command(6, 7, uint_field(1, 0x0123456789ABCDEF)),
        "unknown_fields": key(15, 5) + b"\x01\x02\x03\x04" + command(7, 7, key(9, 1) + bytes(8)),
        "truncated": command(8, 6, len_field(1, b"mvm"))[:-2],
        "long_name": command(9, 6, len_field(1, b"n" * 40)),
    }
    for name, data in cmds.items():
        write("command", name, data)

    write("deframer", "one_frame", frame(cmds["ping"]))
    write("deframer", "empty_payload", frame(b""))
    write("deframer", "two_frames", frame(cmds["start"]) + frame(b"\x00\x00\x00"))
    write("deframer", "long_block", frame(bytes(range(1, 256)) + bytes(range(1, 60))))
    bad = bytearray(frame(cmds["configure"]))
    bad[3] ^= 0x10
    write("deframer", "bit_flip_then_good", bytes(bad) + frame(cmds["stop"]))
    write("deframer", "garbage_then_good", b"\x13\x99\x07" + b"\x00" + frame(cmds["get_info"]))
    write("deframer", "oversize", b"\x42" * 90 + b"\x00" + frame(b"ok"))


if __name__ == "__main__":
    main()
