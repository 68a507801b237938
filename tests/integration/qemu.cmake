# Integration test of the Cortex-M firmware under QEMU (mps2-an386). Only
# when qemu-system-arm and arm-none-eabi-gcc are installed: the host build
# then cross-builds the board's -test-<workload> images into
# ${CMAKE_BINARY_DIR}/fw-an386 as an ExternalProject, with the toolchain
# file, and test_qemu_integration runs them (tests/integration/qemu/).
find_program(RP_QEMU_ARM qemu-system-arm)
find_program(RP_ARM_GCC arm-none-eabi-gcc)
if(NOT RP_QEMU_ARM OR NOT RP_ARM_GCC)
  message(STATUS "qemu-system-arm or arm-none-eabi-gcc not found: no QEMU integration test")
  return()
endif()

include(ExternalProject)
set(RP_QEMU_FW_DIR ${CMAKE_BINARY_DIR}/fw-an386)
set(RP_QEMU_TEST_EVENTS 3000)
ExternalProject_Add(rp_fw_an386
  SOURCE_DIR ${CMAKE_SOURCE_DIR}
  BINARY_DIR ${RP_QEMU_FW_DIR}
  CMAKE_ARGS -DRRAMPROF_BOARD=qemu-mps2-an386
             -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/arm-none-eabi.cmake
             -DRRAMPROF_FW_TEST_EVENTS=${RP_QEMU_TEST_EVENTS}
             -DRRAMPROF_FW_TEST_WORKLOADS=program|mlp|scan|solver
  LIST_SEPARATOR |
  BUILD_COMMAND ${CMAKE_COMMAND} --build ${RP_QEMU_FW_DIR}
  INSTALL_COMMAND ""
  # The sources are this tree: let the firmware build decide what changed.
  BUILD_ALWAYS ON)

add_executable(test_qemu_integration
  ${CMAKE_CURRENT_LIST_DIR}/qemu/test_qemu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp)
target_include_directories(test_qemu_integration PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_qemu_integration PRIVATE rp_wire rp_proto rp_test_main)
target_compile_definitions(test_qemu_integration PRIVATE
  RP_QEMU_BIN="${RP_QEMU_ARM}"
  RP_QEMU_FW_DIR="${RP_QEMU_FW_DIR}/bin"
  RP_FW_TEST_EVENTS=${RP_QEMU_TEST_EVENTS}u
  # sim_harness.cpp also starts the sim board; these tests never do.
  RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>")
add_dependencies(test_qemu_integration rp_fw_an386)

foreach(workload program mlp scan solver)
  add_test(NAME integration.qemu.an386.${workload}
           COMMAND test_qemu_integration -c -g QemuAn386 -n ${workload})
  set_tests_properties(integration.qemu.an386.${workload} PROPERTIES TIMEOUT 60)
endforeach()
