// A fixture for host.webdav.register: an in-memory writable tree at /webdav/mem/, a read-only
// collection at /webdav/ro/files/ (no MKCOL/DELETE, PUT refused) with the dates and MIME types a
// plugin may give, one whose callbacks throw, one that gives an ill-formed date, and a writable
// tree mounted at the root (/dav-root/), as Orthanc mounts collections at their own URI.
import type {
  PharosPlugin,
  WebDavCollection,
  WebDavItem,
} from "../../src/plugins/pharos-plugin.d.ts";

interface Node {
  files: Map<string, { data: Uint8Array; dateTime: string }>;
  folders: Map<string, Node>;
}

const empty = (): Node => ({ files: new Map(), folders: new Map() });

function folderAt(root: Node, path: string[]): Node | undefined {
  let node: Node | undefined = root;
  for (const item of path) node = node?.folders.get(item);
  return node;
}

function memory(): WebDavCollection {
  const root = empty();
  root.files.set("hello.txt", {
    data: new TextEncoder().encode("hello webdav"),
    dateTime: "20240102T030405",
  });
  root.folders.set("sub dir", empty());
  return {
    listFolder(path) {
      const node = folderAt(root, path);
      if (!node) return undefined;
      const items: WebDavItem[] = [];
      for (const [name] of node.folders) {
        items.push({ name, folder: true, dateTime: "20240101T000000" });
      }
      for (const [name, f] of node.files) {
        items.push({ name, size: f.data.byteLength, dateTime: f.dateTime });
      }
      return items;
    },
    retrieveFile(path) {
      const file = folderAt(root, path.slice(0, -1))?.files.get(path.at(-1)!);
      return file && { data: file.data, dateTime: file.dateTime };
    },
    storeFile(path, data) {
      const node = folderAt(root, path.slice(0, -1));
      if (!node) throw new Error(`no folder for ${path.join("/")}`);
      node.files.set(path.at(-1)!, { data, dateTime: "20250607T080910" });
    },
    createFolder(path) {
      const node = folderAt(root, path.slice(0, -1));
      if (!node) throw new Error(`no folder for ${path.join("/")}`);
      node.folders.set(path.at(-1)!, empty());
    },
    deleteItem(path) {
      const node = folderAt(root, path.slice(0, -1));
      const name = path.at(-1)!;
      return node !== undefined && (node.files.delete(name) || node.folders.delete(name));
    },
  };
}

export default {
  name: "webdav-probe",
  version: "1.0.0",
  initialize(host) {
    host.webdav.register("/webdav/mem", memory());
    // Mounted at the root, as Orthanc mounts "/webdav-plugin" in its sample.
    host.webdav.register("/dav-root", memory());
    host.webdav.register("/webdav/ro/files/", {
      listFolder: (path) =>
        path.length === 0
          ? [
            { name: "a.dcm", size: 3, dateTime: "20230405T060708,123" },
            { name: "custom.dat", size: 1, mimeType: "text/x-custom", dateTime: new Date(0) },
            {
              name: "legacy.xml",
              size: 2,
              mimeType: "text/xml",
              dateTime: "2022-01-02T03:04:05.678Z",
            },
          ]
          : undefined,
      retrieveFile: (path) =>
        path.join("/") === "a.dcm"
          ? { data: new Uint8Array([1, 2, 3]), dateTime: "20230405T060708" }
          : path.join("/") === "custom.dat"
          ? { data: "x", mimeType: "text/x-custom", dateTime: new Date(0) }
          : undefined,
      storeFile: () => false,
    });
    host.webdav.register("/webdav/boom", {
      listFolder: () => {
        throw new Error("listing exploded");
      },
      retrieveFile: () => Promise.reject(new Error("retrieval exploded")),
      storeFile: () => {
        throw new Error("storage exploded");
      },
    });
    host.webdav.register("/webdav/bad-date", {
      listFolder: (path) =>
        path.length === 0 ? [{ name: "x.txt", size: 1, dateTime: "20241345T000000" }] : undefined,
      retrieveFile: () => undefined,
    });
    // A second registration at the same URI is refused.
    let refused = false;
    try {
      host.webdav.register("webdav/mem/", memory());
    } catch {
      refused = true;
    }
    let reserved = false;
    try {
      host.webdav.register("/webdav/by-studies", memory());
    } catch {
      reserved = true;
    }
    host.rest.register("/webdav-probe/state", async () => {
      let late = false;
      try {
        host.webdav.register("/late", memory());
      } catch {
        late = true;
      }
      return host.answers.json({ refused, reserved, late: await Promise.resolve(late) });
    });
  },
} satisfies PharosPlugin;
