/* A library to preload into the secure-mode tier's program: its constructor
 * writes one line to stderr, so both loaders' decisions are visible. */
#include <unistd.h>

__attribute__((constructor)) static void announce(void) {
  static const char text[] = "secure_pre: loaded\n";
  (void)!write(2, text, sizeof text - 1);
}
