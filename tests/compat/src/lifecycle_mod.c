/* The modules of lifecycle (one source, MOD_* selects the module). Each
 * prints when its constructor and destructor run, unbuffered (stdout is
 * flushed before every exit path the cases take). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define SAY(...) (printf(__VA_ARGS__), fflush(stdout))

#if defined MOD_EXECSTACK
/* libcompat_lc_execstack.so: linked -z execstack. */
int lc_execstack_value(void) { return 7; }

#elif defined MOD_OUTER
/* libcompat_lc_outer.so: its constructor dlopens libcompat_lc_inner.so, its
 * destructor dlcloses it. */
static void *inner;
__attribute__((constructor)) static void init(void) {
  SAY("  outer: constructor\n");
  inner = dlopen("./libcompat_lc_inner.so", RTLD_NOW);
  SAY("  outer: dlopen inner: %s\n", inner ? "handle" : dlerror());
}
__attribute__((destructor)) static void fini(void) {
  SAY("  outer: destructor begins\n");
  SAY("  outer: dlclose inner returned %d\n", inner ? dlclose(inner) : -1);
  SAY("  outer: destructor ends\n");
}

#elif defined MOD_INNER || defined MOD_DEP
#ifdef MOD_INNER
#define NAME "inner"
#else
#define NAME "dep"
#endif
__attribute__((constructor)) static void init(void) { SAY("  " NAME ": constructor\n"); }
__attribute__((destructor)) static void fini(void) { SAY("  " NAME ": destructor\n"); }
int lc_dep_value(void) { return 5; }

#elif defined MOD_NODELETE
/* libcompat_lc_nodelete.so: linked -z nodelete. */
static int counter;
__attribute__((constructor)) static void init(void) { SAY("  nodelete: constructor\n"); }
__attribute__((destructor)) static void fini(void) { SAY("  nodelete: destructor, counter %d\n", counter); }
int lc_nodelete_next(void) { return ++counter; }

#elif defined MOD_EXIT
/* libcompat_lc_exit.so (needs libcompat_lc_dep.so): its destructor calls
 * exit(3). */
int lc_dep_value(void);
__attribute__((constructor)) static void init(void) { SAY("  exit: constructor, dep %d\n", lc_dep_value()); }
__attribute__((destructor)) static void fini(void) {
  SAY("  exit: destructor calls exit(3)\n");
  exit(3);
}

#elif defined MOD_NOOPEN
/* libcompat_lc_noopen.so: linked -z nodlopen. */
int lc_noopen_value(void) { return 1; }

#elif defined MOD_USER
/* libcompat_lc_user.so: needs libcompat_lc_noopen.so. */
int lc_noopen_value(void);
int lc_user_value(void) { return 10 + lc_noopen_value(); }

#elif defined MOD_RELR
/* libcompat_lc_relr.so, linked by mold with -z pack-relative-relocs:
 * DT_RELR (the pointer table's relative relocations), a need of libc.so.6
 * with versions (puts), no need of GLIBC_ABI_DT_RELR: glibc 2.36 refuses
 * it. */
static const char *const words[] = {"one", "two", "three", "four"};
void lc_relr_print(void) {
  for (unsigned i = 0; i < sizeof words / sizeof words[0]; ++i) puts(words[i]);
}

#elif defined MOD_MALLOC
/* libcompat_lc_malloc.so (LD_PRELOAD): a malloc that, once
 * lc_malloc_arm() armed it, dlopens libcompat_lc_inner.so the next time it
 * is called (a dlopen inside whatever called malloc, as glibc's
 * tst-rec-dlopen), calls into it and closes it. It allocates with libc's
 * __libc_malloc. */
#include <unistd.h>
void *__libc_malloc(size_t size);
static int armed, fired;
void lc_malloc_arm(void) { armed = 1; }
int lc_malloc_fired(void) { return fired; }
void *malloc(size_t size) {
  if (armed) {
    armed = 0;
    static const char message[] = "  malloc: recursive dlopen of inner\n";
    ssize_t written = write(1, message, sizeof message - 1);
    (void)written;
    void *h = dlopen("./libcompat_lc_inner.so", RTLD_NOW | RTLD_GLOBAL);
    if (h != NULL) {
      int (*fn)(void) = (int (*)(void))dlsym(h, "lc_dep_value");
      fired = fn != NULL ? fn() : -1;
      dlclose(h);
    } else {
      fired = -2;
    }
  }
  return __libc_malloc(size);
}
#endif
