# Board metadata files of the CLI (host/boards.c): the parser, lookup and
# listing, and the board.conf of every board in boards/.
rp_add_unit_test(cli_boards
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cli_boards.cpp ${CMAKE_SOURCE_DIR}/host/boards.c
  LIBS rp_flash)   # bootloader_baud is checked against the serial method's rates
target_include_directories(test_cli_boards PRIVATE ${CMAKE_SOURCE_DIR}/host)
target_compile_definitions(test_cli_boards PRIVATE RP_BOARDS_SRC="${CMAKE_SOURCE_DIR}/boards")
