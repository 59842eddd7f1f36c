// Orthanc's ResourceModification job: a patient, study or series modified or anonymized into new
// resources, a few instances per step (so that ConcurrentJobs, pause and cancel apply), the UIDs
// mapped consistently across its instances (derived from a secret of the job: server/derived-uids.ts),
// each new resource marked ModifiedFrom or AnonymizedFrom its source. The job serializes its
// modification and how far it got; a job resumed from an older save than its last step (a crash)
// writes again the same files, which the store finds already there.
import { z } from "zod";
import type { Level } from "../dicom/levels.ts";
import { levelIndex, LEVELS } from "../dicom/levels.ts";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { EditError } from "../editing/errors.ts";
import { applyModification, type Modification } from "../editing/modification.ts";
import { OrthancError } from "./errors.ts";
import type { PharosCore } from "./core.ts";
import type { Job, JobFactory, SteppedJob } from "./jobs.ts";
import { DerivedUids, newUidSecret } from "./derived-uids.ts";
import { Metadata, type Resource } from "./model.ts";
import type { StoredMetadata } from "./store.ts";

export const MODIFICATION_JOB = "ResourceModification";

export interface ModificationJobParams {
  level: Level;
  /** The public id of the resource modified. */
  resource: string;
  modification: Modification;
  /** The default character set of text in files that name none. */
  defaultCharset: string;
  /** False: each source instance is deleted once its copy is stored (Orthanc's KeepSource). */
  keepSource: boolean;
}

interface Progress {
  instances: string[];
  done: number;
  failed: number;
  /** What the new UIDs are derived from. */
  secret: string;
  /** The new resource at the job's level, and its patient, once the first instance is stored. */
  created?: { id: string; patient: string };
}

/** The job's JSON, as the REST API starts it or as it serialized itself. */
const SavedModification = z.object({
  level: z.enum(["Patient", "Study", "Series", "Instance"]),
  resource: z.string(),
  defaultCharset: z.string(),
  keepSource: z.boolean().default(true),
  // Written by the editing engine's own types (REST reads the request into them).
  modification: z.custom<Modification>((v) => typeof v === "object" && v !== null),
  progress: z.object({
    instances: z.array(z.string()),
    done: z.number().int().min(0),
    failed: z.number().int().min(0),
    secret: z.string().min(1).default(newUidSecret),
    created: z.object({ id: z.string(), patient: z.string() }).optional(),
  }).optional(),
});

/** Instances modified at once by a step. */
const STEP_INSTANCES = 4;

const PATHS: Record<Level, string> = {
  Patient: "patients",
  Study: "studies",
  Series: "series",
  Instance: "instances",
};

function instancesOf(core: PharosCore, resource: Resource): string[] {
  if (resource.level === "Instance") return [resource.publicId];
  return core.resources.children(resource.internalId).flatMap((c) => instancesOf(core, c));
}

class ModificationJob implements SteppedJob {
  private uids: DerivedUids;

  constructor(
    private readonly core: PharosCore,
    private readonly params: ModificationJobParams,
    private readonly progress: Progress,
  ) {
    this.uids = new DerivedUids(progress.secret);
  }

  async step(): Promise<"continue" | "success" | "failure"> {
    const { progress } = this;
    const batch = progress.instances.slice(progress.done, progress.done + STEP_INSTANCES);
    // The instances of a step are modified and stored side by side: one's file is written while
    // the next is edited. Their UIDs do not depend on their order (server/derived-uids.ts).
    const outcomes = await Promise.all(batch.map((id) => this.modify(id)));
    progress.failed += outcomes.filter((stored) => !stored).length;
    progress.done += batch.length;
    return progress.done < progress.instances.length ? "continue" : "success";
  }

  /** Modifies and stores one instance; false if the store refused the copy. */
  private async modify(id: string): Promise<boolean> {
    const { core, params, progress } = this;
    // Deleted once its copy was stored, by this job before a crash that lost its last steps.
    if (!params.keepSource && !core.resources.lookup(id)) return true;
    const source = core.resource(id, "Instance");
    let modified: Uint8Array;
    try {
      modified = applyModification(
        await core.dicomBytes(source),
        params.modification,
        this.uids,
        { defaultCharset: params.defaultCharset, reencodeText: false, trimTextPadding: true },
      );
    } catch (e) {
      // The job fails with the error Orthanc gives, which a synchronous request answers.
      if (e instanceof EditError) throw new OrthancError(e.kind, e.details);
      throw e;
    }
    const result = await core.store(modified, { kind: "RestApi" }, this.origins(source));
    if (result.status !== "Success" && result.status !== "AlreadyStored") return false;
    // A copy that kept every identifier is the source itself: it is not deleted.
    if (!params.keepSource && result.ids.instance !== source.publicId) {
      await core.delete(source.publicId, "Instance");
    }
    const key = params.level.toLowerCase() as Lowercase<Level>;
    progress.created ??= { id: result.ids[key], patient: result.ids.patient };
    return true;
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

  stop(): Promise<void> {
    return Promise.resolve();
  }

  update(job: Job): void {
    const { progress, params } = this;
    const total = progress.instances.length;
    job.progress = total === 0 ? 100 : Math.floor((100 * progress.done) / total);
    const content: JsonObject = {
      Description: "REST API",
      FailedInstancesCount: progress.failed,
      InstancesCount: progress.done - progress.failed,
      IsAnonymization: params.modification.anonymization !== undefined,
    };
    if (progress.created) {
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
  }
}

/** Builds ResourceModification jobs from their parameters, or from what they serialized. */
export function modificationJobFactory(core: PharosCore): JobFactory {
  return (type, json) => {
    if (type !== MODIFICATION_JOB) return undefined;
    const saved = SavedModification.parse(json);
    const progress = saved.progress ?? {
      instances: instancesOf(core, core.resource(saved.resource, saved.level)),
      done: 0,
      failed: 0,
      secret: newUidSecret(),
    };
    return new ModificationJob(core, saved, progress);
  };
}
