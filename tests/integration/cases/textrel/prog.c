/* textrel: a library with text relocations (DT_TEXTREL). Asserts every
 * absolute address in its code was patched: own, static, and another
 * library's data and functions. */
void textrel_report(void);

int main(void) {
  textrel_report();
  return 0;
}
