/* nonpie_libs: an ET_EXEC program (no PIC) calls a library function through
 * its PLT and takes its address, which the linker makes the program's PLT
 * entry (the canonical address, a symbol undefined but with a value in the
 * program's .dynsym). Asserts the library's own GOT entry for np_fn resolves
 * to that same canonical address, calls through both work, and the library
 * can call back into the program. */
#include "rt.h"

const char *np_fn(void);
const char *(*np_fn_address(void))(void);
const char *np_call_back(void);

const char *prog_callback(void) { return "prog_callback in the ET_EXEC program"; }

int main(void) {
  const char *(*from_prog)(void) = np_fn;
  const char *(*from_lib)(void) = np_fn_address();
  rt_kv_str("direct call", np_fn());
  rt_kv_bool("function addresses agree", from_prog == from_lib);
  rt_kv_str("call through the program's pointer", from_prog());
  rt_kv_str("call through the library's pointer", from_lib());
  rt_kv_str("call back", np_call_back());
  return 0;
}
