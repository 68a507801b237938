# The RP_CONFIG_SMALL variant of the CRC and the framing, as Cortex-M boards
# build it (no slicing tables, no COBS link table), once per CRC table
# (RP_CONFIG_CRC_BITS: 8 = the 256-entry byte table, the default; 4 = the
# 16-entry nibble table): the framing suite runs against each unchanged
# (round trips and byte-exact frames), and a CRC suite checks each table
# path against the bitwise reference.
foreach(bits 4 8)
  add_library(rp_wire_small${bits} STATIC
    ${CMAKE_SOURCE_DIR}/firmware/src/rp_status.c
    ${CMAKE_SOURCE_DIR}/firmware/src/rp_crc32.c
    ${CMAKE_SOURCE_DIR}/firmware/src/rp_frame.c)
  target_include_directories(rp_wire_small${bits} PUBLIC
    ${CMAKE_SOURCE_DIR}/firmware/include ${CMAKE_SOURCE_DIR}/hal/include)
  target_compile_definitions(rp_wire_small${bits} PUBLIC
    RP_CONFIG_SMALL=1 RP_CONFIG_CRC_BITS=${bits})
  rp_add_unit_test(frame_small_crc${bits} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_frame.cpp
    LIBS rp_wire_small${bits})
  rp_add_unit_test(crc32_small_crc${bits} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_crc32_small.cpp
    LIBS rp_wire_small${bits})
  target_compile_definitions(test_crc32_small_crc${bits} PRIVATE RP_TEST_CRC_BITS=${bits})
endforeach()
