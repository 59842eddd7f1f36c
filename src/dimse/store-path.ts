// The C-STORE path of the DICOM port: the PDVs of each C-STORE request on an accepted context are
// taken here, the dataset kept as the views the reader gives (no copy, no stream), and handed to
// the store handler whole; every other message goes on to the DIMSE library as P-DATA-TF PDUs of
// its own PDVs, so that the library never sees a C-STORE request. Before this path, the library's
// reassembly (Buffer.concat of each PDU, a copy of each PDV, a stream write per PDV) bounded the
// DICOM port at ~1 ms per instance.
import { type Command, CommandField, readCommand } from "./command-set.ts";
import type { PdvHeader, PdvSink } from "./pdv-reader.ts";

export interface ReceivedStoreRequest {
  command: Command;
  contextId: number;
  transferSyntax: string;
  /** The dataset as received, in PDV order. */
  chunks: Uint8Array[];
  hashed?: { metaHeader: Uint8Array; md5: string };
}

export interface StorePathHost {
  /** The transfer syntax accepted for a presentation context, undefined if none was. */
  acceptedSyntax(contextId: number): string | undefined;
  /** Hands a PDU to the DIMSE library, as if it had just been received. */
  forward(pdu: Uint8Array): void;
  /**
   * The meta header the stored file will start with: the dataset is hashed behind it while it
   * arrives, when the network is slower than the hashing.
   */
  metaHeader?(command: Command, transferSyntax: string): Uint8Array;
  store(request: ReceivedStoreRequest): void;
}

export interface Pdv {
  header: PdvHeader;
  pieces: Uint8Array[];
}

export class StorePath implements PdvSink {
  /** The command PDVs of the message being received, until its last command fragment. */
  private command: Pdv[] = [];
  private commandComplete = true;
  /** Where the dataset PDVs of the current message go. */
  private storing?: ReceivedStoreRequest;
  private hashing?: { metaHeader: Uint8Array; hasher: Bun.CryptoHasher };
  private current?: Pdv;

  constructor(private readonly host: StorePathHost) {}

  pdu(bytes: Uint8Array): void {
    this.host.forward(bytes);
  }

  pdv(header: PdvHeader): void {
    if (header.command && this.commandComplete) {
      this.command = [];
      this.commandComplete = false;
      this.storing = this.hashing = undefined;
    }
    this.current = { header, pieces: this.storing && !header.command ? this.storing.chunks : [] };
  }

  value(bytes: Uint8Array): void {
    const pdv = this.current!;
    pdv.pieces.push(bytes);
    if (this.storing && !pdv.header.command) this.hashing?.hasher.update(bytes);
  }

  pdvEnd(): void {
    const pdv = this.current!;
    this.current = undefined;
    if (pdv.header.command) {
      this.command.push(pdv);
      if (pdv.header.last) {
        this.commandComplete = true;
        this.route();
      }
    } else if (this.storing) {
      if (pdv.header.last) this.deliver();
    } else {
      this.host.forward(pDataTf([pdv]));
    }
  }

  /** A complete command: a C-STORE request on an accepted context stays here. */
  private route(): void {
    const contextId = this.command[0]!.header.contextId;
    const command = readCommand(concat(this.command.flatMap((p) => p.pieces)));
    const transferSyntax = command?.commandField === CommandField.CStoreRequest
      ? this.host.acceptedSyntax(contextId)
      : undefined;
    if (!command || transferSyntax === undefined) {
      this.host.forward(pDataTf(this.command));
      return;
    }
    this.storing = { command, contextId, transferSyntax, chunks: [] };
    const metaHeader = this.host.metaHeader?.(command, transferSyntax);
    this.hashing = metaHeader &&
      { metaHeader, hasher: new Bun.CryptoHasher("md5").update(metaHeader) };
    if (!command.hasDataset) this.deliver();
  }

  private deliver(): void {
    const request = this.storing!;
    this.storing = undefined;
    if (this.hashing) {
      const { metaHeader, hasher } = this.hashing;
      request.hashed = { metaHeader, md5: hasher.digest("hex") };
      this.hashing = undefined;
    }
    this.host.store(request);
  }
}

function concat(pieces: Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One P-DATA-TF PDU holding the given PDVs. */
export function pDataTf(pdvs: Pdv[]): Uint8Array {
  const sizes = pdvs.map((p) => p.pieces.reduce((n, piece) => n + piece.length, 0));
  const length = sizes.reduce((n, size) => n + 6 + size, 0);
  const out = new Uint8Array(6 + length);
  const view = new DataView(out.buffer);
  out[0] = 0x04;
  view.setUint32(2, length, false);
  let at = 6;
  pdvs.forEach((pdv, i) => {
    view.setUint32(at, sizes[i]! + 2, false);
    out[at + 4] = pdv.header.contextId;
    out[at + 5] = (pdv.header.command ? 1 : 0) | (pdv.header.last ? 2 : 0);
    at += 6;
    for (const piece of pdv.pieces) {
      out.set(piece, at);
      at += piece.length;
    }
  });
  return out;
}
