/* libtextrel_ext.so: data and a function that libtextrel.so's text refers to
 * by absolute address. */
int textrel_ext_data = 44;
int textrel_ext_fn(void) { return 55; }
