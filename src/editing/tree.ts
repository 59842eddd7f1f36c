// The editing engine (src/editing/): DICOM files edited as Orthanc's modify and anonymize edit
// them, with no HTTP in sight (bytes and an edit specification in, bytes out), so that REST,
// jobs and Lua share it. This file holds the editable tree: a parsed dataset whose elements stay
// references to their bytes in the original file until an edit touches them, so that whatever
// is not edited is written back byte for byte by dicom/writer.ts.
import { type DicomDataset, type DicomElement, elementBytes } from "../dicom/parser.ts";
import { type Tag, tagElement, tagGroup } from "../dicom/tag.ts";
import {
  copiedElement,
  type Encoding,
  groupLengthElement,
  Output,
  writeElement,
  writeItem,
  writeSequence,
} from "../dicom/writer.ts";

/** An element as it was read: written back as a copy of its bytes. */
export interface KeptNode {
  kind: "kept";
  tag: Tag;
  dataset: DicomDataset;
  element: DicomElement;
}

/** An element given a new value (in the target encoding's byte order, unpadded). */
export interface ValueNode {
  kind: "value";
  tag: Tag;
  vr: string;
  value: Uint8Array;
}

/** A sequence opened for editing: its items are trees themselves. */
export interface SequenceNode {
  kind: "sequence";
  tag: Tag;
  items: EditableDataset[];
  undefinedLength: boolean;
  /** The sequence as read, written back as it was while none of its items changed. */
  original?: KeptNode;
}

export type EditableNode = KeptNode | ValueNode | SequenceNode;

export interface EditableDataset {
  /** In ascending tag order. */
  nodes: EditableNode[];
  undefinedLength: boolean;
  /** Groups whose content changed: their group length, if any, is computed again. */
  changedGroups: Set<number>;
}

export function editable(dataset: DicomDataset): EditableDataset {
  return {
    nodes: dataset.elements.map((element) => ({
      kind: "kept",
      tag: element.tag,
      dataset,
      element,
    })),
    undefinedLength: dataset.undefinedLength ?? false,
    changedGroups: new Set(),
  };
}

export function findNode(dataset: EditableDataset, tag: Tag): EditableNode | undefined {
  return dataset.nodes.find((n) => n.tag === tag);
}

/** Puts a node in its place by tag, replacing one of the same tag. */
export function setNode(dataset: EditableDataset, node: EditableNode): void {
  const index = dataset.nodes.findIndex((n) => n.tag >= node.tag);
  if (index < 0) dataset.nodes.push(node);
  else if (dataset.nodes[index]!.tag === node.tag) dataset.nodes[index] = node;
  else dataset.nodes.splice(index, 0, node);
  dataset.changedGroups.add(tagGroup(node.tag));
}

export function removeNode(dataset: EditableDataset, tag: Tag): boolean {
  const index = dataset.nodes.findIndex((n) => n.tag === tag);
  if (index < 0) return false;
  dataset.nodes.splice(index, 1);
  dataset.changedGroups.add(tagGroup(tag));
  return true;
}

/** The VR and value bytes of an element that is not a sequence, else undefined. */
export function nodeValue(node: EditableNode): { vr: string; bytes: Uint8Array } | undefined {
  if (node.kind === "value") return { vr: node.vr, bytes: node.value };
  if (node.kind === "sequence" || node.element.items) return undefined;
  return { vr: node.element.vr, bytes: elementBytes(node.dataset, node.element) };
}

/**
 * The sequence at `tag` opened for editing (its items become trees), or undefined when the
 * dataset holds no sequence there. Opening alone changes no byte of the output.
 */
export function openSequence(dataset: EditableDataset, tag: Tag): SequenceNode | undefined {
  const index = dataset.nodes.findIndex((n) => n.tag === tag);
  const node = dataset.nodes[index];
  if (!node) return undefined;
  if (node.kind === "sequence") return node;
  if (node.kind !== "kept" || !node.element.items) return undefined;
  const opened: SequenceNode = {
    kind: "sequence",
    tag,
    items: node.element.items.map(editable),
    undefinedLength: node.element.undefinedLength,
    original: node,
  };
  dataset.nodes[index] = opened;
  return opened;
}

/** Whether anything below this dataset differs from what was read. */
function changed(dataset: EditableDataset): boolean {
  return dataset.changedGroups.size > 0 ||
    dataset.nodes.some((n) => n.kind === "value" || (n.kind === "sequence" && sequenceChanged(n)));
}

/** A sequence written anew (no original to copy) or with an item that changed. */
function sequenceChanged(node: SequenceNode): boolean {
  return node.original === undefined || node.items.some(changed);
}

/** Encodes the tree; group lengths of changed groups are computed again. */
export function writeTree(dataset: EditableDataset, to: Encoding): Output {
  const encoded = dataset.nodes.map((node) => writeNode(node, to));
  const out = new Output();
  dataset.nodes.forEach((node, i) => {
    const group = tagGroup(node.tag);
    const regroup = tagElement(node.tag) === 0 && node.kind === "kept" &&
      (dataset.changedGroups.has(group) || groupChangedBelow(dataset, group));
    if (!regroup) {
      out.append(encoded[i]!);
      return;
    }
    let length = 0;
    for (let j = i + 1; j < dataset.nodes.length; j++) {
      if (tagGroup(dataset.nodes[j]!.tag) !== group) break;
      length += encoded[j]!.size;
    }
    out.append(groupLengthElement(group, length, to));
  });
  return out;
}

function groupChangedBelow(dataset: EditableDataset, group: number): boolean {
  return dataset.nodes.some((n) =>
    tagGroup(n.tag) === group && n.kind === "sequence" && sequenceChanged(n)
  );
}

function writeNode(node: EditableNode, to: Encoding): Output {
  if (node.kind === "kept") return writeElement(copiedElement(node.dataset, node.element), to);
  if (node.kind === "value") return writeElement(node, to);
  if (node.original && !sequenceChanged(node)) return writeNode(node.original, to);
  const items = node.items.map((item) => writeItem(writeTree(item, to), item.undefinedLength, to));
  return writeSequence(node.tag, items, node.undefinedLength, to);
}
