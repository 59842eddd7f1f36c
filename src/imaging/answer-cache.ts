// The last /rendered answers, by file content, frame and arguments: a viewer asks for the same
// rendering again and again (the same URL for every client of a study), and windowing, fitting
// and encoding cost more than hashing the file. Least recently used answers go first past the
// byte budget.
import { contentKey } from "./content-key.ts";

export interface CachedAnswer {
  body: Uint8Array;
  type: string;
}

export class RenderedAnswerCache {
  private readonly answers = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(private readonly budget = 32 * 1024 * 1024) {}

  /** `dicom` is the file; `variant` names the frame and every argument shaping the answer. */
  static key(dicom: Uint8Array, variant: string): string {
    return `${contentKey(dicom)}:${variant}`;
  }

  /** The answer, produced once by `produce` while it stays cached (failures throw, uncached). */
  async get(key: string, produce: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    const hit = this.answers.get(key);
    if (hit) {
      this.answers.delete(key);
      this.answers.set(key, hit);
      return hit;
    }
    const answer = await produce();
    if (answer.body.byteLength > this.budget / 4) return answer;
    this.answers.set(key, answer);
    this.bytes += answer.body.byteLength;
    for (const [old, cached] of this.answers) {
      if (this.bytes <= this.budget) break;
      this.answers.delete(old);
      this.bytes -= cached.body.byteLength;
    }
    return answer;
  }
}
