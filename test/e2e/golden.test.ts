// End-to-end comparison with real Orthanc 1.10.1: replays, against Pharos, the uploads and
// requests recorded in test/golden/orthanc/*.json (same order) and compares the answers.
// Goldens are (re-)recorded with: bun test/golden/record.ts
// Pharos runs in the test process; GOLDEN_COMMAND="path/to/binary" replays against another
// executable taking the config path as its last argument (e.g. the compiled Pharos, or
// /usr/sbin/Orthanc to check the harness itself).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { goldenDir, sharedConfig } from "../golden/cases.ts";
import { compareGroup, formatDifferences } from "../golden/compare.ts";
import { type GoldenEntry, type GoldenFile, requestOf, runRequest } from "../golden/replay.ts";
import { startInProcess } from "../support/in-process.ts";
import { startPharos, type TestServer } from "../support/server.ts";

const goldenFiles = existsSync(goldenDir)
  ? readdirSync(goldenDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
  : [];

if (goldenFiles.length === 0) {
  test("golden recordings exist", () => {
    throw new Error(
      `no goldens in ${goldenDir}: record them with \`bun test/golden/record.ts\` (needs Orthanc 1.10.1)`,
    );
  });
} else {
  const groups: GoldenFile[] = goldenFiles.map((f) =>
    JSON.parse(readFileSync(join(goldenDir, f), "utf8"))
  );
  const replayed = new Map<number, GoldenEntry>();
  let server: TestServer | undefined;
  let startError: Error | undefined;

  describe("golden comparison with Orthanc 1.10.1", () => {
    beforeAll(async () => {
      try {
        const command = process.env.GOLDEN_COMMAND?.split(" ").filter(Boolean);
        server = command
          ? await startPharos({ config: { ...sharedConfig }, command })
          : await startInProcess({ config: { ...sharedConfig } });
      } catch (error) {
        startError = error as Error;
        return;
      }
      // Replay everything once, in the recorded global order (uploads first, deletes last).
      const all = groups
        .flatMap((g) => g.entries.map((e) => ({ group: g.group, entry: e })))
        .sort((a, b) => a.entry.seq - b.entry.seq);
      for (const { group, entry } of all) {
        replayed.set(entry.seq, await runRequest(server.url, requestOf(group, entry), entry.seq));
      }
    }, 600_000);

    afterAll(async () => {
      await server?.stop();
    });

    for (const group of groups) {
      test(group.group, () => {
        if (startError) throw new Error(`Pharos did not start: ${startError.message}`);
        const actual = group.entries.map((e) => replayed.get(e.seq)!);
        const diffs = compareGroup(group.entries, actual);
        if (diffs.length > 0) {
          throw new Error(
            `${diffs.length} difference(s) with Orthanc in ${group.group}.json:\n${
              formatDifferences(diffs)
            }`,
          );
        }
        expect(diffs).toHaveLength(0);
      });
    }
  });
}
