// The upper-layer reader of the DICOM port (PS3.8 9.3): splits what a peer sends into PDUs, and
// P-DATA-TF PDUs into their PDVs, whose values come out as views of the received chunks, never
// copied. The C-STORE path (adapter/store-path.ts) keeps those views as the dataset; everything
// else is handed on whole to the DIMSE library. Pure bytes in, calls out.

/** The header of a presentation data value (PS3.8 9.3.5.1, E.2). */
export interface PdvHeader {
  contextId: number;
  command: boolean;
  last: boolean;
}

export interface PdvSink {
  /** A whole PDU other than P-DATA-TF, header included. */
  pdu(bytes: Uint8Array): void;
  /** A PDV starts; its value follows in `value` calls, then `pdvEnd`. */
  pdv(header: PdvHeader): void;
  /** Part of the current PDV's value: a view of a received chunk, valid for as long as it is kept. */
  value(bytes: Uint8Array): void;
  pdvEnd(): void;
}

const P_DATA_TF = 0x04;

export class PdvReader {
  /** The 6-byte header being read: a PDU's (type, reserved, length) or a PDV's (length, id, flags). */
  private readonly header = new Uint8Array(6);
  private readonly view = new DataView(this.header.buffer);
  private headerFill = 0;
  /** Bytes of the P-DATA-TF body still to come; 0 between PDUs. */
  private pduRemaining = 0;
  /** Bytes of the current PDV's value still to come, or -1 when a PDV header is next. */
  private valueRemaining = -1;
  /** A PDU other than P-DATA-TF, being collected whole. */
  private other?: { bytes: Uint8Array; fill: number };

  constructor(private readonly sink: PdvSink) {}

  /** Reads one chunk; a message when the P-DATA structure is broken (the caller aborts). */
  read(chunk: Uint8Array): string | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.other) {
        const take = Math.min(this.other.bytes.length - this.other.fill, chunk.length - at);
        this.other.bytes.set(chunk.subarray(at, at + take), this.other.fill);
        this.other.fill += take;
        at += take;
        if (this.other.fill === this.other.bytes.length) {
          const { bytes } = this.other;
          this.other = undefined;
          this.sink.pdu(bytes);
        }
        continue;
      }
      if (this.valueRemaining > 0) {
        const take = Math.min(this.valueRemaining, chunk.length - at);
        this.sink.value(chunk.subarray(at, at + take));
        this.valueRemaining -= take;
        this.pduRemaining -= take;
        at += take;
        if (this.valueRemaining === 0) {
          const broken = this.endPdv();
          if (broken) return broken;
        }
        continue;
      }
      const take = Math.min(6 - this.headerFill, chunk.length - at);
      this.header.set(chunk.subarray(at, at + take), this.headerFill);
      this.headerFill += take;
      at += take;
      if (this.headerFill < 6) break;
      this.headerFill = 0;
      const broken = this.pduRemaining > 0 ? this.startPdv() : this.startPdu();
      if (broken) return broken;
    }
    return undefined;
  }

  private startPdu(): string | undefined {
    const type = this.header[0]!;
    const length = this.view.getUint32(2, false);
    if (type !== P_DATA_TF) {
      const bytes = new Uint8Array(6 + length);
      bytes.set(this.header);
      if (length === 0) this.sink.pdu(bytes);
      else this.other = { bytes, fill: 6 };
      return undefined;
    }
    if (length < 6) return `a P-DATA-TF of ${length} bytes`;
    this.pduRemaining = length;
    return undefined;
  }

  private startPdv(): string | undefined {
    const length = this.view.getUint32(0, false);
    this.pduRemaining -= 6;
    // The item length counts the context id and the control header, then the value.
    if (length < 2 || length - 2 > this.pduRemaining) {
      return `a PDV of ${length} bytes in ${this.pduRemaining + 6} bytes of P-DATA-TF`;
    }
    const flags = this.header[5]!;
    this.sink.pdv({
      contextId: this.header[4]!,
      command: (flags & 1) !== 0,
      last: (flags & 2) !== 0,
    });
    this.valueRemaining = length - 2;
    return this.valueRemaining === 0 ? this.endPdv() : undefined;
  }

  private endPdv(): string | undefined {
    this.valueRemaining = -1;
    this.sink.pdvEnd();
    // What is left of the PDU must hold another PDV header, or nothing.
    if (this.pduRemaining > 0 && this.pduRemaining < 6) {
      return `${this.pduRemaining} bytes left over in a P-DATA-TF`;
    }
    return undefined;
  }
}
