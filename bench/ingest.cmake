# Replay ingest benchmark: capture file -> reader -> decoder -> session.
# Usage and the figures it gives: bench/bench_ingest.c, docs/benchmarks.md.
add_executable(rp_bench_ingest ${CMAKE_CURRENT_LIST_DIR}/bench_ingest.c)
target_link_libraries(rp_bench_ingest PRIVATE rp_profiler)
