// POST /studies/{id}/merge and /split: Orthanc's MergeStudy and SplitStudy jobs
// (src/server/study-jobs.ts), their requests checked as Orthanc checks them, in its order.
import { type Context, Hono } from "hono";
import { charsetOfEncoding } from "../dicom/charsets.ts";
import { tagName } from "../dicom/dictionary.ts";
import { formatTag, Tags } from "../dicom/tag.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { OrthancError } from "../server/errors.ts";
import type { Resource } from "../server/model.ts";
import {
  MERGE_JOB,
  type MergeJobParams,
  PATIENT_AND_STUDY_MODULES,
  SPLIT_JOB,
  type SplitJobParams,
} from "../server/study-jobs.ts";
import { anyJson, isJsonObject, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { EDIT_JSON, flag, orthancErrors, replacements, runJob, tagList } from "./editing.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";

function stringList(body: Record<string, JsonValue>, name: string, required = false): string[] {
  const value = body[name];
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new OrthancError("BadFileFormat", `List of strings expected in field: ${name}`);
  }
  return value as string[];
}

const ancestorAt = (deps: RestDependencies, r: Resource, level: "Study"): Resource | undefined => {
  let current: Resource | undefined = r;
  while (current && current.level !== level) current = deps.core.resources.parent(current);
  return current;
};

/** A split may only change the patient and study modules, and never the StudyInstanceUID. */
function checkSplitTag(tag: number): void {
  if (tag === Tags.StudyInstanceUid || !PATIENT_AND_STUDY_MODULES.includes(tag)) {
    throw new OrthancError(
      "ParameterOutOfRange",
      "Cannot modify the following tag while splitting a study (not in the patient/study " +
        `modules): ${tagName(tag)} (${formatTag(tag)})`,
    );
  }
}

export function studyJobRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const defaultCharset = () => charsetOfEncoding(deps.core.defaultEncoding);

  const body = async (c: Context<AppEnv>) => {
    const raw = await readBody(c, EDIT_JSON, anyJson);
    if (!isJsonObject(raw)) throw new OrthancError("BadFileFormat");
    return raw;
  };

  route(app, "/studies/:id/merge", {
    POST: async (c) => {
      const raw = await body(c);
      const target = deps.core.resources.lookup(idParam(c));
      if (target?.level !== "Study") {
        throw new OrthancError(
          "UnknownResource",
          `Cannot merge into an unknown study: ${idParam(c)}`,
        );
      }
      const resources = stringList(raw, "Resources", true);
      for (const id of resources) {
        const r = deps.core.resources.lookup(id);
        if (!r) throw new OrthancError("UnknownResource", `Cannot find this resource: ${id}`);
        if (r.level === "Patient") {
          throw new OrthancError(
            "UnknownResource",
            `This resource is neither a study, nor a series, nor an instance: ${id} is a Patient`,
          );
        }
        if (r.publicId === target.publicId) {
          throw new OrthancError(
            "UnknownResource",
            `Cannot merge a study into the same study: ${id}`,
          );
        }
        if (ancestorAt(deps, r, "Study")?.publicId === target.publicId) {
          throw new OrthancError(
            "UnknownResource",
            `Cannot merge ${r.level.toLowerCase()} ${id} into its parent study ${target.publicId}`,
          );
        }
      }
      const params: MergeJobParams = {
        target: target.publicId,
        resources,
        keepSource: flag(raw, "KeepSource"),
        permissive: flag(raw, "Permissive"),
        defaultCharset: defaultCharset(),
      };
      return runJob(deps, MERGE_JOB, params as unknown as JsonValue, raw);
    },
  });

  route(app, "/studies/:id/split", {
    POST: async (c) => {
      const raw = await body(c);
      const source = deps.core.resource(idParam(c), "Study");
      const belongs = (level: "Series" | "Instance") => (id: string) => {
        const r = deps.core.resources.lookup(id);
        if (!r || r.level !== level) throw new OrthancError("UnknownResource");
        if (ancestorAt(deps, r, "Study")?.publicId !== source.publicId) {
          throw new OrthancError(
            "UnknownResource",
            `This ${level.toLowerCase()} does not belong to the study to be split: ${id}`,
          );
        }
        return id;
      };
      const series = stringList(raw, "Series").map(belongs("Series"));
      const instances = stringList(raw, "Instances").map(belongs("Instance"));
      if (series.length === 0 && instances.length === 0) {
        throw new OrthancError(
          "BadRequest",
          'Both the "Series" and the "Instances" fields are missing',
        );
      }
      // A split replaces with strings only.
      if (
        isJsonObject(raw.Replace) && Object.values(raw.Replace).some((v) => typeof v !== "string")
      ) {
        throw new OrthancError("BadFileFormat");
      }
      const replace = orthancErrors(() => replacements(raw));
      for (const r of replace) checkSplitTag(r.path.tag);
      const remove = orthancErrors(() => tagList(raw, "Remove"));
      for (const r of remove) checkSplitTag(r.path.tag);
      const params: SplitJobParams = {
        source: source.publicId,
        series,
        instances,
        replace,
        remove,
        keepSource: flag(raw, "KeepSource"),
        keepLabels: flag(raw, "KeepLabels"),
        permissive: flag(raw, "Permissive"),
        defaultCharset: defaultCharset(),
      };
      return runJob(deps, SPLIT_JOB, params as unknown as JsonValue, raw);
    },
  });
  return app;
}
