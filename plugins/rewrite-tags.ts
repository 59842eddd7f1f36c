// Rewrite tags: gives received instances new values for some top-level text elements, before
// they are indexed. Only the rewritten elements change in the stored file: every other byte
// stays as received.
//
//   "RewriteTags": { "Tags": { "0008,0080": "Pharos Hospital" }, "OnlyFromDicom": false }
import type { PharosPlugin } from "../src/plugins/pharos-plugin.d.ts";

const plugin: PharosPlugin = {
  name: "rewrite-tags",
  version: "1.0.0",
  description: "Rewrites configured text elements of each received instance",
  initialize(host) {
    const section = (host.configuration.RewriteTags ?? {}) as {
      Tags?: Record<string, string>;
      OnlyFromDicom?: boolean;
    };
    const tags = Object.entries(section.Tags ?? {});
    host.onReceivedInstance((bytes, origin) => {
      if (tags.length === 0) return { action: "keep" };
      if (section.OnlyFromDicom && origin.kind !== "DicomProtocol") return { action: "keep" };
      let out = bytes;
      for (const [tag, value] of tags) out = host.dicom.replaceElement(out, tag, value);
      return { action: "replace", bytes: out };
    });
  },
};
export default plugin;
