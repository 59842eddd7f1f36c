// Revisions of metadata and attachments: ETag = "<revision>-<MD5 of the content>", checked
// against If-Match as Orthanc does (409 on a mismatch or, with CheckRevisions, when missing).
import type { Context } from "hono";
import { md5Hex } from "../storage/compression.ts";
import { OrthancError } from "../server/errors.ts";
import type { AppEnv } from "./context.ts";

export function etag(revision: number, content: Uint8Array | string): string {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return `"${revision}-${md5Hex(bytes)}"`;
}

/** The revision an If-Match header names, or undefined when there is none. */
export function ifMatchRevision(c: Context<AppEnv>): number | undefined {
  const header = c.req.header("if-match");
  if (header === undefined) return undefined;
  const m = /^"?(\d+)-[0-9a-fA-F]*"?$/.exec(header.trim());
  if (!m) {
    throw new OrthancError(
      "ParameterOutOfRange",
      `The "if-match" HTTP header should contain the ETag (revision followed by MD5 hash), but found: ${header}`,
    );
  }
  return Number(m[1]);
}

/**
 * Checks a write against the current revision of what it replaces (undefined: nothing yet).
 * `deleting` words the error of a missing header as Orthanc does for DELETE.
 */
export function checkRevision(
  c: Context<AppEnv>,
  current: number | undefined,
  checkRevisions: boolean,
  deleting: boolean,
): void {
  const wanted = ifMatchRevision(c);
  if (wanted === undefined) {
    if (checkRevisions && (current !== undefined || deleting)) {
      throw new OrthancError(
        "Revision",
        deleting ? 'HTTP header "If-Match" is missing, as "CheckRevisions" is "true"' : undefined,
      );
    }
    return;
  }
  if (current === undefined || wanted !== current) throw new OrthancError("Revision");
}
