# Hardware event counters (issue: real firmware), end to end:
#  - hw_counters_device: the core over the fake port (tests/fakes): Hello
#    bits, Counters filled by the port hook, 8-bit wraps accumulated;
#  - hw_counters_report: the report's derivation (instructions, CPI,
#    shares) with hand numbers, and every writer's "Hardware counters"
#    section with and without counters.
# The sim capture end to end is tests/integration/report_hw.cmake.
rp_add_unit_test(hw_counters_device
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hw_counters_device.cpp
          ${CMAKE_SOURCE_DIR}/tests/mocks/mock_workload.c
  LIBS rp_core_test rp_proto rp_profiler)
target_include_directories(test_hw_counters_device PRIVATE ${CMAKE_SOURCE_DIR}/tests/mocks)

rp_add_unit_test(hw_counters_report
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hw_counters_report.cpp
  LIBS rp_report)
