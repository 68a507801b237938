# `rramprof report` / `rramprof export`: SHA-256, the writers, the CLI on
# sim-board captures, bad inputs, the demo. Outputs are checked by
# report_check.py (python3). The HTML rendering test needs Chromium: when
# no chromium is found at configure time the ReportHtml group is not built
# (a configure warning says so) rather than reported as passed.
find_program(RP_PYTHON3 python3)
find_program(RP_SHA256SUM sha256sum)
find_program(RP_CHROMIUM_BIN NAMES chromium chromium-browser google-chrome)

if(NOT RP_PYTHON3 OR NOT RP_SHA256SUM)
  message(WARNING "python3 or sha256sum not found: the report tests are not registered")
  return()
endif()

add_executable(test_report
  ${CMAKE_CURRENT_LIST_DIR}/cli_proc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_report.cpp)
target_include_directories(test_report PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_report PRIVATE rp_report rp_analyzer rp_profiler rp_wire rp_proto rp_test_main util)
target_compile_definitions(test_report PRIVATE
  RP_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}"
  RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>"
  RP_REPORT_CHECK="${CMAKE_CURRENT_LIST_DIR}/report_check.py"
  RP_PYTHON3="${RP_PYTHON3}"
  RP_SHA256SUM="${RP_SHA256SUM}")
add_dependencies(test_report rramprof rramprof-sim)

set(rp_report_groups ReportSha ReportWriters ReportCli ReportExport ReportBadInput ReportDemo)
if(RP_CHROMIUM_BIN)
  target_compile_definitions(test_report PRIVATE RP_CHROMIUM="${RP_CHROMIUM_BIN}")
  list(APPEND rp_report_groups ReportHtml)
else()
  message(WARNING "chromium not found: the report.html rendering test (ReportHtml) is not built")
endif()
foreach(group ${rp_report_groups})
  add_test(NAME integration.report.${group} COMMAND test_report -c -g ${group})
  set_tests_properties(integration.report.${group} PROPERTIES TIMEOUT 300)
endforeach()
