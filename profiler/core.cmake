# Host profiler core: decoder, session, capture files.
add_library(rp_profiler STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_decode.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_decode_batch.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_session.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_reset.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_capture.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_crc32c.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_capture_summary.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_hist.c
  ${CMAKE_CURRENT_LIST_DIR}/src/rp_aggregate.c)
target_include_directories(rp_profiler PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
find_package(Threads REQUIRED)
target_link_libraries(rp_profiler PUBLIC rp_wire rp_proto PRIVATE Threads::Threads)
