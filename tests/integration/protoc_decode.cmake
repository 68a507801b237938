# Conformance with the reference protobuf implementation: protoc --decode
# must accept every Frame payload kind the firmware encoder writes.
if(PROTOC)
  add_executable(rp_protoc_payloads ${CMAKE_CURRENT_LIST_DIR}/protoc_payloads.c)
  target_link_libraries(rp_protoc_payloads PRIVATE rp_wire)
  add_test(NAME integration.protoc_decode
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/protoc_decode.sh
            $<TARGET_FILE:rp_protoc_payloads> ${PROTOC} ${CMAKE_SOURCE_DIR}/proto
            ${CMAKE_CURRENT_BINARY_DIR}/protoc_payloads)
  set_tests_properties(integration.protoc_decode PROPERTIES TIMEOUT 60)
else()
  message(STATUS "protoc not found: integration.protoc_decode not registered")
endif()
