# Wire layer (firmware/src: status, CRC, framing, protobuf primitives,
# encoder, command parser). The encoder and command suites cross-check
# against the protobuf-c code generated from proto/rramprof.proto.
rp_add_unit_test(crc32 SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_crc32.cpp LIBS rp_wire)
rp_add_unit_test(frame SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_frame.cpp LIBS rp_wire)
rp_add_unit_test(pbwire SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_pbwire.cpp LIBS rp_wire)
rp_add_unit_test(encoder_conformance
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_encoder_conformance.cpp
  LIBS rp_wire rp_proto)
rp_add_unit_test(command
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_command.cpp ${CMAKE_CURRENT_LIST_DIR}/command_check.c
  LIBS rp_wire rp_proto rp_profiler)
