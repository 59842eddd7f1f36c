// The editing engine writes back what it read byte for byte: every sample parsed and rebuilt
// from its tree with no edit gives its own bytes (a deflated one, its inflated dataset).
import { describe, expect, test } from "bun:test";
import { DicomParseError } from "../../src/dicom/parser.ts";
import { DicomEditor } from "../../src/editing/editor.ts";
import { sampleFiles } from "../support/server.ts";

const files = await sampleFiles();

describe("round trip through the editing tree", () => {
  test("every DICOM sample rebuilds to its own bytes", async () => {
    let rebuilt = 0;
    for (const file of files) {
      const bytes = new Uint8Array(await Bun.file(file).arrayBuffer());
      let editor: DicomEditor;
      try {
        editor = new DicomEditor(bytes);
      } catch (e) {
        if (e instanceof DicomParseError) continue;
        throw e;
      }
      const { meta, dataset } = editor.rebuild();
      const source = editor.parsed.dataset.source.bytes;
      const original = source === bytes ? bytes.subarray(meta.length) : source;
      expect({ file, equal: Buffer.compare(dataset, original) === 0 }).toEqual({
        file,
        equal: true,
      });
      rebuilt++;
    }
    expect(rebuilt).toBeGreaterThan(140);
  });
});
