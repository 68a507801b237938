# The rare device-to-host messages (firmware/src/rp_messages.c) against
# protobuf-c's own encoding, at every cap around their length.
rp_add_unit_test(messages SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_messages.cpp LIBS rp_wire rp_proto)
