// libmatrix_CELL.so: exceptions with their typeinfo here, an IFUNC, data a
// non-PIE program copies, TLS of both kinds (plain and with a destructor).
#include "matrix.h"

MatrixError::MatrixError(const std::string &what, int c) : std::runtime_error(what), code(c) {}
MatrixError::~MatrixError() = default;

int matrix_throw(int n) {
  if (n > 0) throw MatrixError("matrix_throw(" + std::to_string(n) + ")", n);
  return 0;
}

namespace {
int ifunc_times_two(int x) { return 2 * x; }
int ifunc_times_three_plus_one(int x) { return 3 * x + 1; }
// Read by the resolver (volatile: decided at run time). Only data of the
// library itself: a resolver may run before other objects are relocated.
volatile int ifunc_choice = 1;
}  // namespace

extern "C" {
// The resolver runs when the loader binds the symbol (x86-64: no arguments).
static int (*matrix_ifunc_resolver())(int) {
  return ifunc_choice ? &ifunc_times_three_plus_one : &ifunc_times_two;
}
int matrix_ifunc(int x) __attribute__((ifunc("matrix_ifunc_resolver")));
}

void *matrix_ifunc_address() { return reinterpret_cast<void *>(&matrix_ifunc); }

int matrix_table[8] = {1, 2, 3, 5, 8, 13, 21, 34};
int *matrix_table_address() { return matrix_table; }
int matrix_table_sum() {
  int sum = 0;
  for (int v : matrix_table) sum += v;
  return sum;
}

thread_local int matrix_tls = 42;
int matrix_tls_bump() { return ++matrix_tls; }

int matrix_tl_destroyed = 0;
namespace {
struct Tracked {
  int value = 1000;
  ~Tracked() { __atomic_add_fetch(&matrix_tl_destroyed, 1, __ATOMIC_SEQ_CST); }
};
thread_local Tracked tracked;
}  // namespace
int matrix_tl_object(int add) { return tracked.value += add; }
