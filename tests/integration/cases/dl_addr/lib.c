/* libdl_addr.so: an exported function, an exported data object of 24
 * bytes, and a function that is not exported (hidden). */
int addr_fn(int x) { return x * 3 + 1; }
int addr_data[6] = {1, 2, 3, 4, 5, 6};

__attribute__((visibility("hidden"), noinline)) int addr_hidden_fn(int x) { return x * 5 + 2; }
void *addr_hidden_fn_address(void) { return (void *)addr_hidden_fn; }
