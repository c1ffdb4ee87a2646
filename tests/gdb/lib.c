/* libgdbcase.so: the function the debugger stops in. */
int lib_function(int x) { return 2 * x + 1; }
