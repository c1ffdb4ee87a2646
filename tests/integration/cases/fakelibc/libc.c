/* A stand-in libc.so.6 for cases that need glibc's loader to behave as it
 * does with a libc present. It has soname libc.so.6, needs
 * ld-linux-x86-64.so.2, and defines what glibc 2.36's ld.so looks up in libc
 * once ld.so itself is in the link map:
 *   malloc, calloc, realloc, free           GLIBC_2.2.5 (__rtld_malloc_init_real,
 *                                           looked up from the main program)
 *   pthread_mutex_lock, pthread_mutex_unlock GLIBC_2.2.5 (__rtld_mutex_init,
 *                                           looked up directly in libc.so.6)
 *   __libc_early_init                      GLIBC_PRIVATE
 * Without it glibc's ld.so fails either way: with ld.so in the link map and no
 * malloc it stops with "undefined symbol: calloc, version GLIBC_2.2.5" (or
 * crashes when a malloc is there but no libc.so.6), and with ld.so not in the
 * link map its _dl_fini asserts (nloaded still counts the ld.so it unlinked).
 *
 * Allocation is a bump allocator over a static arena, zero-filled, with a
 * size header so realloc can copy; free does nothing. It only has to serve
 * the loader's few start-up and exit allocations. rt_io.o is linked in for
 * the memcpy/memset the compiler may call. */

typedef unsigned long size_t;

enum { kArenaSize = 1 << 20, kAlign = 16 };
static unsigned char arena[kArenaSize] __attribute__((aligned(kAlign)));
static size_t arena_used;

void *malloc(size_t size) {
  size_t rounded = (size + kAlign - 1) & ~(size_t)(kAlign - 1);
  if (rounded < size || rounded > kArenaSize - kAlign - arena_used) return 0;
  size_t *header = (size_t *)(arena + arena_used);
  header[0] = size;
  arena_used += kAlign + rounded;
  return arena + arena_used - rounded;
}

void free(void *ptr) { (void)ptr; }

void *calloc(size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) return 0;
  return malloc(count * size); /* the arena is never reused: already zero */
}

void *realloc(void *ptr, size_t size) {
  unsigned char *fresh = malloc(size);
  if (ptr != 0 && fresh != 0) {
    size_t old_size = *(size_t *)((unsigned char *)ptr - kAlign);
    const unsigned char *old = ptr;
    for (size_t i = 0; i < old_size && i < size; ++i) fresh[i] = old[i];
  }
  return fresh;
}

int pthread_mutex_lock(void *mutex) {
  (void)mutex;
  return 0;
}

int pthread_mutex_unlock(void *mutex) {
  (void)mutex;
  return 0;
}

void __libc_early_init(_Bool initial) { (void)initial; }
