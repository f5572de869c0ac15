// libaom's CNN convolution for layers without max-pooling and with "valid" padding
// (`av1_cnn_convolve_no_maxpool_padding_valid_c` in av1/encoder/cnn.c), in WebAssembly SIMD.
// The all-intra partition search runs that CNN on every 64x64 block
// (`intra_mode_cnn_partition` in av1/encoder/partition_strategy.c; all its layers are of this
// kind), and libaom has the function in AVX2 only; build.mjs points the C one here.
//
// Four output channels at a time: their weights lie next to each other (index
// k * out_channels + i, stepping by cstep per filter tap), and each lane adds the same products
// in the same order as the C loop does for its channel, in single precision and without fused
// multiply-add (WebAssembly SIMD has none), so every output is the same float. The channels left
// over, and a channel step other than 1 (threads), go one at a time as in the C code.
#include <wasm_simd128.h>

#include "av1/encoder/cnn.h"

void av1_cnn_convolve_valid_wasm(const float **input, int in_width, int in_height,
                                 int in_stride, const CNN_LAYER_CONFIG *layer_config,
                                 float **output, int out_stride, int start_idx, int cstep,
                                 int channel_step) {
  const int fw = layer_config->filter_width, fh = layer_config->filter_height;
  const int out_channels = layer_config->out_channels;
  int i = start_idx;
  for (; channel_step == 1 && i + 4 <= out_channels; i += 4) {
    for (int h = 0, u = 0; h < in_height - fh + 1; h += layer_config->skip_height, ++u) {
      for (int w = 0, out_index = u * out_stride; w < in_width - fw + 1;
           w += layer_config->skip_width, ++out_index) {
        v128_t sum = wasm_v128_load(layer_config->bias + i);
        for (int k = 0; k < layer_config->in_channels; ++k) {
          const float *weights = layer_config->weights + k * out_channels + i;
          for (int ii = h; ii < h + fh; ++ii) {
            for (int jj = w; jj < w + fw; ++jj, weights += cstep) {
              const v128_t x = wasm_f32x4_splat(input[k][ii * in_stride + jj]);
              sum = wasm_f32x4_add(sum, wasm_f32x4_mul(wasm_v128_load(weights), x));
            }
          }
        }
        output[i][out_index] = wasm_f32x4_extract_lane(sum, 0);
        output[i + 1][out_index] = wasm_f32x4_extract_lane(sum, 1);
        output[i + 2][out_index] = wasm_f32x4_extract_lane(sum, 2);
        output[i + 3][out_index] = wasm_f32x4_extract_lane(sum, 3);
      }
    }
  }
  for (; i < out_channels; i += channel_step) {
    for (int h = 0, u = 0; h < in_height - fh + 1; h += layer_config->skip_height, ++u) {
      for (int w = 0, out_index = u * out_stride; w < in_width - fw + 1;
           w += layer_config->skip_width, ++out_index) {
        float sum = layer_config->bias[i];
        for (int k = 0; k < layer_config->in_channels; ++k) {
          int off = k * out_channels + i;
          for (int ii = h; ii < h + fh; ++ii) {
            for (int jj = w; jj < w + fw; ++jj, off += cstep) {
              sum += layer_config->weights[off] * input[k][ii * in_stride + jj];
            }
          }
        }
        output[i][out_index] = sum;
      }
    }
  }
}
