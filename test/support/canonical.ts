// Views of binary answers that two servers must agree on even when their encoders differ: the
// pixels of a PNG, the members of a ZIP, the content of a gzip stream.
import { readZip } from "../../src/archive/zip-reader.ts";
import { decodePng } from "./png.ts";

const encoder = new TextEncoder();

/** A PNG as its geometry and samples. */
export function pngPixels(body: Uint8Array): Uint8Array {
  const { samples, ...geometry } = decodePng(body);
  return encoder.encode(JSON.stringify({ ...geometry, samples }));
}

/** A ZIP as its members' names and contents. */
export function zipMembers(body: Uint8Array): Uint8Array {
  const parts = readZip(body).flatMap((e) => [encoder.encode(`${e.name}\n`), e.read()]);
  return new Uint8Array(Buffer.concat(parts));
}

export function gunzipped(body: Uint8Array): Uint8Array {
  return Bun.gunzipSync(body);
}

/** The bytes themselves: a successful answer by digest, an error still as JSON. */
export const asIs = (body: Uint8Array): Uint8Array => body;
