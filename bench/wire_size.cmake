# Wire-size benchmark: bytes per event on the wire, framing included.
# bench/wire_size.sh runs rramprof-sim for every workload and preset and
# measures each stream with rp_wire_size.
add_executable(rp_wire_size ${CMAKE_CURRENT_LIST_DIR}/wire_size.c)
target_link_libraries(rp_wire_size PRIVATE rp_wire rp_proto)
