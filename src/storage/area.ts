// The storage area: where attachments' bytes live, addressed by uuid. A plugin may replace it.

export interface StorageArea {
  create(uuid: string, contentType: number, data: Uint8Array): Promise<void>;
  /**
   * create() in two steps, when the area can tell them apart: resolves once the file is complete
   * and readable, with `durable` settling once it is on the disk. The index commit of a store runs
   * between the two, while the disk flushes.
   */
  write?(uuid: string, contentType: number, data: Uint8Array): Promise<{ durable: Promise<void> }>;
  /**
   * Starts making the empty file of a uuid that create() or write() fills next, so that making it
   * (~0.25 ms on ext4, more than writing 170 KB into it) runs while the caller does other work.
   */
  reserve?(uuid: string, contentType: number): Promise<void>;
  read(uuid: string, contentType: number): Promise<Uint8Array>;
  /** Bytes [start, end) of a file, when the area can read a part without the whole. */
  readRange?(uuid: string, contentType: number, start: number, end: number): Promise<Uint8Array>;
  /** A Bun file for zero-copy streaming, when the area is a plain filesystem. */
  file?(uuid: string, contentType: number): Bun.BunFile;
  remove(uuid: string, contentType: number): Promise<void>;
}
