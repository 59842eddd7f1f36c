// The golden scenarios (test/golden/scenario.ts) replayed against Pharos in-process, each on a
// fresh server with its configuration, and compared with what Orthanc 1.10.1 answered
// (test/golden/orthanc-scenarios/*.json, recorded by `bun test/golden/record-scenarios.ts`).
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedConfig } from "../golden/cases.ts";
import { compareGroup, formatDifferences } from "../golden/compare.ts";
import {
  loadScenarios,
  type ScenarioGolden,
  scenarioGoldenDir,
  ScenarioSession,
} from "../golden/scenario.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort } from "../support/server.ts";

const scenarios = await loadScenarios();

describe("golden scenarios against Orthanc 1.10.1", () => {
  test("every scenario has a recording", () => {
    const missing = scenarios.filter((s) => !existsSync(join(scenarioGoldenDir, `${s.name}.json`)));
    expect(missing.map((s) => s.name)).toEqual([]);
  });

  for (const scenario of scenarios) {
    const file = join(scenarioGoldenDir, `${scenario.name}.json`);
    if (!existsSync(file)) continue;
    test(scenario.name, async () => {
      const golden = JSON.parse(readFileSync(file, "utf8")) as ScenarioGolden;
      // A DICOM port of its own, as the recorder gives Orthanc, so that /system tells the port a
      // scenario may send to.
      const server = await startInProcess({
        config: { ...sharedConfig, DicomPort: freePort(), ...scenario.config },
      });
      try {
        const session = new ScenarioSession(server.url);
        await scenario.run(session);
        const diffs = compareGroup(golden.entries, session.entries);
        if (diffs.length > 0) {
          throw new Error(
            `${diffs.length} difference(s) with Orthanc in ${scenario.name}:\n${
              formatDifferences(diffs)
            }`,
          );
        }
        expect(session.entries.length).toBe(golden.entries.length);
      } finally {
        await server.stop();
      }
    }, 60_000);
  }
});
