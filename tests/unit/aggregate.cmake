# Histograms and the aggregator (profiler/src/rp_hist.c, rp_aggregate.c).
rp_add_unit_test(aggregate
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hist.cpp ${CMAKE_CURRENT_LIST_DIR}/test_aggregate.cpp
  LIBS rp_profiler)
# One test replays a real stream of the sim board (built here).
if(TARGET rramprof-sim)
  add_dependencies(test_aggregate rramprof-sim)
  target_compile_definitions(test_aggregate PRIVATE RP_SIM_BIN="$<TARGET_FILE:rramprof-sim>")
endif()
