# Host profiler core: decoder, session, capture files.
rp_add_unit_test(decode SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode.cpp LIBS rp_profiler)
rp_add_unit_test(session SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_session.cpp LIBS rp_profiler)
rp_add_unit_test(capture SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_capture.cpp LIBS rp_profiler)
# The decode suite also runs both decoding paths over the fuzz seed corpus.
target_compile_definitions(test_decode PRIVATE
  RP_DECODE_CORPUS="${CMAKE_CURRENT_LIST_DIR}/../fuzz/corpus/decode")
