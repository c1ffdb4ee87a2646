/* liblibdir.so (in $LIB) and libplat.so (in $PLATFORM) of search_lib_platform. */
#ifdef LIBDIR
const char *libdir_id(void) { return "liblibdir.so from $ORIGIN/l/$LIB"; }
#else
const char *plat_id(void) { return "libplat.so from $ORIGIN/p-$PLATFORM"; }
#endif
