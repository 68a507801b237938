# The Cortex-M fatal-error bookkeeping (boards/common/cortexm/rp_cm_fatal.h)
# on the host: how many fatal resets in a row are allowed before the core
# parks, what the device coming up resets, and power-on noise.
rp_add_unit_test(cm_fatal
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cm_startup/test_cm_fatal.cpp)
target_include_directories(test_cm_fatal PRIVATE ${CMAKE_SOURCE_DIR}/boards/common/cortexm)
