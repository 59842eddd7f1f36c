// One operation's verdict from the two answers, by the rules in bench/api-diff.ts's header.
import { compareEntries, type Difference } from "../../../test/golden/compare.ts";
import type { GoldenEntry } from "../../../test/golden/replay.ts";
import type { Method } from "./spec.ts";

export type Verdict = "same" | "different" | "newer" | "unsafe";

export interface Outcome {
  operation: string;
  phase: number;
  verdict: Verdict;
  /** Why an operation is counted apart (newer, unsafe), or what made it "different". */
  note?: string;
  differences: Difference[];
  orthanc?: GoldenEntry;
  pharos?: GoldenEntry;
}

/**
 * Pharos answers a route it does not have exactly as a missing resource (404 "Unknown
 * resource"), so two equal 404s prove nothing. The path is then asked again with a method the
 * contract does not define for it: a server that has the path under any method answers 405,
 * one that does not have it answers 404. Undefined when all four methods are defined.
 */
export function probeMethod(defined: readonly Method[]): Method | undefined {
  return (["POST", "PUT", "DELETE", "GET"] as const).find((m) => !defined.includes(m));
}

export function needsRouteProbe(orthanc: GoldenEntry, pharos: GoldenEntry): boolean {
  return orthanc.status === 404 && pharos.status === 404;
}

export function judge(
  orthanc: GoldenEntry,
  pharos: GoldenEntry,
  pharosLacksRoute: boolean,
): Pick<Outcome, "verdict" | "note" | "differences"> {
  const differences = compareEntries(orthanc, pharos);
  if (pharosLacksRoute) {
    return {
      verdict: "different",
      note: "route unknown to Pharos",
      differences: [
        { request: orthanc.name, where: "route", expected: "served", actual: "unknown route" },
        ...differences,
      ],
    };
  }
  return { verdict: differences.length === 0 ? "same" : "different", differences };
}
