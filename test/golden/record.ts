// Records the golden answers of real Orthanc 1.10.1 into test/golden/orthanc/*.json.
//
// Re-record (after changing test/golden/cases.ts):   bun test/golden/record.ts
//   (needs /usr/sbin/Orthanc 1.10.1; ORTHANC=/path/to/Orthanc overrides the binary)
//
// Orthanc runs on a temporary folder with free HTTP/DICOM ports and no plugins; the folder is
// removed at the end. The whole previous content of test/golden/orthanc/ is replaced
// (GOLDEN_OUT=/some/dir writes elsewhere, e.g. to check that two recordings agree).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildRequests,
  buildUploadRequests,
  goldenDir,
  type GoldenRequest,
  type UploadAnswers,
} from "./cases.ts";
import { startRecordingOrthanc } from "./orthanc.ts";
import { type GoldenEntry, type GoldenFile, runRequest } from "./replay.ts";

async function main() {
  const orthanc = await startRecordingOrthanc();
  const url = orthanc.url;
  try {
    const version = ((await (await fetch(`${url}/system`)).json()) as { Version: string }).Version;
    if (version !== "1.10.1") throw new Error(`expected Orthanc 1.10.1, got ${version}`);

    const groups = new Map<string, GoldenEntry[]>();
    let seq = 0;
    const run = async (req: GoldenRequest) => {
      const entry = await runRequest(url, req, seq++);
      if (!groups.has(req.group)) groups.set(req.group, []);
      groups.get(req.group)!.push(entry);
      return entry;
    };

    const answers: UploadAnswers = new Map();
    for (const req of buildUploadRequests()) {
      const entry = await run(req);
      const body = entry.body as { ID?: string };
      if (
        req.body?.kind === "file" && req.body.truncate === undefined && entry.status === 200 &&
        body?.ID
      ) {
        if (!answers.has(req.body.file)) answers.set(req.body.file, entry.body as never);
      }
    }
    const requests = buildRequests(answers);
    for (const req of requests) await run(req);

    const outDir = process.env.GOLDEN_OUT ?? goldenDir;
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    let total = 0;
    let bytes = 0;
    for (const [group, entries] of groups) {
      const file: GoldenFile = { group, entries };
      const text = JSON.stringify(file, null, 1) + "\n";
      writeFileSync(join(outDir, `${group}.json`), text);
      total += entries.length;
      bytes += text.length;
    }
    console.log(
      `recorded ${total} requests into ${groups.size} files (${
        (bytes / 1e6).toFixed(2)
      } MB) in ${outDir}`,
    );
    console.log(`files in folder: ${readdirSync(outDir).length}`);
  } catch (error) {
    console.error(await orthanc.log());
    throw error;
  } finally {
    await orthanc.stop();
  }
}

await main();
