/* The C case: pthread_create with __thread variables of every reach (the
 * program's own: local-exec; a DT_NEEDED library's through initial-exec from
 * here and global-dynamic from inside the library; a dlopen'ed library's:
 * dynamic TLS), errno per thread, and getauxval. Usage: tls_prog DYNLIB.
 * Threads record their results; main prints them after joining, in order. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern __thread int lib_tls_ie __attribute__((tls_model("initial-exec")));
int *lib_ie_addr_gd(void);
int lib_bump(int by);
const char *lib_buf(void);

static __thread int main_tls = 7;
static __thread char main_tls_big[4096];
extern void _start(void);

#define NTHREADS 8
struct result {
  int main_tls, lib_ie, bumped, same_addr, err, big_ok;
  long dyn;
  char buf[32];
};
static struct result results[NTHREADS];
static long (*dyn_touch)(long);

static void *worker(void *arg) {
  int i = (int)(intptr_t)arg;
  struct result *r = &results[i];
  main_tls += i;
  memset(main_tls_big, 'a' + i, sizeof main_tls_big);
  lib_tls_ie += i * 10;
  r->same_addr = lib_ie_addr_gd() == &lib_tls_ie;
  r->bumped = lib_bump(i);
  errno = 100 + i;
  sched_yield();
  r->err = errno;
  r->dyn = dyn_touch(i);
  r->dyn = dyn_touch(1);
  r->main_tls = main_tls;
  r->lib_ie = lib_tls_ie;
  r->big_ok = main_tls_big[0] == 'a' + i && main_tls_big[4095] == 'a' + i;
  snprintf(r->buf, sizeof r->buf, "%s", lib_buf());
  return NULL;
}

struct program_headers {
  const ElfW(Phdr) *phdr;
  ElfW(Half) phnum;
};

static int find_program_phdr(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct program_headers *ph = data; /* the first object: the program */
  ph->phdr = info->dlpi_phdr;
  ph->phnum = info->dlpi_phnum;
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: tls_prog DYNLIB\n");
    return 2;
  }
  void *dyn = dlopen(argv[1], RTLD_NOW);
  if (!dyn) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  dyn_touch = (long (*)(long))dlsym(dyn, "dyn_touch");
  if (!dyn_touch) {
    printf("dlsym failed: %s\n", dlerror());
    return 1;
  }

  pthread_t threads[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    int rc = pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);
    if (rc) {
      printf("pthread_create: %s\n", strerror(rc));
      return 1;
    }
  }
  for (int i = 0; i < NTHREADS; i++) pthread_join(threads[i], NULL);
  for (int i = 0; i < NTHREADS; i++) {
    struct result *r = &results[i];
    printf("thread %d: main_tls=%d lib_ie=%d ie==gd:%s bumped=%d buf='%s' errno=%d dyn=%ld big:%s\n",
           i, r->main_tls, r->lib_ie, r->same_addr ? "yes" : "NO", r->bumped, r->buf, r->err,
           r->dyn, r->big_ok ? "ok" : "BAD");
  }
  printf("main: main_tls=%d lib_ie=%d buf='%s' dyn=%ld\n", main_tls, lib_tls_ie, lib_buf(),
         dyn_touch(0));

  /* The program's headers as the loader reports them (the number is not
   * printed: patchelf adds headers to the interp copy). */
  struct program_headers ph = {NULL, 0};
  dl_iterate_phdr(find_program_phdr, &ph);
  printf("AT_PAGESZ=%lu sysconf=%ld\n", getauxval(AT_PAGESZ), sysconf(_SC_PAGESIZE));
  printf("AT_HWCAP=%#lx AT_HWCAP2=%#lx\n", getauxval(AT_HWCAP), getauxval(AT_HWCAP2));
  printf("AT_CLKTCK=%lu AT_SECURE=%lu\n", getauxval(AT_CLKTCK), getauxval(AT_SECURE));
  printf("AT_UID==getuid:%s AT_EGID==getegid:%s\n",
         getauxval(AT_UID) == getuid() ? "yes" : "NO",
         getauxval(AT_EGID) == getegid() ? "yes" : "NO");
  printf("AT_PHDR is the program's:%s AT_PHNUM is the program's:%s AT_ENTRY is _start:%s\n",
         (const void *)getauxval(AT_PHDR) == (const void *)ph.phdr ? "yes" : "NO",
         getauxval(AT_PHNUM) == ph.phnum ? "yes" : "NO",
         getauxval(AT_ENTRY) == (unsigned long)&_start ? "yes" : "NO");
  printf("AT_RANDOM:%s AT_SYSINFO_EHDR:%s AT_PLATFORM=%s\n",
         getauxval(AT_RANDOM) ? "set" : "unset", getauxval(AT_SYSINFO_EHDR) ? "set" : "unset",
         getauxval(AT_PLATFORM) ? (const char *)getauxval(AT_PLATFORM) : "(unset)");
  errno = 0;
  unsigned long none = getauxval(12345);
  printf("getauxval(12345)=%lu errno=%s\n", none, errno == ENOENT ? "ENOENT" : "other");
  dlclose(dyn);
  return 0;
}
