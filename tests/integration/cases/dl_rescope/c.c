/* libdl_rescope_c.so: needs libdl_rescope_dep.so and libdl_rescope_init.so;
 * defines what they call. */
int late_fn(void) { return 7; }
int late_weak(void) { return 8; }
int late_init(void) { return 9; }
