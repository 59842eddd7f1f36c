// One DICOM file under edit: replace, remove or insert elements at any depth (a path through
// sequence items), remove private tags, change the character set (text re-encoded), then write
// the file back with a regenerated meta header. What no edit touches is copied byte for byte.
import { deflateRawSync } from "node:zlib";
import { lookupTag } from "../dicom/dictionary.ts";
import {
  elementBytes,
  hasPreamble,
  latin1,
  type ParsedDicom,
  parseDicom,
} from "../dicom/parser.ts";
import { isPrivateGroup, type Tag, tagElement, Tags } from "../dicom/tag.ts";
import {
  PHAROS_IMPLEMENTATION_UID,
  PHAROS_IMPLEMENTATION_VERSION,
  TransferSyntax,
} from "../dicom/uids.ts";
import { type Encoding, encodingOf, Output, writeFileMeta } from "../dicom/writer.ts";
import { isTextVr } from "../dicom/vr.ts";
import { decodeText, encodeText, usesCharset } from "./text.ts";
import {
  editable,
  type EditableDataset,
  type EditableNode,
  findNode,
  nodeValue,
  openSequence,
  removeNode,
  setNode,
  writeTree,
} from "./tree.ts";
import { encodeValue } from "./values.ts";

/** One step of a path: the item `index` (or every item, "*") of the sequence `tag`. */
export interface PathStep {
  tag: Tag;
  item: number | "*";
}

/** An element reached through zero or more sequence items. */
export interface TagPath {
  steps: PathStep[];
  tag: Tag;
}

/** A value to write: text (converted by VR), or a sequence given as its items. */
export type EditValue = string | EditItem[];
export type EditItem = { tag: Tag; value: EditValue }[];

export interface EditorOptions {
  /** The set of the text of a file that names none (ISO_IR 100 if not given). */
  defaultCharset?: string;
  /** The private creator under which new private elements find their VR in the dictionary. */
  privateCreator?: string;
  /**
   * Whether text values lose their trailing spaces (then padded to an even length again) when
   * written, as DCMTK's saving does and so Orthanc's modifications: off unless asked.
   */
  trimTextPadding?: boolean;
}

export const topLevel = (tag: Tag): TagPath => ({ steps: [], tag });

export class DicomEditor {
  readonly parsed: ParsedDicom;
  private readonly root: EditableDataset;
  private readonly encoding: Encoding;
  private charset: string;

  private readonly defaultCharset: string;
  private readonly trimTextPadding: boolean;
  private readonly privateCreator: string | undefined;

  constructor(private readonly bytes: Uint8Array, options: EditorOptions = {}) {
    this.defaultCharset = options.defaultCharset ?? "ISO_IR 100";
    this.trimTextPadding = options.trimTextPadding ?? false;
    this.privateCreator = options.privateCreator;
    this.parsed = parseDicom(bytes);
    this.root = editable(this.parsed.dataset);
    this.encoding = encodingOf(this.parsed.transferSyntax);
    this.charset = this.text(Tags.SpecificCharacterSet) ?? "";
  }

  /** The text of a top-level element (padding removed), undefined when absent or binary. */
  text(tag: Tag): string | undefined {
    const node = findNode(this.root, tag);
    if (!node || node.kind === "sequence") return undefined;
    const bytes = node.kind === "kept" ? elementBytes(node.dataset, node.element) : node.value;
    if (node.kind === "kept" && node.element.items) return undefined;
    const vr = node.kind === "kept" ? node.element.vr : node.vr;
    const text = usesCharset(vr) ? decodeText(bytes, this.charset) : latin1(bytes);
    return text.replace(/[\0 ]+$/, "");
  }

  has(path: TagPath): boolean {
    return this.datasetsAt(path.steps).some((d) => findNode(d, path.tag) !== undefined);
  }

  /** Sets the element at `path` (created where missing) in every item the path leads to. */
  replace(path: TagPath, value: EditValue, onlyIfPresent = false): void {
    if (
      path.steps.length === 0 && path.tag === Tags.SpecificCharacterSet && typeof value === "string"
    ) {
      this.changeCharset(value);
    }
    for (const dataset of this.datasetsAt(path.steps)) {
      const present = findNode(dataset, path.tag);
      if (onlyIfPresent && !present) continue;
      setNode(dataset, this.node(path.tag, value, present));
    }
  }

  remove(path: TagPath): void {
    for (const dataset of this.datasetsAt(path.steps)) removeNode(dataset, path.tag);
  }

  /** Removes, at every depth, the elements `select` picks; sequences kept are searched too. */
  removeWhere(select: (tag: Tag, depth: number) => boolean, recursive = true): void {
    const visit = (dataset: EditableDataset, depth: number) => {
      for (const node of [...dataset.nodes]) {
        if (select(node.tag, depth)) {
          removeNode(dataset, node.tag);
        } else if (recursive && isSequence(node)) {
          for (const item of openSequence(dataset, node.tag)!.items) visit(item, depth + 1);
        }
      }
    };
    visit(this.root, 0);
  }

  /**
   * Calls `visit` with every element that is not a sequence, at every depth, and its text (for
   * text VRs); a string returned becomes the element's new value.
   */
  visitValues(visit: (tag: Tag, depth: number, text: string | undefined) => string | undefined) {
    const walk = (dataset: EditableDataset, depth: number) => {
      for (const node of [...dataset.nodes]) {
        if (isSequence(node)) {
          for (const item of openSequence(dataset, node.tag)!.items) walk(item, depth + 1);
          continue;
        }
        const { vr, bytes } = nodeValue(node)!;
        const text = isTextVr(vr)
          ? (usesCharset(vr) ? decodeText(bytes, this.charset) : latin1(bytes)).replace(
            /[\0 ]+$/,
            "",
          )
          : undefined;
        const value = visit(node.tag, depth, text);
        if (value === undefined) continue;
        setNode(dataset, this.node(node.tag, value, node));
      }
    };
    walk(this.root, 0);
  }

  /** Empties, at every depth, the sequences `select` picks (they stay, with no item). */
  emptySequences(select: (tag: Tag, depth: number) => boolean): void {
    const visit = (dataset: EditableDataset, depth: number) => {
      for (const node of [...dataset.nodes]) {
        if (!isSequence(node)) continue;
        if (select(node.tag, depth)) {
          setNode(dataset, { kind: "sequence", tag: node.tag, items: [], undefinedLength: false });
        } else {
          for (const item of openSequence(dataset, node.tag)!.items) visit(item, depth + 1);
        }
      }
    };
    visit(this.root, 0);
  }

  /** Removes the private elements but those `keep` names (creators included). */
  removePrivateTags(keep: (tag: Tag) => boolean, recursive: boolean): void {
    this.removeWhere((tag) => isPrivateGroup(tag) && !keep(tag), recursive);
  }

  /**
   * The file written back behind a new meta header, as DCMTK (hence Orthanc) saves a file:
   * sequences and items with explicit lengths, their content copied as it was.
   */
  write(): Uint8Array {
    this.explicitLengths(this.root);
    if (this.trimTextPadding) this.trimPadding(this.root);
    const dataset = writeTree(this.root, this.encoding);
    const meta = writeFileMeta(
      [
        { tag: 0x00020001, vr: "OB", value: Uint8Array.of(0, 1) },
        uidElement(Tags.MediaStorageSopClassUid, this.text(Tags.SopClassUid) ?? ""),
        uidElement(Tags.MediaStorageSopInstanceUid, this.text(Tags.SopInstanceUid) ?? ""),
        uidElement(Tags.TransferSyntaxUid, this.parsed.transferSyntax),
        uidElement(0x00020012, PHAROS_IMPLEMENTATION_UID),
        { tag: 0x00020013, vr: "SH", value: ascii(PHAROS_IMPLEMENTATION_VERSION) },
      ],
      hasPreamble(this.bytes) ? this.bytes.subarray(0, 128) : undefined,
    );
    // The dataset's parts go behind the meta header as they are: the file is copied once.
    if (this.parsed.transferSyntax === TransferSyntax.DeflatedExplicitVrLittleEndian) {
      meta.push(deflateRawSync(dataset.bytes()));
    } else meta.append(dataset);
    return meta.bytes();
  }

  /**
   * The file's own meta header followed by the dataset written from the tree, edited or not:
   * with no edit, the bytes read (a deflated dataset is deflated again, its inflated bytes equal).
   */
  rebuild(): { meta: Uint8Array; dataset: Uint8Array } {
    return {
      meta: this.bytes.subarray(0, this.parsed.datasetOffset),
      dataset: writeTreeBytes(this.root, this.encoding),
    };
  }

  private trimPadding(dataset: EditableDataset): void {
    for (const node of [...dataset.nodes]) {
      if (isSequence(node)) {
        for (const item of openSequence(dataset, node.tag)!.items) this.trimPadding(item);
        continue;
      }
      const { vr, bytes } = nodeValue(node)!;
      if (!isTextVr(vr) || vr === "UI") continue;
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0x20) end--;
      if (end + (end % 2) === bytes.length) continue;
      setNode(dataset, { kind: "value", tag: node.tag, vr, value: bytes.subarray(0, end) });
    }
  }

  private explicitLengths(dataset: EditableDataset): void {
    for (const node of [...dataset.nodes]) {
      if (!isSequence(node)) continue;
      const sequence = openSequence(dataset, node.tag)!;
      if (sequence.undefinedLength || sequence.items.some((i) => i.undefinedLength)) {
        sequence.undefinedLength = false;
        for (const item of sequence.items) item.undefinedLength = false;
        delete sequence.original;
      }
      for (const item of sequence.items) this.explicitLengths(item);
    }
  }

  /** The items a path's steps lead to; a missing sequence or item leads nowhere, as in Orthanc. */
  private datasetsAt(steps: readonly PathStep[]): EditableDataset[] {
    let current = [this.root];
    for (const step of steps) {
      const next: EditableDataset[] = [];
      for (const dataset of current) {
        const sequence = openSequence(dataset, step.tag);
        if (!sequence) continue;
        const items = step.item === "*" ? sequence.items : [sequence.items[step.item]];
        for (const item of items) if (item) next.push(item);
      }
      current = next;
    }
    return current;
  }

  private node(tag: Tag, value: EditValue, present: EditableNode | undefined): EditableNode {
    if (typeof value !== "string") {
      return {
        kind: "sequence",
        tag,
        undefinedLength: false,
        items: value.map((item) => {
          const dataset: EditableDataset = {
            nodes: [],
            undefinedLength: false,
            changedGroups: new Set(),
          };
          for (const e of item) setNode(dataset, this.node(e.tag, e.value, undefined));
          return dataset;
        }),
      };
    }
    const vr = this.vrOf(tag, present);
    // A file that names no character set is read in the default one: text is written in it.
    const charset = this.charset || this.defaultCharset;
    return {
      kind: "value",
      tag,
      vr,
      value: encodeValue(tag, vr, value, charset, this.encoding.littleEndian),
    };
  }

  /** The VR an element keeps: as read (explicit files), else the dictionary's. */
  /**
   * The VR an element keeps: as read (explicit files), else the dictionary's; a private
   * element's is looked up under the creator the edit names, whatever the file holds, as in
   * Orthanc (UN when none is named).
   */
  private vrOf(tag: Tag, present: EditableNode | undefined): string {
    if (isPrivateGroup(tag)) {
      if (tagElement(tag) >= 0x10 && tagElement(tag) <= 0xff) return "LO";
      return lookupTag(tag, this.privateCreator)?.vr ?? "UN";
    }
    if (present?.kind === "value") return present.vr;
    if (present?.kind === "kept" && this.parsed.dataset.explicitVr) return present.element.vr;
    return lookupTag(tag)?.vr ?? "UN";
  }

  /** A new SpecificCharacterSet: every text governed by it is decoded and encoded again. */
  private changeCharset(charset: string): void {
    const from = this.charset;
    if (from.trim() === charset.trim()) return;
    const visit = (dataset: EditableDataset) => {
      for (const node of [...dataset.nodes]) {
        if (isSequence(node)) {
          for (const item of openSequence(dataset, node.tag)!.items) visit(item);
        } else if (node.kind === "kept" && usesCharset(node.element.vr)) {
          // A file that named no set was read in the default one.
          const text = decodeText(
            elementBytes(node.dataset, node.element),
            from || this.defaultCharset,
          );
          setNode(dataset, {
            kind: "value",
            tag: node.tag,
            vr: node.element.vr,
            value: encodeText(text, charset),
          });
        }
      }
    };
    visit(this.root);
    this.charset = charset;
  }
}

function isSequence(node: EditableNode): boolean {
  return node.kind === "sequence" || (node.kind === "kept" && node.element.items !== undefined);
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function uidElement(tag: Tag, uid: string) {
  return { tag, vr: "UI", value: ascii(uid) };
}

function writeTreeBytes(root: EditableDataset, to: Encoding): Uint8Array {
  const out: Output = writeTree(root, to);
  return out.bytes();
}
