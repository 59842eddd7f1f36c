// dcmdump of a file with the values a server generates masked (new UIDs, patient ids, its own
// implementation UID and version, and the lengths that depend on them), so that the files two
// servers write for the same request can be compared line by line.
import { writeFileSync } from "node:fs";
import { dcmtk } from "./dimse.ts";

/** `source` is dcmdump's text of the file edited: a value found in it is kept, not masked. */
export async function maskedDump(bytes: Uint8Array, source: string, path: string): Promise<string> {
  writeFileSync(path, bytes);
  const { out } = await dcmtk(["dcmdump", "-q", path]);
  return out.split("\n").map((line) => {
    const m = /^(\s*\([0-9a-f]{4},[0-9a-f]{4}\) (?:UI|LO|SQ|na|UL|SH) )(.*?)(\s+#\s*\d+,)(.*)$/
      .exec(line);
    if (!m) return line;
    const tag = /\(([0-9a-f]{4},[0-9a-f]{4})\)/.exec(m[1]!)![1]!;
    const value = m[2]!.trim();
    // Group lengths count the generated UIDs too.
    const identity = ["0002,0012", "0002,0013"].includes(tag) || tag.endsWith(",0000");
    const lengthOnly = m[1]!.includes(" SQ ") || m[1]!.includes(" na ");
    if (lengthOnly) return `${m[1]}${value} #${m[4]}`;
    if (identity || (value.startsWith("[") && !source.includes(value))) {
      return `${m[1]}<generated> #${m[4]}`;
    }
    return line;
  }).join("\n");
}
