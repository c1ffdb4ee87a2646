// A counter in a function-local static of a class template's inline member:
// g++ gives it STB_GNU_UNIQUE binding in every module that uses it.
#pragma once

template <typename T>
struct SemRegistry {
  static int& count() {
    static int n = 0;
    return n;
  }
};
