// The dcmjs-dimse adapter (src/dimse/adapter) overrides internals of the library that are not
// part of its API. These tests pin the version and the shape of each internal it relies on, so
// that an upgrade of the library fails here, loudly, rather than in a transfer.
import { expect, test } from "bun:test";
import type * as DimseModule from "dcmjs-dimse";
import packageJson from "../../node_modules/dcmjs-dimse/package.json" with { type: "json" };

const lib = require("dcmjs-dimse") as typeof DimseModule;
/** The parent class of Scp and Client, which reads incoming PDVs. */
const network = Object.getPrototypeOf(lib.Scp.prototype) as Record<string, unknown>;
/** Source text without whitespace (the runtime may print it reformatted). */
const source = (f: unknown) => String(f).replace(/\s+/g, "");
const networkSource = source(network.constructor);

test("the installed dcmjs-dimse is the version the adapter was written for", () => {
  expect(packageJson.version).toBe("0.3.3");
});

test("Network accumulates each dataset in this.dimseStream and parses it with toBuffer()", () => {
  expect(networkSource).toContain("this.dimseStream=void0");
  expect(networkSource).toContain("this.dimseStream.toBuffer()");
  // The message being completed, on which the raw bytes are kept.
  expect(networkSource).toContain("this.dimse.setDataset(");
  // The library defines no such property on the prototype; only the adapter's accessor may be
  // there (when an in-process server of another test file loaded the adapter first).
  const descriptor = Object.getOwnPropertyDescriptor(network, "dimseStream");
  expect(descriptor === undefined || typeof descriptor.get === "function").toBe(true);
});

test("Network creates C-STORE datasets through two overridable methods", () => {
  expect(typeof network.createStoreWritableStream).toBe("function");
  expect(typeof network.createDatasetFromStoreWritableStream).toBe("function");
  expect((network.createDatasetFromStoreWritableStream as () => void).length).toBe(3);
  expect(networkSource).toContain(
    "this.createDatasetFromStoreWritableStream(this.dimseStoreStream",
  );
});

test("the association and PDU timeouts count from this.lastPduTime", () => {
  // The store path serves C-STORE PDUs without the library, and sets it on each chunk received.
  expect(networkSource).toContain("this.lastPduTime=Date.now()");
  expect(networkSource).toContain("e-this.lastPduTime>=this.pduTimeout");
});

test("Transcoding.transcodeDataset is the one place datasets are re-encoded for a context", () => {
  expect(typeof lib.Transcoding.transcodeDataset).toBe("function");
  expect(networkSource).toContain(".transcodeDataset(");
});

test("Scp has the handlers and senders the adapter's subclass uses", () => {
  const scp = lib.Scp.prototype as unknown as Record<string, unknown>;
  for (
    const name of [
      "associationRequested",
      "associationReleaseRequested",
      "abort",
      "cEchoRequest",
      "cStoreRequest",
      "cFindRequest",
      "cMoveRequest",
      "cGetRequest",
      "nActionRequest",
      "nEventReportRequest",
      "sendAssociationAccept",
      "sendAssociationReject",
      "sendAssociationReleaseResponse",
      "sendAbort",
      "sendResponse",
      "sendRequests",
    ]
  ) {
    expect(typeof scp[name], name).toBe("function");
  }
  // Private fields the subclass reads: the socket, the association, the connected flag.
  expect(networkSource).toContain("this.socket=e");
  const scpSource = source(lib.Scp);
  expect(networkSource + scpSource).toContain("this.association=");
  expect(networkSource + scpSource).toContain("this.connected=");
});

test("the association answers which context a request travels on", () => {
  const association = lib.association.Association.prototype as unknown as Record<string, unknown>;
  expect(typeof association.getAcceptedPresentationContextFromRequest).toBe("function");
  expect(typeof association.getPresentationContexts).toBe("function");
});
