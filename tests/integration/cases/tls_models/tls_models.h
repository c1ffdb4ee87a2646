/* Shared by the tls_ie, tls_ld, tls_gd and tls_desc objects: the program and
 * two libraries, each with three thread-local variables,
 *   prog:  p_init = 7 (.tdata)   p_zero (.tbss)   p_aligned = 64 (.tdata, aligned(64))
 *   liba:  a_init = 1001         a_zero           a_aligned = 1064 (.tdata, aligned(64))
 *   libb:  b_init = 2001         b_zero           b_aligned (.tbss, aligned(64))
 * and accessors through which the program reaches each variable as each
 * object sees it: the program with local-exec (its own) and initial-exec
 * (the libraries'), the libraries with the model they were built for (see
 * meson.build); libb also reaches liba's and the program's variables, liba
 * the program's. Each TLS access is written out (no pointer shared between
 * objects), so every read and write runs the object's own access sequence. */
#ifndef TLS_MODELS_H
#define TLS_MODELS_H

#include "rt.h"

enum tls_var {
  V_P_INIT, V_P_ZERO, V_P_ALIGNED,
  V_A_INIT, V_A_ZERO, V_A_ALIGNED,
  V_B_INIT, V_B_ZERO, V_B_ALIGNED,
  V_COUNT
};

/* Another object's variables. Local-dynamic addresses a module's own block,
 * so for them tls_ld's libraries use global-dynamic (TLS_OTHERS_GD). */
#ifdef TLS_OTHERS_GD
#define TLS_OTHERS __attribute__((tls_model("global-dynamic")))
#else
#define TLS_OTHERS
#endif
#ifndef TLS_DEFINES_P
extern __thread long p_init TLS_OTHERS, p_zero TLS_OTHERS, p_aligned TLS_OTHERS;
#endif
#ifndef TLS_DEFINES_A
extern __thread long a_init TLS_OTHERS, a_zero TLS_OTHERS, a_aligned TLS_OTHERS;
#endif
#ifndef TLS_DEFINES_B
extern __thread long b_init TLS_OTHERS, b_zero TLS_OTHERS, b_aligned TLS_OTHERS;
#endif

/* Accessors PREFIX_addr, PREFIX_get, PREFIX_set (with storage class CLASS)
 * over an X-macro list of (id, variable) pairs. */
#define TLS_CASE_ADDR(id, var) case id: return &var;
#define TLS_CASE_GET(id, var) case id: return var;
#define TLS_CASE_SET(id, var) case id: var = value; return;
#define TLS_ACCESSORS(CLASS, prefix, LIST)                                                   \
  CLASS long *prefix##_addr(int v) { switch (v) { LIST(TLS_CASE_ADDR) default: return 0; } } \
  CLASS long prefix##_get(int v) { switch (v) { LIST(TLS_CASE_GET) default: return -1; } }   \
  CLASS void prefix##_set(int v, long value) {                                                \
    switch (v) { LIST(TLS_CASE_SET) default: return; }                                        \
  }

#define TLS_P_VARS(X) X(V_P_INIT, p_init) X(V_P_ZERO, p_zero) X(V_P_ALIGNED, p_aligned)
#define TLS_A_VARS(X) X(V_A_INIT, a_init) X(V_A_ZERO, a_zero) X(V_A_ALIGNED, a_aligned)
#define TLS_B_VARS(X) X(V_B_INIT, b_init) X(V_B_ZERO, b_zero) X(V_B_ALIGNED, b_aligned)

/* liba: its own and the program's; libb: all. 0 from *_addr: not reached. */
long *liba_addr(int v);
long liba_get(int v);
void liba_set(int v, long value);
const char *liba_model(void);
long *libb_addr(int v);
long libb_get(int v);
void libb_set(int v, long value);
const char *libb_model(void);

#endif
