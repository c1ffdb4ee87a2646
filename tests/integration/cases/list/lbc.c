/* liblistb.so, found through LD_LIBRARY_PATH; liblistc.so, found through the
 * program's DT_RUNPATH $ORIGIN/rp (LIST_ID selects). */
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
int CAT(list, LIST_ID)(void) { return 2; }
