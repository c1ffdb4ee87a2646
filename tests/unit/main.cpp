// Catch2 entry point of the unit tier; the test cases live in *_test.cpp.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
