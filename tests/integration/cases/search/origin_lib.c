/* libo1.so (ORIGIN_ID 1), libo2.so (2) and libo3.so (3) of search_origin.
 * libo1.so has DT_RUNPATH "$ORIGIN/sub" and needs libo3.so from there. */

#if ORIGIN_ID == 1
const char *o3(void);
const char *o1(void) { return "libo1 (found by $ORIGIN), with o3 = "; }
const char *o1_dep(void) { return o3(); }
#elif ORIGIN_ID == 2
const char *o2(void) { return "libo2 (found by ${ORIGIN})"; }
#else
const char *o3(void) { return "libo3 (found by libo1's own $ORIGIN)"; }
#endif
