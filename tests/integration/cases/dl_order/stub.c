/* A stand-in with another library's soname: linking against it records a
 * DT_NEEDED on that library before the library itself exists (a cycle). */
int dl_ord_stub;
