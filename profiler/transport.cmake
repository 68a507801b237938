# Link transports of the host (rp_transport.h): serial (libserialport),
# USB (libusb-1.0), TCP, Unix sockets, exec'd processes, replay files and
# firmware images run under QEMU.
pkg_check_modules(LIBSERIALPORT REQUIRED IMPORTED_TARGET libserialport)
pkg_check_modules(LIBUSB REQUIRED IMPORTED_TARGET libusb-1.0)

add_library(rp_transport STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/rp_transport.c
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/tp_socket.c
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/tp_exec.c
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/tp_file.c
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/tp_qemu.c
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/tp_serial.c
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/tp_usb.c
  ${CMAKE_CURRENT_LIST_DIR}/src/transport/tp_list.c)
target_include_directories(rp_transport PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(rp_transport
  PUBLIC rp_wire
  PRIVATE PkgConfig::LIBSERIALPORT PkgConfig::LIBUSB)
