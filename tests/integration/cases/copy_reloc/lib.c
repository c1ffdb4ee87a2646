/* libcopy.so: initialised data objects that a non-PIE program copies into
 * its own data (R_X86_64_COPY), and functions reading them through this
 * library's GOT, which must point at the program's copies. */
int shared_counter = 100;
char shared_text[16] = "from library";

int lib_counter(void) { return shared_counter; }
const char *lib_text(void) { return shared_text; }
int *lib_counter_address(void) { return &shared_counter; }
