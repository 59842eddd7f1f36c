// Revisions of metadata and attachments: ETag = "<revision>-<MD5 of the content>", read back
// from If-Match / If-None-Match as Orthanc reads them.
import type { Context } from "hono";
import { md5Hex } from "../storage/compression.ts";
import type { ExpectedRevision } from "../server/attachments.ts";
import { OrthancError } from "../server/errors.ts";
import type { AppEnv } from "./context.ts";

const INT64_MAX = 2n ** 63n - 1n;

export function etag(revision: number, content: Uint8Array | string): string {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return `"${revision}-${md5Hex(bytes)}"`;
}

/**
 * The revision and MD5 a header names, or undefined without the header: surrounding spaces and
 * one pair of quotes dropped, then split at the first dash. The MD5 part is not validated (a
 * wrong one is a conflict, not a syntax error); the revision must be an int64. `name` is
 * spelled as Orthanc spells it in its error message ("if-match", "If-None-Match").
 */
export function revisionHeader(c: Context<AppEnv>, name: string): ExpectedRevision | undefined {
  const raw = c.req.header(name);
  if (raw === undefined) return undefined;
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const dash = value.indexOf("-");
  const revision = dash < 0 ? "" : value.slice(0, dash);
  if (!/^\+?\d+$/.test(revision) || BigInt(revision) > INT64_MAX) {
    throw new OrthancError(
      "ParameterOutOfRange",
      `The "${name}" HTTP header should contain the ETag (revision followed by MD5 hash), but found: ${value}`,
    );
  }
  return { revision: Number(revision), md5: value.slice(dash + 1) };
}

/**
 * Checks a write of metadata against what it replaces (undefined: nothing yet), as Orthanc
 * does: an If-Match must name the current revision and content; with CheckRevisions, replacing
 * or deleting without one is a conflict. An If-Match on something new is ignored.
 */
export function checkMetadataRevision(
  c: Context<AppEnv>,
  current: { revision: number; value: string } | undefined,
  checkRevisions: boolean,
  deleting: boolean,
): void {
  const expected = revisionHeader(c, "if-match");
  if (expected === undefined) {
    if (checkRevisions && deleting) {
      throw new OrthancError(
        "Revision",
        'HTTP header "If-Match" is missing, as "CheckRevisions" is "true"',
      );
    }
    if (checkRevisions && current !== undefined) throw new OrthancError("Revision");
    return;
  }
  if (current === undefined) return;
  const currentMd5 = md5Hex(new TextEncoder().encode(current.value));
  if (expected.revision !== current.revision || expected.md5 !== currentMd5) {
    throw new OrthancError("Revision");
  }
}
