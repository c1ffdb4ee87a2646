/* libdl_cycle_<model>.so: an initialised and a zero thread-local variable
 * (names of their own per library), reached with the library's model. */
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

__thread long CAT(cycle_init_, MODEL) = 77;
__thread long CAT(cycle_zero_, MODEL);

long cycle_get_init(void) { return CAT(cycle_init_, MODEL); }
long cycle_get_zero(void) { return CAT(cycle_zero_, MODEL); }
void cycle_set(long value) {
  CAT(cycle_init_, MODEL) = value;
  CAT(cycle_zero_, MODEL) = value + 1;
}
