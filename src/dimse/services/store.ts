// The storage service (C-STORE SCP): the dataset bytes as received, behind a meta header, go
// through the store pipeline; its outcome becomes the DIMSE status Orthanc answers.
import { log } from "../../log.ts";
import type { PharosCore } from "../../server/core.ts";
import { OrthancError } from "../../server/errors.ts";
import { concatenated, part10 } from "../codec.ts";
import { Status } from "../status.ts";
import type { AssociationInfo, ReceivedStore } from "../types.ts";

export interface StoreProvider {
  store(association: AssociationInfo, message: ReceivedStore): Promise<number>;
}

export function storeService(core: PharosCore): StoreProvider {
  return {
    async store(info, message) {
      const size = message.chunks.reduce((n, c) => n + c.length, 0);
      if (size === 0) return Status.UnableToProcess;
      const { hashed } = message;
      const bytes = hashed ? concatenated(hashed.metaHeader, message.chunks) : part10(
        message.chunks,
        message.sopClassUid,
        message.sopInstanceUid,
        message.transferSyntax,
        info.callingAet,
      );
      try {
        const result = await core.store(
          bytes,
          {
            kind: "DicomProtocol",
            remoteAet: info.callingAet,
            remoteIp: info.remoteIp,
            calledAet: info.calledAet,
          },
          [],
          hashed?.md5,
        );
        // A C-STORE filter chooses the status of what it refuses. What an instance filter drops
        // (Lua's ReceivedInstanceFilter, a plugin's) Orthanc 1.10.1 answers with Success.
        return result.dimseStatus ?? Status.Success;
      } catch (error) {
        log.error(`C-STORE from ${info.callingAet} refused: ${String(error)}`);
        if (
          error instanceof OrthancError &&
          (error.kind === "BadFileFormat" || error.kind === "InexistentTag")
        ) return Status.UnableToProcess;
        return Status.OutOfResources;
      }
    },
  };
}
