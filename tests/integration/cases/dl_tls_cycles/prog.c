/* dl_tls_cycles: 1,000 dlopen/dlclose cycles of a TLS library, for each
 * of libdl_cycle_gd.so (global dynamic), libdl_cycle_desc.so (TLS
 * descriptors) and libdl_cycle_ie.so (initial exec: static TLS, which glibc
 * reclaims at dlclose). Each cycle opens the library, reads its two
 * variables, writes both, reads them back, takes RTLD_DI_TLS_MODID, closes
 * it and checks it is gone. Asserts, per library: every cycle saw the
 * initial values (77 and 0: a fresh block, not the last cycle's writes)
 * and its writes; the library was unloaded every time; the module ids stay
 * bounded (at most 16: ids are reused, not one new id per cycle). */
#include "dl.h"

enum { kCycles = 1000, kModidBound = 16 };

static void cycles(const char *file) {
  int opened = 0, fresh = 0, written = 0, unloaded = 0;
  rt_size_t max_modid = 0, min_modid = ~(rt_size_t)0;
  for (int i = 0; i < kCycles; ++i) {
    void *h = dlopen(file, RTLD_NOW);
    if (h == 0) {
      dl_put_error(file);
      break;
    }
    ++opened;
    long (*get_init)(void) = (long (*)(void))dlsym(h, "cycle_get_init");
    long (*get_zero)(void) = (long (*)(void))dlsym(h, "cycle_get_zero");
    void (*set)(long) = (void (*)(long))dlsym(h, "cycle_set");
    if (get_init == 0 || get_zero == 0 || set == 0) break;
    fresh += get_init() == 77 && get_zero() == 0;
    set(1000 + i);
    written += get_init() == 1000 + i && get_zero() == 1001 + i;
    rt_size_t modid = 0;
    dlinfo(h, RTLD_DI_TLS_MODID, &modid);
    if (modid > max_modid) max_modid = modid;
    if (modid < min_modid) min_modid = modid;
    dlclose(h);
    unloaded += !dl_is_loaded(file);
  }
  rt_puts(file);
  rt_puts(": cycles ");
  rt_put_dec(opened);
  rt_puts(", fresh values in ");
  rt_put_dec(fresh);
  rt_puts(", writes read back in ");
  rt_put_dec(written);
  rt_puts(", unloaded after ");
  rt_put_dec(unloaded);
  rt_puts("\n");
  rt_puts(file);
  rt_puts(": module ids nonzero: ");
  rt_puts(min_modid != 0 ? "yes" : "no");
  rt_puts(", at most ");
  rt_put_dec(kModidBound);
  rt_puts(": ");
  rt_line(max_modid <= kModidBound ? "yes" : "no");
}

int main(void) {
  cycles("libdl_cycle_gd.so");
  cycles("libdl_cycle_desc.so");
  cycles("libdl_cycle_ie.so");
  return 0;
}
