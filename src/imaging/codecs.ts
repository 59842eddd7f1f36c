// The image codecs of one server: frame decoders and transcoders, the plugins' first and the
// built-in ones after them, as Orthanc's BuiltinDecoderTranscoderOrder "After" (its default); or
// the built-in ones first ("Before"), or the plugins' alone ("Disabled").
import { type BuiltinOrder, FrameDecoders } from "./decode.ts";
import { RenderedAnswerCache } from "./answer-cache.ts";
import { DecodedFrameCache } from "./frame-cache.ts";
import { Transcoders } from "./transcoders.ts";

export interface Codecs {
  decoders: FrameDecoders;
  transcoders: Transcoders;
  /** The frames the image routes decoded last. */
  frames: DecodedFrameCache;
  /** The /rendered answers given last. */
  rendered: RenderedAnswerCache;
}

/** `lossyQuality`: DicomLossyTranscodingQuality, the default of lossy transcoding. */
export function createCodecs(order: BuiltinOrder, lossyQuality = 90): Codecs {
  return {
    decoders: new FrameDecoders(order),
    transcoders: new Transcoders(order, lossyQuality),
    frames: new DecodedFrameCache(),
    rendered: new RenderedAnswerCache(),
  };
}
