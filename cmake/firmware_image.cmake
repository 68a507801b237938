# Helpers for Cortex-M firmware images (included by board CMakeLists).
#
#   rp_fw_cpu_flags(<target>... )      compile+link a target with RP_FW_CPU_FLAGS
#   rp_firmware_image(<elf target>)    after linking: <name>.bin, <name>.hex and
#                                      an arm-none-eabi-size report (stdout and
#                                      <name>.size.txt next to the image)
#
# RRAMPROF_FW_OPT picks the optimisation of every firmware target: Os (size,
# the default for flash-bound parts) or O2 (speed). The last -O on the
# command line wins, so it overrides the build type's level.
set(RRAMPROF_FW_OPT "Os" CACHE STRING "Firmware optimisation: Os or O2")
set_property(CACHE RRAMPROF_FW_OPT PROPERTY STRINGS Os O2)
if(NOT RRAMPROF_FW_OPT MATCHES "^(Os|O2)$")
  message(FATAL_ERROR "RRAMPROF_FW_OPT must be Os or O2, not '${RRAMPROF_FW_OPT}'")
endif()

# Freestanding-ish firmware: no heap, no stdio; newlib(-nano) supplies
# memcpy/memset and libm only, nosys.specs turns the syscalls it never
# reaches into stubs. Every function and object gets its own section so the
# linker drops what is not used.
set(RP_FW_COMMON_FLAGS -${RRAMPROF_FW_OPT} -ffunction-sections -fdata-sections
    -fno-common -fno-builtin-printf -g)
set(RP_FW_LINK_FLAGS -nostartfiles --specs=nano.specs --specs=nosys.specs
    -Wl,--gc-sections -Wl,--print-memory-usage)

function(rp_fw_cpu_flags)
  foreach(t IN LISTS ARGN)
    target_compile_options(${t} PRIVATE ${RP_FW_CPU_FLAGS} ${RP_FW_COMMON_FLAGS})
  endforeach()
endfunction()

function(rp_firmware_image target linker_script)
  rp_fw_cpu_flags(${target})
  set_target_properties(${target} PROPERTIES SUFFIX ".elf"
    LINK_DEPENDS ${linker_script})
  target_link_options(${target} PRIVATE ${RP_FW_CPU_FLAGS} ${RP_FW_LINK_FLAGS}
    -L${CMAKE_SOURCE_DIR}/boards/common/cortexm -T${linker_script} -Wl,-Map=$<TARGET_FILE_DIR:${target}>/${target}.map)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${target}>
            $<TARGET_FILE_DIR:${target}>/${target}.bin
    COMMAND ${CMAKE_OBJCOPY} -O ihex $<TARGET_FILE:${target}>
            $<TARGET_FILE_DIR:${target}>/${target}.hex
    COMMAND ${CMAKE_SIZE} -A -d $<TARGET_FILE:${target}>
            > $<TARGET_FILE_DIR:${target}>/${target}.size.txt
    COMMAND ${CMAKE_SIZE} -B -d $<TARGET_FILE:${target}>
    COMMENT "${target}: .bin, .hex, size report (-${RRAMPROF_FW_OPT})"
    VERBATIM)
endfunction()
