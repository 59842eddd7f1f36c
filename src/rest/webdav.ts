// Orthanc's built-in WebDAV share at /webdav/ (WebDavEnabled): by-dates, by-patients, by-studies,
// by-uids, and uploads (WebDavUploadAllowed). Deleting through the share deletes the resources
// when WebDavDeleteAllowed is set. Plugin collections are routed elsewhere (src/plugins/http.ts),
// through the same protocol code.
import type { Context, Hono, Next } from "hono";
import type { AppEnv, RestDependencies } from "./context.ts";
import { answerDav, type DavBucket, type DavItem } from "./webdav-protocol.ts";
import { byDates, byPatients, byStudies, type DavNode } from "./webdav-resources.ts";
import { byUids } from "./webdav-uids.ts";
import { UploadArea } from "./webdav-upload-area.ts";
import { UploadImporter } from "./webdav-uploads.ts";

const ROOT = "/webdav";
const BY_DATES = "by-dates";
const BY_PATIENTS = "by-patients";
const BY_STUDIES = "by-studies";
const BY_UIDS = "by-uids";
const UPLOADS = "uploads";

interface Uploads {
  area: UploadArea;
  importer: UploadImporter;
}

function orthancShare(deps: RestDependencies, uploads: Uploads | undefined): DavBucket {
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

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function registerWebDavRoutes(app: Hono<AppEnv>, deps: RestDependencies): void {
  if (!deps.config.WebDavEnabled) return;
  let uploads: Uploads | undefined;
  if (deps.config.WebDavUploadAllowed) {
    const area = new UploadArea();
    const importer = new UploadImporter(
      area,
      (bytes) => deps.core.store(bytes, { kind: "WebDav" }),
    );
    uploads = { area, importer };
  }
  const share = orthancShare(deps, uploads);
  const handler = async (c: Context<AppEnv>, next: Next) => {
    const uri = decodedPath(c.req.path);
    const path = uri.split("/").filter((s) => s !== "").slice(1);
    const describe = deps.config.HttpDescribeErrors;
    const response = await answerDav(share, c.req.raw, uri, ROOT, path, describe);
    if (response) return response;
    await next();
    return c.res;
  };
  app.all(ROOT, handler);
  app.all(`${ROOT}/*`, handler);
}
