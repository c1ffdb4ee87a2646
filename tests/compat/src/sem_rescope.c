/* libcompat_sem_rdep.so (RDEP): calls sem_late() lazily, which only
 * libcompat_sem_rc.so (RC) defines; libcompat_sem_ra.so (neither) exports
 * the call. Both ra and rc need rdep. */
int sem_late(void);
int sem_rdep_late(void);

#if defined(RDEP)
int sem_rdep_late(void) { return sem_late() + 1000; }
#elif defined(RC)
int sem_late(void) { return 7; }
int sem_rc_call(void) { return sem_rdep_late(); }  /* keeps rc's DT_NEEDED on rdep */
#else
int sem_rdep_call(void) { return sem_rdep_late(); }
#endif
