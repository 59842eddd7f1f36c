// The C-STORE path of the DICOM port: Pharos's PDV reader takes C-STORE requests whatever the
// chunking, and hands every other message to the DIMSE library unchanged.
import { expect, test } from "bun:test";
import { dimse } from "../../src/dimse/adapter/common.ts";
import { readCommand, storeResponse } from "../../src/dimse/command-set.ts";
import { PdvReader } from "../../src/dimse/pdv-reader.ts";
import { pDataTf, type ReceivedStoreRequest, StorePath } from "../../src/dimse/store-path.ts";

const CT = "1.2.840.10008.5.1.4.1.1.2";
const EXPLICIT = "1.2.840.10008.1.2.1";

/** An implicit VR little endian command set of (element, value) pairs of group 0000. */
function commandSet(elements: [number, Uint8Array][]): Uint8Array {
  const parts = elements.map(([element, value]) => {
    const out = new Uint8Array(8 + value.length);
    const view = new DataView(out.buffer);
    view.setUint16(2, element, true);
    view.setUint32(4, value.length, true);
    out.set(value, 8);
    return out;
  });
  return new Uint8Array(parts.flatMap((p) => [...p]));
}
const us = (v: number) => new Uint8Array([v & 0xff, v >> 8]);
const text = (s: string) => new TextEncoder().encode(s.length % 2 ? `${s}\0` : s);

const storeCommand = commandSet([
  [0x0002, text(CT)],
  [0x0100, us(0x0001)],
  [0x0110, us(42)],
  [0x0700, us(0)],
  [0x0800, us(0x0000)],
  [0x1000, text("1.2.3.4.5")],
  [0x1030, new TextEncoder().encode("MOVER ")],
]);
const findCommand = commandSet([
  [0x0002, text("1.2.840.10008.5.1.4.1.2.2.1")],
  [0x0100, us(0x0020)],
  [0x0110, us(43)],
  [0x0800, us(0x0000)],
]);
const dataset = Uint8Array.from({ length: 40000 }, (_, i) => (i * 7) & 0xff);
const pdv = (contextId: number, command: boolean, last: boolean, value: Uint8Array) => ({
  header: { contextId, command, last },
  pieces: [value],
});

/** A message as a peer sends it: the command, then the dataset in PDUs of 16 KiB. */
function message(contextId: number, command: Uint8Array, data: Uint8Array): Uint8Array[] {
  const pdus = [pDataTf([pdv(contextId, true, true, command)])];
  for (let at = 0; at < data.length; at += 16372) {
    const piece = data.subarray(at, at + 16372);
    pdus.push(pDataTf([pdv(contextId, false, at + 16372 >= data.length, piece)]));
  }
  return pdus;
}

const associateRq = new Uint8Array([0x01, 0, 0, 0, 0, 4, 1, 2, 3, 4]);

function receive(stream: Uint8Array, chunkSize: number) {
  const stored: ReceivedStoreRequest[] = [];
  const forwarded: Uint8Array[] = [];
  const reader = new PdvReader(
    new StorePath({
      acceptedSyntax: (id) => (id === 1 ? EXPLICIT : undefined),
      forward: (pdu) => forwarded.push(pdu.slice()),
      store: (request) => stored.push(request),
    }),
  );
  const broken: string[] = [];
  for (let at = 0; at < stream.length; at += chunkSize) {
    // A fresh copy per chunk, as the socket gives: views must stay valid after the read.
    const error = reader.read(stream.slice(at, at + chunkSize));
    if (error) broken.push(error);
  }
  expect(broken).toEqual([]);
  return { stored, forwarded };
}

const join = (parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));

test("a C-STORE request is taken whole, whatever the chunking; other PDUs go to the library", () => {
  const stream = join([associateRq, ...message(1, storeCommand, dataset)]);
  for (const size of [1, 5, 7, 4096, 16384, stream.length]) {
    const { stored, forwarded } = receive(stream, size);
    expect(forwarded).toEqual([associateRq]);
    expect(stored).toHaveLength(1);
    const [request] = stored;
    expect(request!.transferSyntax).toBe(EXPLICIT);
    expect(request!.contextId).toBe(1);
    expect(request!.command).toEqual({
      commandField: 1,
      messageId: 42,
      hasDataset: true,
      affectedSopClassUid: CT,
      affectedSopInstanceUid: "1.2.3.4.5",
      moveOriginatorAet: "MOVER",
    });
    expect(join(request!.chunks)).toEqual(dataset);
  }
});

test("other commands, and C-STORE on a context not accepted, reach the library intact", () => {
  const find = message(1, findCommand, dataset.subarray(0, 100));
  const refused = message(3, storeCommand, dataset);
  for (const size of [3, 16384]) {
    const { stored, forwarded } = receive(join([...find, ...refused]), size);
    expect(stored).toHaveLength(0);
    // One PDU per PDV, each the PDV as sent.
    expect(forwarded).toEqual([...find, ...refused]);
  }
});

test("several messages back to back, some in one PDU", () => {
  const both = pDataTf([
    pdv(1, true, true, findCommand),
    pdv(1, false, true, dataset.subarray(0, 10)),
    pdv(1, true, true, storeCommand),
  ]);
  const rest = pDataTf([pdv(1, false, true, dataset.subarray(0, 50))]);
  const { stored, forwarded } = receive(join([both, rest]), 1000);
  expect(forwarded).toEqual([
    pDataTf([pdv(1, true, true, findCommand)]),
    pDataTf([pdv(1, false, true, dataset.subarray(0, 10))]),
  ]);
  expect(stored.map((s) => join(s.chunks))).toEqual([dataset.subarray(0, 50)]);
});

test("a PDV longer than its P-DATA-TF is a broken stream", () => {
  const pdu = pDataTf([pdv(1, true, true, findCommand)]);
  new DataView(pdu.buffer).setUint32(6, 10_000, false);
  const reader = new PdvReader(
    new StorePath({ acceptedSyntax: () => EXPLICIT, forward: () => {}, store: () => {} }),
  );
  expect(reader.read(pdu)).toContain("PDV of 10000 bytes");
});

test("the C-STORE-RSP is the library's, byte for byte, and reads back", () => {
  const lib = dimse();
  const request = new lib.requests.CStoreRequest(
    new lib.Dataset({ SOPClassUID: CT, SOPInstanceUID: "1.2.3.4.5" }, EXPLICIT),
  );
  request.setMessageId(42);
  const theirs = lib.responses.CStoreResponse.fromRequest(request);
  theirs.setStatus(0xa700);
  const command = readCommand(storeCommand)!;
  const ours = storeResponse(command, 0xa700);
  expect(ours).toEqual(
    new Uint8Array(theirs.getCommandDataset().getDenaturalizedCommandDataset()),
  );
  expect(readCommand(ours)).toMatchObject({ commandField: 0x8001, hasDataset: false });
});
