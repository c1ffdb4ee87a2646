// The dl API for programs without a libc (placeholder entry points; the
// implementation follows).
#include <stddef.h>
#include <stdint.h>

#define RTLD_EXPORT extern "C" __attribute__((visibility("default")))

RTLD_EXPORT void* dlopen(const char*, int) { return nullptr; }
RTLD_EXPORT int dlclose(void*) { return -1; }
RTLD_EXPORT void* dlsym(void*, const char*) { return nullptr; }
RTLD_EXPORT void* dlvsym(void*, const char*, const char*) { return nullptr; }
RTLD_EXPORT char* dlerror() { return const_cast<char*>("not implemented"); }
RTLD_EXPORT int dladdr(const void*, void*) { return 0; }
RTLD_EXPORT int dladdr1(const void*, void*, void**, int) { return 0; }
RTLD_EXPORT int dlinfo(void*, int, void*) { return -1; }
RTLD_EXPORT int dl_iterate_phdr(int (*)(void*, size_t, void*), void*) { return 0; }
