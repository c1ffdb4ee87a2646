/* libdl_version_plain.so: no symbol versions at all. */
int ver_plain(void) { return 5; }
