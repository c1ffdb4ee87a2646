/* lifecycle: how objects come and go, one step per argument.
 *   execstack  a thread waiting, one finished (its stack cached), then dlopen
 *              of a library that needs an executable stack: code run on the
 *              stack of the main thread, the waiting thread and new threads
 *              (one reusing the cached stack) returns
 *   counts     dl_iterate_phdr's dlpi_adds and dlpi_subs during start-up (the
 *              constructor of libcompat_lc_init.so), in main, after a dlopen
 *              and after its dlclose
 *   nodlopen   dlopen of a library that needs a -z nodlopen library fails,
 *              naming it; so does dlopen of that library; nothing stays
 *   nodelete   dlclose of a -z nodelete library, twice: 0 both times, its
 *              function still works; its destructor runs at exit
 *   atexit     at exit, a library whose constructor dlopened another and whose
 *              destructor dlcloses it: that dlclose returns 0 and the other's
 *              destructor runs later
 *   exit       dlclose of a library whose destructor calls exit(3): the
 *              destructors not run yet run (its dependency's too), atexit
 *              handlers first
 *   recursive  (with LD_PRELOAD=./libcompat_lc_malloc.so) a dlopen inside a
 *              malloc called during a dlopen: both complete
 *   relr       dlopen of a library with DT_RELR that needs libc.so.6 but
 *              not GLIBC_ABI_DT_RELR (mold-linked) fails */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lc_report_counts(const char *when);

#define SAY(...) (printf(__VA_ARGS__), fflush(stdout))

static void *open_or_die(const char *file, int mode) {
  void *h = dlopen(file, mode);
  if (h == NULL) {
    SAY("dlopen %s: %s\n", file, dlerror());
    exit(1);
  }
  return h;
}

/* mov $42, %eax; ret, copied to the calling thread's stack and run. */
static int run_on_stack(void) {
  unsigned char code[16] __attribute__((aligned(16))) = {0xb8, 42, 0, 0, 0, 0xc3};
  int (*fn)(void) = (int (*)(void))(void *)code;
  __builtin___clear_cache((char *)code, (char *)code + sizeof code);
  return fn();
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go;

static void *waiting_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  while (!go) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  return (void *)(long)run_on_stack();
}

static void *stack_thread(void *arg) { return arg != NULL ? (void *)(long)run_on_stack() : NULL; }

static long join(pthread_t t) {
  void *result;
  pthread_join(t, &result);
  return (long)result;
}

static void execstack(void) {
  pthread_t waiting, finished, t;
  pthread_create(&waiting, NULL, waiting_thread, NULL);
  pthread_create(&finished, NULL, stack_thread, NULL);
  join(finished);  /* its stack goes to libc's cache */
  void *h = open_or_die("./libcompat_lc_execstack.so", RTLD_NOW);
  int (*value)(void) = (int (*)(void))dlsym(h, "lc_execstack_value");
  SAY("lc_execstack_value() = %d\n", value());
  SAY("main thread: %d\n", run_on_stack());
  pthread_mutex_lock(&mu);
  go = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  SAY("thread waiting since before the dlopen: %ld\n", join(waiting));
  for (int i = 0; i < 3; ++i) {
    pthread_create(&t, NULL, stack_thread, (void *)1);
    SAY("thread created after the dlopen: %ld\n", join(t));
  }
}

static void counts(void) {
  lc_report_counts("main");
  void *h = open_or_die("./libcompat_lc_dep.so", RTLD_NOW);
  lc_report_counts("after dlopen");
  dlclose(h);
  lc_report_counts("after dlclose");
}

static void nodlopen(void) {
  void *h = dlopen("./libcompat_lc_user.so", RTLD_NOW);
  SAY("dlopen user: %s\n", h ? "handle" : dlerror());
  h = dlopen("./libcompat_lc_noopen.so", RTLD_NOW);
  SAY("dlopen noopen: %s\n", h ? "handle" : dlerror());
  SAY("user loaded: %s\n", dlopen("./libcompat_lc_user.so", RTLD_NOW | RTLD_NOLOAD) ? "yes" : "no");
  SAY("noopen loaded: %s\n", dlopen("./libcompat_lc_noopen.so", RTLD_NOW | RTLD_NOLOAD) ? "yes" : "no");
}

static void nodelete(void) {
  void *h = open_or_die("./libcompat_lc_nodelete.so", RTLD_NOW);
  int (*next)(void) = (int (*)(void))dlsym(h, "lc_nodelete_next");
  SAY("next: %d\n", next());
  SAY("dlclose: %d\n", dlclose(h));
  SAY("dlclose again: %d\n", dlclose(h));
  SAY("next: %d\n", next());
}

static void at_exit_handler(void) { SAY("atexit handler\n"); }

int main(int argc, char **argv) {
  atexit(at_exit_handler);
  for (int i = 1; i < argc; ++i) {
    SAY("-- %s\n", argv[i]);
    if (strcmp(argv[i], "execstack") == 0) {
      execstack();
    } else if (strcmp(argv[i], "counts") == 0) {
      counts();
    } else if (strcmp(argv[i], "nodlopen") == 0) {
      nodlopen();
    } else if (strcmp(argv[i], "nodelete") == 0) {
      nodelete();
    } else if (strcmp(argv[i], "atexit") == 0) {
      open_or_die("./libcompat_lc_outer.so", RTLD_NOW);
    } else if (strcmp(argv[i], "exit") == 0) {
      void *h = open_or_die("./libcompat_lc_exit.so", RTLD_NOW);
      SAY("dlclose exit ...\n");
      SAY("dlclose returned %d\n", dlclose(h));
    } else if (strcmp(argv[i], "recursive") == 0) {
      void *m = dlopen("./libcompat_lc_malloc.so", RTLD_NOW | RTLD_NOLOAD);
      if (m == NULL) {
        SAY("libcompat_lc_malloc.so is not preloaded\n");
        return 1;
      }
      ((void (*)(void))dlsym(m, "lc_malloc_arm"))();
      void *h = open_or_die("./libcompat_lc_dep.so", RTLD_NOW);
      int (*fired)(void) = (int (*)(void))dlsym(m, "lc_malloc_fired");
      SAY("outer dlopen done; the recursive one got %d\n", fired());
      dlclose(h);
    } else if (strcmp(argv[i], "relr") == 0) {
      void *h = dlopen("./libcompat_lc_relr.so", RTLD_NOW);
      SAY("dlopen relr: %s\n", h ? "handle" : dlerror());
    } else {
      SAY("unknown step\n");
      return 1;
    }
  }
  SAY("main returns\n");
  return 0;
}
