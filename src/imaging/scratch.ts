// A buffer reused from one image to the next by code that renders frame after frame (a codec
// worker): what it hands out is valid until its next take(). Past LIMIT bytes it hands out new
// buffers, so that one large frame does not stay held.
const LIMIT = 8 * 1024 * 1024;

export class Scratch {
  private buffer = new Uint8Array(0);

  /** `length` bytes, not zeroed. */
  take(length: number): Uint8Array {
    if (length > LIMIT) return new Uint8Array(length);
    if (this.buffer.length < length) this.buffer = new Uint8Array(length);
    return this.buffer.subarray(0, length);
  }
}
