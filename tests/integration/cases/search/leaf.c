/* libleaf.so: the indirect dependency of the inheritance cases. */
const char *leaf(void) { return "libleaf reached through libmid"; }
