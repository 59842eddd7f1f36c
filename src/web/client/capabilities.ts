// Which optional routes this server has. A route that exists answers 405 to a method it does not
// take, where a missing one answers 404: the UI shows the actions it lacks disabled.
import { ROOT } from "./api.ts";

export interface Capabilities {
  archive: boolean;
  media: boolean;
  modify: boolean;
  anonymize: boolean;
  labels: boolean;
  bulkDelete: boolean;
  peers: boolean;
  dicomWebServers: boolean;
}

async function answers405(path: string, method: string): Promise<boolean> {
  try {
    return (await fetch(ROOT + path, { method })).status === 405;
  } catch {
    return false;
  }
}

let probing: Promise<Capabilities> | undefined;

export function capabilities(): Promise<Capabilities> {
  probing ??= (async () => {
    const [archive, media, modify, anonymize, labels, peers, dicomWebServers, tools] = await Promise
      .all([
        answers405("studies/0/archive", "PUT"),
        answers405("studies/0/media", "PUT"),
        answers405("studies/0/modify", "PUT"),
        answers405("studies/0/anonymize", "PUT"),
        answers405("studies/0/labels/x", "POST"),
        answers405("peers", "PUT"),
        answers405("dicom-web/servers", "POST"),
        fetch(ROOT + "tools").then((r): Promise<string[]> | string[] => r.ok ? r.json() : []).catch(
          (): string[] => [],
        ),
      ]);
    return {
      archive,
      media,
      modify,
      anonymize,
      labels,
      peers,
      dicomWebServers,
      bulkDelete: tools.includes("bulk-delete"),
    };
  })();
  return probing;
}
