// The shared side of the dcmjs-dimse adapter: loading the library once, the patches of its
// internals that keep raw bytes (pinned by test/dimse/adapter-pins.test.ts, so an upgrade of the
// library fails loudly), and the datasets whose serialization is bytes Pharos already has.
//
// Fidelity: a C-STORE dataset is collected through the library's store writable stream (the
// raw PDV bytes, never a re-serialized dataset). Identifiers (C-FIND/C-MOVE/C-GET) are taken
// as raw bytes too, and everything Pharos sends is bytes it encoded or stored itself: the
// library only frames them.
import type * as DimseModule from "dcmjs-dimse";
import { PHAROS_IMPLEMENTATION_UID } from "../codec.ts";
import type { DimseInstance } from "../types.ts";

export type Dimse = typeof DimseModule;
export type Dataset = InstanceType<Dimse["Dataset"]>;
export type Request = InstanceType<Dimse["requests"]["Request"]>;
export type Response = InstanceType<Dimse["responses"]["Response"]>;
export type PresentationContext = InstanceType<Dimse["association"]["PresentationContext"]>;

export const RAW = Symbol("pharos-raw-dataset");
export const CHUNKS = Symbol("pharos-store-chunks");
const ENCODED = Symbol("pharos-encoded");

let loaded: Dimse | undefined;
/** MaximumPduLength, known at startup, applied whenever the library loads. */
let maxPduLength: number | undefined;

/** Sets the MaximumPduLength of every association, now or when the library loads. */
export function setMaxPduLength(length: number): void {
  maxPduLength = length;
  loaded?.Implementation.setMaxPduLength(length);
}

/**
 * Loads the library once (it brings its own dcmjs, so it is not loaded before the DICOM
 * server starts or the first SCU call), silences its logger and installs the hook that keeps
 * the raw bytes of every non-C-STORE dataset it receives.
 */
export function dimse(): Dimse {
  if (loaded) return loaded;
  const lib = require("dcmjs-dimse") as Dimse;
  lib.Implementation.setImplementationClassUid(PHAROS_IMPLEMENTATION_UID);
  lib.Implementation.setImplementationVersion("PHAROS_010");
  if (maxPduLength !== undefined) lib.Implementation.setMaxPduLength(maxPduLength);
  lib.log.setLevel(process.env.PHAROS_DIMSE_TRACE ? "trace" : "silent");
  // Network (the parent of Scp) accumulates each incoming dataset in `this.dimseStream` and
  // parses it with `toBuffer()`; keep those bytes on the message being completed (a symbol
  // property survives the library's Object.assign copies of responses).
  const networkProto = Object.getPrototypeOf(lib.Scp.prototype) as object;
  const slot = Symbol("dimseStream");
  Object.defineProperty(networkProto, "dimseStream", {
    configurable: true,
    get(this: Record<symbol, unknown>) {
      return this[slot];
    },
    set(this: Record<symbol, unknown> & { dimse?: Record<symbol, unknown> }, stream) {
      if (stream && typeof (stream as { toBuffer?: unknown }).toBuffer === "function") {
        const original = (stream as { toBuffer: () => Buffer }).toBuffer.bind(stream);
        (stream as { toBuffer: () => Buffer }).toBuffer = () => {
          const buffer = original();
          if (this.dimse) this.dimse[RAW] = new Uint8Array(buffer);
          return buffer;
        };
      }
      this[slot] = stream;
    },
  });
  // A dataset Pharos encoded itself is re-encoded by Pharos when the peer accepted another
  // transfer syntax than the one it was written in; anything else would need a codec.
  const transcode = lib.Transcoding.transcodeDataset.bind(lib.Transcoding);
  lib.Transcoding.transcodeDataset = (dataset, transferSyntax, opts) => {
    const encode = (dataset as unknown as Record<symbol, unknown>)[ENCODED] as
      | ((ts: string) => Uint8Array | undefined)
      | undefined;
    if (encode) {
      const bytes = encode(transferSyntax);
      if (!bytes) throw new Error(`Cannot send this dataset in transfer syntax ${transferSyntax}`);
      return bytesDataset(lib, bytes, transferSyntax, encode);
    }
    return transcode(dataset, transferSyntax, opts);
  };
  // The SCU side (a Client's network) keeps a C-STORE sub-operation of C-GET as the bytes
  // received, without parsing them (the SCP overrides this method with its own stream).
  (networkProto as {
    createDatasetFromStoreWritableStream: (
      w: { toBuffer(): Buffer },
      c: PresentationContext,
      cb: (d: Dataset) => void,
    ) => void;
  }).createDatasetFromStoreWritableStream = (writable, context, callback) => {
    const buffer = writable.toBuffer();
    const dataset = new lib.Dataset({}, context.getAcceptedTransferSyntaxUid());
    (dataset as unknown as Record<symbol, unknown>)[CHUNKS] = [
      new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length),
    ];
    callback(dataset);
  };
  loaded = lib;
  return lib;
}

/** A library Dataset whose serialization is the given bytes. */
export function bytesDataset(
  lib: Dimse,
  bytes: Uint8Array,
  transferSyntax: string,
  encode?: (ts: string) => Uint8Array | undefined,
  elements: Record<string, unknown> = {},
): Dataset {
  const dataset = new lib.Dataset(elements, transferSyntax);
  dataset.getDenaturalizedDataset = () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (encode) (dataset as unknown as Record<symbol, unknown>)[ENCODED] = encode;
  return dataset;
}

export function rawOf(message: unknown): Uint8Array {
  const raw = (message as Record<symbol, unknown>)[RAW];
  return raw instanceof Uint8Array ? raw : new Uint8Array(0);
}

/** A C-STORE request for an instance, as it is stored (C-STORE SCU and C-GET sub-operations). */
export function storeRequest(lib: Dimse, instance: DimseInstance) {
  // The request takes its UIDs from a tiny dataset whose serialization is the stored bytes.
  // The bytes travel only in their own transfer syntax: were the library to pick another
  // context of the SOP class, the transcoding hook refuses, and the sub-operation fails.
  const dataset = bytesDataset(
    lib,
    instance.dataset,
    instance.transferSyntax,
    (ts) => (ts === instance.transferSyntax ? instance.dataset : undefined),
    {
      SOPClassUID: instance.sopClassUid,
      SOPInstanceUID: instance.sopInstanceUid,
    },
  );
  return new lib.requests.CStoreRequest(dataset);
}
