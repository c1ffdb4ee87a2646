/* libv.so.1 in three builds, all with soname libv.so.1:
 *   LIBV_BUILD 1  release 1, version script v1.map: foo@@VERS_1.
 *   LIBV_BUILD 2  release 2, version script v2.map: foo@VERS_1 (the old
 *                 behaviour, kept for programs linked against release 1),
 *                 foo@@VERS_2 (the new behaviour) and qux@@VERS_2.
 *   LIBV_BUILD 0  an unversioned stand-in, only linked against (never run),
 *                 so that libvuser.so's references carry no version. */
#if LIBV_BUILD == 1
const char *foo(void) { return "foo: release 1"; }
#elif LIBV_BUILD == 2
const char *foo_vers_1(void) { return "foo: VERS_1 behaviour kept in release 2"; }
const char *foo_vers_2(void) { return "foo: VERS_2 behaviour of release 2"; }
const char *qux(void) { return "qux: VERS_2 of release 2"; }
__asm__(".symver foo_vers_1, foo@VERS_1");
__asm__(".symver foo_vers_2, foo@@VERS_2");
#else
const char *foo(void) { return "stub"; }
const char *qux(void) { return "stub"; }
#endif
