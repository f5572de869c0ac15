/*
 * JPEG decoding with DCT-domain scaling (libjpeg-turbo), plus the resampling the Worker needs,
 * in one small WASM module without JavaScript glue. A request creates its own instance and drops
 * it when done, so the memory it grew is released with it.
 *
 * Errors trap (unreachable): the caller catches the RuntimeError and discards the instance.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasm_simd128.h>

#include "jpeglib.h"

#define EXPORT __attribute__((visibility("default"), used))

static uint32_t last_width, last_height;

EXPORT uint32_t result_width(void) { return last_width; }
EXPORT uint32_t result_height(void) { return last_height; }

static void fail_exit(j_common_ptr cinfo) {
  (void)cinfo;
  __builtin_trap();
}
static void quiet_message(j_common_ptr cinfo) { (void)cinfo; }

/* Reads the header of the JPEG at `data` and sets it up to decode at 1/scale_denom. */
static void open_jpeg(struct jpeg_decompress_struct *cinfo, struct jpeg_error_mgr *jerr,
                      const uint8_t *data, uint32_t size, uint32_t scale_denom) {
  cinfo->err = jpeg_std_error(jerr);
  jerr->error_exit = fail_exit;
  jerr->output_message = quiet_message;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, data, size);
  jpeg_read_header(cinfo, TRUE);
  cinfo->scale_num = 1;
  cinfo->scale_denom = scale_denom;
}

/* Adobe CMYK JPEGs are stored inverted: C, M, Y times K gives RGB; alpha becomes opaque. */
static void cmyk_to_rgba(uint8_t *pixels, size_t count) {
  for (size_t i = 0; i < count; i++) {
    uint8_t *p = pixels + i * 4;
    unsigned k = p[3];
    p[0] = (uint8_t)(p[0] * k / 255);
    p[1] = (uint8_t)(p[1] * k / 255);
    p[2] = (uint8_t)(p[2] * k / 255);
    p[3] = 255;
  }
}

/* Reads only the header: the size the image decodes to at 1/scale_denom. */
EXPORT int jpeg_scaled_size(const uint8_t *data, uint32_t size, uint32_t scale_denom) {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  open_jpeg(&cinfo, &jerr, data, size, scale_denom);
  jpeg_calc_output_dimensions(&cinfo);
  last_width = cinfo.output_width;
  last_height = cinfo.output_height;
  jpeg_destroy_decompress(&cinfo);
  return 1;
}

/* Decodes to RGBA at 1/scale_denom (1, 2, 4 or 8); returns the pixels, size in result_*. */
EXPORT uint8_t *jpeg_decode_rgba(const uint8_t *data, uint32_t size, uint32_t scale_denom) {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  open_jpeg(&cinfo, &jerr, data, size, scale_denom);
  cinfo.out_color_space = JCS_EXT_RGBA;
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    cinfo.out_color_space = JCS_CMYK;
  }
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&cinfo);
  uint32_t w = cinfo.output_width, h = cinfo.output_height;
  uint8_t *out = malloc((size_t)w * h * 4);
  if (!out) __builtin_trap();
  while (cinfo.output_scanline < h) {
    JSAMPROW row = out + (size_t)cinfo.output_scanline * w * 4;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  if (cinfo.out_color_space == JCS_CMYK) cmyk_to_rgba(out, (size_t)w * h);
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  last_width = w;
  last_height = h;
  return out;
}

static double sinc(double x) {
  if (x == 0.0) return 1.0;
  x *= M_PI;
  return sin(x) / x;
}

static double lanczos3(double x) {
  if (x <= -3.0 || x >= 3.0) return 0.0;
  return sinc(x) * sinc(x / 3.0);
}

typedef struct {
  int start;
  int count;
  int16_t *weights; /* 14-bit fixed point, summing to 1 << 14 */
} Tap;

/* Lanczos3 taps for each output position, with the filter widened by the shrink factor. */
static Tap *make_taps(int in_size, int out_size, int16_t **storage) {
  double scale = (double)in_size / out_size;
  double support = 3.0 * (scale > 1.0 ? scale : 1.0);
  int max_taps = (int)ceil(support) * 2 + 2;
  Tap *taps = malloc(sizeof(Tap) * out_size);
  int16_t *weights = malloc(sizeof(int16_t) * max_taps * out_size);
  double *tmp = malloc(sizeof(double) * max_taps);
  if (!taps || !weights || !tmp) __builtin_trap();
  double filter_scale = scale > 1.0 ? 1.0 / scale : 1.0;
  for (int o = 0; o < out_size; o++) {
    double center = (o + 0.5) * scale - 0.5;
    int first = (int)floor(center - support) + 1;
    int last = (int)floor(center + support);
    if (first < 0) first = 0;
    if (last > in_size - 1) last = in_size - 1;
    int count = last - first + 1;
    if (count > max_taps) count = max_taps;
    /* An even count lets the kernels below take taps two at a time; the extra tap weighs 0. */
    int pad_front = 0;
    if (count % 2 && count < max_taps) {
      if (first + count < in_size) {
        count++;
      } else if (first > 0) {
        first--;
        count++;
        pad_front = 1;
      }
    }
    double sum = 0;
    for (int k = 0; k < count; k++) {
      int real = pad_front ? k > 0 : first + k <= last;
      tmp[k] = real ? lanczos3((first + k - center) * filter_scale) : 0.0;
      sum += tmp[k];
    }
    int16_t *w = weights + (size_t)o * max_taps;
    int isum = 0;
    int peak = 0;
    for (int k = 0; k < count; k++) {
      w[k] = (int16_t)lrint(tmp[k] / sum * 16384.0);
      isum += w[k];
      if (w[k] > w[peak]) peak = k;
    }
    w[peak] += 16384 - isum; /* exact unity gain */
    taps[o].start = first;
    taps[o].count = count;
    taps[o].weights = w;
  }
  free(tmp);
  *storage = weights;
  return taps;
}

/*
 * Separable Lanczos3 resize of RGBA pixels (horizontal pass into an 8-bit buffer, then
 * vertical, as libvips does). `src` points at the top-left pixel of the area to resize and rows
 * are `stride` pixels apart, so a crop costs nothing. Returns new out_w x out_h RGBA pixels.
 */
/* One RGBA pixel (4 bytes) widened to four 32-bit lanes. */
static inline v128_t load_pixel(const uint8_t *p) {
  v128_t v = wasm_v128_load32_zero(p);
  return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(v));
}

/* Two 14-bit weights as one 32-bit lane pattern (w0, w1), the layout i32x4.dot_i16x8_s pairs. */
static inline v128_t weight_pair(const int16_t *w) {
  return wasm_i32x4_splat((int32_t)((uint32_t)(uint16_t)w[0] | ((uint32_t)(uint16_t)w[1] << 16)));
}

/* Rounds 14-bit fixed point lanes, clamps them to 0..255 and stores them as one RGBA pixel. */
static inline void store_pixel(uint8_t *dst, v128_t acc) {
  v128_t v = wasm_i32x4_shr(wasm_i32x4_add(acc, wasm_i32x4_splat(1 << 13)), 14);
  v128_t narrow = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(v, v), wasm_i16x8_splat(0));
  wasm_v128_store32_lane(dst, narrow, 0);
}

/* The same for four pixels at once (16 bytes). */
static inline void store_pixels4(uint8_t *dst, v128_t a, v128_t b, v128_t c, v128_t d) {
  const v128_t half = wasm_i32x4_splat(1 << 13);
  a = wasm_i32x4_shr(wasm_i32x4_add(a, half), 14);
  b = wasm_i32x4_shr(wasm_i32x4_add(b, half), 14);
  c = wasm_i32x4_shr(wasm_i32x4_add(c, half), 14);
  d = wasm_i32x4_shr(wasm_i32x4_add(d, half), 14);
  v128_t ab = wasm_i16x8_narrow_i32x4(a, b);
  v128_t cd = wasm_i16x8_narrow_i32x4(c, d);
  wasm_v128_store(dst, wasm_u8x16_narrow_i16x8(ab, cd));
}

/*
 * Horizontal pass over one row. Taps go in pairs: two neighbouring pixels are rearranged to
 * 16-bit lanes (r0 r1 g0 g1 b0 b1 a0 a1), so one dot product with the weight pair gives all four
 * channel sums; four pixels are loaded at once (16 bytes, two pairs) while four taps are left.
 * Integer arithmetic throughout, so the result is the same as one tap at a time.
 */
static void resize_row(const uint8_t *row, uint8_t *dst, const Tap *ht, int out_w) {
  const v128_t pairs = wasm_i8x16_make(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
  const v128_t pairs_hi = wasm_i8x16_make(8, -1, 12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1);
  for (int x = 0; x < out_w; x++) {
    const Tap *t = &ht[x];
    const uint8_t *p = row + (size_t)t->start * 4;
    v128_t acc = wasm_i32x4_splat(0), acc2 = acc;
    int k = 0;
    for (; k + 3 < t->count; k += 4, p += 16) {
      v128_t four = wasm_v128_load(p);
      acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i8x16_swizzle(four, pairs), weight_pair(t->weights + k)));
      acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_i8x16_swizzle(four, pairs_hi), weight_pair(t->weights + k + 2)));
    }
    for (; k + 1 < t->count; k += 2, p += 8) {
      v128_t two = wasm_i8x16_swizzle(wasm_v128_load64_zero(p), pairs);
      acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(two, weight_pair(t->weights + k)));
    }
    if (k < t->count) {
      acc = wasm_i32x4_add(acc, wasm_i32x4_mul(load_pixel(p), wasm_i32x4_splat(t->weights[k])));
    }
    store_pixel(dst + x * 4, wasm_i32x4_add(acc, acc2));
  }
}

/*
 * Vertical pass, four output pixels (16 bytes) at a time: the same bytes of two source rows
 * are interleaved (a0 b0 a1 b1 ...), widened to 16 bits and multiplied by the rows' weight pair
 * with one dot product per pixel.
 */
static uint8_t *vertical_pass(const uint8_t *mid, int out_w, int in_h, int out_h) {
  uint8_t *out = malloc((size_t)out_w * out_h * 4);
  int16_t *vw;
  Tap *vt = make_taps(in_h, out_h, &vw);
  if (!out) __builtin_trap();
  size_t stride = (size_t)out_w * 4;
  for (int y = 0; y < out_h; y++) {
    const Tap *t = &vt[y];
    const uint8_t *first = mid + (size_t)t->start * stride;
    uint8_t *dst = out + (size_t)y * stride;
    int x = 0;
    for (; x + 4 <= out_w; x += 4) {
      v128_t acc0 = wasm_i32x4_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      const uint8_t *p = first + (size_t)x * 4;
      int k = 0;
      for (; k + 1 < t->count; k += 2, p += 2 * stride) {
        v128_t a = wasm_v128_load(p);
        v128_t b = wasm_v128_load(p + stride);
        v128_t w = weight_pair(t->weights + k);
        v128_t lo = wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        v128_t hi =
            wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_low_u8x16(lo), w));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_high_u8x16(lo), w));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_low_u8x16(hi), w));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_high_u8x16(hi), w));
      }
      if (k < t->count) {
        v128_t w = wasm_i32x4_splat(t->weights[k]);
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_mul(load_pixel(p), w));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_mul(load_pixel(p + 4), w));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_mul(load_pixel(p + 8), w));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_mul(load_pixel(p + 12), w));
      }
      store_pixels4(dst + x * 4, acc0, acc1, acc2, acc3);
    }
    for (; x < out_w; x++) {
      const uint8_t *p = first + (size_t)x * 4;
      v128_t acc = wasm_i32x4_splat(0);
      for (int k = 0; k < t->count; k++, p += stride) {
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(load_pixel(p), wasm_i32x4_splat(t->weights[k])));
      }
      store_pixel(dst + x * 4, acc);
    }
  }
  free(vt);
  free(vw);
  return out;
}

/*
 * Decodes a JPEG at 1/scale_denom and resizes the crop rectangle (in decoded pixels) to
 * out_w x out_h, feeding each decoded row straight into the horizontal pass, so the full decoded
 * image is never held: memory is the half-resized image plus the output.
 */
EXPORT uint8_t *jpeg_decode_resize(const uint8_t *data, uint32_t size, uint32_t scale_denom,
                                   int cx, int cy, int cw, int ch, int out_w, int out_h) {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  open_jpeg(&cinfo, &jerr, data, size, scale_denom);
  int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
  cinfo.dct_method = JDCT_ISLOW;
  /*
   * When the resampler still halves the image (or more) on both axes, chroma is upsampled by
   * replication in the same pass as the colour conversion (libjpeg's merged upsampler) instead
   * of the triangle filter: the Lanczos3 reduction that follows is wider than the difference,
   * and luma is untouched. Smaller reductions keep the triangle filter.
   */
  if (cw >= 2 * out_w && ch >= 2 * out_h) cinfo.do_fancy_upsampling = FALSE;
  jpeg_start_decompress(&cinfo);
  int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
  if (cx < 0 || cy < 0 || cw < 1 || ch < 1 || cx + cw > w || cy + ch > h) __builtin_trap();
  uint8_t *row = malloc((size_t)w * 4);
  uint8_t *mid = malloc((size_t)out_w * ch * 4);
  int16_t *hw;
  Tap *ht = make_taps(cw, out_w, &hw);
  if (!row || !mid) __builtin_trap();
  while ((int)cinfo.output_scanline < cy + ch) {
    int y = (int)cinfo.output_scanline;
    JSAMPROW r = row;
    jpeg_read_scanlines(&cinfo, &r, 1);
    if (y < cy) continue;
    if (cmyk) cmyk_to_rgba(row, (size_t)w);
    resize_row(row + (size_t)cx * 4, mid + (size_t)(y - cy) * out_w * 4, ht, out_w);
  }
  jpeg_abort_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  free(row);
  free(ht);
  free(hw);
  uint8_t *out = ch == out_h ? mid : vertical_pass(mid, out_w, ch, out_h);
  if (out != mid) free(mid);
  last_width = (uint32_t)out_w;
  last_height = (uint32_t)out_h;
  return out;
}

EXPORT uint8_t *resize_rgba(const uint8_t *src, int stride_px, int in_w, int in_h, int out_w,
                            int out_h) {
  uint8_t *mid = malloc((size_t)out_w * in_h * 4);
  if (!mid) __builtin_trap();
  int16_t *hw;
  Tap *ht = make_taps(in_w, out_w, &hw);
  for (int y = 0; y < in_h; y++) {
    resize_row(src + (size_t)y * stride_px * 4, mid + (size_t)y * out_w * 4, ht, out_w);
  }
  free(ht);
  free(hw);
  uint8_t *out = in_h == out_h ? mid : vertical_pass(mid, out_w, in_h, out_h);
  if (out != mid) free(mid);
  return out;
}

/* For tests: turn libjpeg-turbo's WebAssembly SIMD entry points (jsimd_wasm.c) off or on for
 * the decodes that follow, and which of them ran since the last call (a bit mask). */
extern int imagecore_simd;
extern unsigned imagecore_simd_paths;
EXPORT void set_simd(int on) { imagecore_simd = on; }
EXPORT uint32_t simd_paths(void) {
  uint32_t paths = imagecore_simd_paths;
  imagecore_simd_paths = 0;
  return paths;
}

EXPORT void *alloc(uint32_t size) {
  void *p = malloc(size);
  if (!p) __builtin_trap();
  return p;
}
EXPORT void release(void *p) { free(p); }
