// Valid dependency of libbad.so, with a version node (DEP_1) so that
// libbad.so's reference to it is versioned. Libc-free.

int dep_value = 1;

int dep_check(void) { return 1; }
