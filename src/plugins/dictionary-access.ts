// host.dictionary and host.dicom's DICOM JSON: the dictionary lookups and registrations of the
// plugin SDK (OrthancPluginLookupDictionary, Register[Private]DictionaryTag) over the server's
// dictionary (src/dicom/dictionary.ts), and a file's dataset in DICOM JSON. Both run where the
// plugin runs: in its worker, a registration is also sent to the server (`forward`).
import { dicomJson, DicomJsonError } from "../dicom/dicom-json.ts";
import type { Encoding } from "../dicom/charsets.ts";
import { lookupTag, registerDictionaryEntry, resolveTag } from "../dicom/dictionary.ts";
import { parseDicom } from "../dicom/parser.ts";
import { decodingOf } from "../dicom/summary.ts";
import { formatTag, makeTag, type Tag } from "../dicom/tag.ts";
import { isKnownVr } from "../dicom/vr.ts";
import { OrthancError } from "../server/errors.ts";
import type { DictionaryTag, NewDictionaryTag, PharosHost } from "./pharos-plugin.d.ts";

function tagOf(tag: string | number): Tag | undefined {
  if (typeof tag === "number") {
    return Number.isInteger(tag) && tag >= 0 && tag <= 0xffffffff
      ? makeTag(tag >>> 16, tag & 0xffff)
      : undefined;
  }
  return typeof tag === "string" ? resolveTag(tag) : undefined;
}

/** A registration checked and made in this thread's dictionary. */
export function registerTag(entry: NewDictionaryTag): void {
  const tag = entry && typeof entry === "object" ? tagOf(entry.tag) : undefined;
  if (tag === undefined) throw new OrthancError("ParameterOutOfRange", "Bad dictionary tag");
  if (typeof entry.vr !== "string" || !isKnownVr(entry.vr)) {
    throw new OrthancError("ParameterOutOfRange", `Unknown VR: ${String(entry.vr)}`);
  }
  if (typeof entry.name !== "string" || !/^[A-Za-z0-9_-]+$/.test(entry.name)) {
    throw new OrthancError("ParameterOutOfRange", `Bad tag name: ${String(entry.name)}`);
  }
  const creator = entry.privateCreator;
  if (creator !== undefined && (typeof creator !== "string" || creator === "")) {
    throw new OrthancError("ParameterOutOfRange", "A private creator must be a non-empty string");
  }
  registerDictionaryEntry(tag, entry.vr, entry.name, creator);
}

export function dictionaryAccess(
  forward: (entry: NewDictionaryTag) => void = () => {},
): PharosHost["dictionary"] {
  return {
    lookup(tag, privateCreator): DictionaryTag | undefined {
      const resolved = tagOf(tag);
      if (resolved === undefined) return undefined;
      const entry = lookupTag(resolved, privateCreator);
      return entry ? { tag: formatTag(resolved), name: entry.name, vr: entry.vr } : undefined;
    },
    register(entry) {
      registerTag(entry);
      forward({ ...entry });
    },
  };
}

/** A DICOM file's dataset in DICOM JSON, as the /file route writes it. */
export function toDicomJson(bytes: Uint8Array, encoding: Encoding): Record<string, unknown> {
  const parsed = parseDicom(bytes);
  try {
    return dicomJson(parsed.dataset, decodingOf(parsed, encoding));
  } catch (error) {
    if (error instanceof DicomJsonError) {
      throw new OrthancError(
        "BadFileFormat",
        `Cannot write this file in DICOM JSON: ${error.message}`,
      );
    }
    throw error;
  }
}
