/* tags_hostile: the program, the library it links and a plugin it dlopens
 * carry dynamic entries whose tags no linker writes and glibc 2.36's
 * elf_get_dynamic_info ignores (above 0x7fffffff, and negative). The loader
 * must ignore them too, also where it fills glibc's l_info for libc: calls
 * into both libraries, dlsym, dladdr (which walks l_info's tables) and
 * dlclose work as under glibc's loader. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

int tags_linked_value(int x);

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void describe(const char *what, void *addr) {
  Dl_info info;
  if (dladdr(addr, &info) == 0) {
    printf("%s: dladdr found nothing\n", what);
    return;
  }
  printf("%s: %s %s at +0x%lx\n", what, base_name(info.dli_fname), info.dli_sname ? info.dli_sname : "-",
         (unsigned long)((char *)addr - (char *)info.dli_saddr));
}

static int count_tags_objects(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  if (strstr(info->dlpi_name, "tags") != NULL) ++*(int *)data;
  return 0;
}

int main(int argc, char **argv) {
  const char *plugin = argc > 1 ? argv[1] : "./libcompat_tags_plugin.so";
  printf("linked: %d\n", tags_linked_value(41));
  describe("linked", (void *)tags_linked_value);
  void *h = dlopen(plugin, RTLD_NOW);
  if (h == NULL) {
    printf("dlopen: %s\n", dlerror());
    return 1;
  }
  int (*fn)(int) = (int (*)(int))dlsym(h, "tags_plugin_value");
  int *tls = (int *)dlsym(h, "tags_plugin_tls");
  if (fn == NULL || tls == NULL) {
    printf("dlsym: %s\n", dlerror());
    return 1;
  }
  printf("plugin: %d, its TLS %d\n", fn(5), *tls);
  describe("plugin", (void *)fn);
  struct link_map *map = NULL;
  if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0) printf("plugin link map: %s\n", base_name(map->l_name));
  int n = 0;
  dl_iterate_phdr(count_tags_objects, &n);
  printf("objects named *tags*: %d\n", n);
  printf("dlclose: %d\n", dlclose(h));
  n = 0;
  dl_iterate_phdr(count_tags_objects, &n);
  printf("after dlclose: %d\n", n);
  return 0;
}
