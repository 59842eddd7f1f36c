// A test plugin with the three find filters: an incoming query for the patient "ALIAS" asks for
// BRAINIX instead, a worklist query for "ALIAS" asks for DOE^JANE, and an outgoing query for
// "OUT-ALIAS" asks for "ALIAS". It keeps the origins it saw at /find-rewriter/origins.
import type { FindOrigin, PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const plugin: PharosPlugin = {
  name: "find-rewriter",
  initialize(host) {
    const origins: (FindOrigin | string)[] = [];
    host.onIncomingFindRequest((query, origin) => {
      origins.push(origin);
      if (query["0010,0010"] === "ALIAS") return { ...query, "0010,0010": "BRAINIX" };
    });
    host.onIncomingWorklistRequest((query) => {
      if (query["0010,0010"] === "ALIAS") return { ...query, PatientName: "DOE^JANE" };
    });
    host.onOutgoingFindRequest((query, aet) => {
      origins.push(aet);
      if (query["0010,0010"] === "OUT-ALIAS") query["0010,0010"] = "ALIAS";
      return query;
    });
    host.rest.register("/find-rewriter/origins", () => host.answers.json(origins));
  },
};

export default plugin;
