/* liblista.so: needs liblistb.so. */
int lista(void) { return 1; }
