/* liberrmid.so: present; needs libgone.so, which is not. */
int gone_fn(void);
int errmid(void) { return gone_fn(); }
