// Tag names and VRs: the DICOM standard and well-known private dictionaries (from dcmjs),
// extended by the `Dictionary` configuration option.
import {
  formatTag,
  isPrivateGroup,
  makeTag,
  parseTagText,
  type Tag,
  tagElement,
  tagGroup,
} from "./tag.ts";

export interface DictionaryEntry {
  name: string;
  vr: string;
  /** DCMTK's name when the dictionary leaves the VR open ("ox": OB or OW, "xs": US or SS, "lt"). */
  ambiguousVr?: string;
}

interface RawEntry {
  vr: string;
  name: string;
}

interface DcmjsDictionary {
  dictionary: Record<string, RawEntry | undefined>;
  nameMap: Record<string, { tag: string } | undefined>;
}

let loaded: DcmjsDictionary | undefined;

/**
 * dcmjs is loaded on the first lookup, not at startup: it weighs ~30 MiB and ~70 ms, and a
 * server that is only started and stopped (or serves lists) never needs it.
 */
function dcmjsDictionary(): DcmjsDictionary {
  if (!loaded) {
    const dcmjs = require("dcmjs") as typeof import("dcmjs");
    loaded = dcmjs.data.DicomMetaDictionary as unknown as DcmjsDictionary;
  }
  return loaded;
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");

/** dcmjs writes ambiguous VRs in lower case ("ox", "xs", "lt"); DCMTK settles them this way. */
function settleVr(vr: string): string {
  switch (vr) {
    case "ox":
      return "OW";
    case "xs":
      return "US";
    case "lt":
      return "OW";
    default:
      return vr.toUpperCase();
  }
}

const userEntries = new Map<string, DictionaryEntry>();
const userByName = new Map<string, Tag>();

function userKey(tag: Tag, creator?: string): string {
  return creator ? `${formatTag(tag)}|${creator}` : formatTag(tag);
}

/** Registers an entry of the `Dictionary` configuration option. */
export function registerDictionaryEntry(
  tag: Tag,
  vr: string,
  name: string,
  creator?: string,
): void {
  userEntries.set(userKey(tag, creator), { name, vr });
  userByName.set(name, tag);
}

/** Whether the Dictionary option or a plugin added entries (which workers do not see). */
export function hasUserDictionaryEntries(): boolean {
  return userEntries.size > 0;
}

export function lookupTag(tag: Tag, privateCreator?: string): DictionaryEntry | undefined {
  const user = userEntries.get(userKey(tag, privateCreator)) ?? userEntries.get(userKey(tag));
  if (user) return user;
  const group = tagGroup(tag);
  const element = tagElement(tag);
  if (isPrivateGroup(tag)) {
    if (element === 0) return undefined;
    if (element >= 0x10 && element <= 0xff) return { name: "PrivateCreator", vr: "LO" };
    if (!privateCreator) return undefined;
    // dcmjs spells the element byte of private keys in lower-case hex.
    const key = `(${hex(group, 4)},"${privateCreator}",${hex(element & 0xff, 2).toLowerCase()})`;
    const entry = dcmjsDictionary().dictionary[key];
    // DCMTK's keywords have no spaces; a few of dcmjs's private names do ("End NumberForBaseline").
    return entry ? dictionaryEntry(entry.name.replace(/ /g, ""), entry.vr) : undefined;
  }
  const standard = dcmjsDictionary().dictionary;
  let entry = standard[`(${hex(group, 4)},${hex(element, 4)})`];
  if (!entry && group >= 0x5000 && group <= 0x60ff) {
    const masked = `(${hex(group >> 8, 2)}xx,${hex(element, 4)})`;
    entry = standard[masked];
  }
  if (!entry && element === 0) return { name: "GenericGroupLength", vr: "UL" };
  return entry ? dictionaryEntry(entry.name, entry.vr) : undefined;
}

function dictionaryEntry(name: string, vr: string): DictionaryEntry {
  const settled = settleVr(vr);
  return settled === vr ? { name, vr } : { name, vr: settled, ambiguousVr: vr };
}

export const UNKNOWN_TAG_NAME = "Unknown Tag & Data";

export function tagName(tag: Tag, privateCreator?: string): string {
  return lookupTag(tag, privateCreator)?.name ?? UNKNOWN_TAG_NAME;
}

/** Resolves a keyword ("PatientName") to a tag. */
export function tagFromName(name: string): Tag | undefined {
  const user = userByName.get(name);
  if (user !== undefined) return user;
  // dcmjs writes tags as "(0010,0010)"; masked ones ("(60xx,0010)") resolve to nothing.
  const text = dcmjsDictionary().nameMap[name]?.tag;
  return text?.startsWith("(") && text.endsWith(")") ? parseTagText(text.slice(1, -1)) : undefined;
}

/** One "%x" of C's sscanf: spaces, a sign, an optional 0x, hex digits; as a 32-bit unsigned. */
const SCANF_HEX = /^\s*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/;

function scanHex(text: string): { value: number; rest: string } | undefined {
  const m = SCANF_HEX.exec(text);
  if (!m) return undefined;
  // strtoul saturates on overflow; a minus sign negates modulo 2^32.
  const magnitude = BigInt(`0x${m[2]}`);
  const saturated = magnitude > 0xffffffffffffffffn ? 0xffffffffffffffffn : magnitude;
  const signed = m[1] === "-" ? -saturated : saturated;
  return { value: Number(BigInt.asUintN(32, signed)), rest: text.slice(m[0].length) };
}

/** DCMTK's "gggg,eeee" form, read with sscanf("%x,%x"): what follows the element is ignored. */
function scanTag(text: string): Tag | undefined {
  const group = scanHex(text);
  if (!group?.rest.startsWith(",")) return undefined;
  const element = scanHex(group.rest.slice(1));
  return element ? makeTag(group.value & 0xffff, element.value & 0xffff) : undefined;
}

/**
 * A tag as Orthanc parses one (FromDcmtkBridge::ParseTag): "0010-0010", "0010,0010" or
 * "00100010", then DCMTK's looser "%x,%x" form ("10,10", "0x10,0x10"), then a keyword.
 */
export function resolveTag(text: string): Tag | undefined {
  return parseTagText(text) ?? scanTag(text) ?? tagFromName(text);
}
