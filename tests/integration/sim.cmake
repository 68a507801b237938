# Integration tests of the sim board process: they run the real
# rramprof-sim binary and check its stream with rp_deframer and protobuf-c.
# One ctest entry per CppUTest group so they run in parallel and each stays
# well inside its timeout.
add_executable(test_sim_integration
  ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim_checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_sim_stream.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_sim_link.cpp)
target_include_directories(test_sim_integration PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_sim_integration PRIVATE rp_profiler rp_wire rp_proto rp_test_main)
target_compile_definitions(test_sim_integration PRIVATE
  RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>"
  RP_WIRE_SIZE_BIN="$<TARGET_FILE:rp_wire_size>"
  RP_PROTOC="${PROTOC}"
  RP_PROTO_DIR="${CMAKE_SOURCE_DIR}/proto")
add_dependencies(test_sim_integration rramprof-sim rp_wire_size)

set(RP_SIM_TEST_GROUPS SimStream SimSlowLink SimCommands SimFlags SimLinks SimWireSize)
if(PROTOC)
  list(APPEND RP_SIM_TEST_GROUPS SimProtoc)
else()
  message(WARNING "protoc not found: integration.sim.SimProtoc is not registered")
endif()
foreach(group ${RP_SIM_TEST_GROUPS})
  add_test(NAME integration.sim.${group} COMMAND test_sim_integration -c -g ${group})
  set_tests_properties(integration.sim.${group} PROPERTIES TIMEOUT 300)
endforeach()
