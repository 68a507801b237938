# Firmware core (helper "core"): ring, recorder, spans, recorded HAL
# wrappers, write-verify and the device loop, built over the fake port
# (tests/fakes/port) and the fake HAL (tests/fakes/fake_hal.c).

add_library(rp_fake_hal STATIC ${CMAKE_SOURCE_DIR}/tests/fakes/fake_hal.c)
target_include_directories(rp_fake_hal PUBLIC
  ${CMAKE_SOURCE_DIR}/tests/fakes
  ${CMAKE_SOURCE_DIR}/tests/fakes/port)
target_link_libraries(rp_fake_hal PUBLIC rp_wire)

rp_add_firmware_core(rp_core_test ${CMAKE_SOURCE_DIR}/tests/fakes/port)
target_link_libraries(rp_core_test PUBLIC rp_fake_hal)

rp_add_unit_test(ring SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ring.cpp LIBS rp_core_test)
rp_add_unit_test(recorder SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_recorder.cpp LIBS rp_core_test)
rp_add_unit_test(salvage SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_salvage.cpp LIBS rp_core_test)
rp_add_unit_test(span SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_span.cpp LIBS rp_core_test)
rp_add_unit_test(xbar SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_xbar.cpp LIBS rp_core_test)
rp_add_unit_test(wv SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_wv.cpp LIBS rp_core_test)

# The device loop runs over mock workloads (tests/mocks): linking them keeps
# firmware/src/rp_workload.c out, so the loop is tested on its own. Output is
# checked with the protobuf-c code generated from the schema.
rp_add_unit_test(device
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_device.cpp ${CMAKE_SOURCE_DIR}/tests/mocks/mock_workload.c
  LIBS rp_core_test rp_proto rp_profiler)
target_include_directories(test_device PRIVATE ${CMAKE_SOURCE_DIR}/tests/mocks)

# Compile-time off switch: the whole core and the test built with
# RRAMPROF_ENABLED=0 ...
rp_add_firmware_core(rp_core_off ${CMAKE_SOURCE_DIR}/tests/fakes/port RRAMPROF_ENABLED=0)
target_link_libraries(rp_core_off PUBLIC rp_fake_hal)
rp_add_unit_test(core_off SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_core_off.cpp LIBS rp_core_off)

# ... and a symbol check: instrumented code compiled with the switch off
# references no span function, while the same code with it on does.
foreach(state on off)
  add_library(rp_span_use_${state} OBJECT ${CMAKE_CURRENT_LIST_DIR}/span_use.c)
  target_link_libraries(rp_span_use_${state} PRIVATE rp_wire)
endforeach()
target_compile_definitions(rp_span_use_on PRIVATE RRAMPROF_ENABLED=1)
target_compile_definitions(rp_span_use_off PRIVATE RRAMPROF_ENABLED=0)
add_test(NAME unit.core_off_symbols
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/check_no_span_symbols.sh ${CMAKE_NM}
          $<TARGET_OBJECTS:rp_span_use_on> $<TARGET_OBJECTS:rp_span_use_off>)
