// The URLs the DICOMweb answers carry (RetrieveURL, BulkDataURI): the configured Host and Ssl,
// or else the request's own Host header, then the Root.
import type { DicomWebOptions } from "./options.ts";

/** Where the DICOMweb root is reached from outside, without its trailing slash. */
export type WebBase = string;

export function webBase(options: DicomWebOptions, request: Request): WebBase {
  const host = options.Host ?? request.headers.get("host") ?? new URL(request.url).host;
  const scheme = options.Ssl ? "https" : "http";
  return `${scheme}://${host}${options.Root.replace(/\/$/, "")}`;
}

export interface ResourceUids {
  study: string;
  series?: string;
  instance?: string;
}

export function retrieveUrl(base: WebBase, uids: ResourceUids): string {
  let url = `${base}/studies/${uids.study}`;
  if (uids.series !== undefined) url += `/series/${uids.series}`;
  if (uids.instance !== undefined) url += `/instances/${uids.instance}`;
  return url;
}
