# Host link transports (profiler/src/transport).
rp_add_unit_test(transport
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_transport.cpp
  LIBS rp_transport util)
