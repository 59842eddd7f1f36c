// readBody: each way Orthanc's route families read a body, and the error of each failure.
import { expect, test } from "bun:test";
import { Hono } from "hono";
import { z } from "zod";
import {
  anyJson,
  type BodyFormat,
  DICOM_NETWORK_JSON,
  FIND_JSON,
  JSON_OR_TEXT,
  jsonObject,
  readBody,
} from "../../src/rest/body.ts";
import type { AppEnv } from "../../src/rest/context.ts";
import { OrthancError } from "../../src/server/errors.ts";

/** What readBody gives for a body: the value, or the kind and details of its error. */
async function read(format: BodyFormat, schema: z.ZodType, text: string) {
  const app = new Hono<AppEnv>();
  app.post("/", async (c) => c.json({ value: await readBody(c, format, schema) }));
  app.onError((e, c) =>
    c.json(e instanceof OrthancError ? { kind: e.kind, details: e.details } : { bug: String(e) })
  );
  const answer = await app.request("/", { method: "POST", body: text });
  return await answer.json();
}

test("the DICOM network routes take a blank body as {} and refuse text that is not JSON", async () => {
  expect(await read(DICOM_NETWORK_JSON, anyJson, " \n")).toEqual({ value: {} });
  expect(await read(DICOM_NETWORK_JSON, anyJson, "[1]")).toEqual({ value: [1] });
  expect(await read(DICOM_NETWORK_JSON, anyJson, "{")).toEqual({
    kind: "BadFileFormat",
    details: "Cannot parse the JSON body",
  });
  expect(await read(DICOM_NETWORK_JSON, jsonObject("An object"), "[]")).toEqual({
    kind: "BadFileFormat",
    details: "An object",
  });
});

test("a route taking JSON or text gets the trimmed text when it is not JSON", async () => {
  expect(await read(JSON_OR_TEXT, anyJson, "  ORTHANC \n")).toEqual({ value: "ORTHANC" });
  expect(await read(JSON_OR_TEXT, anyJson, "")).toEqual({ value: "" });
  expect(await read(JSON_OR_TEXT, anyJson, ' {"TargetAet":"A"} ')).toEqual({
    value: { TargetAet: "A" },
  });
});

test("find refuses a blank or broken body and reports the schema's first message", async () => {
  const schema = z.object({ Level: z.string({ error: 'Field "Level" is missing' }) });
  for (const text of ["", "{"]) {
    expect(await read(FIND_JSON, schema, text)).toEqual({
      kind: "BadRequest",
      details: "The body must contain a JSON object",
    });
  }
  expect(await read(FIND_JSON, schema, "{}")).toEqual({
    kind: "BadRequest",
    details: 'Field "Level" is missing',
  });
  expect(await read(FIND_JSON, schema, '{"Level":"Study"}')).toEqual({
    value: { Level: "Study" },
  });
});
