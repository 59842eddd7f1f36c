// The verification service (C-ECHO): an association allowed to echo is answered success.
import { Status } from "../status.ts";
import type { AssociationInfo } from "../types.ts";

export interface EchoProvider {
  echo(association: AssociationInfo): Promise<number>;
}

export const echoService: EchoProvider = {
  echo: () => Promise.resolve(Status.Success),
};
