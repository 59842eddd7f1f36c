// BuiltinDecoderTranscoderOrder as Orthanc reads it: "After" (the default) asks the plugins'
// decoders first and the built-in ones after them, "Before" the other way round, "Disabled" the
// plugins' alone.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { parseDicom } from "../../src/dicom/parser.ts";
import { type BuiltinOrder, FrameDecoders, isFailure } from "../../src/imaging/decode.ts";
import { samplesDir } from "../support/server.ts";

const bytes = new Uint8Array(
  await Bun.file(join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.1.dcm")).arrayBuffer(),
);
const pluginImage = { format: "Grayscale8", width: 1, height: 1, pixels: new Uint8Array([7]) };

async function decodedBy(order: BuiltinOrder, pluginAnswers: boolean): Promise<string> {
  const decoders = new FrameDecoders(order);
  decoders.add(() => Promise.resolve(pluginAnswers ? pluginImage : undefined) as never);
  const outcome = await decoders.decodeOutcome(bytes, parseDicom(bytes), 0);
  if (isFailure(outcome)) return outcome.failure;
  return outcome.width === 1 ? "plugin" : "built-in";
}

test("the plugins' decoders come first by default, as Orthanc's 'After'", async () => {
  expect(await decodedBy("After", true)).toBe("plugin");
  expect(await decodedBy("After", false)).toBe("built-in");
});

test("'Before' asks the built-in decoders first; 'Disabled' never", async () => {
  expect(await decodedBy("Before", true)).toBe("built-in");
  expect(await decodedBy("Disabled", true)).toBe("plugin");
  expect(await decodedBy("Disabled", false)).toBe("NotImplemented");
});

test("the built-in decoders alone decode only while no plugin has a decoder, and not disabled", () => {
  const orders: BuiltinOrder[] = ["After", "Before", "Disabled"];
  const alone = orders.map((order) => new FrameDecoders(order).builtinOnly);
  expect(alone).toEqual([true, true, false]);
  for (const order of orders) {
    const decoders = new FrameDecoders(order);
    decoders.add(() => Promise.resolve(undefined));
    expect(decoders.builtinOnly).toBe(false);
  }
});
