/* A glibc program with threads and thread-local data, for gdb's thread
   support (libthread_db reads the loader's _rtld_global and link maps). */
#include <pthread.h>
#include <stdio.h>

__thread int tls_value = 40;
static pthread_barrier_t barrier;

__attribute__((noinline)) void in_worker(int id) {
  tls_value += id;
  __asm__ volatile("" ::: "memory");
}

static void* worker(void* arg) {
  in_worker((int)(long)arg);
  pthread_barrier_wait(&barrier);
  return NULL;
}

int main(void) {
  pthread_t t[2];
  pthread_barrier_init(&barrier, NULL, 3);
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, worker, (void*)(i + 1));
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("tls_value in main: %d\n", tls_value);
  return 0;
}
