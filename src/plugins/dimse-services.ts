// The plugins' DICOM SCP callbacks (host.dimse): the C-FIND, worklist and C-MOVE providers of the
// SCP are wrapped so that the plugins' handlers are asked first, in loading order, and the
// server's provider answers when none does; the storage commitment judge likewise. Installed once
// the plugins are loaded, only for the services some plugin handles, so the SCP is untouched
// otherwise. A handler that throws or outlives PluginCallbackTimeout fails the request, logged.
import type { Encoding } from "../dicom/charsets.ts";
import type { DicomServices } from "../dimse/scp.ts";
import type { CommitmentJudge } from "../dimse/services/commitment.ts";
import type { FindProvider } from "../dimse/services/find.ts";
import type { MoveProvider } from "../dimse/services/move.ts";
import { countSubOperation, finalStatus, noCounts } from "../dimse/services/retrieve.ts";
import { Status } from "../dimse/status.ts";
import type { AssociationInfo, Identifier } from "../dimse/types.ts";
import { log } from "../log.ts";
import { describeError } from "../server/hooks.ts";
import { withDeadline } from "./deadline.ts";
import { encodeAnswer, readQuery } from "./dimse-datasets.ts";
import { type LoadedPlugin, ownerName, type Registrations } from "./loaded-plugin.ts";
import type { DicomFindRequest, DicomMoveDriver } from "./pharos-plugin.d.ts";

/** What the SCP of a server lets plugins wrap (dimse/network.ts). */
export interface PluggableScp {
  services: DicomServices;
  commitmentJudge: CommitmentJudge;
  worklists: { enabled: boolean };
}

export interface DimseSite {
  plugins: readonly LoadedPlugin[];
  timeoutMs: number;
  encoding(): Encoding;
}

type HandlerKind = "find" | "worklist" | "move" | "commitment";

const LABELS: Record<HandlerKind, string> = {
  find: "C-FIND handler",
  worklist: "worklist handler",
  move: "C-MOVE handler",
  commitment: "storage commitment handler",
};

/** A handler's failure, already logged with its plugin's name. */
class HandlerFailure extends Error {}

export function installDimseHandlers(scp: PluggableScp, site: DimseSite): void {
  const handles = (kind: HandlerKind) => site.plugins.some((p) => p.registrations[kind].length > 0);

  /** The first answer of the handlers of a kind, with the plugin that gave it. */
  async function ask<K extends HandlerKind, A>(
    kind: K,
    call: (handler: Registrations[K][number]) => unknown,
  ): Promise<{ answer: A; plugin: LoadedPlugin } | undefined> {
    for (const plugin of site.plugins) {
      for (const handler of plugin.registrations[kind]) {
        const what = `${LABELS[kind]} of ${ownerName(plugin)}`;
        let answer: unknown;
        try {
          answer = await withDeadline(() => call(handler), site.timeoutMs, what);
        } catch (error) {
          log.error(`Error in the ${what}: ${describeError(error)}`);
          throw new HandlerFailure(what);
        }
        if (answer !== undefined && answer !== null) return { answer: answer as A, plugin };
      }
    }
    return undefined;
  }

  const request = (association: AssociationInfo, identifier: Identifier): DicomFindRequest => ({
    association: { ...association },
    ...readQuery(identifier, site.encoding()),
  });

  const findProvider = (kind: "find" | "worklist", builtIn?: FindProvider): FindProvider => ({
    async find(association, identifier) {
      let query: DicomFindRequest;
      try {
        query = request(association, identifier);
      } catch {
        return { status: Status.UnableToProcess, answers: [] };
      }
      try {
        const found = await ask<typeof kind, unknown>(kind, (h) => h(structuredClone(query)));
        if (!found) {
          return builtIn
            ? await builtIn.find(association, identifier)
            : { status: Status.Success, answers: [] };
        }
        if (!Array.isArray(found.answer)) {
          log.error(`The ${LABELS[kind]} of ${ownerName(found.plugin)} did not answer an array`);
          return { status: Status.UnableToProcess, answers: [] };
        }
        return {
          status: Status.Success,
          answers: found.answer.map((a) => encodeAnswer(a, identifier.transferSyntax)),
        };
      } catch (error) {
        if (!(error instanceof HandlerFailure)) log.error(`C-FIND answer: ${describeError(error)}`);
        return { status: Status.UnableToProcess, answers: [] };
      }
    },
  });

  const moveProvider = (builtIn: MoveProvider): MoveProvider => ({
    async move(association, identifier, destination, messageId, progress) {
      const counts = noCounts();
      let found;
      try {
        const move = { ...request(association, identifier), targetAet: destination, messageId };
        found = await ask<"move", DicomMoveDriver>("move", (h) => h(structuredClone(move)));
      } catch {
        return { status: Status.UnableToProcess, counts };
      }
      if (!found) {
        return await builtIn.move(association, identifier, destination, messageId, progress);
      }
      const { answer: driver, plugin } = found;
      const what = `C-MOVE driver of ${ownerName(plugin)}`;
      if (
        !Number.isInteger(driver.size) || driver.size < 0 || typeof driver.apply !== "function"
      ) {
        log.error(`The ${what} needs an integer size and apply()`);
        return { status: Status.UnableToProcess, counts };
      }
      counts.remaining = driver.size;
      for (let i = 0; i < driver.size; i++) {
        let status: number = Status.Success;
        try {
          await withDeadline(() => driver.apply(), site.timeoutMs, what);
        } catch (error) {
          log.error(`Error in the ${what}: ${describeError(error)}`);
          status = Status.UnableToProcess;
        }
        countSubOperation(counts, status);
        if (counts.remaining > 0) progress({ ...counts });
      }
      return { status: finalStatus(counts), counts };
    },
  });

  const commitmentJudge =
    (builtIn: CommitmentJudge): CommitmentJudge =>
    async (association, transactionUid, referenced) => {
      const asked = { association: { ...association }, transactionUid, references: referenced };
      const found = await ask<"commitment", unknown>(
        "commitment",
        (h) => h(structuredClone(asked)),
      );
      if (!found) return await builtIn(association, transactionUid, referenced);
      const verdicts = found.answer;
      if (!Array.isArray(verdicts) || verdicts.length !== referenced.length) {
        throw new Error(
          `the ${LABELS.commitment} of ${
            ownerName(found.plugin)
          } must answer one verdict per reference`,
        );
      }
      const success = referenced.filter((_, i) => verdicts[i] === true);
      const failures = referenced.flatMap((item, i) => {
        const v = verdicts[i];
        if (v === true) return [];
        const reason = Number.isInteger(v) && v > 0 && v <= 0xffff
          ? v as number
          : Status.ProcessingFailure;
        return [{ ...item, reason }];
      });
      return { success, failures };
    };

  if (handles("find")) scp.services.find = findProvider("find", scp.services.find);
  if (handles("worklist")) {
    const builtIn = scp.worklists.enabled ? scp.services.worklist : undefined;
    scp.services.worklist = findProvider("worklist", builtIn);
    // The association policy accepts the worklist SOP class once something answers it.
    scp.worklists.enabled = true;
  }
  if (handles("move")) scp.services.move = moveProvider(scp.services.move);
  if (handles("commitment")) scp.commitmentJudge = commitmentJudge(scp.commitmentJudge);
}
