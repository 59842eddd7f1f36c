// The storage area: where attachments' bytes live, addressed by uuid. A plugin may replace it.

export interface StorageArea {
  create(uuid: string, contentType: number, data: Uint8Array): Promise<void>;
  read(uuid: string, contentType: number): Promise<Uint8Array>;
  /** Bytes [start, end) of a file, when the area can read a part without the whole. */
  readRange?(uuid: string, contentType: number, start: number, end: number): Promise<Uint8Array>;
  /** A Bun file for zero-copy streaming, when the area is a plain filesystem. */
  file?(uuid: string, contentType: number): Bun.BunFile;
  remove(uuid: string, contentType: number): Promise<void>;
}
