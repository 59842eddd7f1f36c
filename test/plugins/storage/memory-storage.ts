// A storage area kept in a folder of its own with flat names: it replaces the filesystem one. Its
// range reads are counted at /flat-storage/ranges.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PharosPlugin } from "../../../src/plugins/pharos-plugin.d.ts";

const plugin: PharosPlugin = {
  name: "flat-storage",
  initialize(host) {
    const dir = resolve(host.configurationDirectory, String(host.configuration.FlatStorage));
    mkdirSync(dir, { recursive: true });
    const path = (uuid: string, type: number) => join(dir, `${uuid}.${type}`);
    let ranges = 0;
    host.registerStorageArea({
      create: (uuid, type, data) => writeFileSync(path(uuid, type), data),
      read: (uuid, type) => new Uint8Array(readFileSync(path(uuid, type))),
      readRange: (uuid, type, start, end) => {
        ranges++;
        return new Uint8Array(readFileSync(path(uuid, type))).slice(start, end);
      },
      remove: (uuid, type) => rmSync(path(uuid, type), { force: true }),
    });
    host.rest.register("/flat-storage/ranges", () => host.answers.json({ ranges }));
    host.rest.register("/flat-storage/late", () => {
      try {
        host.registerStorageArea({ create() {}, read: () => new Uint8Array(), remove() {} });
        return host.answers.text("accepted");
      } catch (error) {
        return host.answers.text(`refused: ${(error as Error).message}`);
      }
    });
  },
};
export default plugin;
