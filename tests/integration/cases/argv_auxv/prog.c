/* argv_auxv (and argv0_option): prints argc, argv, one environment variable,
 * and checks on the auxiliary vector: AT_PHDR is where this program's
 * program headers are (computed from __ehdr_start), AT_PHNUM their number,
 * AT_ENTRY the address of _start, AT_EXECFN the program's name, AT_PAGESZ,
 * AT_RANDOM present; and that %rdx held a fini function at entry. Exits with
 * argc, to check the exit status is passed through. */
#include "rt.h"
#include <elf.h>

extern const Elf64_Ehdr __ehdr_start;
void _start(void);

int main(int argc, char **argv, char **envp) {
  rt_kv_dec("argc", argc);
  for (int i = 0; i < argc; ++i) {
    rt_puts("argv[");
    rt_put_dec(i);
    rt_puts("]=");
    rt_line(argv[i]);
  }
  rt_kv_bool("argv[argc] is null", argv[argc] == 0);
  rt_kv_str("CASE_VAR", rt_getenv(envp, "CASE_VAR"));
  rt_kv_bool("envp is the start code's", envp == rt_envp);
  unsigned long phdr = (unsigned long)&__ehdr_start + __ehdr_start.e_phoff;
  rt_kv_bool("AT_PHDR is the program headers", rt_getauxval(AT_PHDR) == phdr);
  rt_kv_bool("AT_PHNUM is e_phnum", rt_getauxval(AT_PHNUM) == __ehdr_start.e_phnum);
  rt_kv_bool("AT_ENTRY is _start", rt_getauxval(AT_ENTRY) == (unsigned long)&_start);
  rt_kv_str("AT_EXECFN", (const char *)rt_getauxval(AT_EXECFN));
  rt_kv_dec("AT_PAGESZ", (long)rt_getauxval(AT_PAGESZ));
  rt_kv_bool("AT_RANDOM present", rt_getauxval(AT_RANDOM) != 0);
  rt_kv_bool("%rdx fini function present", rt_abi_fini != 0);
  return argc;
}
