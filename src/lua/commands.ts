// The Lua job commands a callback queued (toolbox.ts), run in order after it returns, through the
// REST API as Orthanc's Lua job runs its operations: each command's input is a resource id or the
// output of an earlier command (`@N`); a modified instance is stored with the Lua origin, so that
// OnStoredInstance can tell it from what it came from.
import type { RestCaller } from "./engine.ts";
import type { Json, LuaCommand } from "./protocol.ts";

function field(parameters: Json, name: string): Json {
  return parameters && typeof parameters === "object" && !Array.isArray(parameters)
    ? parameters[name] ?? null
    : null;
}

async function ok(response: Response, what: string): Promise<Response> {
  if (response.ok) return response;
  const answer = await response.text();
  throw new Error(`${what} failed with HTTP ${response.status}: ${answer.trim()}`);
}

export async function runCommands(commands: LuaCommand[], rest: RestCaller): Promise<void> {
  const outputs: (string | undefined)[] = [];
  const call = (method: string, uri: string, body?: Uint8Array | string) =>
    rest(method, uri, {
      headers: {},
      body: typeof body === "string" ? new TextEncoder().encode(body) : body,
      builtinOnly: true,
    });
  for (const command of commands) {
    const input = command.input.startsWith("@")
      ? outputs[Number(command.input.slice(1)) - 1]
      : command.input;
    if (input === undefined) throw new Error(`${command.operation}: its input has no output`);
    const { parameters } = command;
    switch (command.operation) {
      case "Delete":
        await ok(await call("DELETE", `/instances/${input}`), "Delete");
        outputs.push(undefined);
        break;
      case "SendToModality": {
        const modality = String(field(parameters, "Modality") ?? "");
        const body: { [key: string]: Json } = { Resources: [input], Synchronous: true };
        const localAet = field(parameters, "LocalAet");
        if (typeof localAet === "string") body.LocalAet = localAet;
        const timeout = field(parameters, "Timeout");
        if (typeof timeout === "number") body.Timeout = timeout;
        await ok(
          await call(
            "POST",
            `/modalities/${encodeURIComponent(modality)}/store`,
            JSON.stringify(body),
          ),
          "SendToModality",
        );
        outputs.push(input);
        break;
      }
      case "SendToPeer": {
        const peer = String(field(parameters, "Peer") ?? "");
        await ok(
          await call("POST", `/peers/${encodeURIComponent(peer)}/store`, input),
          "SendToPeer",
        );
        outputs.push(input);
        break;
      }
      case "ModifyInstance": {
        const body = {
          Replace: field(parameters, "Replace") ?? {},
          Remove: field(parameters, "Remove") ?? [],
          RemovePrivateTags: field(parameters, "RemovePrivateTags") === true,
          Force: true,
        };
        const modified = await ok(
          await call("POST", `/instances/${input}/modify`, JSON.stringify(body)),
          "ModifyInstance",
        );
        const bytes = new Uint8Array(await modified.arrayBuffer());
        const stored = await ok(
          await call("POST", "/instances", bytes),
          "Storing the modified instance",
        );
        const { ID } = await stored.json() as { ID?: string };
        outputs.push(ID);
        break;
      }
      case "CallSystem": {
        const command2 = String(field(parameters, "Command") ?? "");
        const args = field(parameters, "Arguments");
        const list = Array.isArray(args) ? args.map(String) : [];
        const child = Bun.spawn([command2, ...list], { stdout: "ignore", stderr: "ignore" });
        const code = await child.exited;
        if (code !== 0) throw new Error(`CallSystem: ${command2} exited with status ${code}`);
        outputs.push(input);
        break;
      }
    }
  }
}
