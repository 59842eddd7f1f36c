// /matlab: a frame as MATLAB code, as Orthanc writes it. Gray frames are a matrix, row by row;
// color frames are their samples in memory order, reshaped and permuted (with the dimensions
// Orthanc 1.10.1 writes: channels, height, width).
import { CHANNELS, type DecodedImage } from "./image.ts";

export function toMatlab(image: DecodedImage): string {
  const { width, height, pixels } = image;
  const channels = CHANNELS[image.format];
  if (channels === 1) {
    const rows: string[] = [];
    for (let y = 0; y < height; y++) {
      rows.push(Array.from(pixels.subarray(y * width, (y + 1) * width), (v) => `${v} `).join(""));
    }
    return `double([ ${rows.join("; ")}])`;
  }
  const values = Array.from(pixels, (v) => `${v} `).join("");
  return `double(permute(reshape([ ${values}], [ ${channels} ${height} ${width} ]), [ 3 2 1 ]))`;
}
