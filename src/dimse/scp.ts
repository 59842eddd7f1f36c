// The SCP as a composition of services (fo-dicom style: one provider per DIMSE service): the
// association policy decides who may associate and issue what, and each request goes to the
// provider of its service. Replacing one provider (a plugin answering C-FIND itself, say) leaves
// the others as they are.
import { SopClass } from "../dicom/uids.ts";
import { log } from "../log.ts";
import {
  type AssociationPolicy,
  isAllowedRequest,
  type ModalityPermissions,
  negotiate,
} from "./association.ts";
import type { CommitmentProvider } from "./services/commitment.ts";
import type { EchoProvider } from "./services/echo.ts";
import type { FindProvider } from "./services/find.ts";
import type { GetProvider } from "./services/get.ts";
import type { MoveProvider } from "./services/move.ts";
import type { StoreProvider } from "./services/store.ts";
import type { ScpHandlers } from "./types.ts";

export interface DicomServices {
  echo: EchoProvider;
  store: StoreProvider;
  find: FindProvider;
  /** C-FIND of the Modality Worklist Information Model. */
  worklist: FindProvider;
  move: MoveProvider;
  get: GetProvider;
  commitment: CommitmentProvider;
}

/** What the policy is applied to, read at each association (REST can change both). */
export interface ScpAccess {
  policy(): AssociationPolicy;
  modalities(): Iterable<ModalityPermissions>;
}

/** The handlers the adapter calls; each service is looked up at the time of the request. */
export function scpHandlers(access: ScpAccess, services: DicomServices): ScpHandlers {
  return {
    associate(request) {
      const answer = negotiate(access.policy(), access.modalities(), request);
      if (answer.kind === "reject" && answer.reason === "CalledAe") {
        log.warning(
          `DICOM association refused: called AET "${request.calledAet}" is not "${access.policy().dicomAet}"`,
        );
      } else if (answer.kind === "reject" && answer.reason === "CallingAe") {
        log.warning(`DICOM association refused: unknown AET "${request.callingAet}"`);
      }
      return answer;
    },
    allowed(info, command) {
      const ok = isAllowedRequest(access.policy(), access.modalities(), info, command);
      if (!ok) {
        log.error(
          `${command} requests are not allowed for the application entity ${info.callingAet}`,
        );
      }
      return ok;
    },
    echo: (info) => services.echo.echo(info),
    store: (info, message) => services.store.store(info, message),
    find: (info, identifier) =>
      identifier.sopClassUid === SopClass.ModalityWorklistFind
        ? services.worklist.find(info, identifier)
        : services.find.find(info, identifier),
    move: (info, identifier, destination, messageId, progress) =>
      services.move.move(info, identifier, destination, messageId, progress),
    get: (info, identifier, channel, progress) =>
      services.get.get(info, identifier, channel, progress),
    nAction: (info, actionTypeId, dataset) =>
      services.commitment.nAction(info, actionTypeId, dataset),
    eventReport: (info, eventTypeId, dataset) =>
      services.commitment.eventReport(info, eventTypeId, dataset),
  };
}
