# `rramprof capture --board NAME [--firmware ELF]` (tests/integration/
# qemu_board/). The CLI part (board list, usage and QEMU errors, the sim
# board) needs no emulator and always runs. The QEMU part runs when
# qemu-system-arm and arm-none-eabi-gcc exist, as tests/integration/
# qemu.cmake decides; the images come from its ExternalProject
# rp_fw_qemu-mps2-an386 (fw-qemu-mps2-an386/bin): the normal image for the
# host-driven capture and the -test-<workload> images for the determinism
# check.
add_test(NAME integration.qemu_board.cli
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qemu_board/board_cli.sh $<TARGET_FILE:rramprof>)
set_tests_properties(integration.qemu_board.cli PROPERTIES TIMEOUT 60)

if(NOT RRAMPROF_QEMU_TESTS)
  return()
endif()
find_program(RP_QEMU_ARM qemu-system-arm)
find_program(RP_ARM_GCC arm-none-eabi-gcc)
if(NOT RP_QEMU_ARM OR NOT RP_ARM_GCC)
  return()
endif()

# Each image names its board; the other board refuses it.
add_test(NAME integration.qemu_board.images
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qemu_board/board_images.sh $<TARGET_FILE:rramprof>
                 ${CMAKE_BINARY_DIR})
set_tests_properties(integration.qemu_board.images PROPERTIES TIMEOUT 60)

# The STM32F4 drivers end to end through `capture --board` as well.
add_test(NAME integration.qemu_board.netduinoplus2.program
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qemu_board/board_capture.sh $<TARGET_FILE:rramprof>
                 ${CMAKE_BINARY_DIR}/fw-netduinoplus2/bin program 1500 netduinoplus2 0)
set_tests_properties(integration.qemu_board.netduinoplus2.program PROPERTIES TIMEOUT 120)

foreach(workload program mlp scan solver)
  add_test(NAME integration.qemu_board.an386.${workload}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qemu_board/board_capture.sh $<TARGET_FILE:rramprof>
                   ${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386/bin ${workload} 3000)
  # Three QEMU runs of a few seconds each.
  set_tests_properties(integration.qemu_board.an386.${workload} PROPERTIES TIMEOUT 120)
endforeach()
