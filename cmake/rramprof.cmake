# Helpers shared by the CMakeLists of the project.

set(RP_FIRMWARE_DIR ${CMAKE_SOURCE_DIR}/firmware)

# The firmware core is compiled once per port: the port header rp_port.h
# (see hal/include/rramprof/rp_hal_board.h) is inlined into the hot path.
#   rp_add_firmware_core(<target> <dir holding rp_port.h> [extra defines...])
function(rp_add_firmware_core target port_dir)
  add_library(${target} STATIC
    ${RP_FIRMWARE_DIR}/src/rp_ring.c
    ${RP_FIRMWARE_DIR}/src/rp_recorder.c
    ${RP_FIRMWARE_DIR}/src/rp_salvage.c
    ${RP_FIRMWARE_DIR}/src/rp_span.c
    ${RP_FIRMWARE_DIR}/src/rp_xbar.c
    ${RP_FIRMWARE_DIR}/src/rp_wv.c
    ${RP_FIRMWARE_DIR}/src/rp_workload.c
    ${RP_FIRMWARE_DIR}/src/rp_device.c)
  target_include_directories(${target} PUBLIC ${port_dir})
  target_link_libraries(${target} PUBLIC rp_wire)
  if(ARGN)
    target_compile_definitions(${target} PUBLIC ${ARGN})
  endif()
endfunction()
