/* libcompat_sem_filter.so (a filter of libcompat_sem_filtee.so, FILTER
 * defined) and libcompat_sem_filtee.so: who and where. */
const char* sem_who(void) { return NAME; }

#ifdef FILTER
const char* sem_own(void) { return NAME; }
const char* sem_internal(void) { return sem_who(); }
#endif
