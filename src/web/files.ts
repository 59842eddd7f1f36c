// The files of the web UI as the server holds them: built once, kept in memory, never on disk.

export interface WebFile {
  /** The file's text (the bundle, its stylesheet, its page). */
  body: string;
  type: string;
}

/** File name below /ui/app/ → the file. */
export type WebFiles = Record<string, WebFile>;
