/* libtlsa_<model>.so: three thread-local variables of its own (one 64-byte
 * aligned), reached with the model it is built for, and the program's,
 * reached with the same model (global-dynamic in tls_ld). */
#define TLS_DEFINES_A
#include "tls_models.h"

__thread long a_init = 1001;
__thread long a_zero;
__thread long a_aligned __attribute__((aligned(64))) = 1064;

#define LIBA_VARS(X) TLS_A_VARS(X) TLS_P_VARS(X)
TLS_ACCESSORS(, liba, LIBA_VARS)
const char *liba_model(void) { return TLS_MODEL_NAME; }
