/* libdl_rescope_a.so: needs libdl_rescope_dep.so, defines nothing else. */
int a_marker(void) { return 1; }
