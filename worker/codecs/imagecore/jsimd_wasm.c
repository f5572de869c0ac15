/*
 * WebAssembly SIMD colour conversion for libjpeg-turbo: YCbCr to RGB(A/X), the same integer
 * arithmetic as jdcolor.c's tables (ITU-R BT.601 full range, 16-bit fixed point, rounding and
 * arithmetic shifts as there), so the output is identical, 16 pixels at a time.
 *
 * The accurate integer IDCT is jidctint_wasm.c's, also identical to the C code. Every other
 * jsimd_* entry point stays the one in jsimd_none.c, included here with these four renamed
 * away.
 */
#define jsimd_can_ycc_rgb jsimd_none_can_ycc_rgb
#define jsimd_ycc_rgb_convert jsimd_none_ycc_rgb_convert
#define jsimd_can_idct_islow jsimd_none_can_idct_islow
#define jsimd_idct_islow jsimd_none_idct_islow
#include "jsimd_none.c"
#undef jsimd_can_ycc_rgb
#undef jsimd_ycc_rgb_convert
#undef jsimd_can_idct_islow
#undef jsimd_idct_islow

/* The accurate integer IDCT, in jidctint_wasm.c. */
EXTERN(void) jsimd_idct_islow_wasm(void *dct_table, JCOEFPTR coef_block,
                                   JSAMPARRAY output_buf, JDIMENSION output_col);

GLOBAL(int)
jsimd_can_idct_islow(void)
{
  return 1;
}

GLOBAL(void)
jsimd_idct_islow(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                 JCOEFPTR coef_block, JSAMPARRAY output_buf, JDIMENSION output_col)
{
  (void)cinfo;
  jsimd_idct_islow_wasm(compptr->dct_table, coef_block, output_buf, output_col);
}

#include <wasm_simd128.h>

#define SCALEBITS 16
#define ONE_HALF ((JLONG)1 << (SCALEBITS - 1))
#define YCC_FIX(x) ((JLONG)((x) * (1L << SCALEBITS) + 0.5))

GLOBAL(int)
jsimd_can_ycc_rgb(void)
{
  return 1;
}

/* One channel of four pixels: y + ((a * cb + b * cr + round) >> 16), as jdcolor.c computes it. */
static inline v128_t channel(v128_t y, v128_t cb, v128_t cr, int32_t a, int32_t b, int32_t round)
{
  v128_t sum = wasm_i32x4_add(wasm_i32x4_mul(cb, wasm_i32x4_splat(a)),
                              wasm_i32x4_mul(cr, wasm_i32x4_splat(b)));
  sum = wasm_i32x4_shr(wasm_i32x4_add(sum, wasm_i32x4_splat(round)), SCALEBITS);
  return wasm_i32x4_add(y, sum);
}

/* 16 bytes widened to four vectors of 32-bit lanes, centred on 0 when `centre` is set. */
static inline void widen(v128_t bytes, int centre, v128_t out[4])
{
  v128_t lo = wasm_u16x8_extend_low_u8x16(bytes);
  v128_t hi = wasm_u16x8_extend_high_u8x16(bytes);
  out[0] = wasm_u32x4_extend_low_u16x8(lo);
  out[1] = wasm_u32x4_extend_high_u16x8(lo);
  out[2] = wasm_u32x4_extend_low_u16x8(hi);
  out[3] = wasm_u32x4_extend_high_u16x8(hi);
  if (centre) {
    for (int i = 0; i < 4; i++) out[i] = wasm_i32x4_sub(out[i], wasm_i32x4_splat(CENTERJSAMPLE));
  }
}

/* Four vectors of 32-bit lanes back to 16 bytes, saturating to 0..255 (the range limit). */
static inline v128_t narrow(const v128_t v[4])
{
  return wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(v[0], v[1]),
                                 wasm_i16x8_narrow_i32x4(v[2], v[3]));
}

GLOBAL(void)
jsimd_ycc_rgb_convert(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION input_row,
                      JSAMPARRAY output_buf, int num_rows)
{
  const int cs = cinfo->out_color_space;
  const int r_at = rgb_red[cs], g_at = rgb_green[cs], b_at = rgb_blue[cs];
  const int size = rgb_pixelsize[cs];
  /* The 4-byte layouts with red, green, blue first (RGBA, RGBX) take the vector path. */
  const int vector = size == 4 && r_at == 0 && g_at == 1 && b_at == 2;
  const JDIMENSION width = cinfo->output_width;
  const int32_t cr_r = (int32_t)YCC_FIX(1.40200), cb_b = (int32_t)YCC_FIX(1.77200);
  const int32_t cb_g = (int32_t)-YCC_FIX(0.34414), cr_g = (int32_t)-YCC_FIX(0.71414);
  while (--num_rows >= 0) {
    const JSAMPLE *y_row = input_buf[0][input_row];
    const JSAMPLE *cb_row = input_buf[1][input_row];
    const JSAMPLE *cr_row = input_buf[2][input_row];
    input_row++;
    JSAMPLE *out = *output_buf++;
    JDIMENSION col = 0;
    if (vector) {
      const v128_t alpha = wasm_i8x16_splat((int8_t)0xff);
      for (; col + 16 <= width; col += 16) {
        v128_t y[4], cb[4], cr[4], r[4], g[4], b[4];
        widen(wasm_v128_load(y_row + col), 0, y);
        widen(wasm_v128_load(cb_row + col), 1, cb);
        widen(wasm_v128_load(cr_row + col), 1, cr);
        for (int i = 0; i < 4; i++) {
          r[i] = channel(y[i], cb[i], cr[i], 0, cr_r, (int32_t)ONE_HALF);
          g[i] = channel(y[i], cb[i], cr[i], cb_g, cr_g, (int32_t)ONE_HALF);
          b[i] = channel(y[i], cb[i], cr[i], cb_b, 0, (int32_t)ONE_HALF);
        }
        v128_t rv = narrow(r), gv = narrow(g), bv = narrow(b);
        v128_t rg_lo = wasm_i8x16_shuffle(rv, gv, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        v128_t rg_hi = wasm_i8x16_shuffle(rv, gv, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        v128_t ba_lo = wasm_i8x16_shuffle(bv, alpha, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        v128_t ba_hi = wasm_i8x16_shuffle(bv, alpha, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        JSAMPLE *o = out + (size_t)col * 4;
        wasm_v128_store(o, wasm_i16x8_shuffle(rg_lo, ba_lo, 0, 8, 1, 9, 2, 10, 3, 11));
        wasm_v128_store(o + 16, wasm_i16x8_shuffle(rg_lo, ba_lo, 4, 12, 5, 13, 6, 14, 7, 15));
        wasm_v128_store(o + 32, wasm_i16x8_shuffle(rg_hi, ba_hi, 0, 8, 1, 9, 2, 10, 3, 11));
        wasm_v128_store(o + 48, wasm_i16x8_shuffle(rg_hi, ba_hi, 4, 12, 5, 13, 6, 14, 7, 15));
      }
    }
    for (; col < width; col++) {
      int y = y_row[col], cb = cb_row[col] - CENTERJSAMPLE, cr = cr_row[col] - CENTERJSAMPLE;
      int r = y + (int)((cr_r * (JLONG)cr + ONE_HALF) >> SCALEBITS);
      int g = y + (int)((cb_g * (JLONG)cb + cr_g * (JLONG)cr + ONE_HALF) >> SCALEBITS);
      int b = y + (int)((cb_b * (JLONG)cb + ONE_HALF) >> SCALEBITS);
      JSAMPLE *o = out + (size_t)col * size;
      o[r_at] = (JSAMPLE)(r < 0 ? 0 : r > MAXJSAMPLE ? MAXJSAMPLE : r);
      o[g_at] = (JSAMPLE)(g < 0 ? 0 : g > MAXJSAMPLE ? MAXJSAMPLE : g);
      o[b_at] = (JSAMPLE)(b < 0 ? 0 : b > MAXJSAMPLE ? MAXJSAMPLE : b);
      if (size == 4) o[6 - r_at - g_at - b_at] = 0xFF; /* the one byte left */
    }
  }
}
