// libaom's two quantizers with quantization matrices (the path tune=iq takes), in WebAssembly
// SIMD, four coefficients at a time. libaom has them only in C (`quantize_fp_helper_c` in
// av1/encoder/av1_quantize.c and `aom_quantize_b_helper_c` in aom_dsp/quantize.c), for native
// builds too; build.mjs points both at these functions. Same arithmetic, same results:
// - The C loops walk the scan order and keep the last position with a non-zero level; here the
//   coefficients are taken in raster order and the end of block is the largest scan position
//   (iscan + 1) with a non-zero level, which is the same number.
// - aom_quantize_b's "pre-scan" drops trailing coefficients that fail the zero-bin test the
//   main loop applies anyway, so testing every coefficient gives the same levels.
// - Products that can pass 32 bits (level x weight x quant) are taken in 64 bits, as the C code
//   does with int64_t; the rest fit in 32 bits for 8-bit video (|coeff| < 2^23, weights < 2^8).
#include <stdint.h>
#include <string.h>
#include <wasm_simd128.h>

typedef int32_t tran_low_t;
typedef uint8_t qm_val_t;
#define QM_BITS 5

// Four uint8 weights as 32-bit lanes.
static inline v128_t load_weights(const qm_val_t *p) {
  return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
}

// (a * b) >> shift in 64 bits (arithmetic shift, as for C's int64_t), truncated to 32 bits.
// aom_quantize_b's quant is negative: libaom stores it as m - 65536 (av1_quantize.c).
static inline v128_t mul_shift(v128_t a, v128_t b, int shift) {
  const v128_t lo = wasm_i64x2_shr(wasm_i64x2_extmul_low_i32x4(a, b), shift);
  const v128_t hi = wasm_i64x2_shr(wasm_i64x2_extmul_high_i32x4(a, b), shift);
  return wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
}

static inline v128_t apply_sign(v128_t v, v128_t sign) {
  return wasm_i32x4_sub(wasm_v128_xor(v, sign), sign);
}

// Largest iscan + 1 among lanes whose level is non-zero, folded into `eob` (4 x i32).
static inline v128_t update_eob(v128_t eob, v128_t level, const int16_t *iscan) {
  const v128_t pos = wasm_i32x4_add(wasm_i32x4_load16x4(iscan), wasm_i32x4_splat(1));
  const v128_t nz = wasm_i32x4_ne(level, wasm_i32x4_splat(0));
  return wasm_i32x4_max(eob, wasm_v128_and(pos, nz));
}

static inline uint16_t reduce_eob(v128_t eob) {
  int32_t lanes[4];
  wasm_v128_store(lanes, eob);
  int32_t m = lanes[0];
  for (int i = 1; i < 4; i++) m = lanes[i] > m ? lanes[i] : m;
  return (uint16_t)m;
}

// Parameters of one vector: lane 0 of the first vector holds the DC ones, all other lanes AC.
typedef struct {
  v128_t zbin, rounding, quant, quant_shift, dequant;
} Params;

static inline v128_t lanes(int dc, int ac, int first) {
  return first ? wasm_i32x4_make(dc, ac, ac, ac) : wasm_i32x4_splat(ac);
}

// One vector of quantize_fp_helper_c (fp) or aom_quantize_b_helper_c (b); returns the levels.
static inline v128_t quantize4(const tran_low_t *coeff_ptr, const qm_val_t *qm_ptr,
                               const qm_val_t *iqm_ptr, const int16_t *iscan,
                               tran_low_t *qcoeff_ptr, tran_low_t *dqcoeff_ptr,
                               const Params *p, int log_scale, int b, v128_t *eob) {
  const v128_t zero = wasm_i32x4_splat(0);
  const v128_t coeff = wasm_v128_load(coeff_ptr);
  const v128_t wt = load_weights(qm_ptr);
  const v128_t abs = wasm_i32x4_abs(coeff);
  // The zero-bin test: fp compares abs * wt with dequant << (QM_BITS - (1 + log_scale)),
  // b with zbin << QM_BITS (both precomputed in p->zbin).
  const v128_t pass = wasm_i32x4_ge(wasm_i32x4_mul(abs, wt), p->zbin);
  if (!wasm_v128_any_true(pass)) {
    // Most high-frequency coefficients: four zero levels.
    wasm_v128_store(qcoeff_ptr, zero);
    wasm_v128_store(dqcoeff_ptr, zero);
    return zero;
  }
  const int shift = 16 - log_scale + QM_BITS;
  // tmp = clamp(abs + round, INT16_MIN, INT16_MAX) * wt (abs + round is never negative)
  const v128_t tmp = wasm_i32x4_mul(
      wasm_i32x4_min(wasm_i32x4_add(abs, p->rounding), wasm_i32x4_splat(INT16_MAX)), wt);
  v128_t level;
  if (b) {
    // ((((tmp * quant) >> 16) + tmp) * quant_shift) >> shift
    const v128_t t2 = wasm_i32x4_add(mul_shift(tmp, p->quant, 16), tmp);
    level = mul_shift(t2, p->quant_shift, shift);
  } else {
    // (tmp * quant) >> shift
    level = mul_shift(tmp, p->quant, shift);
  }
  level = wasm_v128_and(level, pass);
  const v128_t iwt = load_weights(iqm_ptr);
  const v128_t dq = wasm_i32x4_shr(
      wasm_i32x4_add(wasm_i32x4_mul(p->dequant, iwt), wasm_i32x4_splat(1 << (QM_BITS - 1))),
      QM_BITS);
  const v128_t abs_dq = wasm_i32x4_shr(wasm_i32x4_mul(level, dq), log_scale);
  const v128_t sign = wasm_i32x4_shr(coeff, 31);
  wasm_v128_store(qcoeff_ptr, apply_sign(level, sign));
  // A zero level has a zero dequantized value either way.
  wasm_v128_store(dqcoeff_ptr, apply_sign(abs_dq, sign));
  *eob = update_eob(*eob, level, iscan);
  return level;
}

static inline int round_shift(int value, int n) { return (value + ((1 << n) >> 1)) >> n; }

// quantize_fp_helper_c with qm_ptr and iqm_ptr set.
void av1_quantize_fp_qm_wasm(const tran_low_t *coeff_ptr, intptr_t n_coeffs,
                             const int16_t *round_ptr, const int16_t *quant_ptr,
                             tran_low_t *qcoeff_ptr, tran_low_t *dqcoeff_ptr,
                             const int16_t *dequant_ptr, uint16_t *eob_ptr,
                             const int16_t *iscan, const qm_val_t *qm_ptr,
                             const qm_val_t *iqm_ptr, int log_scale) {
  v128_t eob = wasm_i32x4_splat(0);
  for (int first = 1, i = 0; i < n_coeffs; i += 4, first = 0) {
    const Params p = {
        .zbin = lanes(dequant_ptr[0] << (QM_BITS - (1 + log_scale)),
                      dequant_ptr[1] << (QM_BITS - (1 + log_scale)), first),
        .rounding = lanes(round_shift(round_ptr[0], log_scale),
                          round_shift(round_ptr[1], log_scale), first),
        .quant = lanes(quant_ptr[0], quant_ptr[1], first),
        .quant_shift = wasm_i32x4_splat(0),
        .dequant = lanes(dequant_ptr[0], dequant_ptr[1], first),
    };
    quantize4(coeff_ptr + i, qm_ptr + i, iqm_ptr + i, iscan + i, qcoeff_ptr + i,
              dqcoeff_ptr + i, &p, log_scale, 0, &eob);
  }
  *eob_ptr = reduce_eob(eob);
}

// aom_quantize_b_helper_c with qm_ptr and iqm_ptr set.
void aom_quantize_b_qm_wasm(const tran_low_t *coeff_ptr, intptr_t n_coeffs,
                            const int16_t *zbin_ptr, const int16_t *round_ptr,
                            const int16_t *quant_ptr, const int16_t *quant_shift_ptr,
                            tran_low_t *qcoeff_ptr, tran_low_t *dqcoeff_ptr,
                            const int16_t *dequant_ptr, uint16_t *eob_ptr,
                            const int16_t *iscan, const qm_val_t *qm_ptr,
                            const qm_val_t *iqm_ptr, int log_scale) {
  v128_t eob = wasm_i32x4_splat(0);
  for (int first = 1, i = 0; i < n_coeffs; i += 4, first = 0) {
    const Params p = {
        .zbin = lanes(round_shift(zbin_ptr[0], log_scale) << QM_BITS,
                      round_shift(zbin_ptr[1], log_scale) << QM_BITS, first),
        .rounding = lanes(round_shift(round_ptr[0], log_scale),
                          round_shift(round_ptr[1], log_scale), first),
        .quant = lanes(quant_ptr[0], quant_ptr[1], first),
        .quant_shift = lanes(quant_shift_ptr[0], quant_shift_ptr[1], first),
        .dequant = lanes(dequant_ptr[0], dequant_ptr[1], first),
    };
    quantize4(coeff_ptr + i, qm_ptr + i, iqm_ptr + i, iscan + i, qcoeff_ptr + i,
              dqcoeff_ptr + i, &p, log_scale, 1, &eob);
  }
  *eob_ptr = reduce_eob(eob);
}
