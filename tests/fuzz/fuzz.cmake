# libFuzzer targets for the wire layer: the firmware's Command parser and
# the deframer/frame encoder. Built only with -DRRAMPROF_FUZZ=ON and clang:
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DRRAMPROF_FUZZ=ON
# Each gets a bounded ctest run ("fuzz.<name>") seeded from
# tests/fuzz/corpus/<name>/; new inputs go to the build tree, never to the
# checked-in corpus.
if(RRAMPROF_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(WARNING "RRAMPROF_FUZZ needs clang (CC=clang CXX=clang++); wire fuzzers skipped")
  else()
    set(RP_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all
                           -fno-omit-frame-pointer)
    # The wire code again, with coverage instrumentation for the fuzzer.
    add_library(rp_wire_fuzz STATIC
      ${RP_FIRMWARE_DIR}/src/rp_status.c
      ${RP_FIRMWARE_DIR}/src/rp_crc32.c
      ${RP_FIRMWARE_DIR}/src/rp_frame.c
      ${RP_FIRMWARE_DIR}/src/rp_pbwire.c
      ${RP_FIRMWARE_DIR}/src/rp_encoder.c
      ${RP_FIRMWARE_DIR}/src/rp_messages.c
      ${RP_FIRMWARE_DIR}/src/rp_command.c)
    target_include_directories(rp_wire_fuzz PUBLIC
      ${RP_FIRMWARE_DIR}/include ${CMAKE_SOURCE_DIR}/hal/include)
    target_compile_options(rp_wire_fuzz PRIVATE -fsanitize=fuzzer-no-link ${RP_FUZZ_SANITIZERS})

    foreach(name command deframer)
      add_executable(fuzz_${name} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${name}.c)
      target_link_libraries(fuzz_${name} PRIVATE rp_wire_fuzz)
      target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer ${RP_FUZZ_SANITIZERS})
      target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer ${RP_FUZZ_SANITIZERS})
      set(work ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus/${name})
      file(MAKE_DIRECTORY ${work})
      add_test(NAME fuzz.${name}
        COMMAND fuzz_${name} -max_total_time=20 -runs=5000000 -max_len=512 -seed=1
                ${work} ${CMAKE_CURRENT_LIST_DIR}/corpus/${name})
      set_tests_properties(fuzz.${name} PROPERTIES TIMEOUT 120)
    endforeach()
    # fuzz_command re-encodes with the host encoder and checks protobuf-c
    # (the checks it shares with the unit suite: tests/unit/command_check.c).
    target_sources(fuzz_command PRIVATE ${CMAKE_SOURCE_DIR}/profiler/src/rp_command_out.c
      ${CMAKE_SOURCE_DIR}/tests/unit/command_check.c)
    target_include_directories(fuzz_command PRIVATE ${CMAKE_SOURCE_DIR}/profiler/include
      ${CMAKE_SOURCE_DIR}/tests)
    target_link_libraries(fuzz_command PRIVATE rp_proto)
  endif()
endif()
