/* The program of the secure-mode tier: what a set-user-ID program sees of
 * the process its loader prepared. Prints AT_SECURE (so the runner knows
 * the kernel really started it set-user-ID), then every environment entry
 * in order. A preloaded library says so itself (secure_pre.c). */
#include <stdio.h>
#include <sys/auxv.h>

extern char **environ;

int main(void) {
  printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
  for (char **e = environ; *e != NULL; ++e) printf("env: %s\n", *e);
  return 0;
}
