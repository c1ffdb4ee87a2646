/* libdl_tls_<model>_user.so (needs libdl_tls_<model>.so): reaches
 * tls_init and tls_z64 of the library it needs with the same model
 * (global-dynamic in the local-dynamic build: local-dynamic addresses only
 * a module's own block). */
#include "dl_tls.h"

extern __thread long tls_init TLS_OTHERS, tls_z64 TLS_OTHERS;

#define USER_VARS(X) X(T_INIT, tls_init) X(T_Z64, tls_z64)
TLS_ACCESSORS(user, USER_VARS)
