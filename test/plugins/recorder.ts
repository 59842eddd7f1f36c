// A test plugin that records the changes it is told about, in order, at /recorder/changes.
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const plugin: PharosPlugin = {
  name: "recorder",
  initialize(host) {
    const seen: string[] = [];
    host.onChange((change) => void seen.push(change.changeType));
    host.rest.register("/recorder/changes", () => host.answers.json(seen));
  },
};

export default plugin;
