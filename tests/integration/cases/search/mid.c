/* libmid.so: has no search path of its own and needs libleaf.so. */
#include "rt.h"

const char *leaf(void);

const char *mid(void) { return leaf(); }
