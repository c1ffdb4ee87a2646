// libcompat_dladdr_STYLE.so: one library, linked once per hash style
// (--hash-style=gnu, sysv, both; LIB_TAG names the build). dladdr,
// dladdr1 and backtrace_symbols must name its symbols whatever the style:
// libc's _dl_addr walks DT_GNU_HASH when l_info has it, else DT_HASH.
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAME(s) CAT(CAT(s, _), LIB_TAG)
#define STR2(x) #x
#define STR(x) STR2(x)

int NAME(lib_data)[4] = {1, 2, 3, 4};

int NAME(lib_function)(int x) { return x * 3 + NAME(lib_data)[x & 3]; }

// A second name of the same function: which one dladdr reports depends on
// the order libc's walk meets them (GNU hash chains or the symbol table).
extern int NAME(lib_alias)(int x) __attribute__((alias(STR(NAME(lib_function)))));

__attribute__((visibility("hidden"))) int NAME(lib_hidden)(int x) { return x - 1; }

// The addresses the program asks about, taken here (the program cannot
// name the hidden function).
void *NAME(lib_addresses)(int which) {
  switch (which) {
    case 0: return (void *)&NAME(lib_function);
    case 1: return (char *)&NAME(lib_function) + 1;
    case 2: return (char *)&NAME(lib_data) + 6;
    default: return (void *)&NAME(lib_hidden);
  }
}
