// The WAL checkpointer's thread (checkpointer.ts): its own connection to the index, a PASSIVE
// checkpoint each time it is asked. An entry point of the executable (build.ts).
import { Database } from "bun:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import type { CheckpointerAnswer, CheckpointerMessage } from "./checkpointer.ts";

const port = parentPort!;
const { path, closed } = workerData as { path: string; closed: Int32Array };
const db = new Database(path);
// As the server's connection: the checkpoint flushes the WAL, then the database file.
db.exec("PRAGMA synchronous = NORMAL");
db.exec("PRAGMA busy_timeout = 5000");
// This connection never writes: no checkpoint of its own at close.
db.exec("PRAGMA wal_autocheckpoint = 0");

port.on("message", (message: CheckpointerMessage) => {
  if (message === "close") {
    db.close();
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    return;
  }
  db.exec("PRAGMA wal_checkpoint(PASSIVE)");
  port.postMessage("done" satisfies CheckpointerAnswer);
});
port.postMessage("ready" satisfies CheckpointerAnswer);
