# The RP_CONFIG_SMALL variant of the CRC and the framing, as Cortex-M boards
# build it (no slicing tables, no COBS link table): the framing suite runs
# against it unchanged (round trips and byte-exact frames), and a CRC suite
# checks the byte-table path against the bitwise reference.
add_library(rp_wire_small STATIC
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_status.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_crc32.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_frame.c)
target_include_directories(rp_wire_small PUBLIC
  ${CMAKE_SOURCE_DIR}/firmware/include ${CMAKE_SOURCE_DIR}/hal/include)
target_compile_definitions(rp_wire_small PUBLIC RP_CONFIG_SMALL=1)
rp_add_unit_test(frame_small SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_frame.cpp LIBS rp_wire_small)
rp_add_unit_test(crc32_small SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_crc32_small.cpp
  LIBS rp_wire_small)
