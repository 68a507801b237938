# Building blocks of a Cortex-M board (included by boards/<board>/CMakeLists.txt
# after it set RP_FW_CPU_FLAGS). Requires cmake/arm-none-eabi.cmake.
#
#   rp_cm_board(<board>
#     PORT_DIR <dir with rp_port.h>
#     LINKER_SCRIPT <file.ld>
#     SOURCES <board sources...>
#     [DEFINES <compile definitions for every firmware target...>]
#     [BENCH]                        also rramprof-<board>-bench (rp_cm_bench.c)
#     [SELFTEST])                    also rramprof-<board>-selftest
#                                    (rp_cm_selftest.c; full encoder only)
#
# makes, for that board: rp_core_<board> (firmware core), rp_cm_<board>
# (shared Cortex-M code: startup, clock, UART link, identity, crossbar
# model binding) and the image rramprof-<board>.elf/.bin/.hex, plus
# rramprof-<board>-test-<workload> for each of RRAMPROF_FW_TEST_WORKLOADS:
# the same image built with the test settings of rp_cm_main.c (autostart
# with that workload, RRAMPROF_FW_TEST_EVENTS events, exit through
# semihosting when everything is sent).
include(${CMAKE_SOURCE_DIR}/cmake/firmware_image.cmake)

set(RP_CM_DIR ${CMAKE_SOURCE_DIR}/boards/common)
set(RP_XMODEL_DIR ${CMAKE_SOURCE_DIR}/hal/sim_xbar)

# Flash over speed for the shared wire code (RP_CONFIG_SMALL in rp_config.h:
# byte-table CRC, computed COBS links); same bytes on the wire.
option(RRAMPROF_FW_SMALL "Cortex-M firmware: smaller CRC and framing (RP_CONFIG_SMALL)" ON)
# 4.5 KB less flash for several times the drain's instructions per event
# (the compact EventBatch encoder, RP_CONFIG_COMPACT_ENCODER,
# rp_encoder_compact.c); same wire format. With RRAMPROF_FW_CRC_BITS=4 the
# recorder core fits in 4 KB (docs/benchmarks.md).
option(RRAMPROF_FW_COMPACT_ENCODER "Cortex-M firmware: compact EventBatch encoder" OFF)
# CRC-32 table of the small build (RP_CONFIG_CRC_BITS): 8 = 1 KiB byte
# table; 4 = 64 B nibble table, about 7 more instructions per framed byte.
set(RRAMPROF_FW_CRC_BITS 8 CACHE STRING "Cortex-M firmware: CRC-32 table bits (4 or 8)")

# Events the -test image records before it stops and exits.
set(RRAMPROF_FW_TEST_EVENTS 3000 CACHE STRING "Event limit of the -test firmware images")
set(RRAMPROF_FW_TEST_WORKLOADS "program;mlp;scan;solver" CACHE STRING
    "Workloads that get a -test-<workload> image (empty: none)")

function(rp_cm_board board)
  cmake_parse_arguments(B "BENCH;SELFTEST" "PORT_DIR;LINKER_SCRIPT" "SOURCES;DEFINES" ${ARGN})

  if(RRAMPROF_FW_SMALL)
    target_compile_definitions(rp_wire PUBLIC RP_CONFIG_SMALL=1
      RP_CONFIG_CRC_BITS=${RRAMPROF_FW_CRC_BITS})
  endif()
  if(RRAMPROF_FW_COMPACT_ENCODER)
    target_compile_definitions(rp_wire PUBLIC RP_CONFIG_COMPACT_ENCODER=1)
  endif()
  rp_add_firmware_core(rp_core_${board} ${B_PORT_DIR} ${B_DEFINES})
  # The port header includes the shared Cortex-M part.
  target_include_directories(rp_core_${board} PUBLIC ${RP_CM_DIR}/cortexm)

  # The simulated crossbar model, compiled for the MCU (caller-memory
  # create, no heap).
  add_library(rp_xmodel_${board} STATIC
    ${RP_XMODEL_DIR}/src/rp_xmodel.c
    ${RP_XMODEL_DIR}/src/rp_xparams.c)
  target_include_directories(rp_xmodel_${board} PUBLIC ${RP_XMODEL_DIR}/include)
  target_link_libraries(rp_xmodel_${board} PUBLIC rp_wire)
  target_compile_definitions(rp_xmodel_${board} PRIVATE RP_XMODEL_NO_MESSAGES)

  add_library(rp_cm_${board} STATIC
    ${RP_CM_DIR}/cortexm/rp_cm_startup.c
    ${RP_CM_DIR}/cortexm/rp_cm_clock.c
    ${RP_CM_DIR}/cortexm/rp_cm_link.c
    ${RP_CM_DIR}/cortexm/rp_cm_board.c
    ${RP_CM_DIR}/cortexm/rp_cm_text.c
    ${RP_CM_DIR}/xbar/rp_cm_xbar.c)
  target_include_directories(rp_cm_${board} PUBLIC
    ${RP_CM_DIR}/cortexm ${RP_CM_DIR}/xbar ${B_PORT_DIR})
  target_link_libraries(rp_cm_${board} PUBLIC rp_xmodel_${board} rp_wire)
  target_compile_definitions(rp_cm_${board} PRIVATE
    RRAMPROF_VERSION="${RRAMPROF_VERSION_STRING}" RP_CM_BOARD_NAME="${board}" ${B_DEFINES})

  rp_fw_cpu_flags(rp_wire rp_core_${board} rp_xmodel_${board} rp_cm_${board})

  # The image, then one -test-<workload> image per test workload.
  set(variants "")
  foreach(wl IN LISTS RRAMPROF_FW_TEST_WORKLOADS)
    list(APPEND variants "-test-${wl}")
  endforeach()
  if(B_BENCH)
    list(APPEND variants "-bench")
  endif()
  if(B_SELFTEST AND NOT RRAMPROF_FW_COMPACT_ENCODER)
    list(APPEND variants "-selftest")
    # The encoder again, its C form (no Thumb-2 loop) under other names,
    # for the self-test to compare with.
    add_library(rp_encoder_ref_${board} OBJECT
      ${CMAKE_SOURCE_DIR}/firmware/src/rp_encoder.c)
    target_link_libraries(rp_encoder_ref_${board} PRIVATE rp_wire)
    target_compile_definitions(rp_encoder_ref_${board} PRIVATE RP_ENCODER_NO_ASM
      rp_encode_batch=rp_ref_encode_batch rp_encode_batch_fit=rp_ref_encode_batch_fit)
    rp_fw_cpu_flags(rp_encoder_ref_${board})
    # The framing likewise (its word loop).
    add_library(rp_frame_ref_${board} OBJECT ${CMAKE_SOURCE_DIR}/firmware/src/rp_frame.c)
    target_link_libraries(rp_frame_ref_${board} PRIVATE rp_wire)
    target_compile_definitions(rp_frame_ref_${board} PRIVATE RP_FRAME_NO_ASM
      rp_frame_encode=rp_ref_frame_encode rp_deframer_init=rp_ref_deframer_init
      rp_deframer_feed=rp_ref_deframer_feed)
    rp_fw_cpu_flags(rp_frame_ref_${board})
  endif()
  foreach(variant "" ${variants})
    set(exe rramprof-${board}${variant})
    add_executable(${exe} ${B_SOURCES} ${RP_CM_DIR}/cortexm/rp_cm_main.c)
    target_include_directories(${exe} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${RP_CM_DIR})
    # Archives in a cycle: the core calls the board HAL, the board calls
    # the core.
    target_link_libraries(${exe} PRIVATE
      -Wl,--start-group rp_core_${board} rp_cm_${board} rp_xmodel_${board} rp_wire m
      -Wl,--end-group)
    target_compile_definitions(${exe} PRIVATE ${B_DEFINES})
    if(variant STREQUAL "-bench")
      target_sources(${exe} PRIVATE ${RP_CM_DIR}/cortexm/rp_cm_bench.c)
      target_compile_definitions(${exe} PRIVATE RP_BOARD_BENCH=1)
      # The bench times the transport's and the framing's shares of the
      # drain apart.
      target_link_options(${exe} PRIVATE -Wl,--wrap=rp_hal_transport_write
        -Wl,--wrap=rp_frame_encode)
    endif()
    if(variant STREQUAL "-selftest")
      target_sources(${exe} PRIVATE ${RP_CM_DIR}/cortexm/rp_cm_selftest.c
        $<TARGET_OBJECTS:rp_encoder_ref_${board}> $<TARGET_OBJECTS:rp_frame_ref_${board}>)
      target_compile_definitions(${exe} PRIVATE RP_BOARD_SELFTEST=1)
    endif()
    if(variant MATCHES "^-test-(.*)$")
      target_compile_definitions(${exe} PRIVATE RP_BOARD_TEST=1
        RP_BOARD_WORKLOAD="${CMAKE_MATCH_1}"
        RP_BOARD_EVENT_LIMIT=${RRAMPROF_FW_TEST_EVENTS}u)
    endif()
    rp_firmware_image(${exe} ${B_LINKER_SCRIPT})
  endforeach()
endfunction()
