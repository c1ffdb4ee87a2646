/* Shared by the dl_tls_* case objects: variable ids and accessors
 * PREFIX_addr, PREFIX_get, PREFIX_set over an X-macro list of (id,
 * variable) pairs; 0 / -1 for a variable the object does not reach. */
#ifndef DL_TLS_H
#define DL_TLS_H

#include "dl.h"

enum { T_INIT, T_ZERO, T_A64, T_A4096, T_Z64, T_COUNT };

#ifdef TLS_OTHERS_GD
#define TLS_OTHERS __attribute__((tls_model("global-dynamic")))
#else
#define TLS_OTHERS
#endif

#define TLS_CASE_ADDR(id, var) case id: return &var;
#define TLS_CASE_GET(id, var) case id: return var;
#define TLS_CASE_SET(id, var) case id: var = value; return;
#define TLS_ACCESSORS(prefix, LIST)                                                      \
  long *prefix##_addr(int v) { switch (v) { LIST(TLS_CASE_ADDR) default: return 0; } } \
  long prefix##_get(int v) { switch (v) { LIST(TLS_CASE_GET) default: return -1; } }   \
  void prefix##_set(int v, long value) {                                               \
    switch (v) { LIST(TLS_CASE_SET) default: return; }                                 \
  }

#endif
