// Orthanc's built-in WebDAV server, read-only and partial: /webdav/ lists "by-studies", where each
// study is a folder ("PatientID - PatientName - StudyDescription") of series folders ("Modality -
// SeriesDescription") holding the instances as "SOPInstanceUID.dcm". Served with the WebDAV code
// of the plugins' collections (src/plugins/webdav.ts) when WebDavEnabled is true.
import type { Hono } from "hono";
import { makeTag } from "../dicom/tag.ts";
import type { Resource } from "../index/database.ts";
import { ContentType, Metadata } from "../index/schema.ts";
import type { WebDavCollection, WebDavItem } from "../plugins/pharos-plugin.d.ts";
import { serveWebDav } from "../plugins/webdav.ts";
import type { AppEnv, RestDependencies } from "./context.ts";

export const BY_STUDIES = "by-studies";

const TAGS = {
  PatientID: makeTag(0x0010, 0x0020),
  PatientName: makeTag(0x0010, 0x0010),
  StudyDescription: makeTag(0x0008, 0x1030),
  Modality: makeTag(0x0008, 0x0060),
  SeriesDescription: makeTag(0x0008, 0x103e),
  SOPInstanceUID: makeTag(0x0008, 0x0018),
};

interface Entry {
  item: WebDavItem;
  resource: Resource;
}

/** Folder and file names may not hold "/"; equal names get the Orthanc id appended. */
function named(entries: { name: string; resource: Resource; item: Omit<WebDavItem, "name"> }[]) {
  const seen = new Map<string, number>();
  for (const e of entries) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
  return entries.map((e): Entry => {
    const name = seen.get(e.name)! > 1 ? `${e.name} [${e.resource.publicId}]` : e.name;
    return { item: { ...e.item, name }, resource: e.resource };
  });
}

const clean = (text: string) => text.replace(/[/\\]/g, "_").replace(/\0/g, "").trim() || "_";

export function builtinWebDav(deps: RestDependencies): WebDavCollection {
  const index = deps.core.index;
  const tags = (r: Resource | undefined) => (r ? index.mainTags(r.internalId) : new Map());
  const date = (r: Resource, type: number) => index.metadata(r.internalId).get(type);

  const studies = (): Entry[] =>
    named(
      index.listLevel("Study").flatMap((id) => {
        const study = index.lookup(id);
        if (!study) return [];
        const patient = study.parentId === null ? undefined : index.byInternalId(study.parentId);
        const p = tags(patient);
        const s = tags(study);
        const name = clean(
          `${p.get(TAGS.PatientID) ?? ""} - ${p.get(TAGS.PatientName) ?? ""} - ${
            s.get(TAGS.StudyDescription) ?? ""
          }`,
        );
        return [{
          name,
          resource: study,
          item: { folder: true, dateTime: date(study, Metadata.LastUpdate) },
        }];
      }),
    );

  const series = (study: Resource): Entry[] =>
    named(
      index.children(study.internalId).map((r) => {
        const t = tags(r);
        const name = clean(
          `${t.get(TAGS.Modality) ?? ""} - ${t.get(TAGS.SeriesDescription) ?? ""}`,
        );
        return {
          name,
          resource: r,
          item: { folder: true, dateTime: date(r, Metadata.LastUpdate) },
        };
      }),
    );

  const instances = (series: Resource): Entry[] =>
    named(
      index.children(series.internalId).map((r) => {
        const a = index.attachment(r.internalId, ContentType.Dicom);
        return {
          name: `${clean(tags(r).get(TAGS.SOPInstanceUID) ?? r.publicId)}.dcm`,
          resource: r,
          item: {
            size: a?.uncompressedSize ?? 0,
            mimeType: "application/dicom",
            dateTime: date(r, Metadata.ReceptionDate),
          },
        };
      }),
    );

  /** The entries of a folder below /webdav/, or undefined when there is no such folder. */
  const entries = (path: string[]): WebDavItem[] | Entry[] | undefined => {
    if (path.length === 0) return [{ name: BY_STUDIES, folder: true }];
    if (path[0] !== BY_STUDIES || path.length > 3) return undefined;
    let level = studies();
    for (let depth = 1; depth < path.length; depth++) {
      const found = level.find((e) => e.item.name === path[depth] && e.item.folder);
      if (!found) return undefined;
      level = depth === 1 ? series(found.resource) : instances(found.resource);
    }
    return level;
  };

  return {
    listFolder(path) {
      return entries(path)?.map((e) => ("item" in e ? e.item : e));
    },
    async retrieveFile(path) {
      if (path.length !== 4) return undefined;
      const found = (entries(path.slice(0, -1)) as Entry[] | undefined)?.find((e) =>
        e.item.name === path[3]
      );
      if (!found) return undefined;
      return {
        data: await deps.core.dicomBytes(found.resource),
        mimeType: "application/dicom",
        dateTime: found.item.dateTime,
      };
    },
  };
}

export function registerWebDavRoutes(app: Hono<AppEnv>, deps: RestDependencies): void {
  if (!deps.config.WebDavEnabled) return;
  const collection = builtinWebDav(deps);
  const handler = (c: { req: { raw: Request; path: string } }) => {
    let items: string[];
    try {
      items = decodeURIComponent(c.req.path).split("/").filter((s) => s !== "");
    } catch {
      items = c.req.path.split("/").filter((s) => s !== "");
    }
    return serveWebDav(collection, c.req.raw, ["webdav"], items.slice(1));
  };
  app.all("/webdav", handler);
  app.all("/webdav/*", handler);
}
