// A test plugin that uses the server's storage area (host.storageArea, Orthanc's
// StorageAreaCreate/Read/Remove and a range read): GET /storage-access/roundtrip writes a file,
// reads it whole and in part, removes it; /storage-access/read/{uuid}?start&end reads an existing
// file; /storage-access/bad tries a path for a UUID.
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const UUID = "0123abcd-0000-4000-8000-00000000cafe";

const plugin: PharosPlugin = {
  name: "storage-access",
  initialize(host) {
    const area = host.storageArea;
    host.rest.register("/storage-access/roundtrip", async () => {
      await area.create(UUID, new TextEncoder().encode("hello storage"), 1025);
      const whole = new TextDecoder().decode(await area.read(UUID, 1025));
      const part = new TextDecoder().decode(await area.readRange(UUID, 6, 13, 1025));
      await area.remove(UUID, 1025);
      let gone = false;
      await area.read(UUID, 1025).catch(() => (gone = true));
      return host.answers.json({
        whole,
        part,
        gone,
        expectedDatabaseVersion: host.expectedDatabaseVersion,
      });
    });
    host.rest.register("/storage-access/read/([0-9a-f-]+)", async (_request, match) => {
      const { start, end } = match.getArguments;
      const bytes = start === undefined
        ? await area.read(match.groups[0]!, 1)
        : await area.readRange(match.groups[0]!, Number(start), Number(end), 1);
      return host.answers.buffer(bytes, "application/octet-stream");
    });
    host.rest.register("/storage-access/bad", async () => {
      await area.read("../../../etc/passwd");
      return host.answers.text("unreachable");
    });
  },
};

export default plugin;
