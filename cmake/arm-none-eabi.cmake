# CMake toolchain file: GNU Arm Embedded (arm-none-eabi-gcc) for Cortex-M.
#   cmake -S . -B build-fw-an386 -DRRAMPROF_BOARD=qemu-mps2-an386 \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
# The CPU flags (-mcpu, -mfpu, -mfloat-abi) belong to each board's
# CMakeLists.txt; this file only selects the compiler and a freestanding
# link (no host libraries, no try-run of executables).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(RP_ARM_PREFIX arm-none-eabi- CACHE STRING "Prefix of the cross tools")
find_program(CMAKE_C_COMPILER ${RP_ARM_PREFIX}gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${RP_ARM_PREFIX}g++)
if(NOT CMAKE_CXX_COMPILER)
  # The firmware is C only; the project() call still names CXX.
  set(CMAKE_CXX_COMPILER ${CMAKE_C_COMPILER})
endif()
set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})
find_program(CMAKE_OBJCOPY ${RP_ARM_PREFIX}objcopy REQUIRED)
find_program(CMAKE_SIZE ${RP_ARM_PREFIX}size REQUIRED)
find_program(CMAKE_NM ${RP_ARM_PREFIX}nm)

# Compiler checks link a static library, not an executable that needs
# startup code and a linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
