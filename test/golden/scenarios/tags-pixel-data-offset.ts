// PixelDataOffset of every sample file and of the odd encodings (test/support/odd-dicom.ts):
// Orthanc reports the offset of the pixel data element's header (its tag), as found by its
// streaming reader, and nothing where that reader gives up.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { samplesDir } from "../cases.ts";
import { sample, type Scenario } from "../scenario.ts";
import { oddFiles } from "../../support/odd-dicom.ts";

function sampleFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sampleFiles(path);
    return /\.(png|pdf|raw)$/.test(name) ? [] : [relative(samplesDir, path)];
  });
}

const scenario: Scenario = {
  name: "tags-pixel-data-offset",
  async run(s) {
    const files = [
      ...sampleFiles(samplesDir).map((name) => ({ name, bytes: sample(name) })),
      ...oddFiles(),
    ];
    for (const { name, bytes } of files) {
      const id = await s.uploadBytes(name, bytes);
      if (!id) continue;
      await s.get(`/instances/${id}/metadata/PixelDataOffset`, {
        name: `PixelDataOffset of ${name}`,
      });
    }
  },
};

export default scenario;
