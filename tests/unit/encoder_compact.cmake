# The wire layer with the compact EventBatch encoder (rp_encoder_compact.c)
# as a flash-short Cortex-M board builds it: the encoder conformance suite
# runs unchanged against it, decoding every batch with protobuf-c.
get_target_property(rp_wire_sources rp_wire SOURCES)
list(TRANSFORM rp_wire_sources PREPEND ${CMAKE_SOURCE_DIR}/firmware/)
add_library(rp_wire_compact STATIC ${rp_wire_sources})
target_include_directories(rp_wire_compact PUBLIC
  ${CMAKE_SOURCE_DIR}/firmware/include ${CMAKE_SOURCE_DIR}/hal/include)
target_compile_definitions(rp_wire_compact PUBLIC RP_CONFIG_SMALL=1 RP_CONFIG_COMPACT_ENCODER=1)
rp_add_unit_test(encoder_conformance_compact
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_encoder_conformance.cpp
  LIBS rp_wire_compact rp_proto)

# The device loop over the compact encoder: rp_device.c without a sizing
# pass bisects batches that do not fit a frame. The encoder is linked as an
# object of the test, so it (not rp_wire's full encoder) serves the core.
rp_add_firmware_core(rp_core_compact ${CMAKE_SOURCE_DIR}/tests/fakes/port
  RP_CONFIG_COMPACT_ENCODER=1)
target_link_libraries(rp_core_compact PUBLIC rp_fake_hal)
rp_add_unit_test(device_compact
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_device.cpp ${CMAKE_SOURCE_DIR}/tests/mocks/mock_workload.c
          ${CMAKE_SOURCE_DIR}/firmware/src/rp_encoder_compact.c
  LIBS rp_core_compact rp_proto rp_profiler)
target_include_directories(test_device_compact PRIVATE ${CMAKE_SOURCE_DIR}/tests/mocks)
