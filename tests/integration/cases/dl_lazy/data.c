/* libdl_lazy_data.so: reads lazy_missing_data, defined nowhere, through its
 * GOT (R_X86_64_GLOB_DAT: bound at dlopen even with RTLD_LAZY). */
extern int lazy_missing_data;
int lazy_read(void) { return lazy_missing_data; }
