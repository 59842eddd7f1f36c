// Orthanc's MergeStudy and SplitStudy jobs: instances moved into another study by rewriting
// them, one per step. Both give each source series a new SeriesInstanceUID (the same for all its
// instances) and each instance a new SOPInstanceUID; a merge copies the patient and study
// modules of the target study, a split gives its instances a new StudyInstanceUID plus the
// request's Replace and Remove. Unless KeepSource, the sources are deleted in a last step, once
// every copy is stored (an instance listed twice is copied twice, the same copy, as in Orthanc).
// A job serializes how far it got, so that a saved job resumes where it stopped.
import { z } from "zod";
import { orthancIds } from "../dicom/identifiers.ts";
import { MODULE_TAGS } from "../dicom/levels.ts";
import { findElement } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { generateUid } from "../dicom/uid.ts";
import { isTextVr } from "../dicom/vr.ts";
import { DicomEditor, type EditValue, type TagPath, topLevel } from "../editing/editor.ts";
import { EditError } from "../editing/errors.ts";
import { applyModification, type Modification } from "../editing/modification.ts";
import { log } from "../log.ts";
import type { PharosCore } from "./core.ts";
import { OrthancError } from "./errors.ts";
import type { Job, JobFactory, SteppedJob } from "./jobs.ts";
import type { Resource } from "./model.ts";

export const MERGE_JOB = "MergeStudy";
export const SPLIT_JOB = "SplitStudy";

/** The attributes a merge copies from its target, and the only ones a split may change. */
export const PATIENT_AND_STUDY_MODULES = [...MODULE_TAGS.Patient, ...MODULE_TAGS.Study];

interface Edit {
  path: TagPath;
  name: string;
  value: EditValue;
}

export interface MergeJobParams {
  /** The public id of the study the resources are merged into. */
  target: string;
  /** The public ids of the studies, series and instances merged. */
  resources: string[];
  keepSource: boolean;
  permissive: boolean;
  defaultCharset: string;
}

export interface SplitJobParams {
  /** The public id of the study split. */
  source: string;
  /** The series and instances taken out of it (public ids). */
  series: string[];
  instances: string[];
  replace: Edit[];
  remove: { path: TagPath; name: string }[];
  keepSource: boolean;
  keepLabels: boolean;
  permissive: boolean;
  defaultCharset: string;
}

/** Where a job is: the instances it moves, how many are done, the UIDs it mapped. */
const Progress = z.object({
  instances: z.array(z.string()),
  done: z.number().int().min(0),
  failed: z.number().int().min(0),
  uids: z.record(z.string(), z.string()),
  /** Whether the sources were deleted (without KeepSource), after the last copy. */
  cleaned: z.boolean().default(false),
});
type Progress = z.infer<typeof Progress>;

// The edits and paths are the engine's own types, written by the REST front end.
const edits = z.array(z.custom<Edit>((v) => typeof v === "object" && v !== null));
const removals = z.array(
  z.custom<{ path: TagPath; name: string }>((v) => typeof v === "object" && v !== null),
);

const SavedMerge = z.object({
  target: z.string(),
  resources: z.array(z.string()),
  keepSource: z.boolean(),
  permissive: z.boolean().default(false),
  defaultCharset: z.string(),
  /** Read from the target once, when the job is created. */
  replace: edits.optional(),
  remove: removals.optional(),
  progress: Progress.optional(),
});

const SavedSplit = z.object({
  source: z.string(),
  series: z.array(z.string()),
  instances: z.array(z.string()),
  replace: edits,
  remove: removals,
  keepSource: z.boolean(),
  keepLabels: z.boolean().default(false),
  permissive: z.boolean().default(false),
  defaultCharset: z.string(),
  /** Generated once, when the job is created. */
  studyUid: z.string().optional(),
  progress: Progress.optional(),
});

/** One instance rewritten and stored per step; what differs is the modification and content. */
class StudyRewriteJob implements SteppedJob {
  private readonly uids: Map<string, string>;

  constructor(
    private readonly core: PharosCore,
    private readonly options: {
      modification: Modification;
      keepSource: boolean;
      keepLabels: boolean;
      permissive: boolean;
      defaultCharset: string;
      content: () => JsonObject;
      serialize: (progress: Progress) => JsonValue;
    },
    private readonly progress: Progress,
  ) {
    this.uids = new Map(Object.entries(progress.uids));
  }

  async step(): Promise<"continue" | "success" | "failure"> {
    const { progress, options } = this;
    const id = progress.instances[progress.done];
    if (id === undefined) {
      if (!options.keepSource && !progress.cleaned) await this.deleteSources();
      return "success";
    }
    try {
      await this.moveInstance(id);
    } catch (error) {
      // Permissive: an instance that cannot be moved is counted as failed, as in Orthanc.
      if (!options.permissive) throw error;
      log.warning(`Cannot move instance ${id}: ${(error as Error).message}`);
      progress.failed++;
    }
    progress.uids = Object.fromEntries(this.uids);
    progress.done++;
    const cleaning = !options.keepSource && !progress.cleaned;
    return progress.done < progress.instances.length || cleaning ? "continue" : "success";
  }

  /** The sources still there (one may have been deleted meanwhile) are deleted. */
  private async deleteSources(): Promise<void> {
    for (const id of new Set(this.progress.instances)) {
      if (this.core.resources.lookup(id)) await this.core.delete(id, "Instance");
    }
    this.progress.cleaned = true;
  }

  private async moveInstance(id: string): Promise<void> {
    const { core, options } = this;
    const source = core.resource(id, "Instance");
    let rewritten: Uint8Array;
    try {
      rewritten = applyModification(
        await core.dicomBytes(source),
        options.modification,
        this.uids,
        {
          defaultCharset: options.defaultCharset,
          trimTextPadding: true,
        },
      );
    } catch (e) {
      if (e instanceof EditError) throw new OrthancError(e.kind, e.details);
      throw e;
    }
    const result = await core.store(rewritten, { kind: "RestApi" });
    // An instance listed twice gives the same copy twice: AlreadyStored is no failure here.
    if (result.status !== "Success" && result.status !== "AlreadyStored") {
      throw new OrthancError(
        "CannotStoreInstance",
        `Error while storing a modified instance ${id}`,
      );
    }
    if (options.keepLabels) this.copyLabels(source, result.ids);
  }

  /** KeepLabels: the new series and instance get the labels of the ones they come from. */
  private copyLabels(source: Resource, ids: { series: string; instance: string }): void {
    const series = this.core.resources.parent(source);
    const pairs: [Resource | undefined, string, "Series" | "Instance"][] = [
      [source, ids.instance, "Instance"],
      [series, ids.series, "Series"],
    ];
    for (const [from, to, level] of pairs) {
      if (!from) continue;
      for (const label of this.core.resources.labelsOf(from.internalId)) {
        this.core.labels.add(to, level, label);
      }
    }
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  update(job: Job): void {
    const { progress } = this;
    const total = progress.instances.length;
    // The deletion of the sources is the last step: 100 once it is done.
    const steps = total + (this.options.keepSource ? 0 : 1);
    const done = progress.done + (progress.cleaned ? 1 : 0);
    job.progress = steps === 0 ? 100 : Math.floor((100 * done) / steps);
    job.content = {
      Description: "REST API",
      FailedInstancesCount: progress.failed,
      InstancesCount: progress.done - progress.failed,
      ...this.options.content(),
    };
  }

  serialize(): JsonValue {
    return this.options.serialize(this.progress);
  }

  reset(): void {
    this.progress.done = 0;
    this.progress.failed = 0;
    this.progress.uids = {};
    this.progress.cleaned = false;
    this.uids.clear();
  }
}

/** The edits a modification of the series and instance UIDs makes, with Force. */
function rewrite(replace: Edit[], remove: { path: TagPath; name: string }[]): Modification {
  return { level: "Series", replace, remove, keep: [], removePrivateTags: false, force: true };
}

/**
 * The patient and study modules of one instance of the target study, as Orthanc reads them: the
 * text values present are copied, the attributes absent (and sequences) are removed.
 */
async function targetModules(core: PharosCore, target: Resource) {
  let instance: Resource | undefined = target;
  while (instance && instance.level !== "Instance") {
    instance = core.resources.children(instance.internalId).at(-1);
  }
  const replace: Edit[] = [];
  const remove: { path: TagPath; name: string }[] = [];
  const editor = instance ? new DicomEditor(await core.dicomBytes(instance)) : undefined;
  for (const tag of PATIENT_AND_STUDY_MODULES) {
    const element = editor && findElement(editor.parsed.dataset, tag);
    const name = tag.toString(16);
    if (element && !element.items && isTextVr(element.vr)) {
      replace.push({ path: topLevel(tag), name, value: editor!.text(tag) ?? "" });
    } else remove.push({ path: topLevel(tag), name });
  }
  return { replace, remove };
}

function initialProgress(instances: string[]): Progress {
  return { instances, done: 0, failed: 0, uids: {}, cleaned: false };
}

/** Builds MergeStudy and SplitStudy jobs from their parameters, or what they serialized. */
export function studyJobFactory(core: PharosCore): JobFactory {
  return (type, json) => {
    if (type === MERGE_JOB) {
      const saved = SavedMerge.parse(json);
      const progress = saved.progress ??
        initialProgress(saved.resources.flatMap((id) => {
          const r = core.resources.lookup(id);
          if (!r) throw new OrthancError("UnknownResource", `Cannot find this resource: ${id}`);
          return core.resources.instancesOf(r).map((i) => i.publicId);
        }));
      const modules = saved.replace && saved.remove
        ? { replace: saved.replace, remove: saved.remove }
        : undefined;
      return new PendingModules(core, saved, progress, modules);
    }
    if (type === SPLIT_JOB) {
      const saved = SavedSplit.parse(json);
      const studyUid = saved.studyUid ?? generateUid("study");
      const source = core.resources.lookup(saved.source);
      const patient = source && core.resources.parent(source);
      // The new study belongs to the PatientID the split gives, else to its source's.
      const replacedId = saved.replace.find((r) =>
        r.path.steps.length === 0 && r.path.tag === Tags.PatientId
      )?.value;
      const patientId = typeof replacedId === "string"
        ? replacedId
        : patient
        ? core.resources.mainTags(patient.internalId).get(Tags.PatientId) ?? ""
        : "";
      const targetStudy = orthancIds({
        patientId,
        studyInstanceUid: studyUid,
        seriesInstanceUid: "",
        sopInstanceUid: "",
      }).study;
      const progress = saved.progress ??
        initialProgress([
          ...saved.series.flatMap((id) =>
            core.resources.instancesOf(core.resource(id, "Series")).map((i) => i.publicId)
          ),
          ...saved.instances,
        ]);
      const replace = [
        { path: topLevel(Tags.StudyInstanceUid), name: "StudyInstanceUID", value: studyUid },
        ...saved.replace,
      ];
      return new StudyRewriteJob(core, {
        modification: rewrite(replace, saved.remove),
        keepSource: saved.keepSource,
        keepLabels: saved.keepLabels,
        permissive: saved.permissive,
        defaultCharset: saved.defaultCharset,
        content: () => ({ TargetStudy: targetStudy, TargetStudyUID: studyUid }),
        serialize: (p) => ({ ...saved, studyUid, progress: p }) as unknown as JsonValue,
      }, progress);
    }
    return undefined;
  };
}

/**
 * A merge reads its target's modules (a file read, asynchronous) at its first step, since a
 * factory builds jobs synchronously; then it is a StudyRewriteJob.
 */
class PendingModules implements SteppedJob {
  private job?: StudyRewriteJob;

  constructor(
    private readonly core: PharosCore,
    private readonly saved: z.infer<typeof SavedMerge>,
    private readonly progress: Progress,
    private modules?: { replace: Edit[]; remove: { path: TagPath; name: string }[] },
  ) {}

  private async ready(): Promise<StudyRewriteJob> {
    if (this.job) return this.job;
    this.modules ??= await targetModules(this.core, this.core.resource(this.saved.target, "Study"));
    const modules = this.modules;
    this.job = new StudyRewriteJob(this.core, {
      modification: rewrite(modules.replace, modules.remove),
      keepSource: this.saved.keepSource,
      keepLabels: false,
      permissive: this.saved.permissive,
      defaultCharset: this.saved.defaultCharset,
      content: () => ({ TargetStudy: this.saved.target }),
      serialize: (p) => ({ ...this.saved, ...modules, progress: p }) as unknown as JsonValue,
    }, this.progress);
    return this.job;
  }

  async step(): Promise<"continue" | "success" | "failure"> {
    return (await this.ready()).step();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  update(job: Job): void {
    if (this.job) return this.job.update(job);
    job.progress = this.progress.instances.length === 0 ? 100 : 0;
    job.content = {
      Description: "REST API",
      FailedInstancesCount: this.progress.failed,
      InstancesCount: this.progress.done - this.progress.failed,
      TargetStudy: this.saved.target,
    };
  }

  serialize(): JsonValue {
    if (this.job) return this.job.serialize();
    return { ...this.saved, progress: this.progress } as unknown as JsonValue;
  }

  reset(): void {
    this.progress.done = 0;
    this.progress.failed = 0;
    this.progress.uids = {};
    this.progress.cleaned = false;
    this.job = undefined;
  }
}
