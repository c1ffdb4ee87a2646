/* A library that the error cases link against and then leave out, or replace
 * by libgone_empty.c's build (GONE_EMPTY), which lacks its symbols. */
#ifndef GONE_EMPTY
int gone_data = 1;
int gone_fn(void) { return 2; }
#else
int gone_placeholder;
#endif
