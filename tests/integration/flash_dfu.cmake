# `rramprof flash --method dfu` (host/flash/flash_dfuse.c) against an
# emulated DfuSe bootloader under umockdev (tests/flash/dfu_sim.h): the
# driver calls rp_flash_dfuse() through the real libusb, and Debian's
# dfu-util flashes the same emulated device. One ctest entry per group.
pkg_check_modules(RP_DFU_UMOCKDEV IMPORTED_TARGET umockdev-1.0)
pkg_check_modules(RP_DFU_LIBUSB IMPORTED_TARGET libusb-1.0)
if(RP_DFU_UMOCKDEV_FOUND AND RP_DFU_LIBUSB_FOUND)
  # The method on its own, so the tests do not wait for the whole CLI.
  add_executable(dfu_driver
    ${CMAKE_SOURCE_DIR}/tests/flash/dfu_driver.c
    ${CMAKE_SOURCE_DIR}/host/flash/flash_dfuse.c
    ${CMAKE_SOURCE_DIR}/host/flash/flash_image.c)
  target_include_directories(dfu_driver PRIVATE ${CMAKE_SOURCE_DIR}/host/flash)
  target_link_libraries(dfu_driver PRIVATE rp_wire PkgConfig::RP_DFU_LIBUSB)

  add_executable(test_flash_dfu
    ${CMAKE_SOURCE_DIR}/tests/flash/dfu_sim.cpp
    ${CMAKE_SOURCE_DIR}/tests/flash/dfu_test_flash.cpp)
  target_include_directories(test_flash_dfu PRIVATE ${CMAKE_SOURCE_DIR}/tests/flash)
  target_link_libraries(test_flash_dfu PRIVATE rp_test_main PkgConfig::RP_DFU_UMOCKDEV)
  target_compile_definitions(test_flash_dfu PRIVATE RP_DFU_DRIVER="$<TARGET_FILE:dfu_driver>")
  add_dependencies(test_flash_dfu dfu_driver)
  add_test(NAME integration.flash.Dfu COMMAND test_flash_dfu -c -g FlashDfu)
  set_tests_properties(integration.flash.Dfu PROPERTIES TIMEOUT 300)

  # Through the command line too, when rramprof has the method.
  if(TARGET rramprof)
    target_compile_definitions(test_flash_dfu PRIVATE RP_RRAMPROF="$<TARGET_FILE:rramprof>")
    add_dependencies(test_flash_dfu rramprof)
    add_test(NAME integration.flash.DfuCli COMMAND test_flash_dfu -c -g FlashDfuCli)
    set_tests_properties(integration.flash.DfuCli PROPERTIES TIMEOUT 300)
  endif()

  find_program(RP_DFU_UTIL_EXE dfu-util)
  if(RP_DFU_UTIL_EXE)
    target_compile_definitions(test_flash_dfu PRIVATE RP_DFU_UTIL="${RP_DFU_UTIL_EXE}")
    add_test(NAME integration.flash.DfuUtil COMMAND test_flash_dfu -c -g FlashDfuUtil)
    set_tests_properties(integration.flash.DfuUtil PROPERTIES TIMEOUT 300)
  else()
    message(WARNING "dfu-util not found: integration.flash.DfuUtil is not registered (scripts/setup installs it)")
  endif()
else()
  message(WARNING "umockdev-1.0 or libusb-1.0 not found: the DfuSe flashing tests are not registered")
endif()
