// The modality worklist service, as Orthanc's worklist plugin serves it: the `Worklists`
// configuration ({"Enable": true, "Database": folder of .wl files}; "Directory" is the newer
// name), a worklist C-FIND matched against every .wl file with the C-FIND matching rules
// (sequences match when one of their items matches the query's item), answers holding the
// query's keys copied from the file. It is a FindProvider for the worklist SOP class.
import { TransferSyntax } from "../../dicom/uids.ts";
import { readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Configuration } from "../../config/schema.ts";
import { type Encoding, type TextDecoding, textDecoding } from "../../dicom/charsets.ts";
import {
  type DicomDataset,
  type DicomElement,
  elementBytes,
  findElement,
  latin1,
  parseDicom,
} from "../../dicom/parser.ts";
import { tagElement, Tags } from "../../dicom/tag.ts";
import { elementText } from "../../dicom/values.ts";
import { log } from "../../log.ts";
import type { PharosCore } from "../../server/core.ts";
import { matcherFor } from "../../server/find.ts";
import { type Element, encodeDataset, parseIdentifier, sequenceElement, vrOf } from "../codec.ts";
import { Status } from "../status.ts";
import type { FindAnswer, Identifier } from "../types.ts";
import type { FindProvider } from "./find.ts";

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

/** Worklist C-FIND answered from the .wl files of the folder, re-read at each query. */
export function worklistService(
  settings: WorklistSettings,
  core: PharosCore,
  config: Pick<Configuration, "CaseSensitivePN">,
): FindProvider {
  return {
    find: (association, identifier) =>
      Promise.resolve(
        answerWorklistFind(settings, identifier, association.callingAet, {
          defaultEncoding: core.defaultEncoding,
          caseSensitivePN: config.CaseSensitivePN,
        }),
      ),
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

/** All elements of a dataset, re-framed for `transferSyntax` (values kept as they are). */
function copyAll(dataset: DicomDataset, transferSyntax: string): Element[] {
  return dataset.elements.filter((e) => tagElement(e.tag) !== 0).map((e) =>
    e.items
      ? sequenceElement(e.tag, e.items.map((i) => copyAll(i, transferSyntax)), transferSyntax)
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
        sub && keysOf(sub).length > 0
          ? extract(sub, item, transferSyntax)
          : copyAll(item, transferSyntax)
      );
      out.push(sequenceElement(key.tag, items, transferSyntax));
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
      if (parsed.transferSyntax === TransferSyntax.ExplicitVrBigEndian) continue;
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

function answerWorklistFind(
  settings: WorklistSettings,
  identifier: Identifier,
  issuerAet: string,
  options: { defaultEncoding: Encoding; caseSensitivePN: boolean },
): FindAnswer {
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
