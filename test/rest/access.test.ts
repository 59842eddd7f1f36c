// RemoteAccessAllowed, checked in-process: the app is called as Bun.serve calls it, with the
// client address it would pass, so no traffic leaves loopback.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfiguration } from "../../src/config/schema.ts";
import { composePharos, type Pharos } from "../../src/main.ts";
import { httpSecurity } from "../../src/config/http-security.ts";

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

test("with RemoteAccessAllowed and authentication disabled every client is served", async () => {
  const app = await appWith({ RemoteAccessAllowed: true, AuthenticationEnabled: false });
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

const secure = async (app: Pharos["app"], headers: Record<string, string> = {}) => {
  const answer = await app.fetch(new Request("http://pharos/system", { headers }), {
    remoteAddress: "192.0.2.10",
  });
  return answer.status === 200 ? (await answer.json()).IsHttpServerSecure : answer.status;
};

test("a request whose client address is unknown is not taken for a local one", async () => {
  const app = await appWith({ RemoteAccessAllowed: false });
  expect((await app.fetch(new Request("http://pharos/system"), {})).status).toBe(403);
  expect((await app.fetch(new Request("http://pharos/system"))).status).toBe(403);
});

test("RemoteAccessAllowed without AuthenticationEnabled turns authentication on, as in Orthanc", async () => {
  const app = await appWith({ RemoteAccessAllowed: true, RegisteredUsers: { alice: "secret" } });
  expect(await secure(app)).toBe(401);
  expect(await secure(app, basic("alice", "secret"))).toBe(true);
  expect(await secure(app, basic("orthanc", "orthanc"))).toBe(401);
});

test("with no registered user, remote access gets Orthanc's default user and an insecure setup", async () => {
  const app = await appWith({ RemoteAccessAllowed: true });
  expect(await secure(app)).toBe(401);
  expect(await secure(app, basic("orthanc", "orthanc"))).toBe(false);
});

test("authentication explicitly disabled with remote access: open, and reported insecure", async () => {
  const app = await appWith({ RemoteAccessAllowed: true, AuthenticationEnabled: false });
  expect(await secure(app)).toBe(false);
});

test("authentication without users on a local server refuses everyone, with no default user", async () => {
  const app = await appWith({ AuthenticationEnabled: true });
  const get = (headers: Record<string, string>) =>
    app.fetch(new Request("http://pharos/system", { headers }), { remoteAddress: "127.0.0.1" });
  expect((await get({})).status).toBe(401);
  expect((await get(basic("orthanc", "orthanc"))).status).toBe(401);
});

test("Orthanc's startup warnings name each insecure or surprising setup", () => {
  const warn = (options: Parameters<typeof httpSecurity>[0]) => httpSecurity(options).warnings;
  expect(
    warn({ RemoteAccessAllowed: false, AuthenticationEnabled: undefined, RegisteredUsers: {} }),
  )
    .toEqual([]);
  expect(
    warn({ RemoteAccessAllowed: true, AuthenticationEnabled: undefined, RegisteredUsers: {} }),
  ).toEqual([
    'Remote access is allowed but "AuthenticationEnabled" is not in the configuration, automatically enabling HTTP authentication for security',
    '====> HTTP authentication is enabled, but no user is declared. Creating a default user: Review your configuration option "RegisteredUsers". Your setup is INSECURE <====',
  ]);
  expect(warn({ RemoteAccessAllowed: true, AuthenticationEnabled: false, RegisteredUsers: {} }))
    .toEqual([
      "====> Remote access is enabled while user authentication is explicitly disabled, your setup is POSSIBLY INSECURE <====",
    ]);
  expect(warn({ RemoteAccessAllowed: false, AuthenticationEnabled: true, RegisteredUsers: {} }))
    .toEqual([
      'HTTP authentication is enabled, but no user is declared, check the value of configuration option "RegisteredUsers"',
    ]);
});
