// Generates N distinct DICOM instances in memory from one explicit VR little
// endian sample, by splicing new patient and UID values into its bytes.
//
//   bun bench/dicom-corpus.ts [--count 1000] [--source FILE]
// checks the generated files with DCMTK's dcmdump.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { positiveInt } from "./lib/args.ts";
import { createPatcher } from "./lib/dicom-patch.ts";
import { elementText, parsePart10, tagOf } from "./lib/dicom-walk.ts";

export const DEFAULT_SOURCE = resolve(
  import.meta.dir,
  "../../shared/dicom-samples/Brainix/Flair/IM-0001-0001.dcm",
);

const TAGS = {
  mediaStorageSopInstanceUid: tagOf(0x0002, 0x0003),
  sopInstanceUid: tagOf(0x0008, 0x0018),
  patientId: tagOf(0x0010, 0x0020),
  studyInstanceUid: tagOf(0x0020, 0x000d),
  seriesInstanceUid: tagOf(0x0020, 0x000e),
} as const;

export interface CorpusLayout {
  patients: number;
  studiesPerPatient: number;
  seriesPerStudy: number;
}

export interface CorpusOptions extends Partial<CorpusLayout> {
  count: number;
  source?: string;
  /** Digits making this corpus's UIDs unique; random by default so reruns never collide. */
  runId?: string;
}

export interface CorpusInstance {
  bytes: Uint8Array;
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

export interface Corpus {
  source: string;
  runId: string;
  layout: CorpusLayout;
  instances: CorpusInstance[];
  totalBytes: number;
}

/** A corpus made one instance at a time, for corpora too large to hold in memory. */
export interface CorpusGenerator {
  source: string;
  runId: string;
  layout: CorpusLayout;
  count: number;
  /** The identifiers of instance `i`, without making its bytes. */
  identifiers(i: number): Omit<CorpusInstance, "bytes">;
  instance(i: number): CorpusInstance;
}

export function corpusGenerator(options: CorpusOptions): CorpusGenerator {
  const source = options.source ?? DEFAULT_SOURCE;
  const layout: CorpusLayout = {
    patients: options.patients ?? 10,
    studiesPerPatient: options.studiesPerPatient ?? 2,
    seriesPerStudy: options.seriesPerStudy ?? 2,
  };
  const runId = options.runId ?? randomRunId();
  if (!/^[1-9][0-9]{0,19}$/.test(runId)) {
    throw new Error("runId must be 1-20 digits without a leading zero");
  }
  const patch = createPatcher(new Uint8Array(readFileSync(source)), [
    TAGS.mediaStorageSopInstanceUid,
    TAGS.sopInstanceUid,
    TAGS.patientId,
    TAGS.studyInstanceUid,
    TAGS.seriesInstanceUid,
  ]);
  const seriesCount = layout.patients * layout.studiesPerPatient * layout.seriesPerStudy;
  const identifiers = (i: number) => {
    // Consecutive instances share a series, as when a modality sends one
    // series after another, and the series get near-equal shares.
    const series = Math.floor((i * seriesCount) / options.count);
    const study = Math.floor(series / layout.seriesPerStudy);
    const patient = Math.floor(study / layout.studiesPerPatient);
    return {
      patientId: `BENCH-${runId.slice(-6)}-P${String(patient).padStart(3, "0")}`,
      studyInstanceUid: uid(runId, 1, study),
      seriesInstanceUid: uid(runId, 2, series),
      sopInstanceUid: uid(runId, 3, i),
    };
  };
  return {
    source,
    runId,
    layout,
    count: options.count,
    identifiers,
    instance(i) {
      const ids = identifiers(i);
      const bytes = patch([
        ids.sopInstanceUid,
        ids.sopInstanceUid,
        ids.patientId,
        ids.studyInstanceUid,
        ids.seriesInstanceUid,
      ]);
      return { bytes, ...ids };
    },
  };
}

export function generateCorpus(options: CorpusOptions): Corpus {
  const generator = corpusGenerator(options);
  const instances: CorpusInstance[] = [];
  let totalBytes = 0;
  for (let i = 0; i < options.count; i++) {
    const instance = generator.instance(i);
    totalBytes += instance.bytes.length;
    instances.push(instance);
  }
  const { source, runId, layout } = generator;
  return { source, runId, layout, instances, totalBytes };
}

/**
 * A "2.25." UID (PS3.5 B.2: a single decimal integer below 2^128) whose digits
 * read as run id, kind (1 study, 2 series, 3 instance) and index, which keeps
 * generated files easy to tell apart in a dump.
 */
function uid(runId: string, kind: 1 | 2 | 3, index: number): string {
  return `2.25.${runId}${kind}${String(index).padStart(9, "0")}`;
}

function randomRunId(): string {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  const value = (BigInt(high!) << 32n) | BigInt(low!);
  return (10n ** 19n + (value % (9n * 10n ** 19n))).toString();
}

/** Dumps a few generated files with dcmdump and checks they parse and carry the new values. */
function checkWithDcmdump(corpus: Corpus): void {
  const dir = mkdtempSync(join(tmpdir(), "pharos-corpus-"));
  try {
    const picks = [
      ...new Set([0, Math.floor(corpus.instances.length / 2), corpus.instances.length - 1]),
    ];
    for (const index of picks) {
      const instance = corpus.instances[index]!;
      const file = join(dir, `${index}.dcm`);
      writeFileSync(file, instance.bytes);
      // A full dump walks every element, so a wrong length anywhere surfaces as an error here.
      const full = Bun.spawnSync(["dcmdump", "-M", file], { stdout: "pipe", stderr: "pipe" });
      const stderr = full.stderr.toString().trim();
      if (full.exitCode !== 0 || stderr !== "") {
        throw new Error(`dcmdump failed on instance ${index}: ${stderr}`);
      }
      const dumped = dumpedValues(full.stdout.toString());
      const expected: Record<string, string> = {
        "0002,0000": String(actualMetaLength(instance.bytes)),
        "0002,0003": instance.sopInstanceUid,
        "0008,0018": instance.sopInstanceUid,
        "0010,0020": instance.patientId,
        "0020,000d": instance.studyInstanceUid,
        "0020,000e": instance.seriesInstanceUid,
      };
      for (const [tag, value] of Object.entries(expected)) {
        if (dumped.get(tag) !== value) {
          throw new Error(
            `instance ${index}: dcmdump shows (${tag}) = ${dumped.get(tag)}, expected ${value}`,
          );
        }
      }
      console.log(
        `instance ${index}: dcmdump OK (${instance.bytes.length} bytes, SOP ${instance.sopInstanceUid})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Top-level "(gggg,eeee) VR value" lines of a dcmdump listing, brackets and padding removed. */
function dumpedValues(dump: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const match of dump.matchAll(/^\((\w{4},\w{4})\) \w\w (\[[^\]]*\]|\S+)/gm)) {
    values.set(match[1]!, match[2]!.replace(/^\[|\]$/g, "").trimEnd());
  }
  return values;
}

/** Bytes from the end of (0002,0000) to the last meta element's end, i.e. what it should say. */
function actualMetaLength(bytes: Uint8Array): number {
  const meta = parsePart10(bytes).elements.filter((e) => e.tag >>> 16 === 0x0002);
  const last = meta.at(-1)!;
  return last.valueOffset + last.valueLength - (meta[0]!.valueOffset + meta[0]!.valueLength);
}

function checkDistinct(corpus: Corpus): void {
  const sops = new Set(corpus.instances.map((i) => i.sopInstanceUid));
  const series = new Set(corpus.instances.map((i) => i.seriesInstanceUid));
  const studies = new Set(corpus.instances.map((i) => i.studyInstanceUid));
  const patients = new Set(corpus.instances.map((i) => i.patientId));
  if (sops.size !== corpus.instances.length) {
    throw new Error("duplicate SOPInstanceUIDs in the corpus");
  }
  // The splice must leave the file readable by our own walker, and values round-trip.
  const first = corpus.instances[0]!;
  const sop = parsePart10(first.bytes).elements.find((e) => e.tag === TAGS.sopInstanceUid)!;
  if (elementText(first.bytes, sop) !== first.sopInstanceUid) {
    throw new Error("SOPInstanceUID did not round-trip");
  }
  console.log(
    `${corpus.instances.length} instances, ${patients.size} patients, ${studies.size} studies, ` +
      `${series.size} series, ${(corpus.totalBytes / 1e6).toFixed(1)} MB (run ${corpus.runId})`,
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { count: { type: "string", default: "1000" }, source: { type: "string" } },
  });
  const corpus = generateCorpus({
    count: positiveInt(values.count, "count"),
    source: values.source,
  });
  checkDistinct(corpus);
  checkWithDcmdump(corpus);
}
