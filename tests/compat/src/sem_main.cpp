// dl_semantics: symbol-lookup and scope rules of glibc's loader that a
// glibc-linked C++ program sees, one per argument:
//   filter   libcompat_sem_filter.so (needed) is a DT_FILTER of
//            libcompat_sem_filtee.so: sem_who() is the filtee's, also from
//            the filter's own code; sem_own() stays the filter's.
//   unique   two plugins, dlopen'ed RTLD_LOCAL, use a function-local static
//            of a template's inline function (g++ makes it STB_GNU_UNIQUE):
//            one counter for both.
//   next     sem_value() of the preloaded libcompat_sem_pre{1,2,3}.so (run
//            with LD_PRELOAD) each adds to the next definition's result
//            (dlsym(RTLD_NEXT)), down to libcompat_sem_base.so's.
//   rescope  libcompat_sem_ra.so and then libcompat_sem_rc.so, RTLD_LOCAL,
//            both need libcompat_sem_rdep.so, whose lazy call to
//            sem_late() (only rc defines it) binds once rc is loaded.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>

extern "C" const char* sem_who();
extern "C" const char* sem_own();
extern "C" const char* sem_internal();
extern "C" long sem_value();

namespace {

void* Open(const char* file) {
  void* h = dlopen(file, RTLD_LAZY | RTLD_LOCAL);
  if (h == nullptr) std::printf("dlopen %s: %s\n", file, dlerror());
  return h;
}

template <typename Fn>
Fn Sym(void* handle, const char* name) {
  void* p = dlsym(handle, name);
  if (p == nullptr) std::printf("dlsym %s: %s\n", name, dlerror());
  return reinterpret_cast<Fn>(p);
}

int Filter() {
  std::printf("who=%s own=%s internal=%s\n", sem_who(), sem_own(), sem_internal());
  return 0;
}

int Unique() {
  void* p1 = Open("./libcompat_sem_u1.so");
  void* p2 = Open("./libcompat_sem_u2.so");
  if (p1 == nullptr || p2 == nullptr) return 1;
  using Bump = int (*)();
  auto bump1 = Sym<Bump>(p1, "sem_u1_bump");
  auto bump2 = Sym<Bump>(p2, "sem_u2_bump");
  if (bump1 == nullptr || bump2 == nullptr) return 1;
  const int a = bump1(), b = bump2(), c = bump1();
  std::printf("u1=%d u2=%d u1=%d\n", a, b, c);
  return 0;
}

int Next() {
  std::printf("sem_value=%ld\n", sem_value());
  return 0;
}

int Rescope() {
  void* ra = Open("./libcompat_sem_ra.so");
  if (ra == nullptr) return 1;
  using Call = int (*)();
  auto call = Sym<Call>(ra, "sem_rdep_call");
  if (call == nullptr) return 1;
  void* rc = Open("./libcompat_sem_rc.so");
  if (rc == nullptr) return 1;
  std::printf("sem_rdep_call=%d\n", call());
  dlclose(rc);
  dlclose(ra);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  if (std::strcmp(argv[1], "filter") == 0) return Filter();
  if (std::strcmp(argv[1], "unique") == 0) return Unique();
  if (std::strcmp(argv[1], "next") == 0) return Next();
  if (std::strcmp(argv[1], "rescope") == 0) return Rescope();
  return 2;
}
