// The PDU guard of the DICOM port: what a requestor may send, in which order, and how long.
import { expect, test } from "bun:test";
import { AbortReason, PduGuard } from "../../src/dimse/pdu-guard.ts";

const pdu = (type: number, length: number, body = new Uint8Array(0)) => {
  const out = new Uint8Array(6 + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(2, length, false);
  out.set(body, 6);
  return out;
};

test("a sound exchange passes, whatever the chunking", () => {
  const stream = new Uint8Array([
    ...pdu(0x01, 10, new Uint8Array(10)),
    ...pdu(0x04, 100, new Uint8Array(100)),
    ...pdu(0x05, 4, new Uint8Array(4)),
  ]);
  for (const size of [1, 3, 7, 64, stream.length]) {
    const guard = new PduGuard(16384);
    for (let at = 0; at < stream.length; at += size) {
      expect(guard.check(stream.subarray(at, at + size))).toBeUndefined();
    }
  }
});

test("P-DATA before the association request is unexpected", () => {
  expect(new PduGuard(16384).check(pdu(0x04, 0xffffffff))?.reason).toBe(
    AbortReason.UnexpectedPdu,
  );
});

test("lengths past the announced maximum, or past any sane bound, are invalid", () => {
  const associated = () => {
    const g = new PduGuard(16384);
    g.check(pdu(0x01, 4, new Uint8Array(4)));
    return g;
  };
  expect(associated().check(pdu(0x04, 16384))).toBeUndefined();
  expect(associated().check(pdu(0x04, 16385))?.reason).toBe(AbortReason.InvalidPduParameterValue);
  expect(new PduGuard(16384).check(pdu(0x01, 0xffffffff))?.reason).toBe(
    AbortReason.InvalidPduParameterValue,
  );
  expect(associated().check(pdu(0x05, 5))?.reason).toBe(AbortReason.InvalidPduParameterValue);
});

test("PDUs a requestor never sends, and unknown types, are unrecognized or unexpected", () => {
  expect(new PduGuard(16384).check(pdu(0x02, 4))?.reason).toBe(AbortReason.UnrecognizedPdu);
  expect(new PduGuard(16384).check(pdu(0x09, 4))?.reason).toBe(AbortReason.UnrecognizedPdu);
  const twice = new PduGuard(16384);
  twice.check(pdu(0x01, 0));
  expect(twice.check(pdu(0x01, 0))?.reason).toBe(AbortReason.UnexpectedPdu);
});
