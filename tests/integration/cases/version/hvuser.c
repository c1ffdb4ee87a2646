/* libhvuser.so: an unversioned reference to baz. */
const char *baz(void);

const char *hvuser_baz(void) { return baz(); }
