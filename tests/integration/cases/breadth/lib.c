/* libbreadthN.so (N = LIB_ID): one function and one data object whose names
 * and values carry N, so a wrong binding shows. */
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

int CAT(breadth_fn_, LIB_ID)(int x) { return LIB_ID * 1000 + x; }
int CAT(breadth_data_, LIB_ID) = LIB_ID * 7;
