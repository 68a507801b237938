# The Cortex-M fatal-error bookkeeping (boards/common/cortexm/rp_cm_fatal.h)
# on the host: how many fatal resets in a row are allowed before the core
# parks, what the device coming up resets, power-on noise, and the reset
# cause the Hello reports; and the STM32F4 reset flags behind that cause.
rp_add_unit_test(cm_fatal
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cm_startup/test_cm_fatal.cpp
          ${CMAKE_CURRENT_LIST_DIR}/cm_startup/test_stm32_reset.cpp)
target_include_directories(test_cm_fatal PRIVATE ${CMAKE_SOURCE_DIR}/boards/common/cortexm
                                                 ${CMAKE_SOURCE_DIR}/boards/common
                                                 ${CMAKE_SOURCE_DIR}/hal/include)
