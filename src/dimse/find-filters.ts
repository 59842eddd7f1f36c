// The find-request filters of the hook registry (Lua's IncomingFindRequestFilter and
// IncomingWorklistRequestFilter, the plugins' onIncomingFindRequest…) around a C-FIND provider:
// the received identifier is shown to the filters as Orthanc shows it, and the query they answer
// is encoded again as the identifier the provider answers. Without filters the identifier goes
// through untouched. A failing filter fails the C-FIND, as in Orthanc.
import type { Encoding } from "../dicom/charsets.ts";
import { type TextDecoding, textDecoding } from "../dicom/charsets.ts";
import { type DicomDataset, elementBytes, findElement, latin1 } from "../dicom/parser.ts";
import { formatTag, tagElement, Tags } from "../dicom/tag.ts";
import { elementText } from "../dicom/values.ts";
import { log } from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import type { HookRegistry, IncomingFindRequest, QueryJson } from "../server/hooks.ts";
import { describeError } from "../server/hooks.ts";
import { encodeDataset, parseIdentifier } from "./codec.ts";
import { queryValues, tagOf, worklistIdentifier } from "./identifiers.ts";
import type { FindProvider } from "./services/find.ts";
import { Status } from "./status.ts";
import type { Identifier } from "./types.ts";

export interface FindFilterContext {
  hooks: HookRegistry;
  defaultEncoding(): Encoding;
  /** The Manufacturer of the modality of an AET ("Generic" for an unknown one). */
  manufacturerOf(aet: string): string;
}

function decodingOf(dataset: DicomDataset, fallback: Encoding) {
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  return textDecoding(cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined, fallback);
}

/**
 * A query as Orthanc's filters see it: the values by tag, a worklist's sequences as arrays of
 * items. A patient…instance query has no sequences: the answers return them empty whatever the
 * filter does.
 */
function queryOf(dataset: DicomDataset, decoding: TextDecoding, sequences: boolean): QueryJson {
  const query: QueryJson = {};
  for (const e of dataset.elements) {
    if (tagElement(e.tag) === 0 || e.tag === 0xfffcfffc) continue;
    if (e.items) {
      if (sequences) query[formatTag(e.tag)] = e.items.map((i) => queryOf(i, decoding, true));
      continue;
    }
    query[formatTag(e.tag)] = elementText(dataset, e, decoding) ?? "";
  }
  return query;
}

/** A query keyed by tag only: a name and its tag given both, the later one wins. */
function byTag(query: QueryJson): QueryJson {
  const out: QueryJson = {};
  for (const [key, value] of Object.entries(query)) {
    out[formatTag(tagOf(key))] = typeof value === "string" ? value : value.map(byTag);
  }
  return out;
}

/** The filtered query as an identifier; the sequences of the received one kept for the answers. */
function encodeQuery(filtered: QueryJson, transferSyntax: string, kept: DicomDataset | null) {
  const query = byTag(filtered);
  // The query's text is written again in UTF-8 when it needs to: its old charset goes.
  const nonAscii = JSON.stringify(query).split("").some((ch) => ch.charCodeAt(0) > 0x7f);
  const own = nonAscii
    ? Object.fromEntries(
      Object.entries(query).filter(([key]) => key !== formatTag(Tags.SpecificCharacterSet)),
    )
    : query;
  const bytes = worklistIdentifier(own)(transferSyntax);
  if (!kept) return bytes;
  const sequences = kept.elements.filter((e) => e.items && !(formatTag(e.tag) in own));
  if (sequences.length === 0) return bytes;
  const dataset = parseIdentifier(bytes, transferSyntax);
  const elements = dataset.elements.map((e) => ({
    tag: e.tag,
    vr: e.vr,
    value: elementBytes(dataset, e),
  }));
  for (const e of sequences) elements.push({ tag: e.tag, vr: "SQ", value: new Uint8Array() });
  return encodeDataset(elements, transferSyntax);
}

/** The provider, behind the filters of `hook`. */
export function withFindFilters(
  provider: FindProvider,
  hook: "incomingFindRequest" | "incomingWorklistRequest",
  context: FindFilterContext,
): FindProvider {
  const worklist = hook === "incomingWorklistRequest";
  return {
    async find(association, identifier) {
      if (!context.hooks.has(hook)) return await provider.find(association, identifier);
      let filtered: Identifier;
      try {
        const dataset = parseIdentifier(identifier.bytes, identifier.transferSyntax);
        const input: IncomingFindRequest = {
          query: queryOf(dataset, decodingOf(dataset, context.defaultEncoding()), worklist),
          origin: {
            remoteIp: association.remoteIp,
            remoteAet: association.callingAet,
            calledAet: association.calledAet,
            manufacturer: context.manufacturerOf(association.callingAet),
          },
        };
        const query = await context.hooks.decide(hook, input);
        filtered = {
          ...identifier,
          bytes: encodeQuery(query, identifier.transferSyntax, worklist ? null : dataset),
        };
      } catch (error) {
        const reason = error instanceof OrthancError ? error.message : describeError(error);
        log.error(`C-FIND request handler has failed: ${reason}`);
        return { status: Status.UnableToProcess, answers: [] };
      }
      return await provider.find(association, filtered);
    },
  };
}

/** A query Pharos sends as C-FIND SCU, by tag, through the outgoing filters. */
export async function filteredOutgoingQuery(
  hooks: HookRegistry,
  query: Record<string, unknown>,
  aet: string,
): Promise<Record<string, unknown>> {
  if (!hooks.has("outgoingFindRequest")) return query;
  const byTag: QueryJson = {};
  for (const [tag, value] of queryValues(query)) byTag[formatTag(tag)] = value;
  return await hooks.decide("outgoingFindRequest", { query: byTag, modality: aet });
}
