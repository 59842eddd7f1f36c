// The folders of Orthanc's WebDAV share that name resources after their main tags:
// by-patients/<patient>/<study>/<series>/, by-studies/<study>/<series>/ and
// by-dates/<YYYY>/<YYYY-MM>/<study>/<series>/, each series folder holding "<instance id>.dcm".
// Folder names follow Orthanc's templates; like its nodes, an unknown folder below a known one
// lists as empty (so that clients can DELETE what a recursive delete already removed).
import type { Level } from "../dicom/levels.ts";
import { makeTag, type Tag } from "../dicom/tag.ts";
import type { Resource } from "../server/model.ts";
import { ContentType, Metadata } from "../server/model.ts";
import { OrthancError } from "../server/errors.ts";
import type { RestDependencies } from "../rest/context.ts";
import type { DavFile, DavItem } from "./protocol.ts";

type Awaitable<T> = T | Promise<T>;

/** A folder of the share: its listing, its files and its deletion, by path below it. */
export interface DavNode {
  list(path: string[]): Awaitable<DavItem[] | undefined>;
  file(path: string[]): Awaitable<DavFile | undefined>;
  remove(path: string[]): Awaitable<boolean>;
}

const NAME_TAGS: Record<string, Tag> = {
  PatientID: makeTag(0x0010, 0x0020),
  PatientName: makeTag(0x0010, 0x0010),
  StudyDate: makeTag(0x0008, 0x0020),
  StudyDescription: makeTag(0x0008, 0x1030),
  Modality: makeTag(0x0008, 0x0060),
  SeriesDescription: makeTag(0x0008, 0x103e),
};

export const STUDY_DATE = NAME_TAGS.StudyDate!;

type Templates = Partial<Record<Level, string>>;

const SERIES_TEMPLATE = "{{Modality}} - {{SeriesDescription}}";
const PATIENT_TEMPLATES: Templates = {
  Patient: "{{PatientID}} - {{PatientName}}",
  Study: "{{StudyDate}} - {{StudyDescription}}",
  Series: SERIES_TEMPLATE,
};
const STUDY_TEMPLATES: Templates = {
  Study: "{{PatientID}} - {{PatientName}} - {{StudyDescription}}",
  Series: SERIES_TEMPLATE,
};

const CHILD_LEVEL: Partial<Record<Level, Level>> = {
  Patient: "Study",
  Study: "Series",
  Series: "Instance",
};

/**
 * Orthanc's folder name: the template's tags filled in (missing ones blank), then only printable
 * ASCII kept (names must work on Windows XP), "/" and "\\" dropped, outer spaces trimmed.
 */
export function folderName(template: string, tags: Map<Tag, string>): string {
  return template
    .replace(/\{\{(.*?)\}\}/g, (_, name: string) => {
      const tag = NAME_TAGS[name];
      return (tag !== undefined && tags.get(tag)) || "";
    })
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/[/\\]/g, "")
    .trim();
}

/** A time from Orthanc's "YYYYMMDDTHHMMSS" metadata (UTC); now when missing, as Orthanc does. */
export function resourceTime(deps: RestDependencies, r: Resource): Date {
  const type = r.level === "Instance" ? Metadata.ReceptionDate : Metadata.LastUpdate;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(
    deps.core.resources.metadata(r.internalId).get(type) ?? "",
  );
  if (!m) return new Date();
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, ...number[]];
  return new Date(Date.UTC(y, mo! - 1, d, h, mi, s));
}

/** Deletes a resource; false when it is already gone. */
export async function deleteResource(deps: RestDependencies, r: Resource): Promise<boolean> {
  try {
    await deps.core.delete(r.publicId, r.level);
    return true;
  } catch (error) {
    if (error instanceof OrthancError && error.kind === "UnknownResource") return false;
    throw error;
  }
}

/** Orthanc's InternalNode: a folder of subfolders, looked up by name. */
function internalNode(
  subfolders: () => Awaitable<DavItem[]>,
  child: (name: string) => Awaitable<DavNode | undefined>,
): DavNode {
  return {
    async list(path) {
      if (path.length === 0) return await subfolders();
      const node = await child(path[0]!);
      return node ? await node.list(path.slice(1)) : [];
    },
    async file(path) {
      if (path.length === 0) return undefined;
      return await (await child(path[0]!))?.file(path.slice(1));
    },
    async remove(path) {
      if (path.length > 0) {
        const node = await child(path[0]!);
        return node ? await node.remove(path.slice(1)) : true;
      }
      for (const item of await subfolders()) await (await child(item.name))?.remove([]);
      return true;
    },
  };
}

/** A series folder: one "<instance id>.dcm" per instance, in the order they arrived. */
function instancesNode(deps: RestDependencies, series: Resource): DavNode {
  const resources = deps.core.resources;
  const instanceOf = (path: string[]) => {
    if (path.length !== 1 || !path[0]!.endsWith(".dcm")) return undefined;
    const r = resources.lookup(path[0]!.slice(0, -4));
    return r?.level === "Instance" ? r : undefined;
  };
  return {
    list(path) {
      if (path.length > 0 || !resources.lookup(series.publicId)) return undefined;
      return resources.children(series.internalId).flatMap((r): DavItem[] => {
        const a = resources.attachment(r.internalId, ContentType.Dicom);
        if (!a) return [];
        return [{
          name: `${r.publicId}.dcm`,
          folder: false,
          size: a.uncompressedSize,
          mimeType: "application/dicom",
          created: resourceTime(deps, r),
        }];
      });
    },
    async file(path) {
      const r = instanceOf(path);
      if (!r) return undefined;
      return {
        bytes: await deps.core.dicomBytes(r),
        mimeType: "application/dicom",
        modified: resourceTime(deps, r),
      };
    },
    async remove(path) {
      if (path.length === 0) {
        await deleteResource(deps, series);
        return true;
      }
      const r = instanceOf(path);
      return r ? await deleteResource(deps, r) : false;
    },
  };
}

/** The main tags a level's template reads: a study's include its patient's. */
function namingTags(deps: RestDependencies, r: Resource): Map<Tag, string> {
  const resources = deps.core.resources;
  const own = resources.mainTags(r.internalId);
  if (r.level !== "Study" || r.parentId === null) return own;
  return new Map([...resources.mainTags(r.parentId), ...own]);
}

/**
 * A folder of resources named by a template. Names are given in the order of the public ids,
 * equal ones getting " (1)", " (2)"…; the listing is sorted by name. Computed once per node, so
 * that a recursive delete walks one consistent listing.
 */
function resourcesNode(
  deps: RestDependencies,
  level: Level,
  resources: () => Resource[],
  templates: Templates,
): DavNode {
  let named: Map<string, Resource> | undefined;
  const names = () => {
    if (named) return named;
    named = new Map();
    const sorted = resources().sort((a, b) => (a.publicId < b.publicId ? -1 : 1));
    for (const r of sorted) {
      const name = folderName(templates[level] ?? "", namingTags(deps, r));
      let path = name;
      for (let n = 1; named.has(path); n++) path = `${name} (${n})`;
      named.set(path, r);
    }
    return named;
  };
  return internalNode(
    () =>
      [...names()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, r]) => ({
        name,
        folder: true,
        created: resourceTime(deps, r),
      })),
    (name) => {
      const r = names().get(name);
      if (!r) return undefined;
      if (r.level === "Series") return instancesNode(deps, r);
      const child = CHILD_LEVEL[r.level]!;
      return resourcesNode(
        deps,
        child,
        () => deps.core.resources.children(r.internalId),
        templates,
      );
    },
  );
}

const allOf = (deps: RestDependencies, level: Level) => () =>
  deps.core.resources.listLevel(level).flatMap((id) => deps.core.resources.lookup(id) ?? []);

export function byPatients(deps: RestDependencies): DavNode {
  return resourcesNode(deps, "Patient", allOf(deps, "Patient"), PATIENT_TEMPLATES);
}

export function byStudies(deps: RestDependencies): DavNode {
  return resourcesNode(deps, "Study", allOf(deps, "Study"), STUDY_TEMPLATES);
}

/** Studies whose StudyDate falls in a range ("YYYYMMDD-YYYYMMDD", case-sensitive). */
function studiesDated(deps: RestDependencies, range: string): Resource[] {
  return deps.core.finder.find({
    level: "Study",
    query: new Map([[STUDY_DATE, range]]),
    caseSensitive: true,
    since: 0,
  });
}

const folders = (names: Iterable<string>): DavItem[] =>
  [...new Set(names)].sort().map((name) => ({ name, folder: true }));

/** by-dates/: one folder per year of a StudyDate, then "YYYY-MM", then the studies. */
export function byDates(deps: RestDependencies): DavNode {
  const resources = deps.core.resources;
  const dates = (studies: Resource[]) =>
    studies.flatMap((r) => {
      const date = resources.mainTags(r.internalId).get(STUDY_DATE);
      return date?.length === 8 ? [date] : [];
    });
  const months = (year: string) =>
    internalNode(
      () =>
        folders(
          dates(studiesDated(deps, `${year}0101-${year}1231`)).map((d) =>
            `${year}-${d.slice(4, 6)}`
          ),
        ),
      (name) => {
        if (name.length !== 7) throw new OrthancError("InternalError");
        const [y, m] = [name.slice(0, 4), name.slice(5, 7)];
        return resourcesNode(
          deps,
          "Study",
          () => studiesDated(deps, `${y}${m}01-${y}${m}31`),
          STUDY_TEMPLATES,
        );
      },
    );
  return internalNode(
    () => folders(dates(allOf(deps, "Study")()).map((d) => d.slice(0, 4))),
    (year) => {
      if (year.length !== 4) throw new OrthancError("ParameterOutOfRange");
      return months(year);
    },
  );
}
