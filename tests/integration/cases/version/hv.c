/* libhv.so in three builds, all with soname libhv.so:
 *   HV_BUILD 1  what the program was linked against: baz@@VERS_2.
 *   HV_BUILD 2  what runs: baz only as the hidden (non-default) baz@VERS_2,
 *               kept for old programs but no longer for new links.
 *   HV_BUILD 0  an unversioned stand-in for libhvuser.so's link.
 * All builds define keep@@VERS_1 so that VERS_1 has index 2 and VERS_2 index
 * 3: glibc binds unversioned references to index 2 even when hidden. */
const char *keep(void) { return "keep"; }
#if HV_BUILD == 1
const char *baz(void) { return "baz: VERS_2 of the link-time build"; }
#elif HV_BUILD == 2
const char *baz_compat(void) { return "baz: hidden VERS_2 of libhv"; }
__asm__(".symver baz_compat, baz@VERS_2");
#else
const char *baz(void) { return "stub"; }
#endif
