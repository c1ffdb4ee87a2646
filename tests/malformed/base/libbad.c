// Valid base library of the malformed tier (installed as libbad.so; the
// mutations corrupt copies of it). Libc-free. It needs libdep.so with a
// versioned reference (DEP_1), so it carries a DT_VERNEED, and it has
// relocations of each kind the mutations target: RELATIVE (messages[]),
// GLOB_DAT (dep_value) and JUMP_SLOT (dep_check).

extern int dep_check(void);
extern int dep_value;

// Never read: it is here to give the library a PT_TLS segment.
__thread int bad_tls = 7;

int bad_ready = 1;

static const char ok_text[] = "ok\n";
static const char no_text[] = "no\n";
static const char* const messages[2] = {no_text, ok_text};

// "ok\n" only when libdep.so was loaded and both relocations to it resolved.
const char* bad_message(void) { return messages[dep_check() == dep_value]; }
