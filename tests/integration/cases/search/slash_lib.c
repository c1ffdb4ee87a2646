/* sub/libslash.so: named with a slash in the program's DT_NEEDED (its soname
 * is "sub/libslash.so"). Two builds: the one the case places relative to the
 * working directory, and a decoy relative to the program's directory. */
const char *slash_id(void) { return SLASH_ID; }
