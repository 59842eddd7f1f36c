// A REST route answering PNG images drawn by the plugin: GET /png-sample/{width}x{height}
// gives a diagonal grayscale gradient (?format=rgb for colours, ?depth=16 for 16 bits; ?as=jpeg
// answers a JPEG of the 8-bit ones).
import type { PharosPlugin, RawImage } from "../src/plugins/pharos-plugin.d.ts";

const MAX = 4096;

function gradient(width: number, height: number, format: RawImage["format"]): RawImage {
  const channels = format === "RGB24" ? 3 : 1;
  const wide = format === "Grayscale16";
  const pixels = wide ? new Uint16Array(width * height) : new Uint8Array(width * height * channels);
  const span = Math.max(1, width + height - 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x + y) / span;
      const i = y * width + x;
      if (wide) pixels[i] = Math.round(t * 65535);
      else if (channels === 1) pixels[i] = Math.round(t * 255);
      else {
        pixels[i * 3] = Math.round(t * 255);
        pixels[i * 3 + 1] = Math.round((x / Math.max(1, width - 1)) * 255);
        pixels[i * 3 + 2] = 255 - Math.round(t * 255);
      }
    }
  }
  return { format, width, height, pixels };
}

const plugin: PharosPlugin = {
  name: "png-route",
  version: "1.0.0",
  description: "Answers PNG gradients at /png-sample/{width}x{height}",
  initialize(host) {
    host.rest.register(/\/png-sample\/(\d+)x(\d+)/, (request, match) => {
      if (request.method !== "GET") return host.answers.methodNotAllowed(["GET"]);
      const [width, height] = match.groups.map(Number) as [number, number];
      if (width < 1 || height < 1 || width > MAX || height > MAX) {
        return host.answers.error(400, `The size must be between 1x1 and ${MAX}x${MAX}`);
      }
      const format = match.getArguments.format === "rgb"
        ? "RGB24"
        : match.getArguments.depth === "16"
        ? "Grayscale16"
        : "Grayscale8";
      const options = { headers: { "Cache-Control": "max-age=3600" } };
      if (match.getArguments.as === "jpeg" && format !== "Grayscale16") {
        return host.answers.jpeg(gradient(width, height, format), 90, options);
      }
      return host.answers.png(gradient(width, height, format), options);
    });
  },
};
export default plugin;
