// RemoteAccessAllowed, checked in-process: the app is called as Bun.serve calls it, with the
// client address it would pass, so no traffic leaves loopback.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfiguration } from "../../src/config/schema.ts";
import { createApp } from "../../src/rest/app.ts";
import { PharosCore } from "../../src/server/core.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-access-"));
const cores: PharosCore[] = [];
afterAll(async () => {
  for (const core of cores) await core.close();
  rmSync(dir, { recursive: true, force: true });
});

function appWith(options: Record<string, unknown>) {
  const config = validateConfiguration(
    {
      StorageDirectory: join(dir, `s${cores.length}`),
      IndexDirectory: join(dir, `i${cores.length}`),
      ...options,
    },
    dir,
    () => {},
    () => true,
  );
  const core = new PharosCore(config);
  cores.push(core);
  return createApp({ core, config, stability: core.stability });
}

const call = (app: ReturnType<typeof appWith>, address: string) =>
  app.fetch(new Request("http://pharos/system"), { remoteAddress: address });

test("without RemoteAccessAllowed only loopback clients are served", async () => {
  const app = appWith({ RemoteAccessAllowed: false });
  expect((await call(app, "127.0.0.1")).status).toBe(200);
  expect((await call(app, "::1")).status).toBe(200);
  expect((await call(app, "::ffff:127.0.0.1")).status).toBe(200);
  expect((await call(app, "192.0.2.10")).status).toBe(403);
});

test("with RemoteAccessAllowed every client is served", async () => {
  const app = appWith({ RemoteAccessAllowed: true });
  expect((await call(app, "192.0.2.10")).status).toBe(200);
});
