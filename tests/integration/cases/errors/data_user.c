/* liberrdata.so: reads gone_data through its GOT (R_X86_64_GLOB_DAT, bound at
 * start-up even with lazy binding). */
extern int gone_data;
int errdata(void) { return gone_data; }
