/* libdl_error.so: one function, for the dlsym errors. */
int err_fn(void) { return 1; }
