// The part of dcmjs-codecs that Pharos uses: its WASM frame codecs (libjpeg-turbo with lossless,
// CharLS, OpenJPEG, OpenJPH), and the file the bundler embeds for them.
declare module "dcmjs-codecs" {
  export class Context {
    constructor(attrs: {
      width: number;
      height: number;
      bitsAllocated: number;
      bitsStored: number;
      samplesPerPixel: number;
      pixelRepresentation: number;
      planarConfiguration: number;
      photometricInterpretation: string;
      encodedBuffer?: Uint8Array;
      decodedBuffer?: Uint8Array;
    });
    getEncodedBuffer(): Uint8Array | undefined;
    getDecodedBuffer(): Uint8Array | undefined;
    getPhotometricInterpretation(): string | undefined;
    getPlanarConfiguration(): number | undefined;
  }
  type Params = Record<string, number | boolean>;
  export const NativeCodecs: {
    initializeAsync(opts: { webAssemblyModulePathOrUrl: string }): Promise<void>;
    decodeJpeg(context: Context, parameters?: Params): Context;
    encodeJpeg(context: Context, parameters?: Params): Context;
    decodeJpegLs(context: Context, parameters?: Params): Context;
    encodeJpegLs(context: Context, parameters?: Params): Context;
    decodeJpeg2000(context: Context, parameters?: Params): Context;
    encodeJpeg2000(context: Context, parameters?: Params): Context;
    decodeHtJpeg2000(context: Context, parameters?: Params): Context;
    encodeHtJpeg2000(context: Context, parameters?: Params): Context;
  };
}

declare module "*.wasm" {
  const path: string;
  export default path;
}
