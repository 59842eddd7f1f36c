// Records the golden scenarios (test/golden/scenarios/*.ts) against real Orthanc 1.10.1 into
// test/golden/orthanc-scenarios/<name>.json, each on a fresh Orthanc with its configuration.
//
//   bun test/golden/record-scenarios.ts            every scenario
//   bun test/golden/record-scenarios.ts a b        only scenarios a and b
//   (ORTHANC=/path/to/Orthanc overrides /usr/sbin/Orthanc; GOLDEN_OUT=dir writes elsewhere)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startRecordingOrthanc } from "./orthanc.ts";
import {
  loadScenarios,
  type Scenario,
  type ScenarioGolden,
  scenarioGoldenDir,
  ScenarioSession,
} from "./scenario.ts";

async function record(scenario: Scenario, outDir: string): Promise<number> {
  const orthanc = await startRecordingOrthanc(scenario.config);
  try {
    const session = new ScenarioSession(orthanc.url);
    await scenario.run(session);
    const golden: ScenarioGolden = { scenario: scenario.name, entries: session.entries };
    writeFileSync(join(outDir, `${scenario.name}.json`), JSON.stringify(golden, null, 1) + "\n");
    return session.entries.length;
  } catch (error) {
    console.error(await orthanc.log());
    throw error;
  } finally {
    await orthanc.stop();
  }
}

const wanted = new Set(process.argv.slice(2));
const outDir = process.env.GOLDEN_OUT ?? scenarioGoldenDir;
mkdirSync(outDir, { recursive: true });
for (const scenario of await loadScenarios()) {
  if (wanted.size > 0 && !wanted.has(scenario.name)) continue;
  const count = await record(scenario, outDir);
  console.log(`${scenario.name}: ${count} requests recorded`);
}
