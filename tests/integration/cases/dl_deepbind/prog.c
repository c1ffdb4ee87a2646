/* dl_deepbind: RTLD_DEEPBIND. The program exports (-rdynamic) deep_which,
 * deep_var and deep_own; libdl_deep_dep.so defines deep_which and deep_var
 * too; libdl_deep_deep.so and libdl_deep_shallow.so (the same code, both
 * needing libdl_deep_dep.so) define deep_own and use all three. Asserts:
 *  - opened RTLD_DEEPBIND (lazily), the library binds to its own definition
 *    and its dependency's before the program's, for a function call and a
 *    data reference;
 *  - opened without it, the library binds to the program's (the global
 *    scope first), even for the function it defines itself;
 *  - the program's own references stay with its definitions. */
#include "dl.h"

typedef const char *fn(void);

const char *deep_which(void) { return "program"; }
const char *deep_var = "program";
const char *deep_own(void) { return "program"; }

static void run(const char *file, int mode) {
  rt_puts("-- ");
  rt_line(file);
  void *h = dl_open_report("dlopen", file, mode);
  if (h == 0) return;
  static const char *const names[] = {"deep_call_which", "deep_read_var", "deep_call_own"};
  for (int i = 0; i < 3; ++i) {
    fn *f = (fn *)dlsym(h, names[i]);
    rt_kv_str(names[i], f != 0 ? f() : "(not found)");
  }
}

int main(void) {
  run("libdl_deep_deep.so", RTLD_LAZY | RTLD_DEEPBIND);
  run("libdl_deep_shallow.so", RTLD_NOW);
  rt_kv_str("program's deep_which()", deep_which());
  rt_kv_str("program's deep_var", deep_var);
  fn *found = (fn *)dlsym(RTLD_DEFAULT, "deep_which");
  rt_kv_bool("RTLD_DEFAULT deep_which is the program's", found == deep_which);
  return 0;
}
