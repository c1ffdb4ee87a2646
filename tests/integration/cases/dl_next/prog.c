/* dl_next: RTLD_NEXT and RTLD_DEFAULT. The program (exporting it, -rdynamic)
 * and libdl_next_1.so, _2 and _3 (needed in that order) each define
 * chain(), which calls the next definition after its own object through
 * dlsym(RTLD_NEXT, "chain"). libdl_next_dyn.so, dlopen'ed, defines chain()
 * too, and needs libdl_next_dyndep.so, which does as well. Asserts:
 *  - from the program, RTLD_NEXT finds libdl_next_1's; from each library the
 *    next library's in load order; after the last none, with glibc's
 *    dlerror message;
 *  - RTLD_DEFAULT finds the program's chain (the first definition) and a
 *    symbol only one library defines; a missing symbol is NULL with glibc's
 *    message (the program's name);
 *  - from a library opened RTLD_LOCAL, RTLD_NEXT searches its own
 *    dependencies; a definition in it is not what RTLD_DEFAULT finds. */
#include "dl.h"

typedef int chain_fn(int);

int chain(int depth) {
  rt_puts("  chain in the program, depth ");
  rt_put_dec(depth);
  rt_puts("\n");
  chain_fn *next = (chain_fn *)dlsym(RTLD_NEXT, "chain");
  if (next == 0) {
    dl_put_error("  program: RTLD_NEXT chain not found");
    return depth;
  }
  return next(depth + 1);
}

int next_only_2(void);

int main(void) {
  rt_line("chain(0) from the program:");
  rt_kv_dec("depth reached", chain(0));
  chain_fn *first = (chain_fn *)dlsym(RTLD_DEFAULT, "chain");
  rt_kv_bool("RTLD_DEFAULT chain is the program's", first == chain);
  int (*only)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "next_only_2");
  rt_kv_bool("RTLD_DEFAULT next_only_2 found", only != 0);
  rt_kv_bool("RTLD_DEFAULT next_only_2 is the program's reference", only == next_only_2);
  rt_kv_bool("RTLD_DEFAULT next_missing found", dlsym(RTLD_DEFAULT, "next_missing") != 0);
  dl_put_error("RTLD_DEFAULT next_missing");

  rt_line("-- libdl_next_dyn.so, RTLD_LOCAL");
  void *dyn = dl_open_report("dlopen dyn", "libdl_next_dyn.so", RTLD_NOW);
  if (dyn == 0) return 1;
  chain_fn *dyn_chain = (chain_fn *)dlsym(dyn, "chain");
  rt_kv_bool("dlsym(dyn, chain) is the dyn's", dyn_chain != 0 && dyn_chain != chain);
  if (dyn_chain == 0) return 1;
  rt_line("chain(10) of libdl_next_dyn.so:");
  rt_kv_dec("depth reached", dyn_chain(10));
  rt_kv_bool("RTLD_DEFAULT chain still the program's", dlsym(RTLD_DEFAULT, "chain") == chain);
  return 0;
}
