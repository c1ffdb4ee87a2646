/* list_*: a program for --list: it needs liblista.so (which needs
 * liblistb.so, both in lib/ on LD_LIBRARY_PATH) and liblistc.so (in rp/, on
 * its DT_RUNPATH $ORIGIN/rp). When run, it prints one line. */
#include "rt.h"

int lista(void);
int listc(void);

int main(void) {
  rt_line("list program ran");
  return lista() + listc() - 3;
}
