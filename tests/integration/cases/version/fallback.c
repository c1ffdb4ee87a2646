/* libfallback.so: an unversioned baz, after libhv.so in load order. */
const char *baz(void) { return "baz: unversioned, libfallback"; }
