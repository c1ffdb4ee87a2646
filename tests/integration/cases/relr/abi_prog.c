/* relr_abi_version: the program needs librelr_abi.so, which has DT_RELR and
 * needs libc.so.6 with versions, but not GLIBC_ABI_DT_RELR: glibc 2.36
 * refuses it at start ("DT_RELR without GLIBC_ABI_DT_RELR dependency",
 * exit status 127), so main never runs. (The stand-in libc.so.6 lets glibc's
 * loader get that far; the relr case shows DT_RELR without a libc need
 * is fine.) */
#include "rt.h"

int relr_abi_value(void);

int main(void) {
  rt_kv_dec("relr_abi_value()", relr_abi_value());
  return 0;
}
