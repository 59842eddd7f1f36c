// Corrupt compressed frames: the codec's refusal becomes Orthanc's decoding failure, never a
// crash or a stuck worker; the next frame decodes as before.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findElement, parseDicom } from "../../src/dicom/parser.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { CODEC_FAILURE, FrameDecoders, isFailure } from "../../src/imaging/decode.ts";
import { samplesDir } from "../support/server.ts";

const FILES = [
  "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm",
];

/** The file with its first fragment's codestream overwritten from `from` (a fraction) on. */
function damaged(file: string, from: number, fill: number): Uint8Array {
  const bytes = new Uint8Array(readFileSync(join(samplesDir, file)));
  const fragment = findElement(parseDicom(bytes).dataset, Tags.PixelData)!.fragments![1]!;
  const start = fragment.offset + Math.floor(fragment.length * from);
  bytes.fill(fill, start, fragment.offset + fragment.length);
  return bytes;
}

describe("corrupt codestreams", () => {
  const decoders = new FrameDecoders();
  for (const file of FILES) {
    test(`${file}: a codestream cut short fails to decode, the intact one still decodes`, async () => {
      for (const [from, fill] of [[0, 0], [0.02, 0xff]] as const) {
        const bad = damaged(file, from, fill);
        const outcome = await decoders.decodeOutcome(bad, parseDicom(bad), 0);
        // A codec may still make an image of what is left; what it must not do is throw or hang.
        if (isFailure(outcome)) expect(outcome).toEqual(CODEC_FAILURE);
      }
      const good = new Uint8Array(readFileSync(join(samplesDir, file)));
      expect(isFailure(await decoders.decodeOutcome(good, parseDicom(good), 0))).toBe(false);
    });
    test(`${file}: a frame past the fragments fails`, async () => {
      const good = new Uint8Array(readFileSync(join(samplesDir, file)));
      expect(await decoders.decodeOutcome(good, parseDicom(good), 5)).toEqual(CODEC_FAILURE);
    });
  }
  // A codestream declaring a far larger image than the dataset's: the decoders grew a worker to
  // 3.2-3.5 GB and answered an image (Orthanc 1.10.1 with GDCM crashed on the JPEG 2000 one).
  for (
    const [file, marker, sizes] of [
      // SIZ: Xsiz and Ysiz, 32 bits each.
      ["TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm", 0x51, [[6, 4], [10, 4]]],
      // The frame header (SOF55, SOF1, SOF3): Y and X, 16 bits each.
      ["TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm", 0xf7, [[5, 2], [7, 2]]],
      ["TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm", 0xc1, [[5, 2], [7, 2]]],
      ["TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm", 0xc3, [[5, 2], [7, 2]]],
    ] as const
  ) {
    test(`${file}: a codestream declaring 20000×20000 is refused`, async () => {
      const bytes = new Uint8Array(readFileSync(join(samplesDir, file)));
      const fragment = findElement(parseDicom(bytes).dataset, Tags.PixelData)!.fragments![1]!;
      let at = fragment.offset;
      while (bytes[at] !== 0xff || bytes[at + 1] !== marker) at++;
      const view = new DataView(bytes.buffer);
      for (const [offset, width] of sizes) {
        if (width === 4) view.setUint32(at + offset, 20000);
        else view.setUint16(at + offset, 20000);
      }
      expect(await decoders.decodeOutcome(bytes, parseDicom(bytes), 0)).toEqual(CODEC_FAILURE);
    });
  }
  test("an emptied codestream is refused", async () => {
    const bad = damaged(FILES[3]!, 0, 0);
    expect(await decoders.decodeOutcome(bad, parseDicom(bad), 0)).toEqual(CODEC_FAILURE);
  });
});
