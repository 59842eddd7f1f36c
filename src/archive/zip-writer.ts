// Writes small ZIP archives in memory, each entry deflated, laid out as Orthanc's ZipWriter
// (minizip) writes them: local headers, central directory, then an archive comment.
import { deflateRawSync } from "node:zlib";

export interface ZipInput {
  name: string;
  data: Uint8Array;
}

/** MS-DOS date and time (local time, two-second steps), as minizip stamps entries. */
function dosDateTime(date: Date): { time: number; day: number } {
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    day: ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

export function writeZip(entries: ZipInput[], comment = "", now = new Date()): Uint8Array {
  const { time, day } = dosDateTime(now);
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const packed = deflateRawSync(entry.data);
    const crc = Bun.hash.crc32(entry.data);
    // The fields both headers share: version needed, flags, method, time, date, CRC, sizes.
    const common = (view: DataView, at: number) => {
      view.setUint16(at, 20, true);
      view.setUint16(at + 4, 8, true);
      view.setUint16(at + 6, time, true);
      view.setUint16(at + 8, day, true);
      view.setUint32(at + 10, crc, true);
      view.setUint32(at + 14, packed.length, true);
      view.setUint32(at + 18, entry.data.length, true);
      view.setUint16(at + 22, name.length, true);
    };
    const local = new Uint8Array(30 + name.length + packed.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    common(lv, 4);
    local.set(name, 30);
    local.set(packed, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    common(cv, 6);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const text = encoder.encode(comment);
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22 + text.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  ev.setUint16(20, text.length, true);
  end.set(text, 22);
  return new Uint8Array(Bun.concatArrayBuffers([...locals, ...centrals, end]));
}
