/* libfiniN.so (LIB_NAME): one DT_INIT_ARRAY entry, a DT_FINI function (linked
 * -Wl,-fini=lib_dt_fini) and two DT_FINI_ARRAY entries, each printing. */
#include "rt.h"

typedef void (*fn)(void);

static void init_entry(void) { rt_line(LIB_NAME ": DT_INIT_ARRAY"); }
__attribute__((section(".init_array"), used)) static fn init_array[] = {init_entry};

static void fini_entry_0(void) { rt_line(LIB_NAME ": DT_FINI_ARRAY[0]"); }
static void fini_entry_1(void) { rt_line(LIB_NAME ": DT_FINI_ARRAY[1]"); }
__attribute__((section(".fini_array"), used)) static fn fini_array[] = {fini_entry_0, fini_entry_1};

__attribute__((visibility("hidden"))) void lib_dt_fini(void) { rt_line(LIB_NAME ": DT_FINI"); }

/* Gives the library a symbol for its dependents to link against. */
int FINI_SYMBOL;
