/* libvuser.so: linked against the unversioned libv.so.1, so its references
 * to foo and qux carry no version. */
const char *foo(void);
const char *qux(void);

const char *vuser_foo(void) { return foo(); }
const char *vuser_qux(void) { return qux(); }
