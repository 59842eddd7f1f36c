// The image codecs of one server: frame decoders and transcoders, built-in ones first unless
// BuiltinDecoderTranscoderOrder is "Before" (then the plugins' come first).
import { FrameDecoders } from "./decode.ts";
import { Transcoders } from "./transcoders.ts";

export interface Codecs {
  decoders: FrameDecoders;
  transcoders: Transcoders;
}

export function createCodecs(order: "Before" | "After"): Codecs {
  const pluginsFirst = order === "Before";
  return { decoders: new FrameDecoders(pluginsFirst), transcoders: new Transcoders(pluginsFirst) };
}
