// Orthanc's ResourceModification job: a patient, study or series modified or anonymized into new
// resources, a few instances per step (so that ConcurrentJobs, pause and cancel apply), the UIDs
// mapped consistently across its instances (derived from a secret of the job:
// server/derived-uids.ts), each new resource marked ModifiedFrom or AnonymizedFrom its source.
// Without KeepSource, the sources copied are deleted in a last step, once every copy is stored, as
// Orthanc does (a job that fails midway leaves its source whole). The job serializes its
// modification and how far it got; a job resumed from an older save than its last step (a crash)
// writes again the same files, which the store finds already there.
import { z } from "zod";
import type { Level } from "../dicom/levels.ts";
import { levelIndex, LEVELS } from "../dicom/levels.ts";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { EditError } from "../editing/errors.ts";
import { applyModification, type Modification } from "../editing/modification.ts";
import { log } from "../log.ts";
import { OrthancError } from "./errors.ts";
import type { PharosCore } from "./core.ts";
import type { Job, JobFactory, SteppedJob } from "./jobs.ts";
import { DerivedUids, newUidSecret } from "./derived-uids.ts";
import { Metadata, type Resource } from "./model.ts";
import type { StoredMetadata, StoreResult } from "./store.ts";

export const MODIFICATION_JOB = "ResourceModification";

export interface ModificationJobParams {
  level: Level;
  /** The public id of the resource modified (/{level}/{id}/modify). */
  resource?: string;
  /**
   * Orthanc's bulk modification (/tools/bulk-modify): the resources of any level whose instances
   * are modified; the job's content lists every resource created instead of one.
   */
  bulk?: string[];
  modification: Modification;
  /** The default character set of text in files that name none. */
  defaultCharset: string;
  /** False: the sources are deleted once every copy is stored (Orthanc's KeepSource). */
  keepSource: boolean;
  /** Orthanc 1.12's KeepLabels: the new resources get the labels of their sources. */
  keepLabels?: boolean;
  /** The transfer syntax the new files are written in (Orthanc's Transcode). */
  transcode?: string;
  /** Orthanc's Permissive: an instance that fails is counted, not the end of the job. */
  permissive?: boolean;
  /** The private creator under which Replace finds the VR of new private elements. */
  privateCreator?: string;
}

/** A file in another transfer syntax, or undefined when no transcoder can write it. */
export type FileTranscode = (dicom: Uint8Array, transferSyntax: string) => Promise<
  Uint8Array | undefined
>;

interface Progress {
  instances: string[];
  done: number;
  failed: number;
  /** What the new UIDs are derived from. */
  secret: string;
  /** The new resource at the job's level, and its patient, once the first instance is stored. */
  created?: { id: string; patient: string };
  /** A bulk job's outputs: the resources its stored instances belong to, by level. */
  outputs?: Partial<Record<Level, string[]>>;
  /** Without KeepSource: the sources copied (to delete at the end), then whether they were. */
  copied?: string[];
  cleaned?: boolean;
}

/** The job's JSON, as the REST API starts it or as it serialized itself. */
const SavedModification = z.object({
  level: z.enum(["Patient", "Study", "Series", "Instance"]),
  resource: z.string().optional(),
  bulk: z.array(z.string()).optional(),
  defaultCharset: z.string(),
  keepSource: z.boolean().default(true),
  keepLabels: z.boolean().optional(),
  transcode: z.string().optional(),
  permissive: z.boolean().optional(),
  privateCreator: z.string().optional(),
  // Written by the editing engine's own types (REST reads the request into them).
  modification: z.custom<Modification>((v) => typeof v === "object" && v !== null),
  progress: z.object({
    instances: z.array(z.string()),
    done: z.number().int().min(0),
    failed: z.number().int().min(0),
    secret: z.string().min(1).default(newUidSecret),
    created: z.object({ id: z.string(), patient: z.string() }).optional(),
    outputs: z.partialRecord(
      z.enum(["Patient", "Study", "Series", "Instance"]),
      z.array(z.string()),
    )
      .optional(),
    copied: z.array(z.string()).optional(),
    cleaned: z.boolean().optional(),
  }).optional(),
});

const PATHS: Record<Level, string> = {
  Patient: "patients",
  Study: "studies",
  Series: "series",
  Instance: "instances",
};

/** Instances modified at once by a step. */
const STEP_INSTANCES = 4;

class ModificationJob implements SteppedJob {
  private uids: DerivedUids;

  constructor(
    private readonly core: PharosCore,
    private readonly params: ModificationJobParams,
    private readonly progress: Progress,
    private readonly transcode: FileTranscode,
    /** Rebuilt from a save: its last steps before a crash may be done again. */
    private readonly resumed: boolean,
  ) {
    this.uids = new DerivedUids(progress.secret);
  }

  async step(): Promise<"continue" | "success" | "failure"> {
    const { params, progress } = this;
    if (progress.done >= progress.instances.length) {
      if (!params.keepSource && !progress.cleaned) await this.deleteSources();
      return "success";
    }
    const batch = progress.instances.slice(progress.done, progress.done + STEP_INSTANCES);
    // The instances of a step are modified and stored side by side: one's file is written while
    // the next is edited. Their UIDs do not depend on their order (server/derived-uids.ts).
    const outcomes = await Promise.allSettled(batch.map((id) => this.modifyInstance(id)));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === "fulfilled") continue;
      // Permissive: an instance that cannot be modified (deleted meanwhile, refused…) is
      // counted as failed and the job goes on, as Orthanc's does. Otherwise the first failure
      // in Orthanc's order fails the job.
      if (!params.permissive) throw outcome.reason;
      log.warning(`Cannot modify instance ${batch[i]}: ${(outcome.reason as Error).message}`);
      progress.failed++;
    }
    progress.done += batch.length;
    const cleaning = !params.keepSource && !progress.cleaned;
    return progress.done < progress.instances.length || cleaning ? "continue" : "success";
  }

  /** The sources copied that are still there (one may have been deleted meanwhile). */
  private async deleteSources(): Promise<void> {
    for (const id of this.progress.copied ?? []) {
      if (this.core.resources.lookup(id)) await this.core.delete(id, "Instance");
    }
    this.progress.cleaned = true;
  }

  private async modifyInstance(id: string): Promise<void> {
    const { core, params, progress } = this;
    const source = core.resource(id, "Instance");
    let modified: Uint8Array;
    try {
      modified = applyModification(
        await core.dicomBytes(source),
        params.modification,
        this.uids,
        {
          defaultCharset: params.defaultCharset,
          trimTextPadding: true,
          ...(params.privateCreator === undefined ? {} : { privateCreator: params.privateCreator }),
        },
      );
    } catch (e) {
      // The job fails with the error Orthanc gives, which a synchronous request answers.
      if (e instanceof EditError) throw new OrthancError(e.kind, e.details);
      throw e;
    }
    if (params.transcode) {
      // As Orthanc's job, a file no transcoder can write is stored in its own syntax.
      const out = await this.transcode(modified, params.transcode);
      if (out) modified = out;
      else log.warning(`Cannot transcode instance ${id} to ${params.transcode}: kept as it is`);
    }
    const origins = this.origins(source);
    const result = await core.store(modified, { kind: "RestApi" }, origins);
    // A copy already stored (the same instance listed twice, every UID kept) or filtered out is
    // an error in Orthanc's job too; but a job resumed after a crash finds the copies of the
    // steps it does again already there, marked as copies of the same source.
    if (result.status !== "Success" && !this.redone(result, origins[0]?.value)) {
      throw new OrthancError(
        "CannotStoreInstance",
        `Error while storing a modified instance ${id}`,
      );
    }
    if (params.keepLabels) this.copyLabels(source, result.ids);
    // With OverwriteInstances, a copy that kept every identifier replaced the source itself.
    if (!params.keepSource && result.ids.instance !== source.publicId) {
      if (!progress.copied?.includes(source.publicId)) {
        (progress.copied ??= []).push(source.publicId);
      }
    }
    const key = params.level.toLowerCase() as Lowercase<Level>;
    progress.created ??= { id: result.ids[key], patient: result.ids.patient };
    if (params.bulk) {
      progress.outputs ??= {};
      for (const level of LEVELS) {
        const list = progress.outputs[level] ??= [];
        const created = result.ids[level.toLowerCase() as Lowercase<Level>];
        if (!list.includes(created)) list.push(created);
      }
    }
  }

  /** Whether an instance already stored is this job's own copy of the source, made before a crash. */
  private redone(result: StoreResult, sourceId: string | undefined): boolean {
    if (!this.resumed || result.status !== "AlreadyStored" || sourceId === undefined) return false;
    const copy = this.core.resources.lookup(result.ids.instance);
    if (!copy || copy.publicId === sourceId) return false;
    const type = this.params.modification.anonymization
      ? Metadata.AnonymizedFrom
      : Metadata.ModifiedFrom;
    return this.core.resources.metadataEntry(copy.internalId, type)?.value === sourceId;
  }

  /**
   * ModifiedFrom/AnonymizedFrom of the new resources from the job's level down, written with the
   * copy: their sources, the source instance and its parents.
   */
  private origins(source: Resource): StoredMetadata[] {
    const type = this.params.modification.anonymization
      ? Metadata.AnonymizedFrom
      : Metadata.ModifiedFrom;
    const out: StoredMetadata[] = [];
    let from: Resource | undefined = source;
    for (const level of [...LEVELS].reverse()) {
      if (!from || levelIndex(level) < levelIndex(this.params.level)) break;
      out.push({ level, type, value: from.publicId });
      from = this.core.resources.parent(from);
    }
    return out;
  }

  /** Orthanc 1.12's KeepLabels: the labels of the sources on the new resources. */
  private copyLabels(source: Resource, ids: Record<Lowercase<Level>, string>): void {
    let from: Resource | undefined = source;
    for (const level of [...LEVELS].reverse()) {
      if (!from || levelIndex(level) < levelIndex(this.params.level)) return;
      const target = this.core.resources.lookup(ids[level.toLowerCase() as Lowercase<Level>]);
      if (target && target.publicId !== from.publicId) {
        for (const label of this.core.resources.labelsOf(from.internalId)) {
          this.core.labels.add(target.publicId, level, label);
        }
      }
      from = this.core.resources.parent(from);
    }
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  update(job: Job): void {
    const { progress, params } = this;
    const total = progress.instances.length;
    // The deletion of the sources is the last step: 100 once it is done.
    const steps = total + (params.keepSource ? 0 : 1);
    const done = progress.done + (progress.cleaned ? 1 : 0);
    job.progress = steps === 0 ? 100 : Math.floor((100 * done) / steps);
    const content: JsonObject = {
      Description: "REST API",
      FailedInstancesCount: progress.failed,
      InstancesCount: progress.done - progress.failed,
      IsAnonymization: params.modification.anonymization !== undefined,
    };
    if (params.bulk) {
      // Orthanc lists them by level from the instances up, each level in the order of its ids.
      content.Resources = [...LEVELS].reverse().flatMap((level) =>
        [...progress.outputs?.[level] ?? []].sort().map((id) => ({
          ID: id,
          Path: `/${PATHS[level]}/${id}`,
          Type: level,
        }))
      );
    } else if (progress.created) {
      content.ID = progress.created.id;
      content.Path = `/${PATHS[params.level]}/${progress.created.id}`;
      content.PatientID = progress.created.patient;
      content.Type = params.level;
    }
    job.content = content;
  }

  serialize(): JsonValue {
    return { ...this.params, progress: this.progress } as unknown as JsonValue;
  }

  reset(): void {
    this.progress.done = 0;
    this.progress.failed = 0;
    this.progress.secret = newUidSecret();
    this.uids = new DerivedUids(this.progress.secret);
    delete this.progress.created;
    delete this.progress.outputs;
    delete this.progress.copied;
    delete this.progress.cleaned;
  }
}

/** Builds ResourceModification jobs from their parameters, or from what they serialized. */
export function modificationJobFactory(core: PharosCore, transcode: FileTranscode): JobFactory {
  return (type, json) => {
    if (type !== MODIFICATION_JOB) return undefined;
    const saved = SavedModification.parse(json);
    const sources = saved.bulk?.map((id) => {
      const resource = core.resources.lookup(id);
      if (!resource) throw new OrthancError("UnknownResource");
      return resource;
    }) ?? [core.resource(saved.resource ?? "", saved.level)];
    const progress = saved.progress ?? {
      instances: sources.flatMap((source) => core.resources.instancesOf(source)).map((i) =>
        i.publicId
      ),
      done: 0,
      failed: 0,
      secret: newUidSecret(),
    };
    return new ModificationJob(core, saved, progress, transcode, saved.progress !== undefined);
  };
}
