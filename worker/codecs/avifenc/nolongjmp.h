// Force-included into libaom and libavif (see build.sh): their setjmp/longjmp error handling
// becomes "setjmp returns 0, longjmp traps", so the module needs no JavaScript exception glue.
#ifndef AVIFENC_NOLONGJMP_H_
#define AVIFENC_NOLONGJMP_H_
#include <setjmp.h>
#undef setjmp
#undef longjmp
int wasm_setjmp(jmp_buf env);
_Noreturn void wasm_longjmp(jmp_buf env, int value);
#define setjmp(env) wasm_setjmp(env)
#define longjmp(env, value) wasm_longjmp(env, value)
#endif
