/* dl_unique: STB_GNU_UNIQUE objects have one instance in the process: the
 * first definition a lookup finds is what every later lookup of the name
 * gets, from any object and any scope, dlsym included. The program needs
 * libdl_unique_a.so; libdl_unique_b.so, _c and _d are dlopen'ed
 * RTLD_LOCAL. All four define unique_counter (a: 101, b: 201, c: 301, d:
 * 401); c and d alone also define unique_local (c: 302, d: 402). Asserts:
 *  - b's code and dlsym through b's handle use a's unique_counter;
 *  - c and d, neither in the other's scope, share c's unique_local (d's
 *    code and dlsym through d's handle), which RTLD_DEFAULT does not see;
 *  - libdl_unique_e.so, dlopen'ed first and RTLD_DEEPBIND (its own
 *    definitions first), still uses a's unique_counter (also when a was
 *    bound by the symbol cache's closure or pre-relocated image, without
 *    a lookup);
 *  - an object whose unique definition became the instance stays loaded
 *    after its dlclose (c), the others go (b, d, e). */
#include "dl.h"

long *a_counter_addr(void);
long a_bump(void);
typedef long *addr_fn(void);
typedef long bump_fn(void);

static void *fn(void *handle, const char *name) {
  void *p = dlsym(handle, name);
  if (p == 0) dl_put_error(name);
  return p;
}

int main(void) {
  rt_kv_dec("a: unique_counter", *a_counter_addr());

  rt_line("-- dlopen libdl_unique_e.so, RTLD_DEEPBIND");
  void *e = dl_open_report("dlopen e", "libdl_unique_e.so", RTLD_LAZY | RTLD_DEEPBIND);
  if (e == 0) return 1;
  addr_fn *e_counter_addr = (addr_fn *)fn(e, "e_counter_addr");
  if (e_counter_addr == 0) return 1;
  rt_kv_bool("e's code uses a's unique_counter", e_counter_addr() == a_counter_addr());

  rt_line("-- dlopen libdl_unique_b.so, RTLD_LOCAL");
  void *b = dl_open_report("dlopen b", "libdl_unique_b.so", RTLD_LAZY);
  if (b == 0) return 1;
  addr_fn *b_counter_addr = (addr_fn *)fn(b, "b_counter_addr");
  bump_fn *b_bump = (bump_fn *)fn(b, "b_bump");
  long *b_sym = (long *)fn(b, "unique_counter");
  if (b_counter_addr == 0 || b_bump == 0 || b_sym == 0) return 1;
  rt_kv_bool("b's code uses a's unique_counter", b_counter_addr() == a_counter_addr());
  rt_kv_bool("dlsym(b, unique_counter) is a's", b_sym == a_counter_addr());
  rt_kv_dec("b_bump", b_bump());
  rt_kv_dec("a_bump", a_bump());

  rt_line("-- dlopen libdl_unique_c.so and libdl_unique_d.so, RTLD_LOCAL");
  void *c = dl_open_report("dlopen c", "libdl_unique_c.so", RTLD_LAZY);
  void *d = dl_open_report("dlopen d", "libdl_unique_d.so", RTLD_LAZY);
  if (c == 0 || d == 0) return 1;
  addr_fn *c_local_addr = (addr_fn *)fn(c, "c_local_addr");
  addr_fn *d_local_addr = (addr_fn *)fn(d, "d_local_addr");
  addr_fn *d_counter_addr = (addr_fn *)fn(d, "d_counter_addr");
  long *d_sym = (long *)fn(d, "unique_local");
  if (c_local_addr == 0 || d_local_addr == 0 || d_counter_addr == 0 || d_sym == 0) return 1;
  rt_kv_dec("c: unique_local", *c_local_addr());
  rt_kv_bool("d's code uses c's unique_local", d_local_addr() == c_local_addr());
  rt_kv_bool("dlsym(d, unique_local) is c's", d_sym == c_local_addr());
  rt_kv_bool("d's code uses a's unique_counter", d_counter_addr() == a_counter_addr());
  rt_kv_bool("RTLD_DEFAULT unique_local found", dlsym(RTLD_DEFAULT, "unique_local") != 0);

  rt_line("-- dlclose b, c, d, e");
  dlclose(b);
  dlclose(c);
  dlclose(d);
  dlclose(e);
  rt_kv_bool("b loaded", dl_is_loaded("libdl_unique_b.so"));
  rt_kv_bool("c loaded", dl_is_loaded("libdl_unique_c.so"));
  rt_kv_bool("d loaded", dl_is_loaded("libdl_unique_d.so"));
  rt_kv_bool("e loaded", dl_is_loaded("libdl_unique_e.so"));
  rt_kv_dec("a: unique_counter", *a_counter_addr());
  return 0;
}
