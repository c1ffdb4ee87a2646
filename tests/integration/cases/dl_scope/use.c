/* libdl_scope_use<a|b>.so: calls USED_FN, which it does not define and
 * whose library it does not need: only the global scope can provide it. */
int USED_FN(void);
int USER_FN(void) { return USED_FN(); }
