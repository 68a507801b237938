# RRAM memory analytics (analyzer/src/rp_memuse.c).
rp_add_unit_test(memuse SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_memuse.cpp LIBS rp_analyzer)
