# Firmware image loader of `rramprof flash` (host/flash/flash_image.c) and
# the flashing keys of board.conf (host/boards.c).
rp_add_unit_test(flash_image
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_flash_image.cpp ${CMAKE_SOURCE_DIR}/host/boards.c
  LIBS rp_flash)
target_include_directories(test_flash_image PRIVATE ${CMAKE_SOURCE_DIR}/host)
target_compile_definitions(test_flash_image PRIVATE RP_BOARDS_SRC="${CMAKE_SOURCE_DIR}/boards")
