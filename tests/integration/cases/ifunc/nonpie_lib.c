/* libifuncnp.so: lib_ifunc() is an exported IFUNC; the library calls it and
 * the program's exported IFUNC prog_ifunc() through its own PLT, and takes
 * the address of each through its GOT. */
#include "rt.h"

typedef int (*compute_fn)(int);

static int lib_impl_add(int x) { return x + 100; }
static int lib_impl_mul(int x) { return x * 100; }
static volatile int lib_selector = 2;

static compute_fn resolve_lib_ifunc(void) { return lib_selector == 2 ? lib_impl_mul : lib_impl_add; }
int lib_ifunc(int x) __attribute__((ifunc("resolve_lib_ifunc")));

int prog_ifunc(int x);

int lib_calls_lib_ifunc(int x) { return lib_ifunc(x); }
int lib_calls_prog_ifunc(int x) { return prog_ifunc(x); }
compute_fn lib_ifunc_address_in_lib(void) { return lib_ifunc; }
compute_fn prog_ifunc_address_in_lib(void) { return prog_ifunc; }
