// A test plugin that creates DICOM files with host.dicom.createDicom(): POST /creator/create
// takes {tags, options} (an image's pixels as a list of numbers) and stores the file it gets
// through the REST API, answering the store's answer, or the error createDicom() threw.
import type {
  CreateDicomOptions,
  PharosPlugin,
  RawImage,
} from "../../src/plugins/pharos-plugin.d.ts";

interface Request {
  tags: Record<string, unknown>;
  options?: Omit<CreateDicomOptions, "image"> & {
    image?: Omit<RawImage, "pixels"> & { pixels: number[] };
  };
}

const plugin: PharosPlugin = {
  name: "creator",
  initialize(host) {
    host.rest.register("/creator/create", async (request) => {
      const { tags, options = {} } = (await request.json()) as Request;
      const { image, ...flags } = options;
      let file: Uint8Array;
      try {
        file = host.dicom.createDicom(tags, {
          ...flags,
          ...(image
            ? {
              image: {
                ...image,
                pixels: image.format === "Grayscale16"
                  ? Uint16Array.from(image.pixels)
                  : Uint8Array.from(image.pixels),
              },
            }
            : {}),
        });
      } catch (e) {
        return host.answers.json({ error: (e as Error).message }, { status: 400 });
      }
      const stored = await host.rest.post("/instances", file);
      return host.answers.json(await stored.json(), { status: stored.status });
    });
  },
};

export default plugin;
