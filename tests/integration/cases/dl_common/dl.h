/* The dl API as the dl_* cases see it: <dlfcn.h> and <link.h> declarations
 * (glibc 2.36's values and layouts, x86-64), written out so that the
 * libc-free cases need no system header. Programs and libraries link
 * against the loader file (it_loader, soname ld-linux-x86-64.so.2), which
 * exports these at glibc's versions; under glibc's loader they bind to
 * libc.so.6's (LD_PRELOAD, see the README).
 *
 * Also the helpers of dl_util.o (hidden, linked into programs only). */
#ifndef DL_COMMON_DL_H
#define DL_COMMON_DL_H

#include "rt.h"

/* --- <dlfcn.h> ------------------------------------------------------------ */
#define RTLD_LAZY 0x00001
#define RTLD_NOW 0x00002
#define RTLD_NOLOAD 0x00004
#define RTLD_DEEPBIND 0x00008
#define RTLD_GLOBAL 0x00100
#define RTLD_LOCAL 0
#define RTLD_NODELETE 0x01000
#define RTLD_NEXT ((void *)-1l)
#define RTLD_DEFAULT ((void *)0)

typedef long Lmid_t;
#define LM_ID_BASE 0

typedef struct {
  const char *dli_fname;
  void *dli_fbase;
  const char *dli_sname;
  void *dli_saddr;
} Dl_info;

/* dladdr1 flags */
#define RTLD_DL_SYMENT 1
#define RTLD_DL_LINKMAP 2

/* dlinfo requests */
#define RTLD_DI_LMID 1
#define RTLD_DI_LINKMAP 2
#define RTLD_DI_ORIGIN 6
#define RTLD_DI_TLS_MODID 9
#define RTLD_DI_TLS_DATA 10

void *dlopen(const char *file, int mode);
int dlclose(void *handle);
void *dlsym(void *handle, const char *name);
void *dlvsym(void *handle, const char *name, const char *version);
char *dlerror(void);
int dladdr(const void *address, Dl_info *info);
int dladdr1(const void *address, Dl_info *info, void **extra_info, int flags);
int dlinfo(void *handle, int request, void *arg);

/* --- <elf.h> / <link.h> ---------------------------------------------------- */
typedef struct {
  unsigned char e_ident[16];
  unsigned short e_type, e_machine;
  unsigned int e_version;
  unsigned long e_entry, e_phoff, e_shoff;
  unsigned int e_flags;
  unsigned short e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
  unsigned int p_type, p_flags;
  unsigned long p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

typedef struct {
  unsigned int st_name;
  unsigned char st_info, st_other;
  unsigned short st_shndx;
  unsigned long st_value, st_size;
} Elf64_Sym;

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_PHDR 6
#define PT_TLS 7
#define STT_OBJECT 1
#define STT_FUNC 2
#define STT_TLS 6

struct link_map {
  unsigned long l_addr;
  char *l_name;
  void *l_ld;
  struct link_map *l_next, *l_prev;
};

struct dl_phdr_info {
  unsigned long dlpi_addr;
  const char *dlpi_name;
  const Elf64_Phdr *dlpi_phdr;
  unsigned short dlpi_phnum;
  unsigned long long dlpi_adds;
  unsigned long long dlpi_subs;
  rt_size_t dlpi_tls_modid;
  void *dlpi_tls_data;
};

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *info, rt_size_t size, void *data),
                    void *data);

/* --- Helpers (dl_util.o) ---------------------------------------------------- */
#pragma GCC visibility push(hidden)

/* Whether NAME (a path) is one of the cases' own libraries: its last
 * component starts with "libdl_". Only those are listed, so that glibc's
 * libc.so.6 and ld.so and our loader, which differ between the runs, never
 * show up. */
int dl_is_case_object(const char *name);
/* The last component of PATH. */
const char *dl_basename(const char *path);
/* "WHAT: dlerror=MESSAGE" (or "(null)") to stdout, one line. */
void dl_put_error(const char *what);
/* "WHAT: handle" / "WHAT: NULL" and, when NULL, dlerror's message. */
void *dl_open_report(const char *what, const char *file, int mode);
/* Whether FILE is loaded (dlopen RTLD_NOLOAD), with the reference that
 * takes given back. Does not touch dlerror's state beyond a dl call. */
int dl_is_loaded(const char *file);
/* "WHAT: name name ..." : the cases' own objects in dl_iterate_phdr order
 * (basenames). */
void dl_put_loaded(const char *what);

#pragma GCC visibility pop

#endif
