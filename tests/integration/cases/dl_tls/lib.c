/* libdl_tls_<model>.so: thread-local variables reached with the model the
 * library is built for (meson.build), and accessors for the program:
 *   tls_init = 11       .tdata
 *   tls_zero            .tbss
 *   tls_a64 = 64        .tdata, aligned(64)
 *   tls_a4096 = 4096    .tdata, aligned(4096)  (not in the initial-exec
 *                       build, NO_PAGE_ALIGNED: see meson.build)
 *   tls_z64             .tbss, aligned(64)
 * Each access is written out in the accessor, so each runs the model's own
 * code sequence. */
#include "dl_tls.h"

__thread long tls_init = 11;
__thread long tls_zero;
__thread long tls_a64 __attribute__((aligned(64))) = 64;
#ifndef NO_PAGE_ALIGNED
__thread long tls_a4096 __attribute__((aligned(4096))) = 4096;
#endif
__thread long tls_z64 __attribute__((aligned(64)));

#ifdef NO_PAGE_ALIGNED
#define A4096(X)
#else
#define A4096(X) X(T_A4096, tls_a4096)
#endif
#define LIB_VARS(X) X(T_INIT, tls_init) X(T_ZERO, tls_zero) X(T_A64, tls_a64) A4096(X) X(T_Z64, tls_z64)
TLS_ACCESSORS(tls, LIB_VARS)
const char *tls_model_name(void) { return TLS_MODEL_NAME; }
