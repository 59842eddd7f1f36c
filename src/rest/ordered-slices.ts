// /series/{id}/ordered-slices, as Orthanc's SliceOrdering: the instances along the normal of
// their ImageOrientationPatient when every one has a position and a parallel orientation (a
// "Volume"), else by InstanceNumber (a "Sequence"); a single instance needs no ordering.
import type { ParsedDicom } from "../dicom/parser.ts";
import { findElement, latin1 } from "../dicom/parser.ts";
import { makeTag } from "../dicom/tag.ts";
import { frameCount } from "../imaging/image.ts";
import type { Resource } from "../server/model.ts";
import { OrthancError } from "../server/errors.ts";
import type { RestDependencies } from "./context.ts";
import { type InstanceData, readInstance } from "./instance-data.ts";

const T = {
  InstanceNumber: makeTag(0x0020, 0x0013),
  ImagePosition: makeTag(0x0020, 0x0032),
  ImageOrientation: makeTag(0x0020, 0x0037),
};

function numbers(parsed: ParsedDicom, tag: number): number[] | undefined {
  const e = findElement(parsed.dataset, tag);
  if (!e) return undefined;
  const bytes = parsed.dataset.source.bytes.subarray(e.offset, e.offset + e.length);
  const values = latin1(bytes).split("\\").map((v) => Number.parseFloat(v));
  return values.every(Number.isFinite) ? values : undefined;
}

export interface OrderedInstance {
  id: string;
  data: InstanceData;
  frames: number;
}

interface Slice extends OrderedInstance {
  position?: number[];
  normal?: number[];
  index?: number;
}

function normalOf(orientation: number[] | undefined): number[] | undefined {
  if (orientation?.length !== 6) return undefined;
  const [a, b, c, d, e, f] = orientation as [number, number, number, number, number, number];
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

const parallel = (u: number[], v: number[]) => {
  const dot = u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!;
  return Math.abs(Math.abs(dot) - 1) < 1e-5;
};

function byPositions(slices: Slice[]): Slice[] | undefined {
  const normal = slices.find((s) => s.normal)?.normal;
  if (!normal) return undefined;
  if (slices.some((s) => !s.position || (s.normal && !parallel(s.normal, normal)))) {
    return undefined;
  }
  const along = (s: Slice) =>
    s.position![0]! * normal[0]! + s.position![1]! * normal[1]! + s.position![2]! * normal[2]!;
  const sorted = [...slices].sort((a, b) => along(a) - along(b));
  for (let i = 1; i < sorted.length; i++) {
    if (Math.abs(along(sorted[i]!) - along(sorted[i - 1]!)) < 1e-6) return undefined;
  }
  return sorted;
}

function byIndex(slices: Slice[]): Slice[] | undefined {
  if (slices.some((s) => s.index === undefined)) return undefined;
  const sorted = [...slices].sort((a, b) => a.index! - b.index!);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.index === sorted[i - 1]!.index) return undefined;
  }
  return sorted;
}

export async function orderedSlices(
  deps: RestDependencies,
  series: Resource,
): Promise<{ instances: OrderedInstance[]; volume: boolean }> {
  const slices: Slice[] = [];
  for (const instance of deps.core.resources.children(series.internalId)) {
    const data = await readInstance(deps, instance);
    slices.push({
      id: instance.publicId,
      data,
      frames: frameCount(data.parsed),
      position: numbers(data.parsed, T.ImagePosition),
      normal: normalOf(numbers(data.parsed, T.ImageOrientation)),
      index: numbers(data.parsed, T.InstanceNumber)?.[0],
    });
  }
  if (slices.length <= 1) return { instances: slices, volume: false };
  const volume = byPositions(slices);
  if (volume) return { instances: volume, volume: true };
  const sequence = byIndex(slices);
  if (sequence) return { instances: sequence, volume: false };
  throw new OrthancError("BadRequest", "Unable to order the slices of the series");
}

/** Orthanc's answer: the files, every frame, each instance's frames, and the kind of series. */
export function orderedSlicesJson(ordered: { instances: OrderedInstance[]; volume: boolean }) {
  const { instances, volume } = ordered;
  return {
    Dicom: instances.map((i) => `/instances/${i.id}/file`),
    Slices: instances.flatMap((i) =>
      Array.from({ length: i.frames }, (_, n) => `/instances/${i.id}/frames/${n}`)
    ),
    SlicesShort: instances.map((i) => [i.id, 0, i.frames]),
    Type: volume ? "Volume" : "Sequence",
  };
}
