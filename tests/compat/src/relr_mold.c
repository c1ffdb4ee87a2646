/* relr_mold: a program with DT_RELR (its pointer table's relative
 * relocations, -z pack-relative-relocs) that needs libc.so.6 with versions
 * but, linked by mold, not GLIBC_ABI_DT_RELR: glibc 2.36 refuses to start
 * it ("DT_RELR without GLIBC_ABI_DT_RELR dependency", exit status 127). */
#include <stdio.h>

static const char *const words[] = {"one", "two", "three", "four"};

int main(void) {
  for (unsigned i = 0; i < sizeof words / sizeof words[0]; ++i) puts(words[i]);
  return 0;
}
