/* libdl_lazy_def.so: lazy_present, for libdl_lazy_undef.so. */
int lazy_present(void) { return 2; }
