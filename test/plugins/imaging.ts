// A test plugin for the decode-image and transcoder callbacks: DCMTK's dcmdjpeg and dcmdrle do
// the work (decompressing to explicit VR little endian), the server's own decoder reads the
// result. A second decoder throws on JPEG-LS files, to check that a failing plugin is isolated.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const EXPLICIT_LE = "1.2.840.10008.1.2.1";

function transferSyntaxOf(dicom: Uint8Array): string {
  // The meta header is explicit VR little endian: find (0002,0010) and read its value.
  for (let i = 132; i + 8 < Math.min(dicom.length, 4096); i++) {
    if (dicom[i] === 0x02 && dicom[i + 1] === 0 && dicom[i + 2] === 0x10 && dicom[i + 3] === 0) {
      const length = dicom[i + 6]! | (dicom[i + 7]! << 8);
      return new TextDecoder().decode(dicom.subarray(i + 8, i + 8 + length)).replace(/\0/g, "");
    }
  }
  return "";
}

/** The file decompressed by DCMTK, or undefined for syntaxes it is not meant for. */
function decompress(dicom: Uint8Array): Uint8Array | undefined {
  const syntax = transferSyntaxOf(dicom);
  const tool = syntax === "1.2.840.10008.1.2.5"
    ? "dcmdrle"
    : /^1\.2\.840\.10008\.1\.2\.4\.(50|51|57|70)$/.test(syntax)
    ? "dcmdjpeg"
    : undefined;
  if (!tool) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "pharos-imaging-plugin-"));
  try {
    writeFileSync(join(dir, "in.dcm"), dicom);
    const run = Bun.spawnSync([tool, "+te", join(dir, "in.dcm"), join(dir, "out.dcm")]);
    if (run.exitCode !== 0) throw new Error(`${tool} failed: ${run.stderr.toString()}`);
    return new Uint8Array(readFileSync(join(dir, "out.dcm")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const plugin: PharosPlugin = {
  name: "imaging-probe",
  version: "1.0.0",
  initialize(host) {
    host.imaging.registerDecoder((dicom) => {
      if (transferSyntaxOf(dicom) === "1.2.840.10008.1.2.4.80") {
        throw new Error("imaging-probe: this decoder throws on JPEG-LS on purpose");
      }
      return undefined;
    });
    host.imaging.registerDecoder(async (dicom, frame) => {
      const native = decompress(dicom);
      return native ? await host.imaging.decodeFrame(native, frame) : undefined;
    });
    host.imaging.registerTranscoder((dicom, allowed) =>
      allowed.includes(EXPLICIT_LE) ? decompress(dicom) : undefined
    );
    host.rest.register("/imaging-probe/transcode", async (request) => {
      const { id, syntax } = await request.json() as { id: string; syntax: string };
      const dicom = await host.getDicomForInstance(id);
      const out = await host.imaging.transcode(dicom, syntax);
      return host.answers.json({ Syntax: transferSyntaxOf(out), Bytes: out.length });
    });
  },
};

export default plugin;
