/* Link-time stand-ins for libdup.so.1 under other sonames, so that the
 * objects linked against them record those names in DT_NEEDED. Never run. */
int dup_bump(void) { return 0; }
