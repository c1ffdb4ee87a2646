/* libtlsb_<model>.so (needs libtlsa_<model>.so): three thread-local
 * variables of its own (the 64-byte aligned one in .tbss), reached with the
 * model it is built for, and liba's and the program's, reached with the same
 * model (global-dynamic in tls_ld). */
#define TLS_DEFINES_B
#include "tls_models.h"

__thread long b_init = 2001;
__thread long b_zero;
__thread long b_aligned __attribute__((aligned(64)));

#define LIBB_VARS(X) TLS_B_VARS(X) TLS_A_VARS(X) TLS_P_VARS(X)
TLS_ACCESSORS(, libb, LIBB_VARS)
const char *libb_model(void) { return TLS_MODEL_NAME; }
