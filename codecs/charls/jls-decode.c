/*
 * Pharos's entry to CharLS: reads the header of one JPEG-LS codestream held in memory, then
 * decodes its samples into a buffer of the caller, as CharLS lays them out (1 or 2 bytes each,
 * little endian; by pixel, by line or by component as the codestream interleaves them). One
 * codestream at a time: the module runs in one codec worker, which decodes one frame per job.
 *
 * The module is built without exception catching: where CharLS would throw (a corrupt
 * codestream...), the module traps, and the caller drops it.
 */
#include <stdint.h>
#include <charls/charls.h>

/** The decoder of the codestream whose header jls_read_header read, until jls_decode. */
static charls_jpegls_decoder *decoder;
/** That codestream. */
static const uint8_t *source;
static uint32_t source_size;

static void release(void) {
  if (decoder) charls_jpegls_decoder_destroy(decoder);
  decoder = 0;
}

/**
 * Reads the header of the `size` bytes at `data`, which stay in place until jls_decode. On
 * success answers 0 and writes into `info` the width, height, component count, bits per sample
 * and the byte count of the decoded samples; otherwise answers CharLS's error code.
 */
int jls_read_header(const uint8_t *data, uint32_t size, int32_t *info) {
  release();
  decoder = charls_jpegls_decoder_create();
  if (!decoder) return CHARLS_JPEGLS_ERRC_NOT_ENOUGH_MEMORY;
  charls_spiff_header spiff;
  int32_t spiff_found;
  charls_frame_info frame;
  size_t bytes = 0;
  source = data;
  source_size = size;
  charls_jpegls_errc error = charls_jpegls_decoder_set_source_buffer(decoder, data, size);
  if (!error) error = charls_jpegls_decoder_read_spiff_header(decoder, &spiff, &spiff_found);
  if (!error) error = charls_jpegls_decoder_read_header(decoder);
  if (!error) error = charls_jpegls_decoder_get_frame_info(decoder, &frame);
  if (!error) error = charls_jpegls_decoder_get_destination_size(decoder, 0, &bytes);
  if (!error && bytes > INT32_MAX) error = CHARLS_JPEGLS_ERRC_NOT_ENOUGH_MEMORY;
  if (error) {
    release();
    return error;
  }
  info[0] = (int32_t)frame.width;
  info[1] = (int32_t)frame.height;
  info[2] = frame.component_count;
  info[3] = frame.bits_per_sample;
  info[4] = (int32_t)bytes;
  return 0;
}

/**
 * Whether the codestream holds an end of image marker, FF D9, which CharLS must find after the
 * scans. Scan data never holds one: an FF there is followed by a 0 bit. Searched from the end,
 * where it is, but for padding.
 */
static int has_end_of_image(void) {
  for (uint32_t i = source_size; i >= 2; i--) {
    if (source[i - 2] == 0xFF && source[i - 1] == 0xD9) return 1;
  }
  return 0;
}

/**
 * Decodes the codestream of the last jls_read_header into the `size` bytes at `out`, then
 * forgets it (a CharLS decoder reads one codestream). Answers 0 or CharLS's error code.
 */
int jls_decode(uint8_t *out, uint32_t size) {
  if (!decoder) return CHARLS_JPEGLS_ERRC_INVALID_OPERATION;
  /* CharLS reads the bits past the end of a codestream cut short as zeros, for seconds (4 to 7 s
   * for a CT frame of 256×1024 cut anywhere), before it finds no end of image: such a codestream is
   * refused at once. */
  charls_jpegls_errc error = CHARLS_JPEGLS_ERRC_END_OF_IMAGE_MARKER_NOT_FOUND;
  if (has_end_of_image()) error = charls_jpegls_decoder_decode_to_buffer(decoder, out, size, 0);
  release();
  return error;
}

/** Forgets the codestream of the last jls_read_header, which the caller will not decode. */
void jls_release(void) {
  release();
}
