/*
 * libjpeg-turbo's SIMD entry points in WebAssembly SIMD (libjpeg-turbo has none for wasm32), each
 * with the same integer arithmetic as the C code it stands for, so decoded pixels are identical:
 *
 * - YCbCr to RGB(A/X) colour conversion (jdcolor.c);
 * - merged upsampling, h2v1 and h2v2 (jdmerge.c: chroma replicated, in the colour conversion);
 * - fancy (triangle-filter) upsampling, h2v1 and h2v2 (jdsample.c);
 * - the accurate integer IDCT (jidctint.c) and the 4x4 and 2x2 reduced-size IDCTs that DCT
 *   scaling uses (jidctred.c), in jidctint_wasm.c.
 *
 * Every other entry point stays the one in jsimd_none.c, included here with these renamed away.
 * set_simd(0) (exported by imagecore.c) turns them all off, so that
 * test/imagecoreDecode.test.mts can decode the same file with libjpeg-turbo's own C code in
 * the same build and compare; simd_paths() says which ones were taken.
 */
#define jsimd_can_ycc_rgb jsimd_none_can_ycc_rgb
#define jsimd_ycc_rgb_convert jsimd_none_ycc_rgb_convert
#define jsimd_can_idct_islow jsimd_none_can_idct_islow
#define jsimd_idct_islow jsimd_none_idct_islow
#define jsimd_can_idct_4x4 jsimd_none_can_idct_4x4
#define jsimd_idct_4x4 jsimd_none_idct_4x4
#define jsimd_can_idct_2x2 jsimd_none_can_idct_2x2
#define jsimd_idct_2x2 jsimd_none_idct_2x2
#define jsimd_can_h2v2_merged_upsample jsimd_none_can_h2v2_merged_upsample
#define jsimd_h2v2_merged_upsample jsimd_none_h2v2_merged_upsample
#define jsimd_can_h2v1_merged_upsample jsimd_none_can_h2v1_merged_upsample
#define jsimd_h2v1_merged_upsample jsimd_none_h2v1_merged_upsample
#define jsimd_can_h2v1_fancy_upsample jsimd_none_can_h2v1_fancy_upsample
#define jsimd_h2v1_fancy_upsample jsimd_none_h2v1_fancy_upsample
#define jsimd_can_h2v2_fancy_upsample jsimd_none_can_h2v2_fancy_upsample
#define jsimd_h2v2_fancy_upsample jsimd_none_h2v2_fancy_upsample
#include "jsimd_none.c"
#undef jsimd_can_ycc_rgb
#undef jsimd_ycc_rgb_convert
#undef jsimd_can_idct_islow
#undef jsimd_idct_islow
#undef jsimd_can_idct_4x4
#undef jsimd_idct_4x4
#undef jsimd_can_idct_2x2
#undef jsimd_idct_2x2
#undef jsimd_can_h2v2_merged_upsample
#undef jsimd_h2v2_merged_upsample
#undef jsimd_can_h2v1_merged_upsample
#undef jsimd_h2v1_merged_upsample
#undef jsimd_can_h2v1_fancy_upsample
#undef jsimd_h2v1_fancy_upsample
#undef jsimd_can_h2v2_fancy_upsample
#undef jsimd_h2v2_fancy_upsample

/* Whether the SIMD entry points are offered (imagecore_simd: libjpeg-turbo asks jsimd_can_* when
 * it sets up a decode), and which of them ran since simd_paths() last asked (bits of
 * imagecore_simd_paths, set by each entry point as it runs). */
enum {
  SIMD_YCC_RGB = 1, SIMD_IDCT_ISLOW = 2, SIMD_IDCT_4X4 = 4, SIMD_IDCT_2X2 = 8,
  SIMD_H2V2_MERGED = 16, SIMD_H2V1_MERGED = 32, SIMD_H2V2_FANCY = 64, SIMD_H2V1_FANCY = 128
};
int imagecore_simd = 1;
unsigned imagecore_simd_paths;

#define RAN(path) (imagecore_simd_paths |= (path))

/* The accurate integer IDCT, in jidctint_wasm.c. */
EXTERN(void) jsimd_idct_islow_wasm(void *dct_table, JCOEFPTR coef_block,
                                   JSAMPARRAY output_buf, JDIMENSION output_col);

GLOBAL(int)
jsimd_can_idct_islow(void)
{
  return imagecore_simd;
}

GLOBAL(void)
jsimd_idct_islow(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                 JCOEFPTR coef_block, JSAMPARRAY output_buf, JDIMENSION output_col)
{
  RAN(SIMD_IDCT_ISLOW);
  (void)cinfo;
  jsimd_idct_islow_wasm(compptr->dct_table, coef_block, output_buf, output_col);
}

/* The 4x4 reduced-size IDCT, also in jidctint_wasm.c. */
EXTERN(void) jsimd_idct_4x4_wasm(void *dct_table, JCOEFPTR coef_block,
                                 JSAMPARRAY output_buf, JDIMENSION output_col);

GLOBAL(int)
jsimd_can_idct_4x4(void)
{
  return imagecore_simd;
}

GLOBAL(void)
jsimd_idct_4x4(j_decompress_ptr cinfo, jpeg_component_info *compptr,
               JCOEFPTR coef_block, JSAMPARRAY output_buf, JDIMENSION output_col)
{
  RAN(SIMD_IDCT_4X4);
  (void)cinfo;
  jsimd_idct_4x4_wasm(compptr->dct_table, coef_block, output_buf, output_col);
}

EXTERN(void) jsimd_idct_2x2_wasm(void *dct_table, JCOEFPTR coef_block,
                                 JSAMPARRAY output_buf, JDIMENSION output_col);

GLOBAL(int)
jsimd_can_idct_2x2(void)
{
  return imagecore_simd;
}

GLOBAL(void)
jsimd_idct_2x2(j_decompress_ptr cinfo, jpeg_component_info *compptr,
               JCOEFPTR coef_block, JSAMPARRAY output_buf, JDIMENSION output_col)
{
  RAN(SIMD_IDCT_2X2);
  (void)cinfo;
  jsimd_idct_2x2_wasm(compptr->dct_table, coef_block, output_buf, output_col);
}

#include <wasm_simd128.h>

#define SCALEBITS 16
#define ONE_HALF ((JLONG)1 << (SCALEBITS - 1))
#define YCC_FIX(x) ((JLONG)((x) * (1L << SCALEBITS) + 0.5))

GLOBAL(int)
jsimd_can_ycc_rgb(void)
{
  return imagecore_simd;
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

/* 16 pixels' red, green and blue bytes interleaved with opaque alpha: 64 bytes of RGBA. */
static inline void store_rgba16(JSAMPLE *o, v128_t rv, v128_t gv, v128_t bv)
{
  const v128_t alpha = wasm_i8x16_splat((int8_t)0xff);
  v128_t rg_lo = wasm_i8x16_shuffle(rv, gv, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t rg_hi = wasm_i8x16_shuffle(rv, gv, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128_t ba_lo = wasm_i8x16_shuffle(bv, alpha, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t ba_hi = wasm_i8x16_shuffle(bv, alpha, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  wasm_v128_store(o, wasm_i16x8_shuffle(rg_lo, ba_lo, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(o + 16, wasm_i16x8_shuffle(rg_lo, ba_lo, 4, 12, 5, 13, 6, 14, 7, 15));
  wasm_v128_store(o + 32, wasm_i16x8_shuffle(rg_hi, ba_hi, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(o + 48, wasm_i16x8_shuffle(rg_hi, ba_hi, 4, 12, 5, 13, 6, 14, 7, 15));
}

GLOBAL(void)
jsimd_ycc_rgb_convert(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION input_row,
                      JSAMPARRAY output_buf, int num_rows)
{
  RAN(SIMD_YCC_RGB);
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
        store_rgba16(out + (size_t)col * 4, narrow(r), narrow(g), narrow(b));
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

/*
 * Merged upsampling (jdmerge.c): each chroma sample serves two luma samples across, and in
 * h2v2 two rows, so chroma is replicated, not interpolated. jdmerge.c's tables hold the same
 * fixed-point products as jdcolor.c's and range_limit clamps to 0..255, as the saturating
 * narrowing does here, so the output is identical. 16 chroma samples (32 pixels) at a time.
 */
static void merged_rows(j_decompress_ptr cinfo, const JSAMPLE *y_rows[2], int num_rows,
                        const JSAMPLE *cb_row, const JSAMPLE *cr_row, JSAMPROW out[2])
{
  const int cs = cinfo->out_color_space;
  const int r_at = rgb_red[cs], g_at = rgb_green[cs], b_at = rgb_blue[cs];
  const int size = rgb_pixelsize[cs];
  const int vector = size == 4 && r_at == 0 && g_at == 1 && b_at == 2;
  const JDIMENSION width = cinfo->output_width;
  const int32_t cr_r = (int32_t)YCC_FIX(1.40200), cb_b = (int32_t)YCC_FIX(1.77200);
  const int32_t cb_g = (int32_t)-YCC_FIX(0.34414), cr_g = (int32_t)-YCC_FIX(0.71414);
  const v128_t zero = wasm_i32x4_splat(0);
  JDIMENSION col = 0; /* output pixels; chroma sample col / 2 */
  if (vector) {
    for (; col + 32 <= width; col += 32) {
      v128_t cb[4], cr[4], red[4], green[4], blue[4];
      widen(wasm_v128_load(cb_row + col / 2), 1, cb);
      widen(wasm_v128_load(cr_row + col / 2), 1, cr);
      for (int i = 0; i < 4; i++) {
        red[i] = channel(zero, cb[i], cr[i], 0, cr_r, (int32_t)ONE_HALF);
        green[i] = channel(zero, cb[i], cr[i], cb_g, cr_g, (int32_t)ONE_HALF);
        blue[i] = channel(zero, cb[i], cr[i], cb_b, 0, (int32_t)ONE_HALF);
      }
      /* Chroma terms as 16-bit lanes, each one twice: one per output pixel. */
      v128_t cred[4], cgreen[4], cblue[4];
      for (int h = 0; h < 2; h++) {
        v128_t rr = wasm_i16x8_narrow_i32x4(red[2 * h], red[2 * h + 1]);
        v128_t gg = wasm_i16x8_narrow_i32x4(green[2 * h], green[2 * h + 1]);
        v128_t bb = wasm_i16x8_narrow_i32x4(blue[2 * h], blue[2 * h + 1]);
        cred[2 * h] = wasm_i16x8_shuffle(rr, rr, 0, 0, 1, 1, 2, 2, 3, 3);
        cred[2 * h + 1] = wasm_i16x8_shuffle(rr, rr, 4, 4, 5, 5, 6, 6, 7, 7);
        cgreen[2 * h] = wasm_i16x8_shuffle(gg, gg, 0, 0, 1, 1, 2, 2, 3, 3);
        cgreen[2 * h + 1] = wasm_i16x8_shuffle(gg, gg, 4, 4, 5, 5, 6, 6, 7, 7);
        cblue[2 * h] = wasm_i16x8_shuffle(bb, bb, 0, 0, 1, 1, 2, 2, 3, 3);
        cblue[2 * h + 1] = wasm_i16x8_shuffle(bb, bb, 4, 4, 5, 5, 6, 6, 7, 7);
      }
      for (int row = 0; row < num_rows; row++) {
        for (int half = 0; half < 2; half++) {
          v128_t luma = wasm_v128_load(y_rows[row] + col + 16 * half);
          v128_t y_lo = wasm_u16x8_extend_low_u8x16(luma), y_hi = wasm_u16x8_extend_high_u8x16(luma);
          const int i = 2 * half;
          v128_t rv = wasm_u8x16_narrow_i16x8(wasm_i16x8_add(y_lo, cred[i]), wasm_i16x8_add(y_hi, cred[i + 1]));
          v128_t gv = wasm_u8x16_narrow_i16x8(wasm_i16x8_add(y_lo, cgreen[i]), wasm_i16x8_add(y_hi, cgreen[i + 1]));
          v128_t bv = wasm_u8x16_narrow_i16x8(wasm_i16x8_add(y_lo, cblue[i]), wasm_i16x8_add(y_hi, cblue[i + 1]));
          store_rgba16(out[row] + (size_t)(col + 16 * half) * 4, rv, gv, bv);
        }
      }
    }
  }
  for (; col < width; col++) {
    int cb = cb_row[col / 2] - CENTERJSAMPLE, cr = cr_row[col / 2] - CENTERJSAMPLE;
    int cred = (int)((cr_r * (JLONG)cr + ONE_HALF) >> SCALEBITS);
    int cgreen = (int)((cb_g * (JLONG)cb + cr_g * (JLONG)cr + ONE_HALF) >> SCALEBITS);
    int cblue = (int)((cb_b * (JLONG)cb + ONE_HALF) >> SCALEBITS);
    for (int row = 0; row < num_rows; row++) {
      int y = y_rows[row][col];
      int r = y + cred, g = y + cgreen, b = y + cblue;
      JSAMPLE *o = out[row] + (size_t)col * size;
      o[r_at] = (JSAMPLE)(r < 0 ? 0 : r > MAXJSAMPLE ? MAXJSAMPLE : r);
      o[g_at] = (JSAMPLE)(g < 0 ? 0 : g > MAXJSAMPLE ? MAXJSAMPLE : g);
      o[b_at] = (JSAMPLE)(b < 0 ? 0 : b > MAXJSAMPLE ? MAXJSAMPLE : b);
      if (size == 4) o[6 - r_at - g_at - b_at] = 0xFF;
    }
  }
}

GLOBAL(int)
jsimd_can_h2v2_merged_upsample(void)
{
  return imagecore_simd;
}

GLOBAL(int)
jsimd_can_h2v1_merged_upsample(void)
{
  return imagecore_simd;
}

GLOBAL(void)
jsimd_h2v2_merged_upsample(j_decompress_ptr cinfo, JSAMPIMAGE input_buf,
                           JDIMENSION in_row_group_ctr, JSAMPARRAY output_buf)
{
  RAN(SIMD_H2V2_MERGED);
  const JSAMPLE *y_rows[2] = { input_buf[0][in_row_group_ctr * 2],
                               input_buf[0][in_row_group_ctr * 2 + 1] };
  merged_rows(cinfo, y_rows, 2, input_buf[1][in_row_group_ctr], input_buf[2][in_row_group_ctr],
              output_buf);
}

GLOBAL(void)
jsimd_h2v1_merged_upsample(j_decompress_ptr cinfo, JSAMPIMAGE input_buf,
                           JDIMENSION in_row_group_ctr, JSAMPARRAY output_buf)
{
  RAN(SIMD_H2V1_MERGED);
  const JSAMPLE *y_rows[2] = { input_buf[0][in_row_group_ctr], NULL };
  merged_rows(cinfo, y_rows, 1, input_buf[1][in_row_group_ctr], input_buf[2][in_row_group_ctr],
              output_buf);
}

/*
 * Fancy (triangle-filter) upsampling, jdsample.c's h2v1 and h2v2: each output sample is 3/4 of
 * the nearer input sample and 1/4 of the further one (in h2v2 on both axes, 9/16 3/16 3/16
 * 1/16), with jdsample.c's alternating rounding constants, so the output is identical. 16 input
 * samples (32 output samples) at a time in 16-bit lanes; the first and last columns and what is
 * left over go through the same arithmetic one sample at a time.
 */
static inline void store_pairs(JSAMPLE *out, v128_t even_lo, v128_t even_hi, v128_t odd_lo,
                               v128_t odd_hi)
{
  v128_t even = wasm_u8x16_narrow_i16x8(even_lo, even_hi);
  v128_t odd = wasm_u8x16_narrow_i16x8(odd_lo, odd_hi);
  wasm_v128_store(out, wasm_i8x16_shuffle(even, odd, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
  wasm_v128_store(out + 16, wasm_i8x16_shuffle(even, odd, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
}

GLOBAL(int)
jsimd_can_h2v1_fancy_upsample(void)
{
  return imagecore_simd;
}

GLOBAL(void)
jsimd_h2v1_fancy_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                          JSAMPARRAY input_data, JSAMPARRAY *output_data_ptr)
{
  RAN(SIMD_H2V1_FANCY);
  const JDIMENSION width = compptr->downsampled_width; /* more than 2 (jdsample.c) */
  for (int row = 0; row < cinfo->max_v_samp_factor; row++) {
    const JSAMPLE *in = input_data[row];
    JSAMPLE *out = (*output_data_ptr)[row];
    out[0] = in[0];
    out[1] = (JSAMPLE)((in[0] * 3 + in[1] + 2) >> 2);
    JDIMENSION i = 1;
    for (; i + 16 < width; i += 16) {
      v128_t prev = wasm_v128_load(in + i - 1), here = wasm_v128_load(in + i);
      v128_t next = wasm_v128_load(in + i + 1);
      v128_t h[2] = { wasm_u16x8_extend_low_u8x16(here), wasm_u16x8_extend_high_u8x16(here) };
      v128_t p[2] = { wasm_u16x8_extend_low_u8x16(prev), wasm_u16x8_extend_high_u8x16(prev) };
      v128_t n[2] = { wasm_u16x8_extend_low_u8x16(next), wasm_u16x8_extend_high_u8x16(next) };
      v128_t even[2], odd[2];
      for (int k = 0; k < 2; k++) {
        v128_t three = wasm_i16x8_mul(h[k], wasm_i16x8_splat(3));
        even[k] = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(three, p[k]), wasm_i16x8_splat(1)), 2);
        odd[k] = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(three, n[k]), wasm_i16x8_splat(2)), 2);
      }
      store_pairs(out + 2 * i, even[0], even[1], odd[0], odd[1]);
    }
    for (; i < width - 1; i++) {
      int three = in[i] * 3;
      out[2 * i] = (JSAMPLE)((three + in[i - 1] + 1) >> 2);
      out[2 * i + 1] = (JSAMPLE)((three + in[i + 1] + 2) >> 2);
    }
    out[2 * i] = (JSAMPLE)((in[i] * 3 + in[i - 1] + 1) >> 2);
    out[2 * i + 1] = in[i];
  }
}

GLOBAL(int)
jsimd_can_h2v2_fancy_upsample(void)
{
  return imagecore_simd;
}

/* 3 x the nearer row + the further one, for 16 samples as two vectors of 16-bit lanes. */
static inline void column_sums(const JSAMPLE *nearer, const JSAMPLE *further, v128_t sum[2])
{
  v128_t a = wasm_v128_load(nearer), b = wasm_v128_load(further);
  const v128_t three = wasm_i16x8_splat(3);
  sum[0] = wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(a), three),
                          wasm_u16x8_extend_low_u8x16(b));
  sum[1] = wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(a), three),
                          wasm_u16x8_extend_high_u8x16(b));
}

GLOBAL(void)
jsimd_h2v2_fancy_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                          JSAMPARRAY input_data, JSAMPARRAY *output_data_ptr)
{
  RAN(SIMD_H2V2_FANCY);
  const JDIMENSION width = compptr->downsampled_width; /* more than 2 (jdsample.c) */
  int inrow = 0, outrow = 0;
  while (outrow < cinfo->max_v_samp_factor) {
    for (int v = 0; v < 2; v++) {
      const JSAMPLE *in0 = input_data[inrow]; /* the nearer input row */
      const JSAMPLE *in1 = input_data[v == 0 ? inrow - 1 : inrow + 1]; /* the further one */
      JSAMPLE *out = (*output_data_ptr)[outrow++];
#define COLSUM(i) (in0[i] * 3 + in1[i])
      out[0] = (JSAMPLE)((COLSUM(0) * 4 + 8) >> 4);
      out[1] = (JSAMPLE)((COLSUM(0) * 3 + COLSUM(1) + 7) >> 4);
      JDIMENSION i = 1;
      for (; i + 16 < width; i += 16) {
        v128_t last[2], here[2], next[2], even[2], odd[2];
        column_sums(in0 + i - 1, in1 + i - 1, last);
        column_sums(in0 + i, in1 + i, here);
        column_sums(in0 + i + 1, in1 + i + 1, next);
        for (int k = 0; k < 2; k++) {
          v128_t three = wasm_i16x8_mul(here[k], wasm_i16x8_splat(3));
          even[k] = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(three, last[k]), wasm_i16x8_splat(8)), 4);
          odd[k] = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(three, next[k]), wasm_i16x8_splat(7)), 4);
        }
        store_pairs(out + 2 * i, even[0], even[1], odd[0], odd[1]);
      }
      for (; i < width - 1; i++) {
        out[2 * i] = (JSAMPLE)((COLSUM(i) * 3 + COLSUM(i - 1) + 8) >> 4);
        out[2 * i + 1] = (JSAMPLE)((COLSUM(i) * 3 + COLSUM(i + 1) + 7) >> 4);
      }
      out[2 * i] = (JSAMPLE)((COLSUM(i) * 3 + COLSUM(i - 1) + 8) >> 4);
      out[2 * i + 1] = (JSAMPLE)((COLSUM(i) * 4 + 7) >> 4);
#undef COLSUM
    }
    inrow++;
  }
}
