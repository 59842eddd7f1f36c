// Records the golden scenarios (test/golden/scenarios/*.ts) against real Orthanc 1.10.1 into
// test/golden/orthanc-scenarios/<name>.json, each on a fresh Orthanc with its configuration.
//
//   bun test/golden/record-scenarios.ts            every scenario
//   bun test/golden/record-scenarios.ts a b        only scenarios a and b
//   (ORTHANC=/path/to/Orthanc overrides /usr/sbin/Orthanc; GOLDEN_OUT=dir writes elsewhere)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedConfig } from "./cases.ts";
import {
  loadScenarios,
  type Scenario,
  type ScenarioGolden,
  scenarioGoldenDir,
  ScenarioSession,
} from "./scenario.ts";
import { freePort, waitFor } from "../support/server.ts";

const orthancBin = process.env.ORTHANC ?? "/usr/sbin/Orthanc";

async function record(scenario: Scenario, outDir: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "orthanc-scenario-"));
  const httpPort = freePort();
  let dicomPort = freePort();
  while (dicomPort === httpPort) dicomPort = freePort();
  const config = {
    ...sharedConfig,
    HttpPort: httpPort,
    DicomPort: dicomPort,
    StorageDirectory: join(dir, "storage"),
    IndexDirectory: join(dir, "index"),
    Plugins: [],
    ...scenario.config,
  };
  const configPath = join(dir, "orthanc.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = join(dir, "orthanc.log");
  const proc = Bun.spawn([orthancBin, `--logfile=${logPath}`, configPath], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor(async () => (await fetch(`${url}/system`)).status < 500, "Orthanc /system");
    const session = new ScenarioSession(url);
    await scenario.run(session);
    const golden: ScenarioGolden = { scenario: scenario.name, entries: session.entries };
    writeFileSync(join(outDir, `${scenario.name}.json`), JSON.stringify(golden, null, 1) + "\n");
    return session.entries.length;
  } catch (error) {
    console.error(await Bun.file(logPath).text().catch(() => ""));
    throw error;
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
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
