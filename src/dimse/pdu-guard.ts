// The upper-layer checks the DICOM port applies to what a peer sends, before the DIMSE library
// reads it (PS3.8 9.3): a PDU of a type an association requestor never sends, P-DATA before the
// association request, a second association request, or a length past what Pharos announced
// (P-DATA) or any sane bound (the others) gets an A-ABORT at once, as DCMTK (Orthanc) answers,
// instead of the library buffering a 4 GiB "PDU" until the timeout. Pure bytes in, verdict out.

/** PS3.8 9.3.8: the A-ABORT reasons of the service provider (source 2). */
export const AbortReason = {
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  InvalidPduParameterValue: 6,
} as const;

export interface PduViolation {
  reason: number;
  message: string;
}

/** An association request with hundreds of presentation contexts stays well below this. */
const MAX_ASSOCIATE_RQ_LENGTH = 256 * 1024;

export class PduGuard {
  private readonly header = new Uint8Array(6);
  private headerFill = 0;
  /** Bytes of the current PDU's body still to come. */
  private remaining = 0;
  private associating = false;

  /** `maxPduLength`: the longest P-DATA-TF body this end announced it receives. */
  constructor(private readonly maxPduLength: number) {}

  /** Reads what the peer sent; the first violation, or undefined while the stream is sound. */
  check(chunk: Uint8Array): PduViolation | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.remaining -= take;
        at += take;
        continue;
      }
      const take = Math.min(6 - this.headerFill, chunk.length - at);
      this.header.set(chunk.subarray(at, at + take), this.headerFill);
      this.headerFill += take;
      at += take;
      if (this.headerFill < 6) break;
      this.headerFill = 0;
      const type = this.header[0]!;
      const length = new DataView(this.header.buffer).getUint32(2, false);
      const violation = this.admit(type, length);
      if (violation) return violation;
      this.remaining = length;
    }
    return undefined;
  }

  private admit(type: number, length: number): PduViolation | undefined {
    switch (type) {
      case 0x01: // A-ASSOCIATE-RQ
        if (this.associating) {
          return { reason: AbortReason.UnexpectedPdu, message: "a second A-ASSOCIATE-RQ" };
        }
        if (length > MAX_ASSOCIATE_RQ_LENGTH) {
          return bad(`an A-ASSOCIATE-RQ of ${length} bytes`);
        }
        this.associating = true;
        return undefined;
      case 0x04: // P-DATA-TF
        if (!this.associating) {
          return { reason: AbortReason.UnexpectedPdu, message: "P-DATA-TF before A-ASSOCIATE-RQ" };
        }
        if (length > this.maxPduLength) {
          return bad(`a P-DATA-TF of ${length} bytes (the maximum is ${this.maxPduLength})`);
        }
        return undefined;
      case 0x05: // A-RELEASE-RQ
      case 0x06: // A-RELEASE-RP
      case 0x07: // A-ABORT
        return length === 4 ? undefined : bad(`a PDU of type ${type} with ${length} bytes`);
      default:
        return {
          reason: AbortReason.UnrecognizedPdu,
          message: `a PDU of type 0x${type.toString(16).padStart(2, "0")}`,
        };
    }
  }
}

function bad(message: string): PduViolation {
  return { reason: AbortReason.InvalidPduParameterValue, message };
}

/** The A-ABORT PDU a service provider sends (source 2) with a reason. */
export function abortPdu(reason: number): Uint8Array {
  return new Uint8Array([0x07, 0, 0, 0, 0, 4, 0, 0, 2, reason]);
}
