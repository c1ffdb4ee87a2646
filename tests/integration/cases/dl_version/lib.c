/* libdl_version.so (version script lib.map: V1, then V2): ver_foo twice,
 * ver_foo@V1 (1) and the default ver_foo@@V2 (2); ver_old only as the
 * non-default ver_old@V1 (4); ver_new only as ver_new@@V2 (3). */
int ver_foo_v1(void) { return 1; }
__asm__(".symver ver_foo_v1, ver_foo@V1");
int ver_foo_v2(void) { return 2; }
__asm__(".symver ver_foo_v2, ver_foo@@V2");
int ver_old_v1(void) { return 4; }
__asm__(".symver ver_old_v1, ver_old@V1");
int ver_new(void) { return 3; }
