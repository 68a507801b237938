# Findings: the analyzer's rules, validity and ranking (analyzer/src/rp_findings.c),
# fed through the real aggregator and memory analytics.
rp_add_unit_test(findings SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_findings.cpp LIBS rp_analyzer)
# A small driver that prints the findings of capture files (not a test):
#   findings_driver FILE.rpcap...
add_executable(findings_driver ${CMAKE_CURRENT_LIST_DIR}/findings_driver.c)
target_link_libraries(findings_driver PRIVATE rp_analyzer)
