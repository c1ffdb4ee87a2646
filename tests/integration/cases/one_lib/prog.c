/* one_lib: the program calls a function and reads and writes a data object
 * of one library. Asserts: the call works, the data has its initial value,
 * the library sees the program's write (one object, however the program
 * reaches it), and both agree on the function's address. */
#include "rt.h"

extern int one_counter;
extern const char one_name[];
int one_add(int a, int b);
int one_read_counter(void);
int (*one_add_address(void))(int, int);

int main(void) {
  rt_kv_dec("one_add(2, 3)", one_add(2, 3));
  rt_kv_dec("one_counter", one_counter);
  rt_kv_str("one_name", one_name);
  one_counter += 2;
  rt_kv_dec("library sees one_counter", one_read_counter());
  rt_kv_bool("function address agrees", one_add_address() == one_add);
  return 0;
}
