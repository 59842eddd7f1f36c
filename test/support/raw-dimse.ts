// A raw DICOM upper-layer client for the bad-peer tests: it writes PDUs byte by byte, so a test
// can stop half-way, abort, or send a malformed dataset, as a faulty modality would.
import { connect, type Socket } from "node:net";
import { encodeDataset, textElement } from "../../src/dimse/codec.ts";

const IMPLICIT = "1.2.840.10008.1.2";

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}
function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}
function item(type: number, body: number[]): number[] {
  return [type, 0, ...u16(body.length), ...body];
}
function aet(s: string): number[] {
  return ascii(s.padEnd(16, " ").slice(0, 16));
}

export class RawAssociation {
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on("close", () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on("error", () => {});
  }

  static open(port: number): Promise<RawAssociation> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawAssociation(socket)));
      socket.once("error", reject);
    });
  }

  /** A-ASSOCIATE-RQ with one presentation context (id 1) in implicit VR little endian. */
  associate(abstractSyntax: string, calling = "RAWSCU", called = "PHAROS"): void {
    const pc = item(0x20, [
      1,
      0,
      0,
      0,
      ...item(0x30, ascii(abstractSyntax)),
      ...item(0x40, ascii(IMPLICIT)),
    ]);
    const body = [
      ...u16(1),
      0,
      0,
      ...aet(called),
      ...aet(calling),
      ...new Array(32).fill(0),
      ...item(0x10, ascii("1.2.840.10008.3.1.1.1")),
      ...pc,
      ...item(0x50, item(0x51, u32(16384))),
    ];
    this.socket.write(new Uint8Array([1, 0, ...u32(body.length), ...body]));
  }

  /** Waits for the next PDU; undefined when the connection closes first. */
  async nextPdu(timeoutMs = 10000): Promise<{ type: number; body: Buffer } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (this.received.length >= 6) {
        const length = this.received.readUInt32BE(2);
        if (this.received.length >= 6 + length) {
          const type = this.received[0]!;
          const body = this.received.subarray(6, 6 + length);
          this.received = this.received.subarray(6 + length);
          return { type, body };
        }
      }
      if (this.closed || Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** One PDV in its own P-DATA-TF, on presentation context 1 unless told. */
  pdv(bytes: Uint8Array, command: boolean, last: boolean, contextId = 1): void {
    const header = (command ? 1 : 0) | (last ? 2 : 0);
    const pdv = [...u32(bytes.length + 2), contextId, header];
    const length = pdv.length + bytes.length;
    this.socket.write(new Uint8Array([4, 0, ...u32(length), ...pdv]));
    this.socket.write(bytes);
  }

  /** The command set of a C-STORE-RQ. */
  storeCommand(sopClass: string, sopInstance: string): Uint8Array {
    const us = (tag: number, n: number) => ({
      tag,
      vr: "US",
      value: new Uint8Array([n & 0xff, n >> 8]),
    });
    const body = encodeDataset([
      textElement(0x00000002, "UI", sopClass),
      us(0x00000100, 0x0001),
      us(0x00000110, 1),
      us(0x00000700, 0),
      us(0x00000800, 0x0000),
      textElement(0x00001000, "UI", sopInstance),
    ], IMPLICIT);
    const length = new Uint8Array([0, 0, 0, 0, 4, 0, 0, 0, ...[0, 0, 0, 0]]);
    new DataView(length.buffer).setUint32(8, body.length, true);
    return new Uint8Array([...length, ...body]);
  }

  /** Sends bytes as they are (a malformed PDU). */
  raw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Whether the server closed the connection, waiting at most `timeoutMs`. */
  async closedBy(timeoutMs = 10000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, deadline - Date.now());
      });
    }
    return this.closed;
  }

  abort(): void {
    this.socket.write(new Uint8Array([7, 0, ...u32(4), 0, 0, 0, 0]));
  }

  release(): void {
    this.socket.write(new Uint8Array([5, 0, ...u32(4), 0, 0, 0, 0]));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The Status (0000,0900) of a DIMSE response command in a P-DATA-TF body. */
export function statusOf(pdataBody: Buffer): number | undefined {
  for (let i = 6; i + 10 <= pdataBody.length; i++) {
    if (
      pdataBody[i] === 0 && pdataBody[i + 1] === 0 && pdataBody[i + 2] === 0x00 &&
      pdataBody[i + 3] === 0x09 && pdataBody.readUInt32LE(i + 4) === 2
    ) return pdataBody.readUInt16LE(i + 8);
  }
  return undefined;
}
