// The image codecs of one server: frame decoders and transcoders, built-in ones first unless
// BuiltinDecoderTranscoderOrder is "Before" (then the plugins' come first).
import { FrameDecoders } from "./decode.ts";
import { DecodedFrameCache } from "./frame-cache.ts";
import { Transcoders } from "./transcoders.ts";

export interface Codecs {
  decoders: FrameDecoders;
  transcoders: Transcoders;
  /** The frames the image routes decoded last. */
  frames: DecodedFrameCache;
}

/** `lossyQuality`: DicomLossyTranscodingQuality, the default of lossy transcoding. */
export function createCodecs(order: "Before" | "After", lossyQuality = 90): Codecs {
  const pluginsFirst = order === "Before";
  return {
    decoders: new FrameDecoders(pluginsFirst),
    transcoders: new Transcoders(pluginsFirst, lossyQuality),
    frames: new DecodedFrameCache(),
  };
}
