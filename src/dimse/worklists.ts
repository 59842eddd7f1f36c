// Modality worklists, as Orthanc's worklist plugin serves them: the `Worklists` configuration
// ({"Enable": true, "Database": folder of .wl files}; "Directory" is the newer name), a worklist
// C-FIND matched against every .wl file with the C-FIND matching rules (sequences match when one
// of their items matches the query's item), answers holding the query's keys copied from the
// file; and the identifier of a worklist C-FIND sent by Pharos (/modalities/{id}/find-worklist).
import { readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Configuration } from "../config/schema.ts";
import { type Encoding, type TextDecoding, textDecoding } from "../dicom/charsets.ts";
import {
  type DicomDataset,
  type DicomElement,
  elementBytes,
  findElement,
  latin1,
  parseDicom,
  TransferSyntax,
} from "../dicom/parser.ts";
import { type Tag, tagElement, Tags } from "../dicom/tag.ts";
import { elementText } from "../dicom/values.ts";
import { log } from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import { matcherFor } from "../server/find.ts";
import { type Element, encodeDataset, parseIdentifier, textElement, vrOf } from "./codec.ts";
import { Status } from "./find-scp.ts";
import { tagOf } from "./scu-ops.ts";

export const WORKLIST_FIND = "1.2.840.10008.5.1.4.31";

const SCHEDULED_PROCEDURE_STEP_SEQUENCE = 0x00400100;
const SCHEDULED_STATION_AET = 0x00400001;

export interface WorklistSettings {
  enabled: boolean;
  folder: string;
  filterIssuerAet: boolean;
  limitAnswers: number;
}

/** Reads the `Worklists` section; the folder is relative to the configuration folder. */
export function worklistSettings(
  config: Pick<Configuration, "Worklists" | "configurationDirectory">,
): WorklistSettings {
  const { Enable, Database, Directory, FilterIssuerAet, LimitAnswers } = config.Worklists;
  const folder = Database ?? Directory ?? "";
  return {
    enabled: Enable === true && folder !== "",
    folder: folder === "" || isAbsolute(folder)
      ? folder
      : join(config.configurationDirectory, folder),
    filterIssuerAet: FilterIssuerAet === true,
    limitAnswers: LimitAnswers ?? 0,
  };
}

function decodingOf(dataset: DicomDataset, fallback: Encoding): TextDecoding {
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  return textDecoding(cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined, fallback);
}

/** The keys of a query dataset (item datasets keep the decoding of the whole query). */
interface QueryNode {
  dataset: DicomDataset;
  decoding: TextDecoding;
}

function keysOf(dataset: DicomDataset): DicomElement[] {
  return dataset.elements.filter((e) =>
    e.tag !== Tags.SpecificCharacterSet && tagElement(e.tag) !== 0 && e.tag !== 0xfffcfffc
  );
}

interface Worklist {
  dataset: DicomDataset;
  decoding: TextDecoding;
  transferSyntax: string;
}

function matches(
  query: QueryNode,
  worklist: DicomDataset,
  decoding: TextDecoding,
  caseSensitivePN: boolean,
): boolean {
  for (const key of keysOf(query.dataset)) {
    const own = findElement(worklist, key.tag);
    if (key.items) {
      const sub = key.items[0];
      if (!sub || keysOf(sub).length === 0) continue;
      const subQuery = { dataset: sub, decoding: query.decoding };
      if (!own?.items?.some((item) => matches(subQuery, item, decoding, caseSensitivePN))) {
        return false;
      }
      continue;
    }
    const constraint = elementText(query.dataset, key, query.decoding);
    if (constraint === undefined) continue;
    const match = matcherFor(key.tag, constraint, key.vr !== "PN" || caseSensitivePN);
    if (!match) continue;
    const value = own && !own.items ? elementText(worklist, own, decoding) : undefined;
    if (!match(value)) return false;
  }
  return true;
}

function vrFor(e: DicomElement): string {
  return /^[A-Z]{2}$/.test(e.vr) && e.vr !== "UN" ? e.vr : vrOf(e.tag);
}

function wrapItem(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfffe, true);
  view.setUint16(2, 0xe000, true);
  view.setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

const concatBytes = (parts: Uint8Array[]) => new Uint8Array(Bun.concatArrayBuffers(parts));

function itemBytes(elements: Element[], transferSyntax: string): Uint8Array {
  return wrapItem(encodeDataset(elements, transferSyntax));
}

/** All elements of a dataset, re-framed for `transferSyntax` (values kept as they are). */
function copyAll(dataset: DicomDataset, transferSyntax: string): Element[] {
  return dataset.elements.filter((e) => tagElement(e.tag) !== 0).map((e) =>
    e.items
      ? {
        tag: e.tag,
        vr: "SQ",
        value: concatBytes(
          e.items.map((i) => itemBytes(copyAll(i, transferSyntax), transferSyntax)),
        ),
      }
      : { tag: e.tag, vr: vrFor(e), value: elementBytes(dataset, e) }
  );
}

/** The query's keys with the worklist's values (those it has), recursively in sequences. */
function extract(query: DicomDataset, worklist: DicomDataset, transferSyntax: string): Element[] {
  const out: Element[] = [];
  for (const key of keysOf(query)) {
    const own = findElement(worklist, key.tag);
    if (!own) continue;
    if (own.items) {
      const sub = key.items?.[0];
      const items = own.items.map((item) =>
        itemBytes(
          sub && keysOf(sub).length > 0
            ? extract(sub, item, transferSyntax)
            : copyAll(item, transferSyntax),
          transferSyntax,
        )
      );
      out.push({ tag: key.tag, vr: "SQ", value: concatBytes(items) });
    } else if (!key.items) {
      out.push({ tag: own.tag, vr: vrFor(own), value: elementBytes(worklist, own) });
    }
  }
  return out;
}

function readWorklists(folder: string, fallback: Encoding): Worklist[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.toLowerCase().endsWith(".wl")).sort();
  } catch (error) {
    log.error(`Worklists: cannot read the folder ${folder}: ${String(error)}`);
    return [];
  }
  const out: Worklist[] = [];
  for (const name of names) {
    try {
      const parsed = parseDicom(new Uint8Array(readFileSync(join(folder, name))));
      if (parsed.transferSyntax === TransferSyntax.ExplicitBig) continue;
      out.push({
        dataset: parsed.dataset,
        decoding: decodingOf(parsed.dataset, fallback),
        transferSyntax: parsed.transferSyntax,
      });
    } catch (error) {
      log.warning(`Worklists: cannot parse ${name}: ${String(error)}`);
    }
  }
  return out;
}

/** Answers a worklist C-FIND from the .wl files of the folder. */
export function answerWorklistFind(
  settings: WorklistSettings,
  identifier: { bytes: Uint8Array; transferSyntax: string },
  issuerAet: string,
  options: { defaultEncoding: Encoding; caseSensitivePN: boolean },
): { status: number; answers: Uint8Array[] } {
  let query: DicomDataset;
  try {
    query = parseIdentifier(identifier.bytes, identifier.transferSyntax);
  } catch {
    return { status: Status.UnableToProcess, answers: [] };
  }
  const node: QueryNode = { dataset: query, decoding: decodingOf(query, options.defaultEncoding) };
  // FilterIssuerAet: without a ScheduledStationAETitle in the query, only the worklists
  // scheduled on the issuer's AET.
  const sps = findElement(query, SCHEDULED_PROCEDURE_STEP_SEQUENCE)?.items?.[0];
  const stationKey = sps ? findElement(sps, SCHEDULED_STATION_AET) : undefined;
  const stationGiven = (stationKey && sps &&
    (elementText(sps, stationKey, node.decoding) ?? "") !== "") ||
    findElement(query, SCHEDULED_STATION_AET) !== undefined;
  const answers: Uint8Array[] = [];
  let complete = true;
  for (const w of readWorklists(settings.folder, options.defaultEncoding)) {
    if (!matches(node, w.dataset, w.decoding, options.caseSensitivePN)) continue;
    if (settings.filterIssuerAet && !stationGiven) {
      const steps = findElement(w.dataset, SCHEDULED_PROCEDURE_STEP_SEQUENCE)?.items ?? [];
      const onIssuer = steps.some((item) => {
        const e = findElement(item, SCHEDULED_STATION_AET);
        return e !== undefined && elementText(item, e, w.decoding)?.trim() === issuerAet;
      });
      if (!onIssuer) continue;
    }
    if (settings.limitAnswers > 0 && answers.length >= settings.limitAnswers) {
      complete = false;
      break;
    }
    const elements = extract(query, w.dataset, identifier.transferSyntax);
    const cs = findElement(w.dataset, Tags.SpecificCharacterSet);
    if (cs) {
      elements.push({
        tag: Tags.SpecificCharacterSet,
        vr: "CS",
        value: elementBytes(w.dataset, cs),
      });
    }
    answers.push(encodeDataset(elements, identifier.transferSyntax));
  }
  return { status: complete ? Status.Success : Status.Cancel, answers };
}

// ---------------------------------------------------------------------------------------------
// SCU

type QueryElement = Element & { items?: QueryElement[][] };

function queryElements(query: Record<string, unknown>, utf8: boolean): QueryElement[] {
  const out: QueryElement[] = [];
  for (const [key, value] of Object.entries(query)) {
    const tag: Tag = tagOf(key);
    if (Array.isArray(value)) {
      const items = value.map((item) => {
        if (!item || typeof item !== "object" || Array.isArray(item)) {
          throw new OrthancError("BadRequest", `The items of "${key}" must be JSON objects`);
        }
        return queryElements(item as Record<string, unknown>, utf8);
      });
      out.push({ tag, vr: "SQ", value: new Uint8Array(0), items });
    } else if (typeof value === "string") {
      out.push(textElement(tag, vrOf(tag), value, utf8));
    } else {
      throw new OrthancError("BadRequest", `The value of "${key}" in a query must be a string`);
    }
  }
  return out;
}

function hasNonAscii(value: unknown): boolean {
  if (typeof value === "string") return [...value].some((ch) => ch.charCodeAt(0) > 0x7f);
  if (Array.isArray(value)) return value.some(hasNonAscii);
  if (value && typeof value === "object") return Object.values(value).some(hasNonAscii);
  return false;
}

function encodeQuery(elements: QueryElement[], transferSyntax: string): Uint8Array {
  return encodeDataset(
    elements.map((e) =>
      e.items
        ? {
          tag: e.tag,
          vr: "SQ",
          value: concatBytes(e.items.map((i) => wrapItem(encodeQuery(i, transferSyntax)))),
        }
        : e
    ),
    transferSyntax,
  );
}

/** The identifier of a worklist C-FIND for a JSON query (sequences as arrays of objects). */
export function worklistIdentifier(
  query: Record<string, unknown>,
): (transferSyntax: string) => Uint8Array {
  const utf8 = hasNonAscii(query);
  const elements = queryElements(query, utf8);
  if (utf8) elements.push(textElement(Tags.SpecificCharacterSet, "CS", "ISO_IR 192"));
  return (ts) => encodeQuery(elements, ts);
}
