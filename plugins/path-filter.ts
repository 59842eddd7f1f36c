// Path filter: refuses (403) the HTTP requests whose path matches one of the configured regular
// expressions, optionally for some methods only.
//
//   "PathFilter": {
//     "Deny": [ "^/tools/reset$", { "Uri": "^/patients/[^/]+$", "Methods": ["DELETE"] } ]
//   }
import type { PharosPlugin } from "../src/plugins/pharos-plugin.d.ts";

type Rule = string | { Uri: string; Methods?: string[] };

const plugin: PharosPlugin = {
  name: "path-filter",
  version: "1.0.0",
  description: "Refuses the HTTP requests whose path matches a configured expression",
  initialize(host) {
    const section = (host.configuration.PathFilter ?? {}) as { Deny?: Rule[] };
    const rules = (section.Deny ?? []).map((rule) => {
      const { Uri, Methods } = typeof rule === "string" ? { Uri: rule, Methods: undefined } : rule;
      return {
        pattern: new RegExp(Uri),
        methods: Methods?.map((m) => m.toUpperCase()),
      };
    });
    host.log.info(`${rules.length} rule(s)`);
    host.onIncomingHttpRequest((request) => {
      for (const rule of rules) {
        if (rule.methods && !rule.methods.includes(request.method)) continue;
        if (rule.pattern.test(request.uri)) {
          host.log.warning(`Refused ${request.method} ${request.uri} from ${request.ip}`);
          return false;
        }
      }
      return true;
    });
  },
};
export default plugin;
