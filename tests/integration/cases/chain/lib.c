/* libchainN.so (N = LIB_ID, 0 <= N <= LAST_ID): needs libchain(N+1).so.
 * chain_fn_N(d) calls chain_fn_(N+1)(d + 1); the last returns
 * d * 100 + LAST_ID. Each initialiser records N in the recorder of the last
 * library, which every library reaches through the global scope. */
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

void chain_record_init(int id);

#if LIB_ID < LAST_ID
int CAT(chain_fn_, NEXT_ID)(int depth);
int CAT(chain_fn_, LIB_ID)(int depth) { return CAT(chain_fn_, NEXT_ID)(depth + 1); }
#else
int CAT(chain_fn_, LIB_ID)(int depth) { return depth * 100 + LIB_ID; }

/* The initialisation order, filled by every library's initialiser. */
int chain_init_order[LAST_ID + 1];
int chain_init_count;
void chain_record_init(int id) {
  if (chain_init_count <= LAST_ID) chain_init_order[chain_init_count++] = id;
}
#endif

__attribute__((constructor)) static void record(void) { chain_record_init(LIB_ID); }

#if LIB_ID == 0
/* The recorder, for the program (which needs only this library). */
extern int chain_init_order[];
extern int chain_init_count;
int chain_inits_recorded(void) { return chain_init_count; }
int chain_init_recorded(int i) { return chain_init_order[i]; }
#endif
