// Reads the NumPy arrays of /instances/{id}/frames/{n}/numpy: the viewer windows the stored
// values itself, so that dragging the window does not ask the server again.

export interface Pixels {
  rows: number;
  columns: number;
  values: ArrayLike<number>;
  min: number;
  max: number;
}

const TYPES: Record<
  string,
  (buffer: ArrayBuffer, offset: number, length: number) => ArrayLike<number>
> = {
  "|u1": (b, o, n) => new Uint8Array(b, o, n),
  "|i1": (b, o, n) => new Int8Array(b, o, n),
  "<u2": (b, o, n) => new Uint16Array(b.slice(o, o + n * 2)),
  "<i2": (b, o, n) => new Int16Array(b.slice(o, o + n * 2)),
  "<u4": (b, o, n) => new Uint32Array(b.slice(o, o + n * 4)),
  "<i4": (b, o, n) => new Int32Array(b.slice(o, o + n * 4)),
  "<f4": (b, o, n) => new Float32Array(b.slice(o, o + n * 4)),
  "<f8": (b, o, n) => new Float64Array(b.slice(o, o + n * 8)),
};

export function readNpy(buffer: ArrayBuffer): Pixels {
  const view = new DataView(buffer);
  const major = view.getUint8(6);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(new Uint8Array(buffer, start, headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? "";
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "").split(",").map((s) => s.trim())
    .filter(Boolean).map(Number);
  const read = TYPES[descr];
  if (!read) throw new Error(`This image's pixels (${descr}) cannot be shown`);
  // One frame: (rows, columns) or (1, rows, columns, 1)-like shapes with channels of 1.
  const dims = shape.filter((d) => d !== 1);
  if (dims.length !== 2) throw new Error("Only grayscale frames are windowed in the browser");
  const [rows, columns] = dims as [number, number];
  const values = read(buffer, start + headerLength, rows * columns);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { rows, columns, values, min, max };
}
