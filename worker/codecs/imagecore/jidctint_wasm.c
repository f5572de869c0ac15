/*
 * WebAssembly SIMD versions of libjpeg-turbo's accurate integer IDCT (jidctint.c,
 * jpeg_idct_islow) and of its 4x4 reduced-size IDCT (jidctred.c, jpeg_idct_4x4, which
 * decoding at 1/2 uses for luma and 1/4 for chroma): the same 32-bit integer arithmetic
 * (JLONG is 32 bits on wasm32), the same constants, descaling and output range limiting, four
 * columns (pass 1) or four rows (pass 2) at a time, so the output is identical. The C code's
 * shortcuts for all-zero AC terms give the same values as the full computation, so they are
 * not needed here.
 */
#define JPEG_INTERNALS
#include "jinclude.h"
#include "jpeglib.h"
#include "jdct.h"

#include <wasm_simd128.h>

#define CONST_BITS 13
#define PASS1_BITS 2

#define FIX_0_298631336 2446
#define FIX_0_390180644 3196
#define FIX_0_541196100 4433
#define FIX_0_765366865 6270
#define FIX_0_899976223 7373
#define FIX_1_175875602 9633
#define FIX_1_501321110 12299
#define FIX_1_847759065 15137
#define FIX_1_961570560 16069
#define FIX_2_053119869 16819
#define FIX_2_562915447 20995
#define FIX_3_072711026 25172

#define MUL(v, c) wasm_i32x4_mul((v), wasm_i32x4_splat(c))

/* One 1-D IDCT over eight vectors (in[k] is input k for four columns or rows); out[k] are
 * the sums before descaling, exactly as jidctint.c forms them. */
static inline void idct_1d(const v128_t in[8], v128_t out[8])
{
  v128_t z1, z2, z3, z4, z5, tmp0, tmp1, tmp2, tmp3, tmp10, tmp11, tmp12, tmp13;

  /* Even part. */
  z2 = in[2];
  z3 = in[6];
  z1 = MUL(wasm_i32x4_add(z2, z3), FIX_0_541196100);
  tmp2 = wasm_i32x4_add(z1, MUL(z3, -FIX_1_847759065));
  tmp3 = wasm_i32x4_add(z1, MUL(z2, FIX_0_765366865));
  z2 = in[0];
  z3 = in[4];
  tmp0 = wasm_i32x4_shl(wasm_i32x4_add(z2, z3), CONST_BITS);
  tmp1 = wasm_i32x4_shl(wasm_i32x4_sub(z2, z3), CONST_BITS);
  tmp10 = wasm_i32x4_add(tmp0, tmp3);
  tmp13 = wasm_i32x4_sub(tmp0, tmp3);
  tmp11 = wasm_i32x4_add(tmp1, tmp2);
  tmp12 = wasm_i32x4_sub(tmp1, tmp2);

  /* Odd part. */
  tmp0 = in[7];
  tmp1 = in[5];
  tmp2 = in[3];
  tmp3 = in[1];
  z1 = wasm_i32x4_add(tmp0, tmp3);
  z2 = wasm_i32x4_add(tmp1, tmp2);
  z3 = wasm_i32x4_add(tmp0, tmp2);
  z4 = wasm_i32x4_add(tmp1, tmp3);
  z5 = MUL(wasm_i32x4_add(z3, z4), FIX_1_175875602);
  tmp0 = MUL(tmp0, FIX_0_298631336);
  tmp1 = MUL(tmp1, FIX_2_053119869);
  tmp2 = MUL(tmp2, FIX_3_072711026);
  tmp3 = MUL(tmp3, FIX_1_501321110);
  z1 = MUL(z1, -FIX_0_899976223);
  z2 = MUL(z2, -FIX_2_562915447);
  z3 = MUL(z3, -FIX_1_961570560);
  z4 = MUL(z4, -FIX_0_390180644);
  z3 = wasm_i32x4_add(z3, z5);
  z4 = wasm_i32x4_add(z4, z5);
  tmp0 = wasm_i32x4_add(tmp0, wasm_i32x4_add(z1, z3));
  tmp1 = wasm_i32x4_add(tmp1, wasm_i32x4_add(z2, z4));
  tmp2 = wasm_i32x4_add(tmp2, wasm_i32x4_add(z2, z3));
  tmp3 = wasm_i32x4_add(tmp3, wasm_i32x4_add(z1, z4));

  out[0] = wasm_i32x4_add(tmp10, tmp3);
  out[7] = wasm_i32x4_sub(tmp10, tmp3);
  out[1] = wasm_i32x4_add(tmp11, tmp2);
  out[6] = wasm_i32x4_sub(tmp11, tmp2);
  out[2] = wasm_i32x4_add(tmp12, tmp1);
  out[5] = wasm_i32x4_sub(tmp12, tmp1);
  out[3] = wasm_i32x4_add(tmp13, tmp0);
  out[4] = wasm_i32x4_sub(tmp13, tmp0);
}

/* DESCALE(x, n): add half, arithmetic shift right. */
static inline v128_t descale(v128_t x, int n)
{
  return wasm_i32x4_shr(wasm_i32x4_add(x, wasm_i32x4_splat(1 << (n - 1))), n);
}

/* Transposes four vectors of four lanes. */
static inline void transpose4(v128_t *a, v128_t *b, v128_t *c, v128_t *d)
{
  v128_t t0 = wasm_i32x4_shuffle(*a, *b, 0, 4, 1, 5);
  v128_t t1 = wasm_i32x4_shuffle(*a, *b, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(*c, *d, 0, 4, 1, 5);
  v128_t t3 = wasm_i32x4_shuffle(*c, *d, 2, 6, 3, 7);
  *a = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);
  *b = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  *c = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
  *d = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}

/*
 * range_limit[x & RANGE_MASK] of jidctint.c, for the post-IDCT table jdmaster.c builds: the low
 * 10 bits read as a signed number, plus CENTERJSAMPLE, clamped to 0..255 (the clamp is the
 * saturating narrow at the store).
 */
static inline v128_t range_limit(v128_t x)
{
  return wasm_i32x4_add(wasm_i32x4_shr(wasm_i32x4_shl(x, 22), 22),
                        wasm_i32x4_splat(CENTERJSAMPLE));
}

/* The block's coefficients times the quantization table, as 32-bit lanes: row k, columns 0-3
 * in lo[k] and 4-7 in hi[k]. ISLOW_MULT_TYPE is int here (MULTIPLIER without WITH_SIMD). */
static inline void dequantize(const void *dct_table, JCOEFPTR coef_block, v128_t lo[8],
                              v128_t hi[8])
{
  const ISLOW_MULT_TYPE *quant = (const ISLOW_MULT_TYPE *)dct_table;
  for (int k = 0; k < 8; k++) {
    v128_t c = wasm_v128_load(coef_block + 8 * k);
    lo[k] = wasm_i32x4_mul(wasm_i32x4_extend_low_i16x8(c), wasm_v128_load(quant + 8 * k));
    hi[k] = wasm_i32x4_mul(wasm_i32x4_extend_high_i16x8(c), wasm_v128_load(quant + 8 * k + 4));
  }
}

GLOBAL(void)
jsimd_idct_islow_wasm(void *dct_table, JCOEFPTR coef_block, JSAMPARRAY output_buf,
                      JDIMENSION output_col)
{
  v128_t in[8], lo[8], hi[8];
  int k;

  /* Pass 1: columns 0-3 (lo) and 4-7 (hi); row k of the block is input k of every column. */
  dequantize(dct_table, coef_block, lo, hi);
  idct_1d(lo, in);
  for (k = 0; k < 8; k++) lo[k] = descale(in[k], CONST_BITS - PASS1_BITS);
  idct_1d(hi, in);
  for (k = 0; k < 8; k++) hi[k] = descale(in[k], CONST_BITS - PASS1_BITS);
  /* Workspace row k is (lo[k], hi[k]). Transpose so that each vector holds one workspace
   * column for four rows: rows 0-3 from the top half, rows 4-7 from the bottom half. */
  v128_t top[8], bottom[8], out[8];
  top[0] = lo[0]; top[1] = lo[1]; top[2] = lo[2]; top[3] = lo[3];
  transpose4(&top[0], &top[1], &top[2], &top[3]);
  top[4] = hi[0]; top[5] = hi[1]; top[6] = hi[2]; top[7] = hi[3];
  transpose4(&top[4], &top[5], &top[6], &top[7]);
  bottom[0] = lo[4]; bottom[1] = lo[5]; bottom[2] = lo[6]; bottom[3] = lo[7];
  transpose4(&bottom[0], &bottom[1], &bottom[2], &bottom[3]);
  bottom[4] = hi[4]; bottom[5] = hi[5]; bottom[6] = hi[6]; bottom[7] = hi[7];
  transpose4(&bottom[4], &bottom[5], &bottom[6], &bottom[7]);

  /* Pass 2: four rows at a time; out[j] is output column j of those rows. */
  for (int half = 0; half < 2; half++) {
    idct_1d(half ? bottom : top, out);
    for (k = 0; k < 8; k++) out[k] = range_limit(descale(out[k], CONST_BITS + PASS1_BITS + 3));
    transpose4(&out[0], &out[1], &out[2], &out[3]);
    transpose4(&out[4], &out[5], &out[6], &out[7]);
    for (k = 0; k < 4; k++) {
      v128_t row16 = wasm_i16x8_narrow_i32x4(out[k], out[k + 4]);
      v128_t row8 = wasm_u8x16_narrow_i16x8(row16, row16);
      wasm_v128_store64_lane(output_buf[half * 4 + k] + output_col, row8, 0);
    }
  }
}

/* jidctred.c's constants for the 4x4 IDCT. */
#define FIX_0_211164243 1730
#define FIX_0_509795579 4176
#define FIX_0_601344887 4926
#define FIX_1_061594337 8697
#define FIX_1_451774981 11893
#define FIX_2_172734803 17799

/* One 1-D 4-point IDCT of jpeg_idct_4x4 over inputs 0-3 and 5-7 (4 is not used); out[k] are
 * the sums before descaling. */
static inline void idct4_1d(const v128_t in[8], v128_t out[4])
{
  v128_t tmp0 = wasm_i32x4_shl(in[0], CONST_BITS + 1);
  v128_t tmp2 = wasm_i32x4_add(MUL(in[2], FIX_1_847759065), MUL(in[6], -FIX_0_765366865));
  v128_t tmp10 = wasm_i32x4_add(tmp0, tmp2), tmp12 = wasm_i32x4_sub(tmp0, tmp2);
  const v128_t z1 = in[7], z2 = in[5], z3 = in[3], z4 = in[1];
  tmp0 = wasm_i32x4_add(wasm_i32x4_add(MUL(z1, -FIX_0_211164243), MUL(z2, FIX_1_451774981)),
                        wasm_i32x4_add(MUL(z3, -FIX_2_172734803), MUL(z4, FIX_1_061594337)));
  tmp2 = wasm_i32x4_add(wasm_i32x4_add(MUL(z1, -FIX_0_509795579), MUL(z2, -FIX_0_601344887)),
                        wasm_i32x4_add(MUL(z3, FIX_0_899976223), MUL(z4, FIX_2_562915447)));
  out[0] = wasm_i32x4_add(tmp10, tmp2);
  out[3] = wasm_i32x4_sub(tmp10, tmp2);
  out[1] = wasm_i32x4_add(tmp12, tmp0);
  out[2] = wasm_i32x4_sub(tmp12, tmp0);
}

GLOBAL(void)
jsimd_idct_4x4_wasm(void *dct_table, JCOEFPTR coef_block, JSAMPARRAY output_buf,
                    JDIMENSION output_col)
{
  v128_t lo[8], hi[8], ws[8], out[4];
  int k;

  /* Pass 1: columns 0-3 and 4-7; workspace row k (of 4) is (ws[k], ws[k + 4]). */
  dequantize(dct_table, coef_block, lo, hi);
  idct4_1d(lo, out);
  for (k = 0; k < 4; k++) ws[k] = descale(out[k], CONST_BITS - PASS1_BITS + 1);
  idct4_1d(hi, out);
  for (k = 0; k < 4; k++) ws[k + 4] = descale(out[k], CONST_BITS - PASS1_BITS + 1);
  /* Transposed, ws[j] holds workspace column j of the four rows. */
  transpose4(&ws[0], &ws[1], &ws[2], &ws[3]);
  transpose4(&ws[4], &ws[5], &ws[6], &ws[7]);

  /* Pass 2: the four rows at once; out[j] is output column j. */
  idct4_1d(ws, out);
  for (k = 0; k < 4; k++) out[k] = range_limit(descale(out[k], CONST_BITS + PASS1_BITS + 3 + 1));
  transpose4(&out[0], &out[1], &out[2], &out[3]);
  for (k = 0; k < 4; k++) {
    v128_t row16 = wasm_i16x8_narrow_i32x4(out[k], out[k]);
    wasm_v128_store32_lane(output_buf[k] + output_col, wasm_u8x16_narrow_i16x8(row16, row16), 0);
  }
}

/* jidctred.c's constants for the 2x2 IDCT. */
#define FIX_0_720959822 5906
#define FIX_0_850430095 6967
#define FIX_1_272758580 10426
#define FIX_3_624509785 29692

/* One 1-D 2-point IDCT of jpeg_idct_2x2 over inputs 0, 1, 3, 5 and 7: out[0] and out[1]
 * before descaling. */
static inline void idct2_1d(v128_t in0, v128_t in1, v128_t in3, v128_t in5, v128_t in7,
                            v128_t out[2])
{
  v128_t tmp10 = wasm_i32x4_shl(in0, CONST_BITS + 2);
  v128_t tmp0 = wasm_i32x4_add(wasm_i32x4_add(MUL(in7, -FIX_0_720959822), MUL(in5, FIX_0_850430095)),
                               wasm_i32x4_add(MUL(in3, -FIX_1_272758580), MUL(in1, FIX_3_624509785)));
  out[0] = wasm_i32x4_add(tmp10, tmp0);
  out[1] = wasm_i32x4_sub(tmp10, tmp0);
}

GLOBAL(void)
jsimd_idct_2x2_wasm(void *dct_table, JCOEFPTR coef_block, JSAMPARRAY output_buf,
                    JDIMENSION output_col)
{
  const ISLOW_MULT_TYPE *quant = (const ISLOW_MULT_TYPE *)dct_table;
  static const int rows[5] = { 0, 1, 3, 5, 7 };
  v128_t lo[5], hi[5], out[2];
  /* Pass 1 reads rows 0, 1, 3, 5 and 7 of the block, for columns 0-3 (lo) and 4-7 (hi). */
  for (int k = 0; k < 5; k++) {
    v128_t c = wasm_v128_load(coef_block + 8 * rows[k]);
    lo[k] = wasm_i32x4_mul(wasm_i32x4_extend_low_i16x8(c), wasm_v128_load(quant + 8 * rows[k]));
    hi[k] = wasm_i32x4_mul(wasm_i32x4_extend_high_i16x8(c), wasm_v128_load(quant + 8 * rows[k] + 4));
  }
  v128_t ws[4]; /* workspace rows 0 and 1, columns 0-3 and 4-7 */
  idct2_1d(lo[0], lo[1], lo[2], lo[3], lo[4], out);
  ws[0] = descale(out[0], CONST_BITS - PASS1_BITS + 2);
  ws[2] = descale(out[1], CONST_BITS - PASS1_BITS + 2);
  idct2_1d(hi[0], hi[1], hi[2], hi[3], hi[4], out);
  ws[1] = descale(out[0], CONST_BITS - PASS1_BITS + 2);
  ws[3] = descale(out[1], CONST_BITS - PASS1_BITS + 2);
  /* Pass 2 reads workspace columns 0, 1, 3, 5 and 7 of both rows: lanes 0 and 1 are rows 0
   * and 1. */
  v128_t c0 = wasm_i32x4_shuffle(ws[0], ws[2], 0, 4, 0, 4);
  v128_t c1 = wasm_i32x4_shuffle(ws[0], ws[2], 1, 5, 1, 5);
  v128_t c3 = wasm_i32x4_shuffle(ws[0], ws[2], 3, 7, 3, 7);
  v128_t c5 = wasm_i32x4_shuffle(ws[1], ws[3], 1, 5, 1, 5);
  v128_t c7 = wasm_i32x4_shuffle(ws[1], ws[3], 3, 7, 3, 7);
  idct2_1d(c0, c1, c3, c5, c7, out);
  v128_t a = range_limit(descale(out[0], CONST_BITS + PASS1_BITS + 3 + 2));
  v128_t b = range_limit(descale(out[1], CONST_BITS + PASS1_BITS + 3 + 2));
  /* (row 0: a0 b0, row 1: a1 b1) as bytes 0-1 and 2-3. */
  v128_t pairs = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5);
  v128_t bytes = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(pairs, pairs), wasm_i16x8_splat(0));
  wasm_v128_store16_lane(output_buf[0] + output_col, bytes, 0);
  wasm_v128_store16_lane(output_buf[1] + output_col, bytes, 1);
}
