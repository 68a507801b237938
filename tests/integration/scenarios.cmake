# The sim board's bottleneck scenarios (boards/sim/scenarios): each file
# parses and injects its one cause, and a short run of each shows that
# cause dominating, from the model's ground truth and the stream.
add_executable(test_sim_scenarios
  ${CMAKE_CURRENT_LIST_DIR}/sim_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim_checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_sim_scenarios.cpp)
target_include_directories(test_sim_scenarios PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_sim_scenarios PRIVATE rp_simxbar rp_profiler rp_wire rp_proto rp_test_main)
target_compile_definitions(test_sim_scenarios PRIVATE
  RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>"
  RP_SCENARIO_DIR="${CMAKE_SOURCE_DIR}/boards/sim/scenarios")
add_dependencies(test_sim_scenarios rramprof-sim)
add_test(NAME integration.sim.Scenarios COMMAND test_sim_scenarios -c)
set_tests_properties(integration.sim.Scenarios PROPERTIES TIMEOUT 300)
