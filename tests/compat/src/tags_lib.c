/* A library of tags_hostile (src/tags_prog.c), built twice: linked to the
 * program (TAGS_LINKED) and dlopen'ed (TAGS_PLUGIN). Both copies get
 * dynamic entries with tags glibc ignores (add_dyn_tags.py). */
#include <stdio.h>

#ifdef TAGS_PLUGIN
__thread int tags_plugin_tls = 7;
int tags_plugin_value(int x) { return x * 3 + tags_plugin_tls; }
#else
int tags_linked_value(int x) {
  printf("tags_linked_value(%d)\n", x);
  return x + 1;
}
#endif
