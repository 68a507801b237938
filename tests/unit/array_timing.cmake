# Nominal array timing (ArrayInfo 10..17) on the host: decoder, session and
# the `rramprof info` device block (host/report.c, compiled in directly).
rp_add_unit_test(array_timing
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_array_timing.cpp ${CMAKE_SOURCE_DIR}/host/report.c
  LIBS rp_report rp_profiler)
target_include_directories(test_array_timing PRIVATE ${CMAKE_SOURCE_DIR}/host)
