/* Output and string helpers of the test runtime; see rt.h for the contract.
 * Also the memset/memcpy/memmove/memcmp the compiler may call on its own
 * (hidden, like everything here, so each object binds to its own copy). */
#include "rt.h"

#pragma GCC visibility push(hidden)

long rt_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
  long ret;
  register long r10 __asm__("r10") = a4;
  register long r8 __asm__("r8") = a5;
  register long r9 __asm__("r9") = a6;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

enum { kSysWrite = 1, kSysExitGroup = 231 };

void rt_exit(int status) {
  for (;;) rt_syscall6(kSysExitGroup, status, 0, 0, 0, 0, 0);
}

rt_size_t rt_strlen(const char *s) {
  rt_size_t n = 0;
  while (s[n] != 0) ++n;
  return n;
}

int rt_streq(const char *a, const char *b) {
  while (*a != 0 && *a == *b) ++a, ++b;
  return *a == *b;
}

const char *rt_getenv(char **envp, const char *name) {
  rt_size_t name_len = rt_strlen(name);
  for (; *envp != 0; ++envp) {
    const char *entry = *envp;
    rt_size_t i = 0;
    while (i < name_len && entry[i] == name[i]) ++i;
    if (i == name_len && entry[i] == '=') return entry + i + 1;
  }
  return 0;
}

/* Every dynamic object has one; each object's rt_io.o sees its own. */
extern const struct {
  long tag;
  unsigned long value;
} _DYNAMIC[];

int rt_dynamic_tag(long tag, unsigned long *value) {
  for (int i = 0; _DYNAMIC[i].tag != 0; ++i) {
    if (_DYNAMIC[i].tag == tag) {
      if (value != 0) *value = _DYNAMIC[i].value;
      return 1;
    }
  }
  return 0;
}

/* Writes all of BUF, retrying short writes; gives up on an error. */
void rt_write(int fd, const char *buf, rt_size_t len) {
  while (len > 0) {
    long done = rt_syscall6(kSysWrite, fd, (long)buf, (long)len, 0, 0, 0);
    if (done <= 0) return;
    buf += done;
    len -= (rt_size_t)done;
  }
}

void rt_puts(const char *s) { rt_write(RT_STDOUT, s, rt_strlen(s)); }
void rt_eputs(const char *s) { rt_write(RT_STDERR, s, rt_strlen(s)); }

void rt_line(const char *s) {
  rt_puts(s);
  rt_puts("\n");
}

void rt_put_dec(long value) {
  char buf[24];
  char *p = buf + sizeof buf;
  unsigned long magnitude = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;
  do {
    *--p = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) *--p = '-';
  rt_write(RT_STDOUT, p, (rt_size_t)(buf + sizeof buf - p));
}

void rt_put_hex(unsigned long value) {
  char buf[20];
  char *p = buf + sizeof buf;
  do {
    *--p = "0123456789abcdef"[value & 15];
    value >>= 4;
  } while (value != 0);
  *--p = 'x';
  *--p = '0';
  rt_write(RT_STDOUT, p, (rt_size_t)(buf + sizeof buf - p));
}

void rt_kv_str(const char *key, const char *value) {
  rt_puts(key);
  rt_puts("=");
  rt_line(value != 0 ? value : "(null)");
}

void rt_kv_dec(const char *key, long value) {
  rt_puts(key);
  rt_puts("=");
  rt_put_dec(value);
  rt_puts("\n");
}

void rt_kv_hex(const char *key, unsigned long value) {
  rt_puts(key);
  rt_puts("=");
  rt_put_hex(value);
  rt_puts("\n");
}

void rt_kv_bool(const char *key, int value) { rt_kv_str(key, value ? "yes" : "no"); }

/* Called by -fstack-protector code when a canary is wrong. */
__attribute__((noreturn)) void __stack_chk_fail(void) {
  rt_eputs("rt: stack smashing detected\n");
  rt_exit(126);
}

void *memset(void *dst, int c, rt_size_t n) {
  unsigned char *d = dst;
  while (n-- > 0) *d++ = (unsigned char)c;
  return dst;
}

void *memcpy(void *dst, const void *src, rt_size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n-- > 0) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, rt_size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d < s) {
    while (n-- > 0) *d++ = *s++;
  } else {
    while (n-- > 0) d[n] = s[n];
  }
  return dst;
}

int memcmp(const void *a, const void *b, rt_size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n > 0; --n, ++x, ++y)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

#pragma GCC visibility pop
