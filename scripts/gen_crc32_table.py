#!/usr/bin/env python3
"""Prints the CRC-32 tables of firmware/src/rp_crc32.c as C literals.

CRC-32 IEEE 802.3, reflected polynomial 0xEDB88320.
  rp_crc32_table[i]: the CRC register after shifting byte i through eight
      rounds of the bitwise algorithm (the classic byte-at-a-time table).
  rp_crc32_slice[k][i]: the same for byte i followed by k+1 zero bytes,
      for slicing-by-4 (four bytes per step); compiled only when
      RP_CONFIG_SMALL is 0.
Run: python3 scripts/gen_crc32_table.py
"""

POLY = 0xEDB88320


def entry(i):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    return c


def rows(values, indent):
    for row in range(0, len(values), 4):
        cells = ", ".join("0x%08Xu" % v for v in values[row:row + 4])
        print(indent + cells + ",")


def main():
    base = [entry(i) for i in range(256)]
    print("const uint32_t rp_crc32_table[256] = {")
    rows(base, "    ")
    print("};")
    print()
    print("#if !RP_CONFIG_SMALL")
    print("const uint32_t rp_crc32_slice[3][256] = {")
    prev = base
    for _ in range(3):
        cur = [(prev[i] >> 8) ^ base[prev[i] & 0xFF] for i in range(256)]
        print("    {")
        rows(cur, "        ")
        print("    },")
        prev = cur
    print("};")
    print("#endif")


if __name__ == "__main__":
    main()
