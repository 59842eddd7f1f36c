// The WASM modules of the codec workers: these imports embed them in the executable (build.ts),
// and give their paths there or in the source tree.
import dcmjs from "dcmjs-codecs/build/dcmjs-native-codecs.wasm" with { type: "file" };
import charls from "./charls.wasm" with { type: "file" };
import openjpeg from "./openjpeg.wasm" with { type: "file" };

export interface WasmModules {
  /** dcmjs-codecs: libjpeg-turbo, CharLS, OpenJPEG and OpenJPH, for all but what follows. */
  dcmjs: string;
  /** CharLS built here: JPEG-LS decoding (charls.ts). */
  charls: string;
  /** OpenJPEG built here: JPEG 2000 decoding (openjpeg.ts). */
  openjpeg: string;
}

export const WASM_MODULES: WasmModules = { dcmjs, charls, openjpeg };
