# Sourced by the shell tests: a minimal linked ARM ELF image.

# mini_elf PATH ADDR [RESET]: a linked 32-bit ARM ELF whose one segment (8 bytes,
# an initial SP and a reset vector) loads at ADDR (octal escapes of its
# four little-endian bytes, e.g. '\000\000\000\010' for 0x08000000).
# RESET (the same escapes) is the reset vector, default 0x00000009.
mini_elf() {
    {
        printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000'   # 32-bit, LE
        printf '\002\000\050\000\001\000\000\000'                         # EXEC, ARM, v1
        printf '\011\000\000\000\064\000\000\000\000\000\000\000'     # entry, phoff 52, shoff 0
        printf '\000\000\000\000\064\000\040\000\001\000\000\000\000\000\000\000'
        printf '\001\000\000\000\124\000\000\000'                         # PT_LOAD at offset 84
        printf "$2$2"                                                   # vaddr, paddr
        printf '\010\000\000\000\010\000\000\000\005\000\000\000\004\000\000\000'
        printf '\000\000\100\040'                                         # SP
        printf "${3:-\\011\\000\\000\\000}"                                  # reset (Thumb bit set)
    } >"$1"
}
