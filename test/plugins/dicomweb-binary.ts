// A test plugin for DicomWebBinaryCallback: pixel data inline, an encapsulated document at the
// plugin's own URI, the binary values inside sequences left out; the rest to the server.
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const PIXEL_DATA = 0x7fe00010;
const ENCAPSULATED_DOCUMENT = 0x00420011;

const plugin: PharosPlugin = {
  name: "dicomweb-binary",
  initialize(host) {
    host.dicomWeb.registerBinaryCallback((node) => {
      if (node.path.length > 0) return "omit";
      if (node.tag === PIXEL_DATA) return "inline";
      if (node.tag === ENCAPSULATED_DOCUMENT) {
        return { bulkDataUri: `https://archive.example/documents?from=${node.bulkDataUri}` };
      }
      return undefined;
    });
  },
};

export default plugin;
