/* libprovider.so: the definition a weak reference of libweakuser.so binds to. */
int provided_fn(void) { return 7; }
