/* The library dl_cycles opens and closes: small and self-contained (no
 * DT_NEEDED), so that a cycle costs little beyond the loader's own work. */
int cycle_value(void) { return 42; }
