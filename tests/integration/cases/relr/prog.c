/* relr: the program (PIE) and its library are linked with
 * -z pack-relative-relocs, so their relative relocations are DT_RELR
 * entries. Asserts each has DT_RELR and every pointer of a dense and a
 * sparse table points where it should. */
#include "relr.h"

void relr_lib_report(void);

int main(void) {
  relr_report("prog");
  relr_lib_report();
  return 0;
}
