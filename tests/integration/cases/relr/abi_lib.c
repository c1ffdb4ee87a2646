/* librelr_abi.so: DT_RELR (relative relocations packed: -z
 * pack-relative-relocs), a DT_NEEDED on libc.so.6 and a version need on it
 * (malloc@GLIBC_2.2.5), but, linked by mold, no need of GLIBC_ABI_DT_RELR,
 * the version that marks objects built for a glibc that reads DT_RELR. */
typedef unsigned long size_t;
void *malloc(size_t size);

static int value = 5;
int *relr_abi_ptrs[4] = {&value, &value, &value, &value};

void *relr_abi_alloc(size_t size) { return malloc(size); }
int relr_abi_value(void) { return *relr_abi_ptrs[3]; }
