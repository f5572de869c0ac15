// The Worker's WebP encoder interface: libwebp's lossy encoder, set up as sharp (libvips) sets it
// up by default, with no JavaScript glue. One call per image; the instance is dropped afterwards.
#include <stdint.h>
#include <stdlib.h>

#include "src/webp/encode.h"

static size_t result_bytes;

/** Allocates `size` bytes inside the instance (for the pixels). */
void *alloc(size_t size) { return malloc(size); }

/** Frees what `alloc` or `webp_encode` returned. */
void release(void *ptr) { free(ptr); }

/** Size of the last `webp_encode` result. */
size_t result_size(void) { return result_bytes; }

/**
 * Encodes `width` x `height` RGBA pixels (`stride` bytes per row) as lossy WebP at `quality`
 * (0-100) with `method` (0-6, libwebp's effort). Returns the file (free it with `release`), or 0
 * when libwebp refuses; `result_size` gives its length.
 */
uint8_t *webp_encode(const uint8_t *rgba, int width, int height, int stride,
                     float quality, int method) {
  WebPConfig config;
  WebPPicture picture;
  WebPMemoryWriter writer;
  result_bytes = 0;
  // WEBP_PRESET_DEFAULT is what libvips' webpsave uses unless a preset is asked for.
  if (!WebPConfigPreset(&config, WEBP_PRESET_DEFAULT, quality)) return 0;
  config.method = method;
  if (!WebPValidateConfig(&config) || !WebPPictureInit(&picture)) return 0;
  picture.width = width;
  picture.height = height;
  // use_argb = 0: the pixels go straight to YUV 4:2:0, as libwebp does for lossy output.
  if (!WebPPictureImportRGBA(&picture, rgba, stride)) {
    WebPPictureFree(&picture);
    return 0;
  }
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  int ok = WebPEncode(&config, &picture);
  WebPPictureFree(&picture);
  if (!ok) {
    WebPMemoryWriterClear(&writer);
    return 0;
  }
  result_bytes = writer.size;
  return writer.mem;
}
