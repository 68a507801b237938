# The Cortex-M UART link (boards/common/cortexm/rp_cm_link.c) on the host,
# against a fake UART that takes a chosen number of bytes per call: direct
# writes, queueing while the UART is full, wrap-around of a small queue,
# byte order, RX polling, and an RX interrupt that empties the UART even
# with the RX queue full (dropping and counting). A second executable has
# a UART with a TX interrupt (the link asks the board once per process):
# per-byte (CMSDK) and level-triggered (STM32 TXE) interrupts sending the
# queue while thread mode does nothing.
add_library(rp_cm_link_host STATIC ${CMAKE_SOURCE_DIR}/boards/common/cortexm/rp_cm_link.c)
target_include_directories(rp_cm_link_host PUBLIC
  ${CMAKE_SOURCE_DIR}/boards/common/cortexm
  ${CMAKE_SOURCE_DIR}/boards/sim/port
  ${CMAKE_SOURCE_DIR}/hal/include)
# Small queues so the tests wrap them often.
target_compile_definitions(rp_cm_link_host PUBLIC RP_CM_LINK_TX_SIZE=64u RP_CM_LINK_RX_SIZE=16u)
rp_add_unit_test(cm_link
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cm_link/test_cm_link.cpp
  LIBS rp_cm_link_host)
rp_add_unit_test(cm_link_irq
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cm_link/test_cm_link_irq.cpp
  LIBS rp_cm_link_host)
