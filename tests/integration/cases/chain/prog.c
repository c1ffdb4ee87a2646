/* chain_40: the program needs libchain0.so, which needs libchain1.so, ...,
 * down to libchain39.so. Asserts the call goes through all 40 libraries and
 * that their initialisers ran deepest first (39, 38, ..., 0). */
#include "rt.h"

int chain_fn_0(int depth);
int chain_inits_recorded(void);
int chain_init_recorded(int i);

int main(void) {
  rt_kv_dec("chain_fn_0(0)", chain_fn_0(0));
  int count = chain_inits_recorded();
  rt_kv_dec("initialisers run", count);
  rt_puts("init order:");
  for (int i = 0; i < count; ++i) {
    rt_puts(" ");
    rt_put_dec(chain_init_recorded(i));
  }
  rt_puts("\n");
  return 0;
}
