/* libcompat_lc_init.so, needed by lifecycle: its constructor reports what
 * dl_iterate_phdr says while the initial objects are being initialised. */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>

static int counts(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  unsigned long long *out = data;
  out[0] = info->dlpi_adds;
  out[1] = info->dlpi_subs;
  out[2]++;
  return 0;
}

void lc_report_counts(const char *when) {
  unsigned long long c[3] = {0, 0, 0};
  dl_iterate_phdr(counts, c);
  printf("%s: dlpi_adds=%llu dlpi_subs=%llu objects=%llu (adds - subs %s objects)\n", when, c[0], c[1],
         c[2], c[0] - c[1] == c[2] ? "==" : "!=");
  fflush(stdout);
}

__attribute__((constructor)) static void init(void) { lc_report_counts("constructor"); }
