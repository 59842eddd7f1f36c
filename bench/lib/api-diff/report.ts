// The Markdown summary printed at the end of a run.
import type { Difference } from "../../../test/golden/compare.ts";
import type { Outcome } from "./verdict.ts";

export interface Tally {
  total: number;
  same: number;
  different: number;
  newer: number;
  unsafe: number;
}

export function tally(outcomes: readonly Outcome[]): Tally {
  const count = (v: Outcome["verdict"]) => outcomes.filter((o) => o.verdict === v).length;
  return {
    total: outcomes.length,
    same: count("same"),
    different: count("different"),
    newer: count("newer"),
    unsafe: count("unsafe"),
  };
}

function cell(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  const short = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return short.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function firstDifference(d: Difference | undefined): string {
  if (!d) return "";
  return `${d.where}: Orthanc ${cell(d.expected)}, Pharos ${cell(d.actual)}`;
}

function line(label: string, t: Tally): string {
  const compared = t.same + t.different;
  return `- ${label}: **${t.same} of ${compared} the same** (${t.total} in the contract; ` +
    `${t.newer} newer than 1.10.1 and ${t.unsafe} unsafe, counted apart)`;
}

export function markdown(
  outcomes: readonly Outcome[],
  heading: { orthanc: string; pharos: string },
): string {
  const gets = outcomes.filter((o) => o.operation.startsWith("GET "));
  const mutating = outcomes.filter((o) => !o.operation.startsWith("GET "));
  const out = [
    `# ${heading.pharos} against ${heading.orthanc}, operation by operation`,
    "",
    line("GET", tally(gets)),
    line("POST/PUT/DELETE", tally(mutating)),
    "",
    "Counted apart: *newer* = the route is not served by Orthanc 1.10.1 (it came with a later " +
    "version of the contract), sent to both but not counted; *unsafe* = not sent, it would stop " +
    "or restart the server. The rest is compared with test/golden/compare.ts after masking the " +
    "ids and clock readings a server invents.",
    "",
    "| # | operation | phase | verdict | first difference (of n) |",
    "| ---: | --- | ---: | --- | --- |",
  ];
  outcomes.forEach((o, i) => {
    const detail = o.verdict === "different"
      ? `${o.note ? `${o.note}; ` : ""}${
        firstDifference(o.differences[0])
      } (${o.differences.length})`
      : o.note ?? "";
    out.push(`| ${i + 1} | \`${o.operation}\` | ${o.phase} | ${o.verdict} | ${detail} |`);
  });
  return out.join("\n");
}
