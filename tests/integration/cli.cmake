# End-to-end tests of the rramprof CLI: the real rramprof binary against the
# real sim board (exec, TCP, Unix socket, pty), signals, faults, info on
# damaged files, the demo; and, under umockdev, serial ports through
# libserialport and USB through libusb. One ctest entry per CppUTest group.
# A device that goes away right after a periodic Counters (CliFaults).
add_executable(rp_frame_cut ${CMAKE_CURRENT_LIST_DIR}/frame_cut.c)
target_link_libraries(rp_frame_cut PRIVATE rp_wire)
# A device that resets where the sim board cannot (CliFaults).
add_executable(rp_reset_device ${CMAKE_CURRENT_LIST_DIR}/reset_device.c)
target_link_libraries(rp_reset_device PRIVATE rp_wire)

add_executable(test_cli
  ${CMAKE_CURRENT_LIST_DIR}/cli_proc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_cli.cpp)
target_include_directories(test_cli PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_cli PRIVATE rp_profiler rp_wire rp_proto rp_test_main util)
target_compile_definitions(test_cli PRIVATE
  RP_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}"
  RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>"
  RP_FRAME_CUT_BIN="$<TARGET_FILE:rp_frame_cut>"
  RP_RESET_DEVICE_BIN="$<TARGET_FILE:rp_reset_device>")
add_dependencies(test_cli rramprof rramprof-sim rp_frame_cut rp_reset_device)

foreach(group CliUsage CliCapture CliSignals CliFaults CliInfo CliDemo)
  add_test(NAME integration.cli.${group} COMMAND test_cli -c -g ${group})
  set_tests_properties(integration.cli.${group} PROPERTIES TIMEOUT 300)
endforeach()

# Emulated hardware (umockdev): libserialport and libusb for real.
pkg_check_modules(UMOCKDEV IMPORTED_TARGET umockdev-1.0)
if(UMOCKDEV_FOUND)
  # Preloaded into rramprof: answers modem-control ioctls on ptys. Built
  # without sanitizers, it must load before the sanitizer runtime.
  add_library(rp_modem_shim MODULE ${CMAKE_CURRENT_LIST_DIR}/umockdev/rp_modem_shim.c)
  target_compile_options(rp_modem_shim PRIVATE -fno-sanitize=all)
  target_link_options(rp_modem_shim PRIVATE -fno-sanitize=all)
  target_link_libraries(rp_modem_shim PRIVATE dl)
  set_target_properties(rp_modem_shim PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)

  add_executable(test_cli_umockdev
    ${CMAKE_CURRENT_LIST_DIR}/cli_proc.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp
    ${CMAKE_CURRENT_LIST_DIR}/umockdev/mock_board.cpp
    ${CMAKE_CURRENT_LIST_DIR}/umockdev/test_cli_umockdev.cpp)
  target_include_directories(test_cli_umockdev PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(test_cli_umockdev PRIVATE rp_profiler rp_wire rp_proto rp_test_main PkgConfig::UMOCKDEV)
  target_compile_definitions(test_cli_umockdev PRIVATE
    RP_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}"
    RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>"
    RP_MODEM_SHIM="$<TARGET_FILE:rp_modem_shim>")
  add_dependencies(test_cli_umockdev rramprof rramprof-sim rp_modem_shim)
  foreach(group UmockdevSerial UmockdevUsb UmockdevBoth)
    add_test(NAME integration.cli.${group} COMMAND test_cli_umockdev -c -g ${group})
    set_tests_properties(integration.cli.${group} PROPERTIES TIMEOUT 300)
  endforeach()
else()
  message(WARNING "umockdev-1.0 not found: the serial/USB CLI tests are not registered (scripts/setup installs it)")
endif()
