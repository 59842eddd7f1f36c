// by-uids/ of Orthanc's WebDAV share: <StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm,
// with a study.json and a series.json (the REST description of the study / series) beside the
// folders. Any UID path is a folder (listed empty when nothing matches), as in Orthanc.
import type { Level } from "../dicom/levels.ts";
import { type Tag, Tags } from "../dicom/tag.ts";
import type { Resource } from "../server/model.ts";
import { ContentType } from "../server/model.ts";
import type { RestDependencies } from "../rest/context.ts";
import { resourceJson } from "../rest/resource-json.ts";
import { styledJson } from "../rest/styled-json.ts";
import type { DavFile, DavItem } from "./protocol.ts";
import { deleteResource, resourceTime } from "./resources.ts";

const STUDY_INFO = "study.json";
const SERIES_INFO = "series.json";

const UID_TAGS: Record<Level, Tag> = {
  Patient: Tags.PatientId,
  Study: Tags.StudyInstanceUid,
  Series: Tags.SeriesInstanceUid,
  Instance: Tags.SopInstanceUid,
};
const UID_LEVELS: Level[] = ["Study", "Series", "Instance"];

export interface UidsFolder {
  isExistingFolder(path: string[]): boolean;
  list(path: string[]): DavItem[] | undefined;
  file(path: string[]): Promise<DavFile | undefined>;
  /** Deletes what a path names (study, series or instance); false for other paths. */
  remove(path: string[]): Promise<boolean>;
}

export function byUids(deps: RestDependencies): UidsFolder {
  const resources = deps.core.resources;

  /**
   * The resources of a level under the given UIDs (study, then series…), in the order Orthanc
   * 1.10.1's lookups give them: studies and series by public id, instances by arrival.
   */
  const lookup = (level: Level, uids: string[]): Resource[] => {
    const query = new Map(uids.map((uid, i) => [UID_TAGS[UID_LEVELS[i]!], uid]));
    const found = deps.core.finder.find({ level, query, caseSensitive: true, since: 0 });
    return level === "Instance"
      ? found.sort((a, b) => a.internalId - b.internalId)
      : found.sort((a, b) => (a.publicId < b.publicId ? -1 : 1));
  };
  const levelOf = (uids: string[]) => UID_LEVELS[uids.length - 1]!;

  /** A study.json / series.json: Orthanc's styled JSON with DOS newlines; none if not unique. */
  const info = (uids: string[]): DavFile | undefined => {
    const found = lookup(levelOf(uids), uids);
    if (found.length !== 1) return undefined;
    const text = styledJson(resourceJson(deps, found[0]!)).replaceAll("\n", "\r\n");
    return { bytes: new TextEncoder().encode(text), mimeType: "application/json" };
  };

  /** The virtual JSON file of a folder, listed when it exists (with times of now). */
  const infoItem = (uids: string[], name: string): DavItem[] => {
    const file = info(uids);
    return file
      ? [{ name, folder: false, size: file.bytes.byteLength, mimeType: file.mimeType }]
      : [];
  };

  const item = (r: Resource, level: Level): DavItem[] => {
    const uid = resources.mainTags(r.internalId).get(UID_TAGS[level]);
    if (!uid) return [];
    if (level !== "Instance") return [{ name: uid, folder: true, created: resourceTime(deps, r) }];
    const a = resources.attachment(r.internalId, ContentType.Dicom);
    if (!a) return [];
    return [{
      name: `${uid}.dcm`,
      folder: false,
      size: a.uncompressedSize,
      mimeType: "application/dicom",
      created: resourceTime(deps, r),
    }];
  };

  return {
    isExistingFolder(path) {
      return path.length <= 2 && !(path.length === 2 && path[1] === STUDY_INFO);
    },
    list(path) {
      if (path.length > 2) return undefined;
      const level = UID_LEVELS[path.length]!;
      const virtual = path.length === 1
        ? infoItem(path, STUDY_INFO)
        : path.length === 2
        ? infoItem(path, SERIES_INFO)
        : [];
      return [...virtual, ...lookup(level, path).flatMap((r) => item(r, level))];
    },
    async file(path) {
      if (path.length === 2 && path[1] === STUDY_INFO) return info(path.slice(0, 1));
      if (path.length !== 3) return undefined;
      if (path[2] === SERIES_INFO) return info(path.slice(0, 2));
      if (!path[2]!.endsWith(".dcm")) return undefined;
      const found = lookup("Instance", [path[0]!, path[1]!, path[2]!.slice(0, -4)]);
      if (found.length !== 1) return undefined;
      return {
        bytes: await deps.core.dicomBytes(found[0]!),
        mimeType: "application/dicom",
        modified: resourceTime(deps, found[0]!),
      };
    },
    async remove(path) {
      if (path.length < 1 || path.length > 3) return false;
      // Deleting the virtual files succeeds, so that a recursive DELETE is not blocked.
      if (path[1] === STUDY_INFO || path[2] === SERIES_INFO) return true;
      let uids = path;
      if (path.length === 3) {
        if (!path[2]!.endsWith(".dcm")) return false;
        uids = [path[0]!, path[1]!, path[2]!.slice(0, -4)];
      }
      for (const r of lookup(levelOf(uids), uids)) await deleteResource(deps, r);
      return true;
    },
  };
}
