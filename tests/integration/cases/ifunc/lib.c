/* libifunc.so: compute() is an exported IFUNC and local_compute() a local
 * one (an R_X86_64_IRELATIVE relocation); both use the same resolver, which
 * picks one of two implementations from data reached through a pointer that
 * itself needs a relative relocation, so it works only if the loader calls
 * resolvers after the object's other relocations. */
#include "rt.h"

typedef int (*compute_fn)(int);

static int implementation_a(int x) { return x + 1; }
static int implementation_b(int x) { return x * 10; }

static int selector_storage = 2;
static int *volatile selector = &selector_storage;

static compute_fn resolve_compute(void) {
  return *selector == 2 ? implementation_b : implementation_a;
}

int compute(int x) __attribute__((ifunc("resolve_compute")));
static int local_compute(int x) __attribute__((ifunc("resolve_compute")));

int lib_local_compute(int x) { return local_compute(x); }
compute_fn lib_compute_address(void) { return compute; }
