// RemoteAccessAllowed, checked in-process: the app is called as Bun.serve calls it, with the
// client address it would pass, so no traffic leaves loopback.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfiguration } from "../../src/config/schema.ts";
import { composePharos, type Pharos } from "../../src/main.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-access-"));
const servers: Pharos[] = [];
afterAll(async () => {
  for (const pharos of servers) await pharos.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function appWith(options: Record<string, unknown>) {
  const config = validateConfiguration(
    {
      StorageDirectory: join(dir, `s${servers.length}`),
      IndexDirectory: join(dir, `i${servers.length}`),
      ...options,
    },
    dir,
    () => {},
    () => true,
  );
  const pharos = await composePharos(config);
  servers.push(pharos);
  return pharos.app;
}

const call = (app: Pharos["app"], address: string) =>
  app.fetch(new Request("http://pharos/system"), { remoteAddress: address });

test("without RemoteAccessAllowed only loopback clients are served", async () => {
  const app = await appWith({ RemoteAccessAllowed: false });
  expect((await call(app, "127.0.0.1")).status).toBe(200);
  expect((await call(app, "::1")).status).toBe(200);
  expect((await call(app, "::ffff:127.0.0.1")).status).toBe(200);
  expect((await call(app, "192.0.2.10")).status).toBe(403);
});

test("with RemoteAccessAllowed every client is served", async () => {
  const app = await appWith({ RemoteAccessAllowed: true });
  expect((await call(app, "192.0.2.10")).status).toBe(200);
});

const basic = (user: string, password: string) => ({
  authorization: `Basic ${btoa(`${user}:${password}`)}`,
});

test("with AuthenticationEnabled only registered users with their password are served", async () => {
  const app = await appWith({ AuthenticationEnabled: true, RegisteredUsers: { alice: "secret" } });
  const get = (headers: Record<string, string>) =>
    app.fetch(new Request("http://pharos/system", { headers }), { remoteAddress: "127.0.0.1" });
  expect((await get(basic("alice", "secret"))).status).toBe(200);
  for (
    const headers of [
      {},
      basic("alice", "secre"),
      basic("alice", "secret "),
      basic("bob", "secret"),
      basic("constructor", ""),
      { authorization: "Basic %%%" },
      { authorization: "Bearer secret" },
    ]
  ) {
    const answer = await get(headers);
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe('Basic realm="Orthanc Secure Area"');
  }
});
