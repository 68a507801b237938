# Integration test of the Cortex-M firmware under QEMU (mps2-an386). Only
# when qemu-system-arm and arm-none-eabi-gcc are installed: the host build
# then cross-builds the boards' -test-<workload> images into
# ${CMAKE_BINARY_DIR}/fw-<board> as ExternalProjects, with the toolchain
# file, and test_qemu_integration runs them (tests/integration/qemu/).
option(RRAMPROF_QEMU_TESTS "Cross-build the QEMU boards and test them (needs the tools)" ON)
if(NOT RRAMPROF_QEMU_TESTS)
  return()
endif()
find_program(RP_QEMU_ARM qemu-system-arm)
find_program(RP_ARM_GCC arm-none-eabi-gcc)
if(NOT RP_QEMU_ARM OR NOT RP_ARM_GCC)
  message(STATUS "qemu-system-arm or arm-none-eabi-gcc not found: no QEMU integration test")
  return()
endif()

include(ExternalProject)
# Events per test run: the netduinoplus2 image spins through every modelled
# operation (see boards/netduinoplus2), so it gets fewer to stay in time.
set(RP_QEMU_AN386_EVENTS 3000)
set(RP_QEMU_NETDUINO_EVENTS 1500)
#   rp_qemu_firmware(<board> <events> <workloads...>): cross-builds
#   boards/<board> with a -test-<workload> image per workload into
#   fw-<board>/bin, each stopping after <events> events.
function(rp_qemu_firmware board events)
  string(REPLACE ";" "|" workloads "${ARGN}")
  ExternalProject_Add(rp_fw_${board}
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/fw-${board}
    CMAKE_ARGS -DRRAMPROF_BOARD=${board}
               -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/arm-none-eabi.cmake
               -DRRAMPROF_FW_TEST_EVENTS=${events}
               -DRRAMPROF_FW_TEST_WORKLOADS=${workloads}
    LIST_SEPARATOR |
    BUILD_COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR}/fw-${board}
    INSTALL_COMMAND ""
    # The sources are this tree: let the firmware build decide what changed.
    BUILD_ALWAYS ON)
endfunction()
rp_qemu_firmware(qemu-mps2-an386 ${RP_QEMU_AN386_EVENTS} program mlp scan solver)
rp_qemu_firmware(netduinoplus2 ${RP_QEMU_NETDUINO_EVENTS} program mlp)

# The smallest recorder core (compact EventBatch encoder, 4-bit CRC table;
# docs/porting.md): its own images in fw-qemu-mps2-an386-min, run end to
# end like the default ones, and its linked footprint held to the 4 KB
# target (scripts/core_footprint.sh).
ExternalProject_Add(rp_fw_qemu-mps2-an386-min
  SOURCE_DIR ${CMAKE_SOURCE_DIR}
  BINARY_DIR ${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386-min
  CMAKE_ARGS -DRRAMPROF_BOARD=qemu-mps2-an386
             -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/arm-none-eabi.cmake
             -DRRAMPROF_FW_COMPACT_ENCODER=ON -DRRAMPROF_FW_CRC_BITS=4
             -DRRAMPROF_FW_TEST_EVENTS=${RP_QEMU_AN386_EVENTS}
             -DRRAMPROF_FW_TEST_WORKLOADS=program|mlp
  LIST_SEPARATOR |
  BUILD_COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386-min
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON)
add_test(NAME integration.footprint.an386_min
         COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/core_footprint.sh
                 ${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386-min/bin/rramprof-qemu-mps2-an386.map 4096)

add_executable(test_qemu_integration
  ${CMAKE_CURRENT_LIST_DIR}/qemu/test_qemu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp)
target_include_directories(test_qemu_integration PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_qemu_integration PRIVATE rp_profiler rp_wire rp_proto rp_test_main)
target_compile_definitions(test_qemu_integration PRIVATE
  RP_QEMU_BIN="${RP_QEMU_ARM}"
  RP_QEMU_AN386_DIR="${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386/bin"
  RP_QEMU_NETDUINO_DIR="${CMAKE_BINARY_DIR}/fw-netduinoplus2/bin"
  RP_QEMU_AN386_MIN_DIR="${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386-min/bin"
  RP_QEMU_AN386_EVENTS=${RP_QEMU_AN386_EVENTS}u
  RP_QEMU_NETDUINO_EVENTS=${RP_QEMU_NETDUINO_EVENTS}u
  # sim_harness.cpp also starts the sim board; these tests never do.
  RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>")
add_dependencies(test_qemu_integration rp_fw_qemu-mps2-an386 rp_fw_netduinoplus2
                 rp_fw_qemu-mps2-an386-min)

# mlp takes about 40 s on two CPUs with nothing else running (two QEMU
# runs); 120 s leaves room for a machine that is busy with other tests.
foreach(workload program mlp scan solver)
  add_test(NAME integration.qemu.an386.${workload}
           COMMAND test_qemu_integration -c -g QemuAn386 -n ${workload})
  set_tests_properties(integration.qemu.an386.${workload} PROPERTIES TIMEOUT 120)
endforeach()
add_test(NAME integration.qemu.an386.encoder_selftest
         COMMAND test_qemu_integration -c -g QemuAn386 -n encoder_selftest)
set_tests_properties(integration.qemu.an386.encoder_selftest PROPERTIES TIMEOUT 60)
foreach(workload program mlp)
  add_test(NAME integration.qemu.an386_min.${workload}
           COMMAND test_qemu_integration -c -g QemuAn386Min -n ${workload})
  set_tests_properties(integration.qemu.an386_min.${workload} PROPERTIES TIMEOUT 60)
endforeach()
foreach(workload program mlp)
  add_test(NAME integration.qemu.netduinoplus2.${workload}
           COMMAND test_qemu_integration -c -g QemuNetduino -n ${workload})
  set_tests_properties(integration.qemu.netduinoplus2.${workload} PROPERTIES TIMEOUT 60)
endforeach()

# The host CLI end to end: capture from the normal (host-driven) image.
add_test(NAME integration.qemu.an386.capture_cli
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qemu/capture_cli.sh ${RP_QEMU_ARM}
                 ${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386/bin/rramprof-qemu-mps2-an386.elf
                 $<TARGET_FILE:rramprof> 2000)
set_tests_properties(integration.qemu.an386.capture_cli PROPERTIES TIMEOUT 60)

# Reset causes in the Hello, `info` and the report: a power-on, a reset
# through QEMU's monitor during a capture, and a boot after a HardFault
# (its .noinit record put in place by QEMU's loader device; the address of
# rp_cm_last_fatal from the ELF's symbols).
find_program(RP_ARM_NM arm-none-eabi-nm)
find_program(RP_QEMU_PYTHON3 python3)
if(RP_ARM_NM AND RP_QEMU_PYTHON3)
  add_test(NAME integration.qemu.an386.reset_cause
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qemu/reset_cause.sh ${RP_QEMU_ARM}
                   ${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386/bin/rramprof-qemu-mps2-an386.elf
                   $<TARGET_FILE:rramprof> ${RP_ARM_NM})
  set_tests_properties(integration.qemu.an386.reset_cause PROPERTIES TIMEOUT 120)
else()
  message(WARNING "arm-none-eabi-nm or python3 not found: integration.qemu.an386.reset_cause is not registered")
endif()
