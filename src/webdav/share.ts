// Orthanc's built-in WebDAV share (WebDavEnabled) as one bucket: by-dates, by-patients,
// by-studies, by-uids, and uploads (WebDavUploadAllowed). Deleting through the share deletes the
// resources when WebDavDeleteAllowed is set. Plugin collections are other buckets
// (src/plugins/webdav.ts), served by the same protocol code.
import type { RestDependencies } from "../rest/context.ts";
import type { DavBucket, DavItem } from "./protocol.ts";
import { byDates, byPatients, byStudies, type DavNode } from "./resources.ts";
import { byUids } from "./uids.ts";
import { UploadArea } from "./upload-area.ts";
import { UploadImporter } from "./uploads.ts";

const BY_DATES = "by-dates";
const BY_PATIENTS = "by-patients";
const BY_STUDIES = "by-studies";
const BY_UIDS = "by-uids";
const UPLOADS = "uploads";

interface Uploads {
  area: UploadArea;
  importer: UploadImporter;
}

function shareOf(deps: RestDependencies, uploads: Uploads | undefined): DavBucket {
  const deleteAllowed = deps.config.WebDavDeleteAllowed;
  const uids = byUids(deps);
  const tree = (root: string | undefined): DavNode | undefined =>
    root === BY_PATIENTS
      ? byPatients(deps)
      : root === BY_STUDIES
      ? byStudies(deps)
      : root === BY_DATES
      ? byDates(deps)
      : undefined;
  const inUploads = (root: string | undefined) => uploads && root === UPLOADS ? uploads : undefined;

  return {
    async isExistingFolder([root, ...rest]) {
      if (root === undefined) return true;
      if (root === BY_UIDS) return uids.isExistingFolder(rest);
      const node = tree(root);
      if (node) return (await node.list(rest)) !== undefined;
      return inUploads(root)?.area.isExistingFolder(rest) ?? false;
    },
    async listCollection([root, ...rest]) {
      if (root === undefined) {
        const names = [BY_DATES, BY_PATIENTS, BY_STUDIES, BY_UIDS, ...(uploads ? [UPLOADS] : [])];
        return names.map((name): DavItem => ({ name, folder: true }));
      }
      if (root === BY_UIDS) return uids.list(rest);
      const node = tree(root);
      if (node) return await node.list(rest);
      return inUploads(root)?.area.list(rest);
    },
    async getFileContent([root, ...rest]) {
      if (root === BY_UIDS) return await uids.file(rest);
      const node = tree(root);
      if (node) return await node.file(rest);
      return inUploads(root)?.area.file(rest);
    },
    storeFile([root, ...rest], bytes) {
      return inUploads(root)?.importer.put(rest, bytes) ?? false;
    },
    createFolder([root, ...rest]) {
      return inUploads(root)?.area.createFolder(rest) ?? false;
    },
    async deleteItem([root, ...rest]) {
      if (root === BY_UIDS) return deleteAllowed && await uids.remove(rest);
      const node = tree(root);
      if (node) return deleteAllowed && await node.remove(rest);
      return inUploads(root)?.area.remove(rest) ?? false;
    },
  };
}

/** The share, with its upload area when WebDavUploadAllowed. */
export function orthancShare(deps: RestDependencies): DavBucket {
  if (!deps.config.WebDavUploadAllowed) return shareOf(deps, undefined);
  const area = new UploadArea();
  const importer = new UploadImporter(area, (bytes) => deps.core.store(bytes, { kind: "WebDav" }));
  return shareOf(deps, { area, importer });
}
