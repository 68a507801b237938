# Sustained capture rate of `rramprof capture` from the sim board over a
# Unix socket (bench/capture_rate.sh; figures in docs/benchmarks.md):
#   cmake --build build --target bench_capture_rate
add_custom_target(bench_capture_rate
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/capture_rate.sh ${CMAKE_BINARY_DIR}
  DEPENDS rramprof rramprof-sim
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  USES_TERMINAL)
