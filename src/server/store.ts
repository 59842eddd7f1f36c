// The store pipeline: every way in (REST, DICOM, plugins) stores an instance through here; the
// received-instance and incoming filter hooks (hooks.ts) decide on the way.
import type { Encoding } from "../dicom/charsets.ts";
import { idOfLevel, type OrthancIds } from "../dicom/identifiers.ts";
import { type Level, LEVELS } from "../dicom/levels.ts";
import {
  deflatedDatasetOf,
  DicomParseError,
  type ParsedDicom,
  parseDicom,
} from "../dicom/parser.ts";
import { inflateDataset } from "../dicom/inflate.ts";
import {
  type InstanceSummary,
  MissingTagError,
  summarize,
  TooLongIdentifierError,
} from "../dicom/summary.ts";
import type { IndexBackend } from "../index/interface.ts";
import {
  type AttachmentInfo,
  ChangeType,
  ContentType,
  Metadata,
  type StoredFile,
} from "./model.ts";
import type { StorageArea } from "../storage/area.ts";
import { compressAttachment, md5Hex } from "../storage/compression.ts";
import { log } from "../log.ts";
import { OrthancError } from "./errors.ts";
import type { ChangeEvent, EventBus, RequestOrigin } from "./events.ts";
import {
  type HookAnswer,
  HookFailure,
  type HookInput,
  type HookRegistry,
  type InterventionHook,
} from "./hooks.ts";
import { GroupCommit } from "./group-commit.ts";
import { makeRoom, type StorageLimits } from "./recycling.ts";
import { type Reservation, ReservedFiles } from "./reserved-files.ts";
import { isoNow } from "./time.ts";

export type StoreStatus = "Success" | "AlreadyStored" | "FilteredOut";

/**
 * Metadata the caller writes with the instance, in the same transaction, on the resource of a
 * level whether it is new or not (Orthanc's ModifiedFrom/AnonymizedFrom of a modified copy); no
 * change is logged for them, as in Orthanc.
 */
export interface StoredMetadata {
  level: Level;
  type: number;
  value: string;
}

export interface StoreResult {
  status: StoreStatus;
  ids: OrthancIds;
  /** FilteredOut by a C-STORE filter: the DIMSE status the SCP answers. */
  dimseStatus?: number;
}

export interface StoreDependencies {
  index: IndexBackend;
  storage: StorageArea;
  events: EventBus;
  options: () => {
    compression: boolean;
    storeMd5: boolean;
    overwrite: boolean;
    defaultEncoding: Encoding;
    limits: StorageLimits;
  };
  hooks: HookRegistry;
  removeFiles: (files: StoredFile[]) => Promise<void>;
  /** IngestTranscoding: the received file as it is to be stored. */
  ingestTranscode: (bytes: Uint8Array) => Promise<Uint8Array>;
}

export function parseInstance(
  bytes: Uint8Array,
  defaultEncoding: Encoding,
  inflatedDataset?: Uint8Array,
): { parsed: ParsedDicom; summary: InstanceSummary } {
  let parsed: ParsedDicom;
  try {
    parsed = parseDicom(bytes, inflatedDataset);
  } catch (error) {
    if (error instanceof DicomParseError) {
      throw new OrthancError(
        "BadFileFormat",
        `Cannot parse an invalid DICOM file (size: ${bytes.length} bytes)`,
      );
    }
    throw error;
  }
  try {
    return { parsed, summary: summarize(parsed, defaultEncoding) };
  } catch (error) {
    if (error instanceof MissingTagError) throw new OrthancError("InexistentTag");
    if (error instanceof TooLongIdentifierError) throw new OrthancError("BadParameterType");
    throw error;
  }
}

/** Orthanc 1.10's rule, checked against its answers: NumberOfSlices is not consulted. */
function expectedInstances(series: Map<number, string>): string | undefined {
  const num = (tag: number) => {
    const v = series.get(tag);
    return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
  };
  const images = num(0x00201002);
  const temporal = num(0x00200105);
  const expected = images !== undefined && temporal !== undefined
    ? images * temporal
    : series.has(0x00181090)
    ? num(0x00181090)
    : images;
  return expected !== undefined && expected > 0 ? String(expected) : undefined;
}

/**
 * A received file parsed, its deflated dataset (if any) inflated as a stream first: an upload's
 * cost in memory stays about the size of its dataset.
 */
export async function parseReceived(
  bytes: Uint8Array,
  defaultEncoding: Encoding,
): Promise<{ parsed: ParsedDicom; summary: InstanceSummary }> {
  const deflated = deflatedDatasetOf(bytes);
  let inflated: Uint8Array | undefined;
  if (deflated) {
    try {
      inflated = await inflateDataset(deflated);
    } catch {
      // parseDicom answers the bad file as it answers any other.
    }
  }
  return parseInstance(bytes, defaultEncoding, inflated);
}

export class StorePipeline {
  private readonly commits: GroupCommit;
  private readonly reserved: ReservedFiles;

  constructor(private readonly deps: StoreDependencies) {
    this.commits = new GroupCommit(deps.index);
    this.reserved = new ReservedFiles(deps.index, this.commits, deps.storage);
  }

  /** Before the index closes, once no store is under way. */
  close(): Promise<void> {
    return this.reserved.release();
  }

  async store(
    input: Uint8Array,
    origin: RequestOrigin,
    metadata: readonly StoredMetadata[] = [],
    md5?: string,
  ): Promise<StoreResult> {
    // Journaled already, so that a crash before the commit leaves no orphan (index/interface.ts);
    // its file is made while the instance is parsed.
    const reservation = await this.reserved.reserve();
    try {
      return await this.storeAs(reservation, input, origin, metadata, md5);
    } finally {
      if (!reservation.used) await this.reserved.giveBack(reservation);
    }
  }

  private async storeAs(
    reservation: Reservation,
    input: Uint8Array,
    origin: RequestOrigin,
    metadata: readonly StoredMetadata[],
    inputMd5: string | undefined,
  ): Promise<StoreResult> {
    const received = await this.decide("receivedInstance", { bytes: input, origin });
    if (received.action === "discard") {
      const { summary } = await parseReceived(input, this.deps.options().defaultEncoding);
      return { status: "FilteredOut", ids: summary.ids };
    }
    const bytes = await this.deps.ingestTranscode(
      received.action === "replace" ? received.bytes : input,
    );
    const options = this.deps.options();
    const { parsed, summary } = await parseReceived(bytes, options.defaultEncoding);
    const incoming = { bytes, parsed, summary, origin };
    if (!await this.decide("incomingInstance", incoming)) {
      return { status: "FilteredOut", ids: summary.ids };
    }
    // After the incoming-instance filters, as in Orthanc.
    if (origin.kind === "DicomProtocol") {
      const dimseStatus = await this.decide("incomingCStoreInstance", incoming);
      if (dimseStatus !== 0) return { status: "FilteredOut", ids: summary.ids, dimseStatus };
    }
    const { index } = this.deps;
    if (!options.overwrite && index.lookup(summary.ids.instance)) {
      return { status: "AlreadyStored", ids: summary.ids };
    }

    const { uuid } = reservation;
    await reservation.made;
    reservation.used = true;
    const file = { uuid, contentType: ContentType.Dicom };
    const data = options.compression ? compressAttachment(bytes) : bytes;
    // The caller's hash holds only for the bytes it gave, not for a filter's or a transcoder's.
    const md5 = bytes === input ? inputMd5 : undefined;
    let outcome: { stored: boolean; changes: ChangeEvent[]; removed: StoredFile[] };
    // Settles once the file is on the disk: the index commit runs meanwhile, and nothing is
    // answered before both are done. The row may be committed first: a crash of the process
    // keeps the written file (the kernel holds it), and the store fails if the flush does.
    let durable: Promise<void> = Promise.resolve();
    try {
      this.commits.expect();
      let info: AttachmentInfo;
      try {
        const { storage } = this.deps;
        if (storage.write) {
          durable = (await storage.write(file.uuid, file.contentType, data)).durable;
          // Unhandled until awaited below, after the commit.
          durable.catch(() => undefined);
          info = attachmentInfo(uuid, bytes, data, options, md5);
        } else {
          const written = storage.create(file.uuid, file.contentType, data);
          // Hashed while the storage area finishes the file (while it is flushed, at least).
          info = attachmentInfo(uuid, bytes, data, options, md5);
          await written;
        }
      } finally {
        this.commits.arrived();
      }
      outcome = await this.commits.run(() => {
        const indexed = this.index(summary, info, origin, options);
        if (indexed.stored) {
          for (const { level, type, value } of metadata) {
            const target = index.lookup(idOfLevel(summary.ids, level));
            if (target) index.setMetadata(target.internalId, type, value);
          }
        }
        return indexed;
      });
    } catch (error) {
      await durable.catch(() => undefined);
      await this.deps.removeFiles([file]);
      throw error;
    }
    // Indexed, so the file stays whatever its flush answers; a failed flush fails the store once
    // the rest of it is done.
    const flushError = outcome.stored
      ? await durable.then(() => undefined, (e: unknown) => e ?? new Error("flush failed"))
      : undefined;
    if (!outcome.stored) {
      // Another request stored the same instance while this one was writing its file.
      await this.deps.removeFiles([file]);
      return { status: "AlreadyStored", ids: summary.ids };
    }
    if (outcome.removed.length > 0) await this.deps.removeFiles(outcome.removed);
    this.deps.events.emitChanges(outcome.changes);
    this.deps.events.emitStored({ ids: summary.ids, bytes, origin });
    if (flushError) throw flushError;
    return { status: "Success", ids: summary.ids };
  }

  /** A hook's failure inside the pipeline is logged, and the store answers 500. */
  private async decide<K extends InterventionHook>(
    hook: K,
    input: HookInput<K>,
  ): Promise<HookAnswer<K>> {
    try {
      return await this.deps.hooks.decide(hook, input);
    } catch (error) {
      if (!(error instanceof HookFailure)) throw error;
      log.error(error.detail);
      throw new OrthancError("InternalError", error.message);
    }
  }

  /** Runs inside the transaction: creates what is missing, from the patient down. */
  private index(
    summary: InstanceSummary,
    attachment: AttachmentInfo,
    origin: RequestOrigin,
    options: { overwrite: boolean; limits: StorageLimits },
  ): { stored: boolean; changes: ChangeEvent[]; removed: StoredFile[] } {
    const { index } = this.deps;
    const now = isoNow();
    const removed: StoredFile[] = [];
    // One round trip for the four lookups below, on a back-end whose reads cost one each.
    index.prefetch?.([
      summary.ids.patient,
      summary.ids.study,
      summary.ids.series,
      summary.ids.instance,
    ]);
    const existing = index.lookup(summary.ids.instance);
    if (existing) {
      if (!options.overwrite) return { stored: false, changes: [], removed };
      removed.push(...index.subtreeFiles(existing.internalId));
      index.deleteResource(existing.internalId);
    }
    const patient = index.lookup(summary.ids.patient);
    const recycled = makeRoom(index, options.limits, {
      size: attachment.compressedSize,
      patientId: patient?.internalId,
    });
    removed.push(...recycled.files);
    const changes: ChangeEvent[] = [];
    let parentId: number | null = null;
    let patientId: number | undefined;
    for (const level of LEVELS) {
      const publicId = idOfLevel(summary.ids, level);
      // The patient was looked up above; recycling never removes the one being stored to.
      const found = level === "Instance"
        ? undefined
        : level === "Patient"
        ? patient
        : index.lookup(publicId);
      if (found) {
        parentId = found.internalId;
        if (level === "Patient") patientId = found.internalId;
        index.setMetadata(found.internalId, Metadata.LastUpdate, now);
        continue;
      }
      const id = index.createResource(level, publicId, parentId);
      for (const [tag, value] of summary.mainTags[level]) index.setMainTag(id, tag, value);
      if (level === "Study") {
        // Orthanc keeps a copy of the patient tags with each study (PatientMainDicomTags).
        for (const [tag, value] of summary.mainTags.Patient) index.setMainTag(id, tag, value);
      }
      if (level !== "Instance") index.setMetadata(id, Metadata.LastUpdate, now);
      if (level === "Series") {
        const expected = expectedInstances(summary.mainTags.Series);
        if (expected !== undefined) {
          index.setMetadata(id, Metadata.ExpectedNumberOfInstances, expected);
        }
      }
      if (level === "Series") index.setMetadata(id, Metadata.RemoteAet, origin.remoteAet ?? "");
      if (level === "Instance") this.instanceMetadata(id, summary, origin, now);
      const changeType = newChangeType(level);
      changes.push({ changeType, level, publicId, date: now });
      parentId = id;
      if (level === "Patient") patientId = id;
    }
    index.addAttachment(parentId!, attachment);
    index.touchPatient(patientId!);
    // Orthanc lists NewInstance first, then the new ancestors from the series up.
    changes.reverse();
    for (const c of changes) index.logChange(c.changeType, c.level, c.publicId, c.date);
    return { stored: true, changes: [...recycled.changes, ...changes], removed };
  }

  private instanceMetadata(
    id: number,
    summary: InstanceSummary,
    origin: RequestOrigin,
    now: string,
  ): void {
    const { index } = this.deps;
    index.setMetadata(id, Metadata.ReceptionDate, now);
    index.setMetadata(id, Metadata.Origin, origin.kind);
    if (summary.transferSyntaxDeclared) {
      index.setMetadata(id, Metadata.TransferSyntax, summary.transferSyntax);
    }
    index.setMetadata(id, Metadata.SopClassUid, summary.sopClassUid);
    if (summary.indexInSeries !== undefined) {
      index.setMetadata(id, Metadata.IndexInSeries, summary.indexInSeries);
    }
    // Orthanc 1.10 records the remote AET for every origin (empty when it does not apply), the
    // remote IP for REST and DICOM only, the HTTP user for REST only, the called AET for DICOM.
    index.setMetadata(id, Metadata.RemoteAet, origin.remoteAet ?? "");
    if (origin.kind === "RestApi" || origin.kind === "DicomProtocol") {
      index.setMetadata(id, Metadata.RemoteIp, origin.remoteIp ?? "");
    }
    if (origin.kind === "RestApi") {
      index.setMetadata(id, Metadata.HttpUsername, origin.httpUsername ?? "");
    }
    if (origin.calledAet) index.setMetadata(id, Metadata.CalledAet, origin.calledAet);
    if (summary.pixelDataOffset !== undefined) {
      index.setMetadata(id, Metadata.PixelDataOffset, String(summary.pixelDataOffset));
    }
  }
}

function attachmentInfo(
  uuid: string,
  bytes: Uint8Array,
  data: Uint8Array,
  options: { compression: boolean; storeMd5: boolean },
  md5?: string,
): AttachmentInfo {
  const uncompressedMd5 = options.storeMd5 ? md5 ?? md5Hex(bytes) : "";
  return {
    contentType: ContentType.Dicom,
    uuid,
    compressedSize: data.length,
    uncompressedSize: bytes.length,
    compression: options.compression ? 1 : 0,
    uncompressedMd5,
    compressedMd5: options.compression && options.storeMd5 ? md5Hex(data) : uncompressedMd5,
    revision: 0,
  };
}

function newChangeType(level: Level): number {
  switch (level) {
    case "Patient":
      return ChangeType.NewPatient;
    case "Study":
      return ChangeType.NewStudy;
    case "Series":
      return ChangeType.NewSeries;
    case "Instance":
      return ChangeType.NewInstance;
  }
}
