# Crossbar model, parameter files, sim HAL and workloads (helper "model").
rp_add_unit_test(xmodel
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_xmodel.cpp
  LIBS rp_simxbar)

rp_add_unit_test(params
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_params.cpp
  LIBS rp_simxbar)
target_compile_definitions(test_params PRIVATE
  RP_PRESETS_DIR="${CMAKE_SOURCE_DIR}/hal/sim_xbar/presets")

# Workloads run on the real firmware core over the real sim HAL and model.
rp_add_unit_test(workloads
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_workloads.cpp
  LIBS rp_core_sim rp_sim_hal)
