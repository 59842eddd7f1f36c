// The images the imaging code passes around: raw pixels to encode (PNG, JPEG, PAM) and decoded
// frames. Plugins see them too: pharos-plugin.d.ts re-exports them as part of the plugin API.

/** Raw pixels for host.answers.png; rows are packed (no padding between rows). */
export interface RawImage {
  format: "Grayscale8" | "Grayscale16" | "RGB24" | "RGBA32";
  width: number;
  height: number;
  /** Grayscale16 samples are native 16-bit values (a Uint16Array or its bytes, little endian). */
  pixels: Uint8Array | Uint16Array;
}

/**
 * A decoded frame (OrthancPluginImage): row-major samples, interleaved for color. Uint8Array for
 * Grayscale8, RGB24 and RGBA32; Uint16Array for Grayscale16; Int16Array for SignedGrayscale16.
 */
export interface DecodedImage {
  format: "Grayscale8" | "Grayscale16" | "SignedGrayscale16" | "RGB24" | "RGBA32";
  width: number;
  height: number;
  pixels: Uint8Array | Uint16Array | Int16Array;
}
