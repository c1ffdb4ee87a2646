// Catch2 entry point of the symcache tier.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
