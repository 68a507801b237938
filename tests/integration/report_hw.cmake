# Hardware counters in `rramprof report` / `rramprof info` on a sim-board
# capture and, with the QEMU tools, on the mps2-an386 firmware: neither has
# any, so every output says "not available on this board". Needs python3
# for summary.json, like report.cmake.
find_program(RP_PYTHON3 python3)
if(NOT RP_PYTHON3)
  message(WARNING "python3 not found: integration.report_hw is not registered")
  return()
endif()

add_executable(test_report_hw
  ${CMAKE_CURRENT_LIST_DIR}/cli_proc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_report_hw.cpp)
target_include_directories(test_report_hw PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_report_hw PRIVATE rp_profiler rp_wire rp_proto rp_test_main util)
target_compile_definitions(test_report_hw PRIVATE
  RP_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}"
  RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>"
  RP_REPORT_CHECK="${CMAKE_CURRENT_LIST_DIR}/report_check.py"
  RP_PYTHON3="${RP_PYTHON3}")
add_dependencies(test_report_hw rramprof rramprof-sim)
add_test(NAME integration.report_hw.sim COMMAND test_report_hw -c -g ReportHwSim)
set_tests_properties(integration.report_hw.sim PROPERTIES TIMEOUT 300)

# The Cortex-M firmware under QEMU, when tests/integration/qemu.cmake
# cross-builds it (qemu-system-arm and arm-none-eabi-gcc installed).
if(TARGET rp_fw_qemu-mps2-an386)
  target_compile_definitions(test_report_hw PRIVATE
    RP_QEMU_AN386_DIR="${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386/bin")
  add_dependencies(test_report_hw rp_fw_qemu-mps2-an386)
  add_test(NAME integration.report_hw.qemu_an386 COMMAND test_report_hw -c -g ReportHwQemu)
  set_tests_properties(integration.report_hw.qemu_an386 PROPERTIES TIMEOUT 300)
endif()
