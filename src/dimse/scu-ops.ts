// SCU operations behind the REST API: C-FIND identifiers from Orthanc's JSON queries, their
// answers back to Orthanc's JSON, C-MOVE identifiers, and the store of local resources.
import { logExportedInstance } from "../server/exports.ts";
import { textDecoding } from "../dicom/charsets.ts";
import { tagFromName } from "../dicom/dictionary.ts";
import type { Level } from "../dicom/levels.ts";
import { elementBytes, findElement, latin1 } from "../dicom/parser.ts";
import { parseTagText, type Tag, Tags } from "../dicom/tag.ts";
import { datasetToJson, type JsonObject, type TagsFormat } from "../dicom/tags-json.ts";
import type { Resource } from "../index/database.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import {
  type Element,
  encodeDataset,
  parseIdentifier,
  part10,
  textElement,
  vrOf,
} from "./codec.ts";
import { instanceBatches, instancesBelow, QR_LEVEL } from "./instances.ts";
import type { Modality } from "./modalities.ts";
import type { DicomNetwork } from "./network.ts";
import { COMMON_STORAGE_CLASSES, FIND_CLASSES, GET_CLASSES, MOVE_CLASSES } from "./policy.ts";
import { scu } from "./adapter/client.ts";
import { NO_ANSWER, sendTranscoded } from "./store-transcoding.ts";
import { DimseError } from "./types.ts";
import { WORKLIST_FIND, worklistIdentifier } from "./worklists.ts";

const QUERY_RETRIEVE_LEVEL = 0x00080052;

/** The identifiers Orthanc adds to a query at each level (as empty keys), checked on 1.10.1. */
const NORMALIZED: Record<Level, Tag[]> = {
  Patient: [Tags.PatientId],
  Study: [Tags.PatientId, 0x00080050, Tags.StudyInstanceUid],
  Series: [Tags.PatientId, Tags.StudyInstanceUid, Tags.SeriesInstanceUid],
  Instance: [Tags.PatientId, Tags.StudyInstanceUid, Tags.SeriesInstanceUid, Tags.SopInstanceUid],
};

export function parseLevel(text: unknown): Level {
  if (typeof text === "string") {
    switch (text.toLowerCase()) {
      case "patient":
        return "Patient";
      case "study":
        return "Study";
      case "series":
        return "Series";
      case "instance":
      case "image":
        return "Instance";
    }
  }
  throw new OrthancError("ParameterOutOfRange", `Unknown resource level: ${String(text)}`);
}

export function tagOf(key: string): Tag {
  const tag = parseTagText(key) ?? tagFromName(key);
  if (tag === undefined) throw new OrthancError("UnknownDicomTag", `Unknown DICOM tag: "${key}"`);
  return tag;
}

/** A C-FIND identifier for a JSON query ({"PatientName": "A*", "0020,000d": ""}). */
export function findIdentifier(
  level: Level,
  query: Record<string, unknown>,
  normalize = true,
): (transferSyntax: string) => Uint8Array {
  const values = new Map<Tag, string>();
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== "string") {
      throw new OrthancError("BadRequest", `The value of "${key}" in a query must be a string`);
    }
    values.set(tagOf(key), value);
  }
  if (normalize) { for (const tag of NORMALIZED[level]) if (!values.has(tag)) values.set(tag, ""); }
  // Pharos sends non-ASCII values in UTF-8, and says so.
  const utf8 = [...values.values()].some((v) => [...v].some((ch) => ch.charCodeAt(0) > 0x7f));
  const elements: Element[] = [textElement(QUERY_RETRIEVE_LEVEL, "CS", QR_LEVEL[level])];
  if (utf8) elements.push(textElement(Tags.SpecificCharacterSet, "CS", "ISO_IR 192"));
  for (const [tag, value] of values) elements.push(textElement(tag, vrOf(tag), value, utf8));
  return (ts) => encodeDataset(elements, ts);
}

export function answerJson(
  answer: { bytes: Uint8Array; transferSyntax: string },
  network: DicomNetwork,
  core: PharosCore,
): JsonObject {
  void network;
  const dataset = parseIdentifier(answer.bytes, answer.transferSyntax);
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  const decoding = textDecoding(
    cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined,
    core.defaultEncoding,
  );
  return datasetToJson(dataset, decoding, "full");
}

export async function findOn(
  network: DicomNetwork,
  modality: Modality,
  level: Level,
  query: Record<string, unknown>,
  normalize = true,
): Promise<{ bytes: Uint8Array; transferSyntax: string }[]> {
  const sopClass = level === "Patient" ? FIND_CLASSES.Patient : FIND_CLASSES.Study;
  try {
    const result = await scu.find(
      network.peerOf(modality),
      sopClass,
      findIdentifier(level, query, normalize),
    );
    if (result.status !== 0) {
      throw dimseFailure("C-FIND SCU", modality.AET, result.status);
    }
    return result.answers;
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-FIND to AET "${modality.AET}"`);
  }
}

/** C-FIND on the modality's worklists (Modality Worklist Information Model FIND). */
export async function findWorklistOn(
  network: DicomNetwork,
  modality: Modality,
  query: Record<string, unknown>,
): Promise<{ bytes: Uint8Array; transferSyntax: string }[]> {
  const identifier = worklistIdentifier(query);
  let result;
  try {
    result = await scu.find(network.peerOf(modality), WORKLIST_FIND, identifier);
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-FIND to AET "${modality.AET}"`);
  }
  if (result.status !== 0 && result.status !== 0xfe00) {
    throw dimseFailure("C-FIND SCU", modality.AET, result.status);
  }
  return result.answers;
}

export function worklistAnswerJson(
  answer: { bytes: Uint8Array; transferSyntax: string },
  core: PharosCore,
  format: TagsFormat,
): JsonObject {
  const dataset = parseIdentifier(answer.bytes, answer.transferSyntax);
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  const decoding = textDecoding(
    cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined,
    core.defaultEncoding,
  );
  return datasetToJson(dataset, decoding, format);
}

/** Orthanc's error for an operation a peer answered with a failure status. */
export function dimseFailure(operation: string, aet: string, status: number): OrthancError {
  const hex = status.toString(16).toUpperCase().padStart(4, "0");
  return new OrthancError(
    "NetworkProtocol",
    `${operation} to AET "${aet}" has failed with DIMSE status 0x${hex}`,
  );
}

export function asNetworkError(error: unknown, what: string): unknown {
  if (error instanceof DimseError) {
    return new OrthancError("NetworkProtocol", `${what}: ${error.message}`);
  }
  return error;
}

/** C-MOVE of the resources an identifier names (level + UIDs) to `target`. */
export async function moveOn(
  network: DicomNetwork,
  modality: Modality,
  level: Level,
  keys: Record<string, string>,
  target: string,
): Promise<void> {
  const sopClass = level === "Patient" ? MOVE_CLASSES.Patient : MOVE_CLASSES.Study;
  let result;
  try {
    result = await scu.move(
      network.peerOf(modality),
      sopClass,
      target,
      findIdentifier(level, keys, false),
    );
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-MOVE to AET "${modality.AET}"`);
  }
  if (result.status !== 0) {
    throw dimseFailure("C-MOVE SCU", modality.AET, result.status);
  }
}

/**
 * C-GET of the resources an identifier names (level + UIDs): the instances come back on the
 * association and go through the store pipeline. Sub-operation counts of the final answer.
 */
export async function getOn(
  network: DicomNetwork,
  core: PharosCore,
  modality: Modality,
  level: Level,
  keys: Record<string, string>,
  onInstance?: () => void,
): Promise<{ completed: number; failed: number; warning: number }> {
  const sopClass = level === "Patient" ? GET_CLASSES.Patient : GET_CLASSES.Study;
  const peer = network.peerOf(modality);
  const syntaxes = [...network.acceptedSyntaxes].sort((a, b) =>
    a === "1.2.840.10008.1.2.1" ? -1 : b === "1.2.840.10008.1.2.1" ? 1 : 0
  );
  let result;
  try {
    result = await scu.get(peer, sopClass, findIdentifier(level, keys, false), {
      storageClasses: COMMON_STORAGE_CLASSES,
      transferSyntaxes: syntaxes,
      onStore: async (received) => {
        if (received.chunks.every((c) => c.length === 0)) return 0xc000;
        const bytes = part10(
          received.chunks,
          received.sopClassUid,
          received.sopInstanceUid,
          received.transferSyntax,
          modality.AET,
        );
        try {
          const stored = await core.store(bytes, {
            kind: "DicomProtocol",
            remoteAet: modality.AET,
            remoteIp: modality.Host,
            calledAet: peer.localAet,
          });
          onInstance?.();
          return stored.status === "FilteredOut" ? 0xa700 : 0;
        } catch (error) {
          return error instanceof OrthancError &&
              (error.kind === "BadFileFormat" || error.kind === "InexistentTag")
            ? 0xc000
            : 0xa700;
        }
      },
    });
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-GET to AET "${modality.AET}"`);
  }
  if (result.status !== 0 && result.status !== 0xb000) {
    throw dimseFailure("C-GET SCU", modality.AET, result.status);
  }
  return result.counts;
}

/** C-STORE of local resources to a modality; the number of instances that failed. */
export async function storeTo(
  network: DicomNetwork,
  core: PharosCore,
  modality: Modality,
  resources: Resource[],
  options: {
    moveOriginator?: { aet: string; messageId: number };
    progress?: (done: number, total: number) => void;
  } = {},
): Promise<{ total: number; failed: number }> {
  const targets = instancesBelow(core, resources);
  const peer = network.peerOf(modality);
  let done = 0;
  const statuses: number[] = [];
  try {
    for await (const batch of instanceBatches(core, targets)) {
      const answers = await scu.store(peer, batch, {
        moveOriginator: options.moveOriginator,
        onEach: () => options.progress?.(++done, targets.length),
      });
      if (modality.AllowTranscoding && answers.includes(NO_ANSWER)) {
        await sendTranscoded(network.transcoders, peer, batch, answers, options.moveOriginator);
      }
      statuses.push(...answers);
    }
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - connecting to AET "${modality.AET}"`);
  }
  const succeeded = (s: number) => s === 0 || (s & 0xf000) === 0xb000;
  if (core.config.LogExportedResources) {
    core.index.transaction(() => {
      targets.forEach((t, i) => {
        if (succeeded(statuses[i] ?? -1)) logExportedInstance(core.index, t, modality.AET);
      });
    });
  }
  const failed = statuses.filter((s) => !succeeded(s)).length;
  return { total: targets.length, failed };
}
