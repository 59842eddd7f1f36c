// Stopping or restarting the server from within (POST /tools/shutdown and /tools/reset): a
// request that the composition root waits for, since only it can stop the parts and build them
// again from a configuration read anew.
export type ControlRequest = "shutdown" | "restart";

export class ServerControl {
  private settle!: (request: ControlRequest) => void;
  /** Settles with the first request made. */
  readonly requested: Promise<ControlRequest> = new Promise((resolve) => (this.settle = resolve));

  request(what: ControlRequest): void {
    this.settle(what);
  }
}
