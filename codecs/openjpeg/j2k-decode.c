/*
 * Pharos's entry to OpenJPEG: decodes one JPEG 2000 codestream (or JP2 file) held in memory,
 * then copies its samples, interleaved, into a buffer of the caller. One image at a time: the
 * module runs in one codec worker, which decodes one frame per job.
 */
#include <stdint.h>
#include <string.h>
#include "openjpeg.h"

/** The codestream being read: OpenJPEG pulls it through the stream callbacks below. */
typedef struct {
  const uint8_t *data;
  OPJ_SIZE_T size;
  OPJ_SIZE_T position;
} Source;

static OPJ_SIZE_T read_bytes(void *out, OPJ_SIZE_T count, void *user) {
  Source *source = user;
  OPJ_SIZE_T left = source->size - source->position;
  if (left == 0) return (OPJ_SIZE_T)-1;
  if (count > left) count = left;
  memcpy(out, source->data + source->position, count);
  source->position += count;
  return count;
}

static OPJ_OFF_T skip_bytes(OPJ_OFF_T count, void *user) {
  Source *source = user;
  OPJ_OFF_T left = (OPJ_OFF_T)(source->size - source->position);
  OPJ_OFF_T back = -(OPJ_OFF_T)source->position;
  if (count > left) count = left;
  if (count < back) count = back;
  source->position += count;
  return count;
}

static OPJ_BOOL seek_to(OPJ_OFF_T offset, void *user) {
  Source *source = user;
  if (offset < 0 || (OPJ_SIZE_T)offset > source->size) return OPJ_FALSE;
  source->position = (OPJ_SIZE_T)offset;
  return OPJ_TRUE;
}

/** The image of the last successful j2k_decode, until j2k_copy or j2k_release. */
static opj_image_t *image;

void j2k_release(void) {
  if (image) opj_image_destroy(image);
  image = NULL;
}

/** A JP2 file starts with its signature box; anything else is read as a bare codestream. */
static OPJ_CODEC_FORMAT format_of(const uint8_t *data, uint32_t size) {
  static const uint8_t jp2[] = {0, 0, 0, 12, 'j', 'P', ' ', ' '};
  return size >= sizeof jp2 && memcmp(data, jp2, sizeof jp2) == 0 ? OPJ_CODEC_JP2
                                                                   : OPJ_CODEC_J2K;
}

/**
 * Decodes `size` bytes at `data`. On success answers 0 and writes into `info` the width, height,
 * component count, precision in bits and signedness (0 or 1) of the samples. Answers -1 when
 * OpenJPEG refuses the data, -2 when the components differ in size, precision or signedness
 * (subsampled chroma...), which the caller leaves to another decoder.
 */
int j2k_decode(const uint8_t *data, uint32_t size, int32_t *info) {
  j2k_release();
  Source source = {data, size, 0};
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  opj_codec_t *codec = opj_create_decompress(format_of(data, size));
  opj_stream_t *stream = opj_stream_create(size, OPJ_TRUE);
  if (!codec || !stream) {
    if (codec) opj_destroy_codec(codec);
    if (stream) opj_stream_destroy(stream);
    return -1;
  }
  opj_stream_set_user_data(stream, &source, NULL);
  opj_stream_set_user_data_length(stream, size);
  opj_stream_set_read_function(stream, read_bytes);
  opj_stream_set_skip_function(stream, skip_bytes);
  opj_stream_set_seek_function(stream, seek_to);
  OPJ_BOOL ok = opj_setup_decoder(codec, &parameters) &&
                opj_read_header(stream, codec, &image) && opj_decode(codec, stream, image) &&
                opj_end_decompress(codec, stream);
  opj_destroy_codec(codec);
  opj_stream_destroy(stream);
  if (!ok || !image || image->numcomps == 0) {
    j2k_release();
    return -1;
  }
  const opj_image_comp_t *first = &image->comps[0];
  for (OPJ_UINT32 c = 0; c < image->numcomps; c++) {
    const opj_image_comp_t *comp = &image->comps[c];
    if (!comp->data || comp->dx != 1 || comp->dy != 1 || comp->w != first->w ||
        comp->h != first->h || comp->prec != first->prec || comp->sgnd != first->sgnd) {
      j2k_release();
      return -2;
    }
  }
  info[0] = (int32_t)first->w;
  info[1] = (int32_t)first->h;
  info[2] = (int32_t)image->numcomps;
  info[3] = (int32_t)first->prec;
  info[4] = (int32_t)first->sgnd;
  return 0;
}

/**
 * Writes the decoded samples at `out`, interleaved, 1 or 2 bytes each (little endian, as the
 * low bits of OpenJPEG's 32-bit samples), then releases the image. `out` holds width × height ×
 * components × `bytes_per_sample` bytes.
 */
void j2k_copy(uint8_t *out, uint32_t bytes_per_sample) {
  if (!image) return;
  const OPJ_UINT32 count = image->numcomps;
  const size_t pixels = (size_t)image->comps[0].w * image->comps[0].h;
  for (OPJ_UINT32 c = 0; c < count; c++) {
    const OPJ_INT32 *samples = image->comps[c].data;
    if (bytes_per_sample == 1) {
      uint8_t *to = out + c;
      for (size_t i = 0; i < pixels; i++, to += count) *to = (uint8_t)samples[i];
    } else {
      uint16_t *to = (uint16_t *)out + c;
      for (size_t i = 0; i < pixels; i++, to += count) *to = (uint16_t)samples[i];
    }
  }
  j2k_release();
}
