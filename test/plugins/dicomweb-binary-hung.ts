// A test plugin whose DicomWebBinaryCallback never answers: past PluginCallbackTimeout the
// server writes the value as it would without the plugin.
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const plugin: PharosPlugin = {
  name: "dicomweb-binary-hung",
  initialize(host) {
    host.dicomWeb.registerBinaryCallback(() => new Promise(() => {}));
  },
};

export default plugin;
