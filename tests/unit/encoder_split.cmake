# The encoder as 32-bit cores build it: the quick summary in a loop of its
# own rather than inside the gaps loop (RP_ENCODER_FUSED_QUICK=0, see
# rp_encoder.c). The conformance suite runs against it unchanged.
add_library(rp_wire_split STATIC
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_status.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_crc32.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_frame.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_pbwire.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_encoder.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_messages.c
  ${CMAKE_SOURCE_DIR}/firmware/src/rp_command.c)
target_include_directories(rp_wire_split PUBLIC
  ${CMAKE_SOURCE_DIR}/firmware/include ${CMAKE_SOURCE_DIR}/hal/include)
target_compile_definitions(rp_wire_split PRIVATE RP_ENCODER_FUSED_QUICK=0)
rp_add_unit_test(encoder_conformance_split
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_encoder_conformance.cpp
  LIBS rp_wire_split rp_proto)
