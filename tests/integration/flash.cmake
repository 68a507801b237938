# `rramprof flash` end to end with no board attached: the real rramprof
# against a simulated STM32 ROM bootloader (tests/flash/sim_an3155.c, AN3155
# on a pty), each scenario compared byte for byte with the flash memory it
# must leave (tests/flash/mkimages.c), faults included; the simulator is
# checked against Debian's stm32flash; openocd through a stand-in; QEMU
# boards boot their image.
add_executable(sim_an3155 ${CMAKE_SOURCE_DIR}/tests/flash/sim_an3155.c)
add_executable(flash_mkimages ${CMAKE_SOURCE_DIR}/tests/flash/mkimages.c)

set(RP_FLASH_TEST_DIR ${CMAKE_BINARY_DIR}/flash-tests)
#   rp_flash_test(<case> [extra]): ctest integration.flash.<case>
function(rp_flash_test name)
  add_test(NAME integration.flash.${name}
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/flash/flash_test.sh $<TARGET_FILE:rramprof> $<TARGET_FILE:sim_an3155>
            $<TARGET_FILE:flash_mkimages> ${RP_FLASH_TEST_DIR} ${name} ${ARGN})
  set_tests_properties(integration.flash.${name} PROPERTIES TIMEOUT 120)
endfunction()

foreach(c bin elf hex twice not-a-port legacy-erase no-start start-check dry-run wrong-chip nack write-protected vanish silent bad-readback
          too-big outside corrupt-hex no-eof-hex no-port usage tty-progress openocd-missing openocd)
  rp_flash_test(${c})
endforeach()

find_program(RP_STM32FLASH stm32flash)
if(RP_STM32FLASH)
  rp_flash_test(stm32flash ${RP_STM32FLASH})
else()
  message(WARNING "stm32flash not found: the simulated bootloader is not checked against it "
                  "(integration.flash.stm32flash not registered; Debian/Ubuntu: apt-get install stm32flash)")
endif()

# Through libserialport: a umockdev USB serial adapter (the modem-control
# shim comes from cli.cmake, read before this fragment).
if(TARGET rp_modem_shim AND UMOCKDEV_FOUND)
  add_executable(flash_umockdev ${CMAKE_SOURCE_DIR}/tests/flash/umockdev_flash.c)
  target_link_libraries(flash_umockdev PRIVATE PkgConfig::UMOCKDEV)
  rp_flash_test(umockdev $<TARGET_FILE:flash_umockdev> $<TARGET_FILE:rp_modem_shim>)
else()
  message(STATUS "umockdev not found: integration.flash.umockdev (libserialport path) not registered")
endif()

# QEMU boards: the firmware image comes from qemu.cmake's cross build,
# which is declared after this fragment: decide once every fragment is read.
function(rp_flash_qemu_test)
  if(TARGET rp_fw_qemu-mps2-an386)
    rp_flash_test(qemu ${CMAKE_BINARY_DIR}/fw-qemu-mps2-an386/bin/rramprof-qemu-mps2-an386.elf)
  else()
    message(STATUS "no QEMU firmware build: integration.flash.qemu not registered")
  endif()
endfunction()
cmake_language(DEFER CALL rp_flash_qemu_test)
