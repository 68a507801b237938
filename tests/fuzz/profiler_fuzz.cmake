# libFuzzer targets for the host profiler core: fuzz_decode (decoder fast
# path against protobuf-c, link streams through decoder and session) and
# fuzz_capture (capture reader, writer round trip, summary). Built only with
# -DRRAMPROF_FUZZ=ON and clang (fuzz.cmake warns otherwise):
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DRRAMPROF_FUZZ=ON
# Each gets a bounded ctest run ("fuzz.<name>") seeded from
# tests/fuzz/corpus/<name>/ (written by gen_profiler_corpus); new inputs go
# to the build tree, never to the checked-in corpus.
if(RRAMPROF_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  set(RP_PROF_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
                         -fno-omit-frame-pointer)
  # The profiler sources are compiled into each target with coverage
  # instrumentation; the wire code comes instrumented from fuzz.cmake when
  # it is there.
  get_filename_component(RP_PROF_DIR ${CMAKE_CURRENT_LIST_DIR}/../../profiler ABSOLUTE)
  file(GLOB RP_PROF_FUZZ_SRCS ${RP_PROF_DIR}/src/*.c)
  if(TARGET rp_wire_fuzz)
    set(RP_PROF_FUZZ_WIRE rp_wire_fuzz)
  else()
    set(RP_PROF_FUZZ_WIRE rp_wire)
  endif()
  find_package(Threads REQUIRED)
  foreach(name decode capture)
    add_executable(fuzz_${name} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${name}.c ${RP_PROF_FUZZ_SRCS})
    target_include_directories(fuzz_${name} PRIVATE ${RP_PROF_DIR}/include ${RP_PROF_DIR}/src)
    target_compile_options(fuzz_${name} PRIVATE ${RP_PROF_FUZZ_FLAGS})
    target_link_options(fuzz_${name} PRIVATE ${RP_PROF_FUZZ_FLAGS})
    target_link_libraries(fuzz_${name} PRIVATE ${RP_PROF_FUZZ_WIRE} rp_proto Threads::Threads)
    set(work ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus/${name})
    file(MAKE_DIRECTORY ${work})
    add_test(NAME fuzz.${name}
      COMMAND fuzz_${name} -max_total_time=30 -runs=200000 -max_len=8192 -rss_limit_mb=1024
              -seed=1 ${work} ${CMAKE_CURRENT_LIST_DIR}/corpus/${name})
    set_tests_properties(fuzz.${name} PROPERTIES TIMEOUT 120)
  endforeach()

  # The report pipeline: aggregator, memory analytics and rules behind the
  # decoder (seeded from the decode corpus and a few raw event files).
  get_filename_component(RP_ANA_DIR ${CMAKE_CURRENT_LIST_DIR}/../../analyzer ABSOLUTE)
  file(GLOB RP_ANA_FUZZ_SRCS ${RP_ANA_DIR}/src/*.c)
  add_executable(fuzz_report ${CMAKE_CURRENT_LIST_DIR}/fuzz_report.c ${RP_PROF_FUZZ_SRCS}
                 ${RP_ANA_FUZZ_SRCS})
  target_include_directories(fuzz_report PRIVATE ${RP_PROF_DIR}/include ${RP_PROF_DIR}/src
                             ${RP_ANA_DIR}/include)
  target_compile_options(fuzz_report PRIVATE ${RP_PROF_FUZZ_FLAGS})
  target_link_options(fuzz_report PRIVATE ${RP_PROF_FUZZ_FLAGS})
  target_link_libraries(fuzz_report PRIVATE ${RP_PROF_FUZZ_WIRE} rp_proto Threads::Threads m)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus/report)
  file(MAKE_DIRECTORY ${work})
  add_test(NAME fuzz.report
    COMMAND fuzz_report -max_total_time=30 -runs=100000 -max_len=8192 -rss_limit_mb=1024
            -seed=1 ${work} ${CMAKE_CURRENT_LIST_DIR}/corpus/report)
  set_tests_properties(fuzz.report PROPERTIES TIMEOUT 120)

  add_executable(gen_profiler_corpus ${CMAKE_CURRENT_LIST_DIR}/gen_profiler_corpus.c)
  target_link_libraries(gen_profiler_corpus PRIVATE rp_profiler)
endif()
