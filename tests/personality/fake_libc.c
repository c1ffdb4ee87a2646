/* A libc.so.6 that looks like glibc 2.37 to the loader: it defines
   __libc_start_main and version nodes up to GLIBC_2.37 (see fake_libc.map).
   The loader must refuse it before running anything, including this
   constructor. */
static long sys_write(int fd, const void* buf, long n) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(1), "D"(fd), "S"(buf), "d"(n) : "rcx", "r11", "memory");
  return r;
}

__attribute__((constructor)) static void announce(void) { sys_write(1, "libc constructor ran\n", 21); }

int __libc_start_main(void) { return 0; }
int gnu_get_libc_version_stub(void) { return 37; }
