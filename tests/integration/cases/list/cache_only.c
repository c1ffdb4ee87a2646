/* A link-time stand-in with the soname of a library that, at run time, only
 * /etc/ld.so.cache can find: fakeroot's libfakeroot-0.so lives in
 * /usr/lib/x86_64-linux-gnu/libfakeroot, a directory named by
 * /etc/ld.so.conf.d and by no default search path. */
int cache_only_stand_in(void) { return 0; }
