/* libwhich.so, built once per directory of the search cases; WHICH names the
 * build, so the program can tell which directory the loader took it from. */
const char *which(void) { return WHICH; }
