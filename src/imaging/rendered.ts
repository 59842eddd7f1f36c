// /rendered: a frame as a viewer shows it. Gray frames get the modality rescale, then a window
// (the one asked for, else the file's first WindowCenter/WindowWidth, else the frame's range)
// mapped to 8 bits, inverted for MONOCHROME1; color frames stay as they are. Then the image is
// fitted into the width and height asked for, keeping its aspect ratio: nearest neighbor, or
// averaged with `smooth`.
import type { DecodedImage } from "./image.ts";
import type { RawImage } from "./types.ts";

export interface RenderedOptions {
  rescale: { slope: number; intercept: number };
  /** The window asked for or found in the file; undefined for the frame's range. */
  window?: { center: number; width: number };
  invert: boolean;
  /** 0 leaves that side free. */
  width: number;
  height: number;
  smooth: boolean;
}

function windowed(image: DecodedImage, options: RenderedOptions): Uint8Array {
  const { slope, intercept } = options.rescale;
  const source = image.pixels;
  let center: number, width: number;
  if (options.window) {
    ({ center, width } = options.window);
  } else {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < source.length; i++) {
      const v = source[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const [a, b] = [min * slope + intercept, max * slope + intercept];
    center = (a + b) / 2;
    width = Math.abs(b - a);
  }
  width = Math.max(width, 1);
  const scale = 255 / width;
  const low = center - width / 2;
  const out = new Uint8Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const v = ((source[i]! * slope + intercept) - low) * scale;
    const g = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    out[i] = options.invert ? 255 - g : g;
  }
  return out;
}

/** The size fitting the box (a side of 0 is free), with the frame's aspect ratio. */
export function fittedSize(
  width: number,
  height: number,
  boxWidth: number,
  boxHeight: number,
): [number, number] {
  if (boxWidth === 0 && boxHeight === 0) return [width, height];
  const scale = Math.min(
    boxWidth === 0 ? Infinity : boxWidth / width,
    boxHeight === 0 ? Infinity : boxHeight / height,
  );
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Nearest neighbor, or with `smooth` the mean of the source pixels each target pixel covers. */
function resize(
  pixels: Uint8Array,
  channels: number,
  [w, h]: [number, number],
  [tw, th]: [number, number],
  smooth: boolean,
): Uint8Array {
  if (tw === w && th === h) return pixels;
  const out = new Uint8Array(tw * th * channels);
  const sx = w / tw, sy = h / th;
  const span = (t: number, s: number, size: number) => {
    if (!smooth) return [Math.min(size - 1, Math.floor((t + 0.5) * s))] as const;
    const from = Math.floor(t * s);
    return [from, Math.max(from + 1, Math.min(size, Math.ceil((t + 1) * s)))] as const;
  };
  for (let y = 0; y < th; y++) {
    const [y0, y1 = y0 + 1] = span(y, sy, h);
    for (let x = 0; x < tw; x++) {
      const [x0, x1 = x0 + 1] = span(x, sx, w);
      const count = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) {
          for (let xx = x0; xx < x1; xx++) sum += pixels[(yy * w + xx) * channels + c]!;
        }
        out[(y * tw + x) * channels + c] = Math.round(sum / count);
      }
    }
  }
  return out;
}

export function renderForViewer(image: DecodedImage, options: RenderedOptions): RawImage {
  const color = image.format === "RGB24" || image.format === "RGBA32";
  const pixels = color ? image.pixels as Uint8Array : windowed(image, options);
  const channels = image.format === "RGBA32" ? 4 : color ? 3 : 1;
  const size = fittedSize(image.width, image.height, options.width, options.height);
  return {
    format: image.format === "RGBA32" ? "RGBA32" : color ? "RGB24" : "Grayscale8",
    width: size[0],
    height: size[1],
    pixels: resize(pixels, channels, [image.width, image.height], size, options.smooth),
  };
}
