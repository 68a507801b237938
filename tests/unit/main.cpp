// Shared CppUTest entry point for every unit-test executable.
#include <CppUTest/CommandLineTestRunner.h>
#include <CppUTest/MemoryLeakWarningPlugin.h>

int main(int argc, char **argv)
{
    // ASan does leak checking in the sanitizer build; CppUTest's own
    // new/delete overloads would fight it.
    MemoryLeakWarningPlugin::turnOffNewDeleteOverloads();
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
