// @cornerstonejs/codec-charls's decoder: an Emscripten module factory, and its WASM file.
declare module "@cornerstonejs/codec-charls/decodewasmjs" {
  export interface JpegLSDecoder {
    /** The decoder's input buffer, sized for `length` bytes of codestream. */
    getEncodedBuffer(length: number): Uint8Array;
    /** Throws when the codestream does not decode. */
    decode(): void;
    /** A view of the module's memory, valid until the next call. */
    getDecodedBuffer(): Uint8ClampedArray;
    getFrameInfo(): {
      width: number;
      height: number;
      bitsPerSample: number;
      componentCount: number;
    };
  }
  interface CharLSModule {
    JpegLSDecoder: new () => JpegLSDecoder;
  }
  /** `wasmBinary`: the module's bytes, so that it reads no file of its own. */
  export default function factory(options: { wasmBinary: ArrayBuffer }): Promise<CharLSModule>;
}

declare module "@cornerstonejs/codec-charls/decodewasm" {
  const path: string;
  export default path;
}
