# Host link transports (profiler/src/transport).
rp_add_unit_test(transport
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_transport.cpp
  LIBS rp_transport util)

# qemu: URIs and the QEMU process handling, against stand-in scripts.
rp_add_unit_test(transport_qemu
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_transport_qemu.cpp
  LIBS rp_transport)
