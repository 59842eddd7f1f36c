// The last frames the image routes decoded, by content: a viewer asks for the same frame again
// (preview, then rendered at another size or window), and decoding a compressed frame costs far
// more than hashing its file. Least recently used frames go first past the byte budget.
import { contentKey } from "./content-key.ts";
import type { DecodedImage } from "./image.ts";

export class DecodedFrameCache {
  private readonly frames = new Map<string, DecodedImage>();
  private bytes = 0;

  constructor(private readonly budget = 128 * 1024 * 1024) {}

  private static key(dicom: Uint8Array, frame: number): string {
    return `${contentKey(dicom)}:${frame}`;
  }

  has(dicom: Uint8Array, frame: number): boolean {
    return this.frames.has(DecodedFrameCache.key(dicom, frame));
  }

  /** The frame, decoded once by `decode` while it stays cached (failures are not cached). */
  async get<T extends object>(
    dicom: Uint8Array,
    frame: number,
    decode: () => Promise<DecodedImage | T>,
  ): Promise<DecodedImage | T> {
    const key = DecodedFrameCache.key(dicom, frame);
    const hit = this.frames.get(key);
    if (hit) {
      this.frames.delete(key);
      this.frames.set(key, hit);
      return hit;
    }
    const outcome = await decode();
    if ("pixels" in outcome && outcome.pixels.byteLength <= this.budget / 4) {
      this.frames.set(key, outcome);
      this.bytes += outcome.pixels.byteLength;
      for (const [old, image] of this.frames) {
        if (this.bytes <= this.budget) break;
        this.frames.delete(old);
        this.bytes -= image.pixels.byteLength;
      }
    }
    return outcome;
  }
}
