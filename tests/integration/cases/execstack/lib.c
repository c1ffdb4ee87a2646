/* libdl_execstack.so: linked -z execstack (PT_GNU_STACK with PF_X). */
int dl_execstack_value(void) { return 7; }
