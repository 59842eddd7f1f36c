// Archives and DICOMDIR media of stored resources (Orthanc's /archive, /media and
// /tools/create-archive|media): the tree of what was asked for, the entries read from storage
// (transcoded on request) as the ZIP writer reaches them, and the asynchronous "Archive" and
// "Media" jobs, whose output is a temporary file kept until MediaArchiveSize newer ones exist.
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DicomDirBuilder } from "../archive/dicomdir.ts";
import {
  type ArchiveInstance,
  archiveLayout,
  type ArchivePatient,
  type ArchiveSeries,
  type ArchiveStudy,
  mediaLayout,
} from "../archive/layout.ts";
import { writeZipStream, type ZipSource, type ZipWriting } from "../archive/zip-stream.ts";
import type { Transcoders } from "../imaging/transcoders.ts";
import { log } from "../log.ts";
import type { PharosCore } from "./core.ts";
import { OrthancError } from "./errors.ts";
import type { Job, JobOutput, JobStopReason, SteppedJob } from "./jobs.ts";
import { ContentType, type Resource } from "./model.ts";

export interface ArchiveRequest {
  /** Orthanc identifiers of patients, studies, series or instances. */
  resources: string[];
  media: boolean;
  /** Media only: the extended DICOMDIR. */
  extended: boolean;
  /** A transfer syntax UID the files are transcoded to, where they can be. */
  transcode?: string;
}

/** What an archive is built from, found once its request is accepted. */
export interface ArchivePlan {
  request: ArchiveRequest;
  patients: ArchivePatient[];
  instanceCount: number;
  /** The size of the DICOM files, summed only when asked (for a job's content). */
  uncompressedSize(): number;
}

/**
 * The tree of the resources asked for: each one with its ancestors and all its descendants.
 * An unknown identifier is Orthanc's UnknownResource.
 */
export function planArchive(core: PharosCore, request: ArchiveRequest): ArchivePlan {
  const { resources } = core;
  type Node = { resource: Resource; children: Map<string, Node> };
  const roots = new Map<string, Node>();
  const nodeOf = (chain: Resource[]): Node => {
    let siblings = roots;
    let node: Node | undefined;
    for (const r of chain) {
      node = siblings.get(r.publicId);
      if (!node) siblings.set(r.publicId, node = { resource: r, children: new Map() });
      siblings = node.children;
    }
    return node!;
  };
  const fill = (node: Node) => {
    if (node.resource.level === "Instance") return;
    for (const child of resources.children(node.resource.internalId)) {
      if (!node.children.has(child.publicId)) {
        node.children.set(child.publicId, { resource: child, children: new Map() });
      }
      fill(node.children.get(child.publicId)!);
    }
  };
  for (const id of request.resources) {
    const r = resources.lookup(id);
    if (!r) throw new OrthancError("UnknownResource");
    const chain = [r];
    for (let p = resources.parent(r); p; p = resources.parent(p)) chain.unshift(p);
    fill(nodeOf(chain));
  }
  let instanceCount = 0;
  const instances: number[] = [];
  const tags = (n: Node) => resources.mainTags(n.resource.internalId);
  const instance = (n: Node): ArchiveInstance => {
    instanceCount++;
    instances.push(n.resource.internalId);
    return { id: n.resource.publicId };
  };
  const series = (n: Node): ArchiveSeries => ({
    id: n.resource.publicId,
    tags: tags(n),
    children: [...n.children.values()].map(instance),
  });
  const study = (n: Node): ArchiveStudy => ({
    id: n.resource.publicId,
    tags: tags(n),
    children: [...n.children.values()].map(series),
  });
  const patients = [...roots.values()].map((n) => ({
    id: n.resource.publicId,
    tags: tags(n),
    children: [...n.children.values()].map(study),
  }));
  const uncompressedSize = () =>
    instances.reduce(
      (sum, id) => sum + (resources.attachment(id, ContentType.Dicom)?.uncompressedSize ?? 0),
      0,
    );
  return { request, patients, instanceCount, uncompressedSize };
}

export interface ArchiveReaders {
  core: PharosCore;
  transcoders: Transcoders;
}

/** Starts writing the ZIP of a plan; its entries are read only as the writer reaches them. */
export function writeArchive(
  { core, transcoders }: ArchiveReaders,
  plan: ArchivePlan,
  onEntry?: (index: number) => void,
): ZipWriting {
  const { media, extended, transcode } = plan.request;
  const placed = media ? mediaLayout(plan.patients) : archiveLayout(plan.patients);
  const dicomdir = media ? new DicomDirBuilder(extended) : undefined;
  const read = async (id: string): Promise<Uint8Array> => {
    const file = await core.dicomBytes(core.resource(id, "Instance"));
    if (!transcode) return file;
    // A file that cannot be transcoded goes in as it is stored, as in Orthanc.
    return await transcoders.transcode(file, [transcode]).catch(() => undefined) ?? file;
  };
  const entries: ZipSource[] = placed.map(({ id, path }) => ({
    name: path,
    open: async () => {
      let file: Uint8Array;
      try {
        file = await read(id);
      } catch (error) {
        // As Orthanc does, an instance whose file cannot be read is left out, and its name
        // with it: the archive goes on with the next one.
        log.warning(`Archive: instance ${id} left out: ${(error as Error).message}`);
        return undefined;
      }
      dicomdir?.add(path, file);
      return file;
    },
  }));
  if (dicomdir) entries.push({ name: "DICOMDIR", open: () => Promise.resolve(dicomdir.bytes()) });
  return writeZipStream(entries, { onEntry });
}

/**
 * The temporary folders of archive jobs, and the downloadable outputs of the finished ones: the
 * oldest output goes past MediaArchiveSize, and all go when the server stops.
 */
export class ArchiveOutputs {
  private readonly files: { path: string; expire: () => void }[] = [];
  private readonly folders = new Set<string>();

  constructor(private readonly keep: number) {}

  /** A new folder for a job's file, removed by `remove` or at the latest by `clear`. */
  async folder(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "pharos-archive-"));
    this.folders.add(dir);
    return dir;
  }

  async remove(path: string): Promise<void> {
    this.folders.delete(dirname(path));
    await rm(dirname(path), { recursive: true, force: true });
  }

  /** A finished job's file; `expire` is called when MediaArchiveSize newer ones push it out. */
  add(path: string, expire: () => void): void {
    this.files.push({ path, expire });
    while (this.files.length > this.keep) {
      const old = this.files.shift()!;
      old.expire();
      this.remove(old.path).catch(() => {});
    }
  }

  /** At the server's stop. */
  async clear(): Promise<void> {
    this.files.length = 0;
    const folders = [...this.folders];
    this.folders.clear();
    await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/**
 * The "Archive" and "Media" jobs: the ZIP is written to a temporary file in the background; a
 * step waits for the next entry, so that the registry sees the progress and can cancel.
 */
export class ArchiveJob implements SteppedJob {
  private writing?: ZipWriting;
  private finished?: Promise<void>;
  private entriesDone = 0;
  private size = 0;
  private path?: string;
  private wake?: () => void;
  private failure?: Error;
  private id?: string;
  private readonly uncompressedSize: number;
  readonly outputs = new Map<string, JobOutput>();

  constructor(
    private readonly readers: ArchiveReaders,
    private readonly plan: ArchivePlan,
    private readonly archives: ArchiveOutputs,
  ) {
    this.uncompressedSize = plan.uncompressedSize();
  }

  async step(): Promise<"continue" | "success" | "failure"> {
    if (!this.finished) this.finished = this.begin();
    const next = new Promise<void>((resolve) => this.wake = resolve);
    const done = await Promise.race([this.finished.then(() => true), next.then(() => false)]);
    if (this.failure) throw this.failure;
    return done ? "success" : "continue";
  }

  private async begin(): Promise<void> {
    this.path = join(await this.archives.folder(), "archive.zip");
    this.writing = writeArchive(this.readers, this.plan, () => {
      this.entriesDone++;
      this.wake?.();
    });
    const file = createWriteStream(this.path);
    const { output } = this.writing;
    output.on("data", (chunk: Buffer) => this.size += chunk.length);
    await new Promise<void>((resolve) => {
      output.once("error", (error) => {
        this.failure = error;
        file.destroy();
        resolve();
      });
      file.once("error", (error) => {
        this.failure = error;
        this.writing?.abort(error);
        resolve();
      });
      file.once("finish", () => resolve());
      output.pipe(file);
    });
  }

  async stop(reason: JobStopReason): Promise<void> {
    if (reason === "Success" && this.path && this.id) {
      const path = this.path;
      // GET /jobs/{id}/archive, until MediaArchiveSize newer archives let it go.
      this.archives.add(path, () => this.outputs.delete("archive"));
      this.outputs.set("archive", {
        contentType: "application/zip",
        filename: "archive.zip",
        body: () => Bun.file(path),
        dispose: () => this.archives.remove(path).catch(() => {}),
      });
      return;
    }
    this.writing?.abort(new Error(`The job was ${reason.toLowerCase()}`));
    await this.finished?.catch(() => {});
    if (this.path) await this.archives.remove(this.path);
    this.finished = undefined;
    this.path = undefined;
    this.failure = undefined;
    this.entriesDone = 0;
    this.size = 0;
    if (reason === "Failure") log.warning(`Archive job ${this.id} failed`);
  }

  update(job: Job): void {
    this.id = job.id;
    const total = this.plan.instanceCount + (this.plan.request.media ? 1 : 0);
    job.progress = total === 0 ? 0 : Math.floor((this.entriesDone * 100) / total);
    job.content = {
      ArchiveSize: String(this.size),
      ArchiveSizeMB: Math.floor(this.size / (1024 * 1024)),
      Description: "REST API",
      InstancesCount: this.plan.instanceCount,
      UncompressedSize: String(this.uncompressedSize),
      UncompressedSizeMB: Math.floor(this.uncompressedSize / (1024 * 1024)),
    };
  }

  serialize(): undefined {
    // Orthanc does not save archive jobs either: their output is a temporary file.
    return undefined;
  }

  reset(): void {
    this.entriesDone = 0;
  }
}
