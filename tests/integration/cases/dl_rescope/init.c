/* libdl_rescope_init.so: needed by the program (an initial object) and by
 * libdl_rescope_c.so. Calls late_init(), which only libdl_rescope_c.so
 * defines, through a lazily bound PLT slot. */
int late_init(void);

int init_call_late(void) { return late_init() + 3000; }
