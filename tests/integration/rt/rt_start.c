/* Start code of the test programs: what libc's start code does, minus libc.
 * Parses the initial stack (argc, argv, envp, auxv), runs the program's own
 * DT_INIT_ARRAY (the loader leaves it to the program, as glibc's does), calls
 * main and exits with its value through exit_group. Built with RT_CALL_FINI
 * (rt_start_fini.o), it first calls the loader's fini function (%rdx at
 * entry) when there is one. */
#include "rt.h"

int rt_argc;
char **rt_argv;
char **rt_envp;
unsigned long *rt_auxv;
void (*rt_abi_fini)(void);
int rt_in_start_code;

/* The program's entry point; it may also be declared with fewer parameters. */
int main(int argc, char **argv, char **envp);

typedef void (*rt_init_fn)(int, char **, char **);
/* Bounds of the program's .init_array. Every linker in use defines them when
 * referenced, though not always in .init_array's place when there is none
 * (gold and mold make both absolute 0): they are then equal, so the loop
 * below runs nothing. Weak only so that a linker that leaves them undefined
 * still links (both 0). */
extern const rt_init_fn __init_array_start[] __attribute__((weak, visibility("hidden")));
extern const rt_init_fn __init_array_end[] __attribute__((weak, visibility("hidden")));

unsigned long rt_getauxval(unsigned long type) {
  for (unsigned long *entry = rt_auxv; entry[0] != 0; entry += 2)
    if (entry[0] == type) return entry[1];
  return 0;
}

__attribute__((noreturn, used, visibility("hidden"))) void rt_start_c(unsigned long *stack, void (*fini)(void)) {
  rt_argc = (int)stack[0];
  rt_argv = (char **)(stack + 1);
  rt_envp = rt_argv + rt_argc + 1;
  char **env_end = rt_envp;
  while (*env_end != 0) ++env_end;
  rt_auxv = (unsigned long *)(env_end + 1);
  rt_abi_fini = fini;

  rt_in_start_code = 1;
  if (__init_array_start != 0)
    for (const rt_init_fn *init = __init_array_start; init < __init_array_end; ++init)
      (*init)(rt_argc, rt_argv, rt_envp);

  int status = main(rt_argc, rt_argv, rt_envp);
#ifdef RT_CALL_FINI
  if (fini != 0) fini();
#endif
  rt_exit(status);
}
