// host.dicom.createDicom() (OrthancPluginCreateDicom), in-process and in a plugin's worker: the
// file it builds from JSON tags and an image is stored, and reads back with its tags, its
// sequence, its pixels and the identifiers generated on request; bad tags are refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { elementBytes, findElement, latin1, parseDicom } from "../../src/dicom/parser.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";

const creator = resolve(import.meta.dir, "../plugins/creator.ts");

const modes = [
  ["in-process", {}],
  ["in a worker", { PluginsIsolation: { creator: "Worker" } }],
] as const;

for (const [mode, isolation] of modes) {
  describe(`createDicom ${mode}`, () => {
    let server: InProcessServer;
    beforeAll(async () => {
      server = await startInProcess({ config: { Plugins: [creator], ...isolation } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    const create = async (body: object) => {
      const r = await fetch(`${server.url}/creator/create`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, string> };
    };
    const file = async (id: string) => {
      const r = await fetch(`${server.url}/instances/${id}/file`);
      const parsed = parseDicom(new Uint8Array(await r.arrayBuffer()));
      const text = (tag: number) => {
        const e = findElement(parsed.dataset, tag);
        return e && latin1(elementBytes(parsed.dataset, e)).replace(/[\0 ]+$/, "");
      };
      return { parsed, text };
    };

    test("tags, a sequence and an image make a file that is stored", async () => {
      const { status, json } = await create({
        tags: {
          PatientName: "Plugin^Made",
          Modality: "OT",
          ReferencedImageSequence: [{ ReferencedSOPInstanceUID: "1.2.3" }],
          "0009,1001": "data:application/octet-stream;base64,AAEC",
        },
        options: {
          generateIdentifiers: true,
          decodeDataUriScheme: true,
          image: { format: "Grayscale8", width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6] },
        },
      });
      expect(status).toBe(200);
      expect(json.Status).toBe("Success");
      const { parsed, text } = await file(json.ID!);
      expect(text(0x00100010)).toBe("Plugin^Made");
      expect(text(0x00080005)).toBe("ISO_IR 100");
      expect(text(0x00080018)).toStartWith("2.25.");
      expect(text(0x00280004)).toBe("MONOCHROME2");
      expect(text(0x00091001)).toBe("\0\x01\x02");
      const sequence = findElement(parsed.dataset, 0x00081140)!;
      expect(sequence.items).toHaveLength(1);
      const pixels = findElement(parsed.dataset, 0x7fe00010)!;
      expect([...elementBytes(parsed.dataset, pixels)]).toEqual([1, 2, 3, 4, 5, 6]);
      // Plugins get no generated dates, as OrthancPluginCreateDicom writes none.
      expect(text(0x00080020)).toBeUndefined();
    });

    test("without generateIdentifiers, only the identifiers given are written", async () => {
      const { status } = await create({ tags: { PatientName: "No^Ids" } });
      // The store refuses a file without its UIDs ("Inexistent tag").
      expect(status).toBe(404);
      const given = await create({
        tags: {
          PatientID: "P",
          StudyInstanceUID: "1.2.3",
          SeriesInstanceUID: "1.2.3.4",
          SOPInstanceUID: "1.2.3.4.5",
          SpecificCharacterSet: "ISO_IR 192",
          PatientName: "Jérôme",
        },
      });
      expect(given.status).toBe(200);
      const { text } = await file(given.json.ID!);
      expect(text(0x00080018)).toBe("1.2.3.4.5");
      expect(text(0x00080005)).toBe("ISO_IR 192");
      expect(new TextDecoder().decode(Uint8Array.from(text(0x00100010)!, (c) => c.charCodeAt(0))))
        .toBe("Jérôme");
    });

    test("unknown tags and bad values are refused with Orthanc's errors", async () => {
      expect(await create({ tags: { Nope: "1" } })).toEqual({
        status: 400,
        json: { error: "Unknown DICOM tag" },
      });
      expect(await create({ tags: { PatientName: 5 } })).toEqual({
        status: 400,
        json: { error: "Bad Parameter type for tag 0010,0010" },
      });
    });
  });
}
