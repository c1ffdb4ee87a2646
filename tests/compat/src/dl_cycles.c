/* dl_cycles: dlopen/dlclose cycles do not grow the process. After a warm-up
 * of 1,000 cycles (the loader's and libc's allocators reach their steady
 * state), 100,000 more cycles of dlopen(RTLD_NOW), dlsym, a call and dlclose
 * of a small library must grow the anonymous resident memory (RssAnon in
 * /proc/self/status: heap and anonymous mappings, what a leak grows; not the
 * file pages of mapped libraries, which come and go with the page cache) by
 * less than 64 KiB. Prints only the verdict, so that the transcript is the
 * same under every loader that does not leak. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kWarmUp = 1000, kCycles = 100000, kLimitKiB = 64 };

static long rss_anon_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, "RssAnon:", 8) == 0) kib = atol(line + 8);
  fclose(f);
  return kib;
}

static void cycle(const char *lib) {
  void *h = dlopen(lib, RTLD_NOW);
  if (h == NULL) {
    printf("dlopen %s: %s\n", lib, dlerror());
    exit(1);
  }
  int (*fn)(void) = (int (*)(void))dlsym(h, "cycle_value");
  if (fn == NULL || fn() != 42) {
    printf("cycle_value: wrong or missing\n");
    exit(1);
  }
  if (dlclose(h) != 0) {
    printf("dlclose: %s\n", dlerror());
    exit(1);
  }
}

int main(int argc, char **argv) {
  const char *lib = argc > 1 ? argv[1] : "./libcompat_cycle.so";
  for (int i = 0; i < kWarmUp; ++i) cycle(lib);
  const long before = rss_anon_kib();
  for (int i = 0; i < kCycles; ++i) cycle(lib);
  const long after = rss_anon_kib();
  if (before < 0 || after < 0) {
    printf("no RssAnon in /proc/self/status\n");
    return 1;
  }
  const long growth = after - before;
  if (growth < kLimitKiB)
    printf("%d dlopen/dlclose cycles: RssAnon grew by less than %d KiB\n", kCycles, kLimitKiB);
  else
    printf("%d dlopen/dlclose cycles: RssAnon grew by %ld KiB (%.1f bytes a cycle)\n", kCycles, growth,
           growth * 1024.0 / kCycles);
  return 0;
}
