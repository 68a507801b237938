// Unit tests of the firmware image loader of `rramprof flash`
// (host/flash/flash_image.c): Intel HEX records and their errors with
// file:line, ELF32 program headers, raw binaries, format detection; and
// the flashing keys of board.conf (host/boards.c).
#include <CppUTest/TestHarness.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include "boards.h"
#include "rp_flash.h"
}

namespace {

std::string g_dir;

std::string write_file(const std::string &name, const std::string &bytes)
{
    std::string path = g_dir + "/" + name;
    FILE *f = fopen(path.c_str(), "wb");
    CHECK(f != nullptr);
    CHECK_EQUAL(bytes.size(), fwrite(bytes.data(), 1, bytes.size(), f));
    fclose(f);
    return path;
}

// One Intel HEX record with its checksum computed here.
std::string rec(unsigned type, unsigned addr, const std::vector<unsigned> &data)
{
    char buf[16];
    unsigned sum = (unsigned)data.size() + (addr >> 8) + (addr & 0xFF) + type;
    snprintf(buf, sizeof buf, ":%02X%04X%02X", (unsigned)data.size(), addr, type);
    std::string s = buf;
    for (unsigned d : data) {
        snprintf(buf, sizeof buf, "%02X", d);
        s += buf;
        sum += d;
    }
    snprintf(buf, sizeof buf, "%02X\n", (0x100u - (sum & 0xFFu)) & 0xFFu);
    return s + buf;
}

const std::string kEof = ":00000001FF\n";

struct Loaded {
    int rc;
    rp_flash_image_t img;
    std::string err;
};

Loaded load(const std::string &path, uint32_t base = 0x08000000u)
{
    Loaded l;
    char err[RP_FLASH_ERR_MAX + 512];
    l.rc = rp_flash_image_load(path.c_str(), base, &l.img, err, sizeof err);
    l.err = err;
    return l;
}

void le32(std::string &s, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        s[at + i] = (char)(v >> (8 * i));
}

void le16(std::string &s, size_t at, uint16_t v)
{
    s[at] = (char)v;
    s[at + 1] = (char)(v >> 8);
}

struct Ph {
    uint32_t type, paddr, filesz, memsz;
    std::string data;
};

// A minimal ELF32 little-endian ARM executable with the given segments.
std::string elf(const std::vector<Ph> &phs, uint32_t entry = 0x08000101u)
{
    size_t off = 52 + 32 * phs.size();
    std::string s(off, '\0');
    s.replace(0, 4, "\x7f" "ELF");
    s[4] = 1;
    s[5] = 1;
    s[6] = 1;
    le16(s, 16, 2);
    le16(s, 18, 40);
    le32(s, 24, entry);
    le32(s, 28, 52);
    le16(s, 42, 32);
    le16(s, 44, (uint16_t)phs.size());
    for (size_t i = 0; i < phs.size(); i++) {
        size_t p = 52 + 32 * i;
        le32(s, p, phs[i].type);
        le32(s, p + 4, (uint32_t)(off + (s.size() - off)));
        le32(s, p + 8, phs[i].paddr + 0x10000000u);   // vaddr differs: the loader must use paddr
        le32(s, p + 12, phs[i].paddr);
        le32(s, p + 16, phs[i].filesz);
        le32(s, p + 20, phs[i].memsz);
        s += phs[i].data;
    }
    return s;
}

// elf(phs) with a section table: [0] null, [1] .shstrtab, [2] `name`
// holding `body` as a section of type `type` (1 = PROGBITS).
std::string elf_with_section(const std::vector<Ph> &phs, const std::string &body,
                             const std::string &name = ".rramprof.board", uint32_t type = 1)
{
    std::string s = elf(phs);
    std::string names = std::string("\0.shstrtab\0", 11) + name + std::string("\0", 1);
    size_t names_off = s.size();
    s += names;
    size_t body_off = s.size();
    s += body;
    size_t shoff = s.size();
    s += std::string(3 * 40, '\0');
    le32(s, shoff + 40, 1);   // .shstrtab
    le32(s, shoff + 40 + 4, 3);
    le32(s, shoff + 40 + 16, (uint32_t)names_off);
    le32(s, shoff + 40 + 20, (uint32_t)names.size());
    le32(s, shoff + 80, 11);   // name
    le32(s, shoff + 80 + 4, type);
    le32(s, shoff + 80 + 16, (uint32_t)body_off);
    le32(s, shoff + 80 + 20, (uint32_t)body.size());
    le32(s, 32, (uint32_t)shoff);
    le16(s, 46, 40);
    le16(s, 48, 3);
    le16(s, 50, 1);
    return s;
}

std::string tag(const char *name)
{
    return std::string(name) + std::string("\0", 1);
}

// A file that must not load, and the start of its error after the directory.
struct BadFile {
    const char *name;
    std::string bytes;
    const char *msg;
};

void expect_load_errors(const std::vector<BadFile> &cases)
{
    for (auto &c : cases) {
        Loaded l = load(write_file(c.name, c.bytes));
        CHECK_TEXT(l.rc < 0, c.name);
        std::string want = g_dir + "/" + c.msg;
        if (l.err.compare(0, want.size(), want) != 0)
            FAIL(("got '" + l.err + "', want '" + want + "...'").c_str());
    }
}

}  // namespace

TEST_GROUP(FlashImage)
{
    void setup() override
    {
        char tmpl[] = "/tmp/rp_flash_image_XXXXXX";
        CHECK(mkdtemp(tmpl) != nullptr);
        g_dir = tmpl;
    }
    void teardown() override
    {
        std::string cmd = "rm -rf '" + g_dir + "'";
        CHECK_EQUAL(0, system(cmd.c_str()));
    }
};

TEST(FlashImage, HexLinearAndSegmentAddressesMergeAndSort)
{
    // Two records out of order, a 02 segment record, a 04 linear record
    // and a 05 start address; contiguous records become one segment.
    std::string text = rec(4, 0, { 0x08, 0x00 }) + rec(0, 0x0014, { 0xAA, 0xBB }) + rec(0, 0x0000, { 1, 2, 3, 4 }) +
                       rec(0, 0x0004, { 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }) +
                       rec(2, 0, { 0x10, 0x00 }) + rec(0, 0x0002, { 0x77 }) + rec(5, 0, { 0x08, 0x00, 0x01, 0x23 }) +
                       kEof;
    Loaded l = load(write_file("a.hex", text));
    LONGS_EQUAL(RP_OK, l.rc);
    STRCMP_EQUAL("hex", l.img.format);
    LONGS_EQUAL(3, l.img.count);
    UNSIGNED_LONGS_EQUAL(0x00010002u, l.img.seg[0].address);   // segment 0x1000 << 4, offset 2
    UNSIGNED_LONGS_EQUAL(1, l.img.seg[0].size);
    BYTES_EQUAL(0x77, l.img.seg[0].data[0]);
    UNSIGNED_LONGS_EQUAL(0x08000000u, l.img.seg[1].address);
    UNSIGNED_LONGS_EQUAL(16, l.img.seg[1].size);
    for (unsigned i = 0; i < 16; i++)
        BYTES_EQUAL(i + 1, l.img.seg[1].data[i]);
    UNSIGNED_LONGS_EQUAL(0x08000014u, l.img.seg[2].address);
    BYTES_EQUAL(0xBB, l.img.seg[2].data[1]);
    UNSIGNED_LONGS_EQUAL(0x08000123u, l.img.entry);
    UNSIGNED_LONGS_EQUAL(19, rp_flash_image_bytes(&l.img));
    rp_flash_image_free(&l.img);
}

TEST(FlashImage, HexRecordsAcrossA64KWindowJoin)
{
    std::string text = rec(4, 0, { 0x08, 0x01 }) + rec(0, 0xFFFE, { 1, 2 }) + rec(4, 0, { 0x08, 0x02 }) +
                       rec(0, 0x0000, { 3, 4 }) + kEof;
    Loaded l = load(write_file("b.hex", text));
    LONGS_EQUAL(RP_OK, l.rc);
    LONGS_EQUAL(1, l.img.count);
    UNSIGNED_LONGS_EQUAL(0x0801FFFEu, l.img.seg[0].address);
    UNSIGNED_LONGS_EQUAL(4, l.img.seg[0].size);
    BYTES_EQUAL(4, l.img.seg[0].data[3]);
    rp_flash_image_free(&l.img);
}

TEST(FlashImage, HexErrorsNameFileAndLine)
{
    struct {
        const char *name;
        std::string text;
        const char *msg;
    } cases[] = {
        { "sum.hex", rec(0, 0, { 1, 2 }) + ":0200000001020A\n" + kEof, "sum.hex:2: checksum mismatch" },
        { "digit.hex", rec(0, 0, { 1 }) + "\n" + ":02000000010ZFB\n" + kEof, "digit.hex:3: 'Z' is not a hex digit" },
        { "noeof.hex", rec(0, 0, { 1, 2 }), "noeof.hex:1: no end-of-file record" },
        { "after.hex", rec(0, 0, { 1 }) + kEof + rec(0, 4, { 1 }), "after.hex:3: data after the end-of-file" },
        { "len.hex", ":0300000001029A\n" + kEof, "len.hex:1: length byte says 3 data bytes, the record has 2" },
        { "type.hex", rec(7, 0, { 1 }) + kEof, "type.hex:1: unknown record type 0x07" },
        { "colon.hex", rec(0, 0, { 1 }) + "0200000001FC\n" + kEof, "colon.hex:2: a record must start with ':'" },
        { "short.hex", ":0000\n" + kEof, "short.hex:1: record too short" },
        { "ext.hex", rec(4, 0, { 8 }) + kEof, "ext.hex:1: address record needs 2 data bytes, has 1" },
        { "over.hex", rec(0, 0, { 1, 2, 3, 4 }) + rec(0, 2, { 9 }) + kEof, "over.hex: overlapping data" },
        { "empty.hex", kEof, "empty.hex: the image holds no bytes" },
    };
    for (auto &c : cases) {
        Loaded l = load(write_file(c.name, c.text));
        LONGS_EQUAL_TEXT(RP_ERR_MALFORMED, l.rc, c.name);
        std::string want = g_dir + "/" + c.msg;
        if (l.err.compare(0, want.size(), want) != 0)
            FAIL(("got '" + l.err + "', want '" + want + "...'").c_str());
        LONGS_EQUAL(0, l.img.count);
    }
}

TEST(FlashImage, ElfUsesPhysicalAddressesOfLoadSegmentsWithBytes)
{
    std::vector<Ph> phs = {
        { 1, 0x08000000u, 8, 8, std::string("ABCDEFGH") },
        { 1, 0x08010000u, 3, 100, std::string("xyz") },   // .data: loaded in flash, memsz > filesz
        { 1, 0x20000000u, 0, 64, std::string() },         // .bss: nothing to write
        { 4, 0x00000000u, 4, 4, std::string("note") },    // not PT_LOAD
    };
    Loaded l = load(write_file("app.elf", elf(phs)));
    LONGS_EQUAL(RP_OK, l.rc);
    STRCMP_EQUAL("elf", l.img.format);
    LONGS_EQUAL(2, l.img.count);
    UNSIGNED_LONGS_EQUAL(0x08000000u, l.img.seg[0].address);
    MEMCMP_EQUAL("ABCDEFGH", l.img.seg[0].data, 8);
    UNSIGNED_LONGS_EQUAL(0x08010000u, l.img.seg[1].address);
    UNSIGNED_LONGS_EQUAL(3, l.img.seg[1].size);
    MEMCMP_EQUAL("xyz", l.img.seg[1].data, 3);
    UNSIGNED_LONGS_EQUAL(0x08000101u, l.img.entry);
    rp_flash_image_free(&l.img);
}

TEST(FlashImage, ElfErrors)
{
    std::vector<Ph> one = { { 1, 0x08000000u, 4, 4, std::string("abcd") } };
    std::string e64 = elf(one);
    e64[4] = 2;
    std::string ebe = elf(one);
    ebe[5] = 2;
    std::string x86 = elf(one);
    le16(x86, 18, 3);
    std::string trunc = elf(one).substr(0, 60);
    std::string past = elf(one);
    le32(past, 52 + 16, 4000);   // p_filesz beyond the file
    std::string none = elf({});
    std::string ovl = elf({ { 1, 0x08000000u, 4, 4, std::string("abcd") },
                            { 1, 0x08000002u, 4, 4, std::string("efgh") } });
    std::string rel = elf(one);
    le16(rel, 16, 1);   // ET_REL
    std::string ver = elf(one);
    ver[6] = 9;
    std::string phsize = elf(one);
    le16(phsize, 42, 8);
    std::string more = elf({ { 1, 0x08000000u, 4, 2, std::string("abcd") } });   // filesz > memsz
    expect_load_errors({
        { "a.elf", e64, "a.elf: not a 32-bit ELF" },
        { "b.elf", ebe, "b.elf: not a little-endian ELF" },
        { "c.elf", x86, "c.elf: ELF for machine 3, not ARM (40)" },
        { "d.elf", trunc, "d.elf: ELF program headers run past the end" },
        { "e.elf", past, "e.elf: ELF segment 0 runs past the end of the file" },
        { "f.elf", none, "f.elf: ELF has no program headers" },
        { "g.elf", ovl, "g.elf: overlapping data: 0x08000000-0x08000003 and 0x08000002-0x08000005" },
        { "h.elf", "not an elf at all", "h.elf: not an ELF file (no ELF magic)" },
        { "i.elf", rel, "i.elf: ELF of type 1, not a linked executable (2)" },
        { "j.elf", ver, "j.elf: ELF version 9, not 1" },
        { "k.elf", phsize, "k.elf: ELF program header size 8, not 32" },
        { "l.elf", more, "l.elf: ELF segment 0 holds more bytes (4) than it loads (2)" },
    });
}

TEST(FlashImage, ElfNamesTheBoardItWasBuiltFor)
{
    std::vector<Ph> one = { { 1, 0x08000000u, 4, 4, std::string("abcd") } };
    Loaded t = load(write_file("t.elf", elf_with_section(one, tag("nucleo-f446re"))));
    LONGS_EQUAL_TEXT(RP_OK, t.rc, t.err.c_str());
    STRCMP_EQUAL("nucleo-f446re", t.img.board);
    rp_flash_image_free(&t.img);
    // No section table (stripped), or no such section: untagged.
    Loaded u = load(write_file("u.elf", elf(one)));
    LONGS_EQUAL(RP_OK, u.rc);
    STRCMP_EQUAL("", u.img.board);
    rp_flash_image_free(&u.img);
    Loaded o = load(write_file("o.elf", elf_with_section(one, tag("x"), ".rramprof.boardx")));
    LONGS_EQUAL(RP_OK, o.rc);
    STRCMP_EQUAL("", o.img.board);
    rp_flash_image_free(&o.img);
}

TEST(FlashImage, ElfBoardSectionErrors)
{
    std::vector<Ph> one = { { 1, 0x08000000u, 4, 4, std::string("abcd") } };
    std::string shpast = elf_with_section(one, tag("b"));
    le16(shpast, 48, 200);   // e_shnum: the table runs past the file
    std::string namespast = elf_with_section(one, tag("b"));
    le32(namespast, namespast.size() - 80 + 16, 1u << 20);   // .shstrtab offset
    std::string namebad = elf_with_section(one, tag("b"));
    le32(namebad, namebad.size() - 40, 0xfffffff0u);   // the tag's sh_name
    std::string bodypast = elf_with_section(one, tag("b"));
    le32(bodypast, bodypast.size() - 40 + 16, 1u << 20);   // the tag's offset
    expect_load_errors({
        { "a.elf", shpast, "a.elf: ELF section headers run past the end of the file" },
        { "b.elf", namespast, "b.elf: ELF section names run past the end of the file" },
        { "c.elf", bodypast, "c.elf: ELF section .rramprof.board does not hold a board name" },
        { "d.elf", elf_with_section(one, "nucleo"), "d.elf: ELF section .rramprof.board does not hold" },
        { "e.elf", elf_with_section(one, tag("a b")), "e.elf: ELF section .rramprof.board does not hold" },
        { "f.elf", elf_with_section(one, tag("")), "f.elf: ELF section .rramprof.board does not hold" },
        { "g.elf", elf_with_section(one, tag("b"), ".rramprof.board", 8),   // SHT_NOBITS
          "g.elf: ELF section .rramprof.board does not hold" },
        { "h.elf", elf_with_section(one, tag(std::string(RP_FLASH_BOARD_MAX, 'n').c_str())),
          "h.elf: ELF section .rramprof.board does not hold" },
        { "i.elf", namebad, "i.elf: ELF section 2's name lies outside the section names" },
    });
}

TEST(FlashImage, CheckBoardRefusesAnotherBoardsImage)
{
    std::vector<Ph> one = { { 1, 0x08000000u, 4, 4, std::string("abcd") } };
    std::string path = write_file("n.elf", elf_with_section(one, tag("nucleo-f446re")));
    Loaded t = load(path);
    LONGS_EQUAL(RP_OK, t.rc);
    char err[RP_FLASH_ERR_MAX + 512];
    LONGS_EQUAL(RP_OK, rp_flash_image_check_board(&t.img, path.c_str(), "nucleo-f446re", 0x08000000u,
                                                  512u * 1024u, err, sizeof err));
    // Same flash address, other board: only the name tells them apart.
    LONGS_EQUAL(RP_ERR_UNSUPPORTED, rp_flash_image_check_board(&t.img, path.c_str(), "netduinoplus2", 0x08000000u,
                                                               1024u * 1024u, err, sizeof err));
    STRCMP_EQUAL((path + " is built for board nucleo-f446re, not netduinoplus2: build it with "
                         "-DRRAMPROF_BOARD=netduinoplus2, or use --board nucleo-f446re").c_str(), err);
    // No board to compare with: the addresses alone.
    LONGS_EQUAL(RP_OK, rp_flash_image_check_board(&t.img, path.c_str(), nullptr, 0, 0, err, sizeof err));
    rp_flash_image_free(&t.img);

    // Untagged: the addresses decide.
    std::string upath = write_file("u.elf", elf(one));
    Loaded u = load(upath);
    LONGS_EQUAL(RP_OK, u.rc);
    LONGS_EQUAL(RP_ERR_RANGE, rp_flash_image_check_board(&u.img, upath.c_str(), "qemu-mps2-an386", 0,
                                                         4u * 1024u * 1024u, err, sizeof err));
    STRCMP_CONTAINS("the image does not fit: bytes 0x08000000-0x08000003 lie outside the flash "
                    "0x00000000-0x003fffff of qemu-mps2-an386", err);
    LONGS_EQUAL(RP_ERR_RANGE, rp_flash_image_check_board(&u.img, upath.c_str(), "nucleo-f446re", 0x08000002u,
                                                         16u, err, sizeof err));   // starts before the flash
    STRCMP_CONTAINS("bytes 0x08000000-0x08000001 lie outside the flash 0x08000002-0x08000011", err);
    LONGS_EQUAL(RP_ERR_RANGE, rp_flash_image_check_board(&u.img, upath.c_str(), "nucleo-f446re", 0x08000000u,
                                                         3u, err, sizeof err));    // ends after it
    STRCMP_CONTAINS("bytes 0x08000003-0x08000003 lie outside the flash 0x08000000-0x08000002", err);
    LONGS_EQUAL(RP_OK, rp_flash_image_check_board(&u.img, upath.c_str(), "nucleo-f446re", 0x08000000u, 4u, err,
                                                  sizeof err));                    // exactly fills it
    LONGS_EQUAL(RP_OK, rp_flash_image_check_board(&u.img, upath.c_str(), "qemu-mps2-an386", 0, 0, err,
                                                  sizeof err));                    // no flash size: no check
    // The serial method's own plan (a library caller may skip the board
    // check) names the same bytes.
    rp_flash_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.flash_base = 0x08000000u;
    ctx.flash_size = 3u;
    uint16_t sectors[4];
    LONGS_EQUAL(RP_ERR_RANGE, rp_flash_an3155_sectors(&ctx, &u.img, sectors, 4));
    STRCMP_CONTAINS("bytes 0x08000003-0x08000003 lie outside the flash 0x08000000-0x08000002", ctx.err);
    rp_flash_image_free(&u.img);
}

TEST(FlashImage, BinGoesToTheBaseAddress)
{
    Loaded l = load(write_file("fw.bin", std::string("\x01\x02\x03", 3)), 0x08004000u);
    LONGS_EQUAL(RP_OK, l.rc);
    STRCMP_EQUAL("bin", l.img.format);
    LONGS_EQUAL(1, l.img.count);
    UNSIGNED_LONGS_EQUAL(0x08004000u, l.img.seg[0].address);
    UNSIGNED_LONGS_EQUAL(3, l.img.seg[0].size);
    BYTES_EQUAL(3, l.img.seg[0].data[2]);
    rp_flash_image_free(&l.img);

    Loaded e = load(write_file("empty.bin", ""));
    LONGS_EQUAL(RP_ERR_MALFORMED, e.rc);
    STRCMP_CONTAINS("empty.bin: empty file", e.err.c_str());

    Loaded w = load(write_file("wrap.bin", "12345678"), 0xFFFFFFFCu);
    LONGS_EQUAL(RP_ERR_MALFORMED, w.rc);
    STRCMP_CONTAINS("run past 4 GiB", w.err.c_str());
}

TEST(FlashImage, FormatComesFromContentThenExtension)
{
    // HEX text under any name is HEX; an ELF named .bin is an ELF.
    Loaded h = load(write_file("fw.dat", rec(0, 0, { 0x42 }) + kEof));
    LONGS_EQUAL(RP_OK, h.rc);
    STRCMP_EQUAL("hex", h.img.format);
    rp_flash_image_free(&h.img);
    Loaded e = load(write_file("fw.bin", elf({ { 1, 0x08000000u, 2, 2, std::string("hi") } })));
    LONGS_EQUAL(RP_OK, e.rc);
    STRCMP_EQUAL("elf", e.img.format);
    rp_flash_image_free(&e.img);
    // A .hex that is not HEX is reported as a corrupt HEX file.
    Loaded bad = load(write_file("fw.hex", "garbage\n"));
    LONGS_EQUAL(RP_ERR_MALFORMED, bad.rc);
    STRCMP_CONTAINS("fw.hex:1: a record must start with ':'", bad.err.c_str());
}

TEST(FlashImage, MissingFileAndTooManySegments)
{
    Loaded m = load(g_dir + "/nope.bin");
    LONGS_EQUAL(RP_ERR_IO, m.rc);
    STRCMP_CONTAINS("nope.bin: No such file or directory", m.err.c_str());

    std::string text;
    for (unsigned i = 0; i < RP_FLASH_MAX_SEGMENTS + 1; i++)
        text += rec(0, i * 16, { 1 });
    Loaded t = load(write_file("many.hex", text + kEof));
    LONGS_EQUAL(RP_ERR_NOSPACE, t.rc);
    STRCMP_CONTAINS("33 separate address ranges (at most 32)", t.err.c_str());
}

// What Go needs at the image's first address: a 512-byte aligned vector
// table whose first word is a stack pointer in RAM and whose second is a
// Thumb address inside the image.
std::string start_check(const std::string &bytes, uint32_t base)
{
    Loaded l = load(write_file("vt.bin", bytes), base);
    LONGS_EQUAL(RP_OK, l.rc);
    char err[RP_FLASH_ERR_MAX];
    int rc = rp_flash_image_check_start(&l.img, err, sizeof err);
    rp_flash_image_free(&l.img);
    LONGS_EQUAL(err[0] ? RP_ERR_RANGE : RP_OK, rc);
    return err;
}

std::string vector_table(uint32_t sp, uint32_t reset)
{
    std::string s(64, '\0');
    le32(s, 0, sp);
    le32(s, 4, reset);
    return s;
}

TEST(FlashImage, StartNeedsAVectorTableAtTheFirstAddress)
{
    STRCMP_EQUAL("", start_check(vector_table(0x20020000u, 0x08000011u), 0x08000000u).c_str());
    STRCMP_EQUAL("", start_check(vector_table(0x20020000u, 0x08004021u), 0x08004000u).c_str());
    STRCMP_EQUAL("", start_check(vector_table(0x10010000u, 0x08000011u), 0x08000000u).c_str());   // CCM stack
    // Word-aligned is not enough: VTOR drops the low bits.
    STRCMP_EQUAL("0x08000100 is not a vector table address (not 512-byte aligned)",
                 start_check(vector_table(0x20020000u, 0x08000111u), 0x08000100u).c_str());
    STRCMP_EQUAL("4 byte(s) at 0x08000000 hold no vector table",
                 start_check(std::string("\0\0\x02\x20", 4), 0x08000000u).c_str());
    STRCMP_EQUAL("its first word 0x08000000 is no initial stack pointer (not in RAM)",
                 start_check(vector_table(0x08000000u, 0x08000011u), 0x08000000u).c_str());
    STRCMP_EQUAL("its first word 0x20000000 is no initial stack pointer (not in RAM)",
                 start_check(vector_table(0x20000000u, 0x08000011u), 0x08000000u).c_str());   // empty stack
    STRCMP_EQUAL("its first word 0x2001fffe is no initial stack pointer (not in RAM)",
                 start_check(vector_table(0x2001FFFEu, 0x08000011u), 0x08000000u).c_str());
    STRCMP_EQUAL("its reset vector 0x08000010 is not a Thumb address inside the image",
                 start_check(vector_table(0x20020000u, 0x08000010u), 0x08000000u).c_str());   // ARM state
    // A .bin linked for 0x08000000 but written at 0x08004000.
    STRCMP_EQUAL("its reset vector 0x08000011 is not a Thumb address inside the image",
                 start_check(vector_table(0x20020000u, 0x08000011u), 0x08004000u).c_str());
    STRCMP_EQUAL("its reset vector 0x08000041 is not a Thumb address inside the image",
                 start_check(vector_table(0x20020000u, 0x08000041u), 0x08000000u).c_str());   // one past the end
}

TEST_GROUP(FlashBoardKeys){};

TEST(FlashBoardKeys, FlashingKeysParse)
{
    const std::string base = "name = b\nmcu = m\ncore = c\nclock_hz = 1\nflash_method = serial-bootloader\n"
                             "transport = exec\n";
    std::string text = base + "flash_base = 0x08000000\nflash_size = 0x80000\nchip_id = 0x421\n"
                              "bootloader_baud = 57600\nopenocd_interface = interface/cmsis-dap.cfg\n"
                              "openocd_target = target/stm32f4x.cfg\n";
    rp_cli_board_t b;
    char err[256];
    LONGS_EQUAL(0, rp_cli_board_parse(text.data(), text.size(), "x.conf", &b, err, sizeof err));
    UNSIGNED_LONGS_EQUAL(0x08000000u, b.flash_base);
    UNSIGNED_LONGS_EQUAL(512u * 1024u, b.flash_size);
    UNSIGNED_LONGS_EQUAL(0x421, b.chip_id);
    UNSIGNED_LONGS_EQUAL(57600, b.bootloader_baud);
    STRCMP_EQUAL("interface/cmsis-dap.cfg", b.openocd_interface);
    STRCMP_EQUAL("target/stm32f4x.cfg", b.openocd_target);
    std::string top = base + "flash_base = 0xfffff000\nflash_size = 0x1000\n";   // ends exactly at 4 GiB
    LONGS_EQUAL_TEXT(0, rp_cli_board_parse(top.data(), top.size(), "x.conf", &b, err, sizeof err), err);

    struct {
        const char *line, *msg;
    } bad[] = {
        { "flash_base = 0x1234567890", "x.conf:7: flash_base '0x1234567890' is not a 32-bit address" },
        { "flash_size = 0", "x.conf:7: flash_size '0' is not a positive number of bytes" },
        { "chip_id = 421g", "x.conf:7: chip_id '421g' is not a 16-bit hex ID" },
        { "bootloader_baud = fast", "x.conf:7: bootloader_baud 'fast' is not a rate the serial method supports" },
        { "flash_base = 0xfffff000\nflash_size = 0x1001",
          "x.conf: flash_base 0xfffff000 plus flash_size 4097 runs past 4 GiB" },
    };
    for (auto &c : bad) {
        std::string t = base + c.line + "\n";
        LONGS_EQUAL(-1, rp_cli_board_parse(t.data(), t.size(), "x.conf", &b, err, sizeof err));
        STRCMP_CONTAINS(c.msg, err);
    }
}

TEST(FlashBoardKeys, NucleoBoardFileNamesItsChip)
{
    rp_cli_board_t b;
    char err[512];
    LONGS_EQUAL(0, rp_cli_board_load(RP_BOARDS_SRC "/nucleo-f446re/board.conf", &b, err, sizeof err));
    UNSIGNED_LONGS_EQUAL(0x421, b.chip_id);
    UNSIGNED_LONGS_EQUAL(0x08000000u, b.flash_base);
    UNSIGNED_LONGS_EQUAL(512u * 1024u, b.flash_size);
    STRCMP_EQUAL("interface/stlink.cfg", b.openocd_interface);
}
