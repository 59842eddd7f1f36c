// Global properties (Orthanc's GlobalProperty): small named values kept in the index, for the
// server's own state (saved jobs, REST-defined modalities) and for plugins.
import type { IndexBackend } from "../index/interface.ts";

export class GlobalProperties {
  constructor(private readonly index: IndexBackend) {}

  get(property: number): string | undefined {
    return this.index.globalProperty(property);
  }

  set(property: number, value: string): void {
    this.index.setGlobalProperty(property, value);
  }
}
