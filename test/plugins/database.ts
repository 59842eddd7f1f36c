// A test plugin that provides the index (PharosPlugin.indexBackend): the embedded SQLite back-end
// at a path of its own ("Database": { "Path" }), behind a proxy that counts the calls the server
// makes (/database/calls). With "Database": { "Broken": true } it answers an object lacking the
// index's methods.
import { SqliteIndex } from "../../src/index/sqlite/database.ts";
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

let calls = 0;

const plugin: PharosPlugin = {
  name: "database",
  indexBackend({ configuration, log }) {
    const settings = configuration.Database as { Path: string; Broken?: boolean };
    if (settings.Broken) return { close() {} };
    log.warning(`Index at ${settings.Path}`);
    const index = new SqliteIndex(settings.Path);
    return new Proxy(index, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls++;
          return value.apply(target, args);
        };
      },
    });
  },
  initialize(host) {
    host.rest.register("/database/calls", () => host.answers.json(calls));
  },
};

export default plugin;
