// Deleting a resource: its subtree, then every ancestor left without children.
import { type Level, LEVEL_PATH } from "../dicom/levels.ts";
import type { IndexBackend } from "../index/interface.ts";
import { ChangeType, type Resource, type StoredFile } from "./model.ts";
import type { ChangeEvent } from "./events.ts";
import { isoNow } from "./time.ts";

export interface RemainingAncestor {
  ID: string;
  Path: string;
  Type: Level;
}

export interface DeletionOutcome {
  remainingAncestor: RemainingAncestor | null;
  files: StoredFile[];
  changes: ChangeEvent[];
}

/** Runs inside a transaction; the index drops the changes of the deleted resources. */
export function deleteSubtree(index: IndexBackend, resource: Resource): DeletionOutcome {
  const now = isoNow();
  const files = index.subtreeFiles(resource.internalId);
  const changes: ChangeEvent[] = [];
  const deleted = (r: Resource) =>
    changes.push({
      changeType: ChangeType.Deleted,
      level: r.level,
      publicId: r.publicId,
      date: now,
    });
  deleted(resource);
  index.deleteResource(resource.internalId);
  let parentId = resource.parentId;
  let remainingAncestor: RemainingAncestor | null = null;
  while (parentId !== null) {
    const parent = index.byInternalId(parentId);
    if (!parent) break;
    if (index.countChildren(parent.internalId) > 0) {
      remainingAncestor = {
        ID: parent.publicId,
        Path: `/${LEVEL_PATH[parent.level]}/${parent.publicId}`,
        Type: parent.level,
      };
      break;
    }
    files.push(...index.subtreeFiles(parent.internalId));
    deleted(parent);
    index.deleteResource(parent.internalId);
    parentId = parent.parentId;
  }
  // The Deleted changes go to the listeners only: Orthanc's feed has no row for a resource that
  // is gone.
  return { remainingAncestor, files, changes };
}
