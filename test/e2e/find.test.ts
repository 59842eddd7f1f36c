// What /tools/find adds beyond Orthanc 1.10 (the 1.12 contract), /tools/lookup and
// /tools/count-resources, and the requested-tags argument of GET routes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startInProcess } from "../support/in-process.ts";
import { sampleFiles, type TestServer } from "../support/server.ts";

let server: TestServer;
const BRAINIX_STUDY = "27f7126f-4f66fb14-03f4081b-f9341db2-53925988";
const BRAINIX_PATIENT = "16738bc3-e47ed42a-43ce044c-a3414a45-cb069bd0";

beforeAll(async () => {
  server = await startInProcess({ config: { LimitFindInstances: 5 } });
  for (const file of [...await sampleFiles("Brainix"), ...await sampleFiles("Knee/T1")]) {
    await fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(file) });
  }
});
afterAll(async () => {
  await server.stop();
});

const find = async (body: unknown) => {
  const res = await fetch(`${server.url}/tools/find`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

test("RequestedTags: main tags of any level, computed tags and tags read in a file", async () => {
  const { body } = await find({
    Level: "Study",
    Query: { PatientID: "5Yp0E" },
    Expand: true,
    RequestedTags: [
      "PatientName",
      "StudyDate",
      "NumberOfStudyRelatedSeries",
      "NumberOfStudyRelatedInstances",
      "ModalitiesInStudy",
      "SOPClassesInStudy",
      "Rows",
      "0008,0056",
    ],
  });
  expect(body.length).toBe(1);
  expect(body[0].RequestedTags).toEqual({
    InstanceAvailability: "ONLINE",
    ModalitiesInStudy: "MR",
    NumberOfStudyRelatedInstances: "44",
    NumberOfStudyRelatedSeries: "2",
    PatientName: "BRAINIX",
    Rows: "256",
    SOPClassesInStudy: "1.2.840.10008.5.1.4.1.1.4",
    StudyDate: "20061201",
  });
});

test("Full and Short renderings of the main tags", async () => {
  const full =
    (await find({ Level: "Patient", Query: { PatientID: "5Yp0E" }, Expand: true, Full: true }))
      .body;
  expect(full[0].MainDicomTags["0010,0020"]).toEqual({
    Name: "PatientID",
    Type: "String",
    Value: "5Yp0E",
  });
  const short =
    (await find({ Level: "Patient", Query: { PatientID: "5Yp0E" }, Expand: true, Short: true }))
      .body;
  expect(short[0].MainDicomTags["0010,0020"]).toBe("5Yp0E");
});

test("ParentPatient / ParentStudy restrict to descendants", async () => {
  const series = (await find({ Level: "Series", Query: {}, ParentStudy: BRAINIX_STUDY })).body;
  expect(series.length).toBe(2);
  const instances = (await find({
    Level: "Instance",
    Query: { InstanceNumber: "1" },
    ParentPatient: BRAINIX_PATIENT,
  }))
    .body;
  expect(instances.length).toBe(2);
  expect((await find({ Level: "Series", Query: {}, ParentStudy: "nope" })).status).toBe(404);
  expect((await find({ Level: "Study", Query: {}, ParentSeries: "x" })).status).toBe(400);
});

test("LimitFindInstances caps instance answers", async () => {
  expect((await find({ Level: "Instance", Query: {} })).body.length).toBe(5);
  expect((await find({ Level: "Instance", Query: {}, Limit: 3 })).body.length).toBe(3);
  expect((await find({ Level: "Series", Query: {} })).body.length).toBe(3);
});

test("count-resources and lookup", async () => {
  const count = await fetch(`${server.url}/tools/count-resources`, {
    method: "POST",
    body: JSON.stringify({ Level: "Instance", Query: { PatientName: "BRAINIX" } }),
  });
  expect(await count.json()).toEqual({ Count: 44 });
  const lookup = await fetch(`${server.url}/tools/lookup`, { method: "POST", body: "5Yp0E" });
  expect(await lookup.json()).toEqual([
    { ID: BRAINIX_PATIENT, Path: `/patients/${BRAINIX_PATIENT}`, Type: "Patient" },
  ]);
  const none = await fetch(`${server.url}/tools/lookup`, {
    method: "POST",
    body: "no such identifier",
  });
  expect(await none.json()).toEqual([]);
});

test("requested-tags on GET routes", async () => {
  const study = await (await fetch(
    `${server.url}/studies/${BRAINIX_STUDY}?requested-tags=NumberOfStudyRelatedInstances;0010,0010`,
  )).json();
  expect(study.RequestedTags).toEqual({
    NumberOfStudyRelatedInstances: "44",
    PatientName: "BRAINIX",
  });
  const list = await (await fetch(`${server.url}/studies?expand&requested-tags=ModalitiesInStudy`))
    .json();
  expect(
    list.every((s: { RequestedTags: { ModalitiesInStudy: string } }) =>
      s.RequestedTags.ModalitiesInStudy === "MR"
    ),
  )
    .toBe(true);
  expect((await fetch(`${server.url}/studies/${BRAINIX_STUDY}?requested-tags=NotATag`)).status)
    .toBe(500);
});

test("OrderBy a tag or a metadata, ascending or descending", async () => {
  const byNumber = (await find({
    Level: "Instance",
    Query: { PatientName: "BRAINIX", SeriesDescription: "T2W/FE-EPI" },
    OrderBy: [{ Type: "DicomTag", Key: "InstanceNumber", Direction: "DESC" }],
    Expand: true,
    Limit: 3,
  })).body;
  expect(
    byNumber.map((i: { MainDicomTags: { InstanceNumber: string } }) =>
      i.MainDicomTags.InstanceNumber
    ),
  )
    .toEqual(["9", "8", "7"]);
  const byStudyDate = (await find({
    Level: "Series",
    Query: {},
    OrderBy: [{ Type: "DicomTag", Key: "StudyDate", Direction: "ASC" }, {
      Type: "Metadata",
      Key: "LastUpdate",
      Direction: "DESC",
    }],
  })).body;
  expect(byStudyDate.length).toBe(3);
  const bad = await find({
    Level: "Study",
    Query: {},
    OrderBy: [{ Type: "Color", Key: "x", Direction: "ASC" }],
  });
  expect(bad.status).toBe(400);
});

test("ResponseContent picks the parts of each answer", async () => {
  const { body } = await find({
    Level: "Patient",
    Query: { PatientID: "5Yp0E" },
    ResponseContent: ["MainDicomTags", "Children", "IsProtected", "Metadata"],
  });
  expect(Object.keys(body[0]).sort()).toEqual([
    "ID",
    "IsProtected",
    "MainDicomTags",
    "Metadata",
    "Studies",
    "Type",
  ]);
  expect(body[0].IsProtected).toBe(false);
  expect(body[0].Metadata.LastUpdate).toMatch(/^\d{8}T\d{6}$/);
  expect(body[0].Studies).toEqual([BRAINIX_STUDY]);
  const onlyId =
    (await find({ Level: "Study", Query: { PatientID: "5Yp0E" }, ResponseContent: [] })).body;
  expect(onlyId).toEqual([{ ID: BRAINIX_STUDY, Type: "Study" }]);
  expect((await find({ Level: "Study", Query: {}, ResponseContent: ["Colour"] })).status).toBe(400);
});

test("MetadataQuery filters on metadata values", async () => {
  const all = (await find({
    Level: "Instance",
    Query: { PatientName: "BRAINIX" },
    MetadataQuery: { Origin: "RestApi" },
  }))
    .body;
  expect(all.length).toBe(5); // LimitFindInstances
  const none =
    (await find({ Level: "Series", Query: {}, MetadataQuery: { RemoteAET: "NOBODY" } })).body;
  expect(none).toEqual([]);
  const wildcard =
    (await find({ Level: "Study", Query: {}, MetadataQuery: { LastUpdate: "20*" } })).body;
  expect(wildcard.length).toBe(2);
  const list =
    (await find({ Level: "Series", Query: {}, MetadataQuery: { RemoteAET: "X\\" } })).body;
  expect(list.length).toBe(3);
});
