/* The libc-free test runtime of the integration cases.
 *
 * Programs link rt_start.o (entry, argument parsing, exit) and rt_io.o;
 * libraries link rt_io.o only. rt_start_fini.o, the same start code built
 * with RT_CALL_FINI, also calls the %rdx function after main, as libc's exit
 * does; only the fini case uses it: glibc 2.36's _dl_fini asserts unless
 * ld.so itself is in the link map, which takes a libc (cases/fakelibc).
 *
 * Every symbol here is hidden, so each object carries its own private copy
 * and none of them takes part in symbol lookup between objects. rt_io.o also
 * defines (hidden) memset, memcpy, memmove, memcmp, which the compiler may
 * call on its own, and __stack_chk_fail (exit status 126).
 *
 * Output contract: each rt_put* call is one write(2) to the named fd, no
 * buffering, so nothing is lost when a process dies or exits early. Cases
 * print facts (names, counts, comparisons, offsets), never raw addresses,
 * so that the output is the same under every loader. */
#ifndef RT_RT_H
#define RT_RT_H

#pragma GCC visibility push(hidden)

typedef unsigned long rt_size_t;

/* --- Output (rt_io.o) ---------------------------------------------------- */
enum { RT_STDOUT = 1, RT_STDERR = 2 };

void rt_write(int fd, const char *buf, rt_size_t len);
void rt_puts(const char *s);              /* s to stdout, no newline added */
void rt_line(const char *s);              /* s and "\n" to stdout */
void rt_put_dec(long value);              /* signed decimal to stdout */
void rt_put_hex(unsigned long value);     /* "0x" and lower-case hex to stdout */
void rt_eputs(const char *s);             /* s to stderr */
/* "key=value\n" forms, the usual shape of a case's facts. */
void rt_kv_str(const char *key, const char *value);
void rt_kv_dec(const char *key, long value);
void rt_kv_hex(const char *key, unsigned long value);
void rt_kv_bool(const char *key, int value); /* value != 0 -> "yes", else "no" */

/* --- Small helpers (rt_io.o) ---------------------------------------------- */
rt_size_t rt_strlen(const char *s);
int rt_streq(const char *a, const char *b);
/* The value of NAME in the NULL-terminated environment ENVP, or 0. */
const char *rt_getenv(char **envp, const char *name);
/* Whether this object's own dynamic section (_DYNAMIC) has an entry TAG;
 * when it has, stores its d_val in *VALUE (if VALUE is not 0). Only for tags
 * whose value the loader does not rewrite (never an address: glibc adjusts
 * some d_ptr entries in place). */
int rt_dynamic_tag(long tag, unsigned long *value);
long rt_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
__attribute__((noreturn)) void rt_exit(int status); /* exit_group(status) */

/* --- Process start state (rt_start.o: programs only) ------------------------ */
extern int rt_argc;
extern char **rt_argv;
extern char **rt_envp;
extern unsigned long *rt_auxv;      /* the auxiliary vector, AT_NULL-terminated */
extern void (*rt_abi_fini)(void);   /* %rdx at _start: the loader's fini function */
/* Nonzero once rt_start_c runs the program's own DT_INIT_ARRAY, as libc's
 * start code does; a program initialiser that sees 0 was called by the loader. */
extern int rt_in_start_code;
/* The value of auxv entry TYPE, or 0 when there is none. */
unsigned long rt_getauxval(unsigned long type);

#pragma GCC visibility pop

#endif
