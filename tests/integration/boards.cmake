# Real-board ports build in CI (no board attached): each is cross-built as
# an ExternalProject into ${CMAKE_BINARY_DIR}/fw-<board>, and
# integration.build.<board> checks its images and size report
# (tests/integration/boards/board_build.sh). Needs arm-none-eabi-gcc only.
option(RRAMPROF_BOARD_BUILDS "Cross-build the real-board ports and check them" ON)
find_program(RP_ARM_GCC arm-none-eabi-gcc)
find_program(RP_ARM_SIZE arm-none-eabi-size)
if(NOT RRAMPROF_BOARD_BUILDS OR NOT RP_ARM_GCC OR NOT RP_ARM_SIZE)
  message(STATUS "arm-none-eabi-gcc not found: the real-board ports are not built")
  return()
endif()
include(ExternalProject)

#   rp_board_build(<board> <ram bytes>): the board's normal image, as a user
#   would build it (-Os, the default), then the check against its flash
#   (board.conf flash_size) and RAM.
function(rp_board_build board ram)
  ExternalProject_Add(rp_fw_build_${board}
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/fw-${board}
    CMAKE_ARGS -DRRAMPROF_BOARD=${board}
               -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/arm-none-eabi.cmake
    BUILD_COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR}/fw-${board}
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON)
  add_test(NAME integration.build.${board}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/boards/board_build.sh $<TARGET_FILE:rramprof>
                   ${RP_ARM_SIZE} ${CMAKE_BINARY_DIR}/fw-${board}/bin ${board} ${ram})
  set_tests_properties(integration.build.${board} PROPERTIES TIMEOUT 60)
endfunction()
rp_board_build(nucleo-f446re 131072)
