/* The IFUNC case: which implementation glibc's resolvers chose. The address
 * of each function is taken through the GOT (a GLOB_DAT relocation, so the
 * loader ran the IFUNC resolver) and kept in a volatile pointer, and is also
 * looked up with dlsym; for each, the object, the offset in it and the
 * dladdr symbol name are printed. glibc's resolvers choose by the
 * cpu_features the loader filled in, so under two loaders on one machine the
 * offsets must be equal. (libc6's own symbol table is stripped: the chosen
 * implementation, e.g. __memmove_avx_unaligned_erms, is a local symbol, so
 * dladdr names no symbol; run_compat.py adds the name from libc6-dbg when it
 * is installed.) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int report(const char *name, void *volatile addr) {
  void *looked_up = dlsym(RTLD_DEFAULT, name);
  Dl_info info;
  if (!dladdr(addr, &info) || !info.dli_fname) {
    printf("%-8s dladdr found no object\n", name);
    return 1;
  }
  const char *base = strrchr(info.dli_fname, '/');
  base = base ? base + 1 : info.dli_fname;
  printf("%-8s %s+%#lx sname=%s dlsym:%s\n", name, base,
         (unsigned long)((char *)addr - (char *)info.dli_fbase),
         info.dli_sname ? info.dli_sname : "-", looked_up == addr ? "same" : "DIFFERENT");
  return looked_up != addr;
}

#define REPORT(f) failures += report(#f, (void *)f)

int main(void) {
  int failures = 0;
  REPORT(memcpy);
  REPORT(memmove);
  REPORT(memset);
  REPORT(memcmp);
  REPORT(memchr);
  REPORT(strlen);
  REPORT(strchr);
  REPORT(strcmp);
  REPORT(strcpy);
  REPORT(sin);
  REPORT(exp);
  REPORT(log);
  REPORT(pow);
  REPORT(floor);
  /* They must work too. */
  char buf[64];
  memset(buf, 0, sizeof buf);
  memcpy(buf, "ifunc choice", 13);
  volatile double x = 0.5;
  printf("strlen=%zu strchr=%s sin(0.5)=%.17g exp(0.5)=%.17g floor(-0.5)=%g\n", strlen(buf),
         strchr(buf, 'c'), sin(x), exp(x), floor(-x));
  return failures;
}
