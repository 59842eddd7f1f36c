// The name of a file's content in the image caches (frame-cache.ts, answer-cache.ts): its hash
// and length. One request asks both caches, and more than once, about the same bytes: the hash
// is computed once per buffer (a 130 kB file: 3 hashes a request before).
const keys = new WeakMap<Uint8Array, string>();

export function contentKey(dicom: Uint8Array): string {
  let key = keys.get(dicom);
  if (key === undefined) {
    key = `${Bun.hash(dicom).toString(16)}:${dicom.length}`;
    keys.set(dicom, key);
  }
  return key;
}
