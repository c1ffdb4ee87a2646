/* libdl_scope_<a|b|dep>.so: defines FN_NAME, returning FN_VALUE (plus
 * scope_dep()'s, when built with USES_DEP: libdl_scope_a.so needs
 * libdl_scope_dep.so). */
#ifdef USES_DEP
int scope_dep(void);
int FN_NAME(void) { return FN_VALUE + scope_dep(); }
#else
int FN_NAME(void) { return FN_VALUE; }
#endif
