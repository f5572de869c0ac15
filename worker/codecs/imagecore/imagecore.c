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

/* Reads only the header: the size the image decodes to at 1/scale_denom. */
EXPORT int jpeg_scaled_size(const uint8_t *data, uint32_t size, uint32_t scale_denom) {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jerr.error_exit = fail_exit;
  jerr.output_message = quiet_message;
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, size);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = 1;
  cinfo.scale_denom = scale_denom;
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
  cinfo.err = jpeg_std_error(&jerr);
  jerr.error_exit = fail_exit;
  jerr.output_message = quiet_message;
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, size);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = 1;
  cinfo.scale_denom = scale_denom;
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
  if (cinfo.out_color_space == JCS_CMYK) {
    /* Adobe CMYK JPEGs are stored inverted. */
    for (size_t i = 0; i < (size_t)w * h; i++) {
      uint8_t *p = out + i * 4;
      unsigned k = p[3];
      p[0] = (uint8_t)(p[0] * k / 255);
      p[1] = (uint8_t)(p[1] * k / 255);
      p[2] = (uint8_t)(p[2] * k / 255);
      p[3] = 255;
    }
  }
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
    double sum = 0;
    for (int k = 0; k < count; k++) {
      tmp[k] = lanczos3((first + k - center) * filter_scale);
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

/* Rounds 14-bit fixed point lanes, clamps them to 0..255 and stores them as one RGBA pixel. */
static inline void store_pixel(uint8_t *dst, v128_t acc) {
  v128_t v = wasm_i32x4_shr(wasm_i32x4_add(acc, wasm_i32x4_splat(1 << 13)), 14);
  v128_t narrow = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(v, v), wasm_i16x8_splat(0));
  wasm_v128_store32_lane(dst, narrow, 0);
}

static void resize_row(const uint8_t *row, uint8_t *dst, const Tap *ht, int out_w) {
  for (int x = 0; x < out_w; x++) {
    const Tap *t = &ht[x];
    const uint8_t *p = row + (size_t)t->start * 4;
    v128_t acc = wasm_i32x4_splat(0);
    for (int k = 0; k < t->count; k++, p += 4) {
      acc = wasm_i32x4_add(acc, wasm_i32x4_mul(load_pixel(p), wasm_i32x4_splat(t->weights[k])));
    }
    store_pixel(dst + x * 4, acc);
  }
}

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
    for (int x = 0; x < out_w; x++) {
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
  cinfo.err = jpeg_std_error(&jerr);
  jerr.error_exit = fail_exit;
  jerr.output_message = quiet_message;
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, size);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = 1;
  cinfo.scale_denom = scale_denom;
  int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
  cinfo.dct_method = JDCT_ISLOW;
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
    if (cmyk) {
      for (int x = 0; x < w; x++) {
        uint8_t *p = row + x * 4;
        unsigned k = p[3];
        p[0] = (uint8_t)(p[0] * k / 255);
        p[1] = (uint8_t)(p[1] * k / 255);
        p[2] = (uint8_t)(p[2] * k / 255);
        p[3] = 255;
      }
    }
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

EXPORT void *alloc(uint32_t size) {
  void *p = malloc(size);
  if (!p) __builtin_trap();
  return p;
}
EXPORT void release(void *p) { free(p); }
