// AVIF encoder for the Worker: libavif (container, RGB to YCbCr) driving libaom with the settings
// libheif 1.23 uses, which is what sharp encodes AVIF with. Built by build.mjs; see README.md.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avif/avif.h"

static size_t result_size_value;

void *alloc(size_t size) { return malloc(size); }
void release(void *ptr) { free(ptr); }
size_t result_size(void) { return result_size_value; }

static int has_alpha(const uint8_t *rgba, size_t pixels) {
  for (size_t i = 0; i < pixels; i++) {
    if (rgba[i * 4 + 3] != 255) return 1;
  }
  return 0;
}

// Encodes `width` x `height` RGBA pixels. Returns a pointer to the AVIF file (its size from
// result_size()), or 0 when encoding failed. `quality` is 0-100 (sharp's scale), `speed` is
// libavif's 0-10 (libaom's cpu-used, 10 meaning 9), `subsample` is 444 or 420.
uint8_t *avif_encode(const uint8_t *rgba, int width, int height, int quality, int speed,
                     int subsample) {
  result_size_value = 0;
  uint8_t *out = NULL;
  avifPixelFormat format =
      subsample == 420 ? AVIF_PIXEL_FORMAT_YUV420 : AVIF_PIXEL_FORMAT_YUV444;
  avifImage *image = avifImageCreate((uint32_t)width, (uint32_t)height, 8, format);
  avifEncoder *encoder = NULL;
  avifRWData output = AVIF_DATA_EMPTY;
  if (!image) goto done;
  // sRGB pixels as full-range BT.601 YCbCr, libheif's default; signalled in an nclx box.
  image->yuvRange = AVIF_RANGE_FULL;
  image->matrixCoefficients = AVIF_MATRIX_COEFFICIENTS_BT601;
  image->colorPrimaries = AVIF_COLOR_PRIMARIES_BT709;
  image->transferCharacteristics = AVIF_TRANSFER_CHARACTERISTICS_SRGB;

  avifRGBImage rgb;
  avifRGBImageSetDefaults(&rgb, image);
  rgb.format = AVIF_RGB_FORMAT_RGBA;
  rgb.depth = 8;
  rgb.pixels = (uint8_t *)rgba;
  rgb.rowBytes = (uint32_t)width * 4;
  if (has_alpha(rgba, (size_t)width * (size_t)height)) {
    if (avifImageAllocatePlanes(image, AVIF_PLANES_A) != AVIF_RESULT_OK) goto done;
  } else {
    rgb.ignoreAlpha = AVIF_TRUE;
  }
  if (avifImageRGBToYUV(image, &rgb) != AVIF_RESULT_OK) goto done;

  encoder = avifEncoderCreate();
  if (!encoder) goto done;
  encoder->codecChoice = AVIF_CODEC_CHOICE_AOM;
  encoder->maxThreads = 1;
  encoder->speed = speed;
  encoder->quality = quality;
  encoder->qualityAlpha = quality;
  // As libheif 1.23 sets up libaom for sharp: tune=iq (with libavif's matching quality to
  // quantizer table, q 50 -> 37), intra block copy allowed.
  if (avifEncoderSetCodecSpecificOption(encoder, "tune", "iq") != AVIF_RESULT_OK) goto done;
  if (avifEncoderSetCodecSpecificOption(encoder, "enable-intrabc", "1") != AVIF_RESULT_OK) goto done;
  if (avifEncoderWrite(encoder, image, &output) != AVIF_RESULT_OK) goto done;

  out = (uint8_t *)malloc(output.size);
  if (out) {
    memcpy(out, output.data, output.size);
    result_size_value = output.size;
  }

done:
  avifRWDataFree(&output);
  if (encoder) avifEncoderDestroy(encoder);
  if (image) avifImageDestroy(image);
  return out;
}
