// The plugins' CreateDicom (OrthancPluginCreateDicom/CreateDicom2): tags in JSON and an optional
// image to the bytes of a new DICOM file, built by src/creating/ as /tools/create-dicom builds
// its files. Pure, so it runs where the plugin runs (in its worker when it is isolated).
import { CreateError } from "../creating/errors.ts";
import { buildInstance } from "../creating/instance.ts";
import { readTags } from "../creating/tags.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { EditError } from "../editing/errors.ts";
import type { RawImage } from "../imaging/types.ts";
import { OrthancError } from "../server/errors.ts";
import type { CreateDicomOptions } from "./pharos-plugin.d.ts";

const FORMATS: readonly RawImage["format"][] = ["Grayscale8", "Grayscale16", "RGB24", "RGBA32"];

function checkImage(image: RawImage): RawImage {
  const { format, width, height, pixels } = image;
  if (!FORMATS.includes(format)) {
    throw new OrthancError("NotImplemented", `Unsupported pixel format: ${String(format)}`);
  }
  const size = width * height * { Grayscale8: 1, Grayscale16: 2, RGB24: 3, RGBA32: 4 }[format];
  if (
    !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 ||
    !(pixels instanceof Uint8Array || pixels instanceof Uint16Array) || pixels.byteLength < size
  ) {
    throw new OrthancError("ParameterOutOfRange", `Bad image: ${width}x${height} ${format}`);
  }
  return image;
}

export function createDicomForPlugin(
  tags: Record<string, unknown>,
  options: CreateDicomOptions,
  defaultCharset: string,
): Uint8Array {
  try {
    return buildInstance({
      tags: readTags(tags as JsonValue),
      charset: defaultCharset,
      interpretBinaryTags: options.decodeDataUriScheme === true,
      legacy: false,
      generateIdentifiers: options.generateIdentifiers === true,
      ...(options.privateCreator === undefined ? {} : { privateCreator: options.privateCreator }),
      ...(options.image ? { payload: { kind: "image", image: checkImage(options.image) } } : {}),
    });
  } catch (e) {
    if (e instanceof CreateError || e instanceof EditError) {
      throw new OrthancError(e.kind === "UnknownResource" ? "BadRequest" : e.kind, e.details);
    }
    throw e;
  }
}
