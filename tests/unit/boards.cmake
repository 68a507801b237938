# Host-side tests of code the Cortex-M boards use (helper "boards"): the
# crossbar model created in caller memory, as the MCU binding does, and the
# model's parameter checks with messages compiled out (RP_XMODEL_NO_MESSAGES).
rp_add_unit_test(xmodel_mem
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/boards/test_xmodel_mem.cpp
  LIBS rp_simxbar)

add_library(rp_simxbar_nomsg STATIC
  ${CMAKE_SOURCE_DIR}/hal/sim_xbar/src/rp_xmodel.c
  ${CMAKE_SOURCE_DIR}/hal/sim_xbar/src/rp_xparams.c)
target_include_directories(rp_simxbar_nomsg PUBLIC ${CMAKE_SOURCE_DIR}/hal/sim_xbar/include)
target_link_libraries(rp_simxbar_nomsg PUBLIC rp_wire m)
target_compile_definitions(rp_simxbar_nomsg PRIVATE RP_XMODEL_NO_MESSAGES)
rp_add_unit_test(xmodel_nomsg
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/boards/test_xmodel_nomsg.cpp
  LIBS rp_simxbar_nomsg)
