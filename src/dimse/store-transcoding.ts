// C-STORE sends that fall back on transcoding: an instance whose transfer syntax the peer did
// not accept is sent again in an uncompressed syntax, as Orthanc does for modalities that allow
// transcoding (AllowTranscoding).
import { TransferSyntax } from "../dicom/uids.ts";
import type { Transcoders } from "../imaging/transcoders.ts";
import { dimseInstanceOf } from "./instances.ts";
import { scu } from "./adapter/client.ts";
import type { DimseInstance, Peer } from "./types.ts";

/** What scu.store reports for an instance that got no answer (no presentation context). */
export const NO_ANSWER = -1;

/**
 * Sends again the instances of a batch that got no answer, transcoded to explicit then implicit
 * VR little endian; `statuses` is updated in place.
 */
export async function sendTranscoded(
  transcoders: Transcoders,
  peer: Peer,
  batch: DimseInstance[],
  statuses: number[],
  moveOriginator: { aet: string; messageId: number } | undefined,
): Promise<void> {
  for (
    const target of [TransferSyntax.ExplicitVrLittleEndian, TransferSyntax.ImplicitVrLittleEndian]
  ) {
    const retry: { at: number; instance: DimseInstance }[] = [];
    for (const [at, instance] of batch.entries()) {
      if (statuses[at] !== NO_ANSWER || instance.transferSyntax === target) continue;
      const file = await transcoders.transcode(instance.file, [target]);
      if (file) retry.push({ at, instance: dimseInstanceOf(file) });
    }
    if (retry.length === 0) return;
    const answers = await scu.store(peer, retry.map((r) => r.instance), { moveOriginator });
    retry.forEach((r, i) => (statuses[r.at] = answers[i] ?? NO_ANSWER));
  }
}
