// See nolongjmp.h.
#include <setjmp.h>

int wasm_setjmp(jmp_buf env) {
  (void)env;
  return 0;
}

_Noreturn void wasm_longjmp(jmp_buf env, int value) {
  (void)env;
  (void)value;
  __builtin_trap();
}
