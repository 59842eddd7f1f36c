// The placeholder the image routes answer with `returnUnsupportedImage` instead of a 415: a gray
// square crossed by its diagonals, drawn here.
import { encodePng } from "./png.ts";

const SIZE = 64;

function draw(): Uint8Array {
  const pixels = new Uint8Array(SIZE * SIZE).fill(96);
  for (let i = 0; i < SIZE; i++) {
    for (const x of [i, SIZE - 1 - i]) pixels[i * SIZE + x] = 224;
  }
  return encodePng({ format: "Grayscale8", width: SIZE, height: SIZE, pixels });
}

let png: Uint8Array | undefined;

export function unsupportedImagePng(): Uint8Array {
  png ??= draw();
  return png;
}
