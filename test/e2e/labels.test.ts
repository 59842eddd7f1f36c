// Labels (Orthanc 1.12 contract): the routes of the four levels, /tools/labels, the "Labels" key
// of resource descriptions, /tools/find's label filter, and cleanup when a resource goes away.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer, upload } from "../support/server.ts";

interface Uploaded {
  ID: string;
  ParentPatient: string;
  ParentStudy: string;
  ParentSeries: string;
}

type LevelPath = "patients" | "studies" | "series" | "instances";

let server: TestServer;
let epi1: Uploaded; // Brainix, same series as epi2
let epi2: Uploaded;
let knee: Uploaded; // another patient

const store = async (file: string): Promise<Uploaded> => {
  const res = await upload(server.url, join(samplesDir, file));
  expect(res.status).toBe(200);
  return await res.json() as Uploaded;
};

beforeAll(async () => {
  server = await startInProcess();
  epi1 = await store("Brainix/Epi/IM-0001-0001.dcm");
  epi2 = await store("Brainix/Epi/IM-0001-0002.dcm");
  knee = await store("Knee/T1/IM-0001-0001.dcm");
});
afterAll(async () => {
  await server.stop();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const json = async (path: string) => {
  const res = await call("GET", path);
  expect(res.status).toBe(200);
  return await res.json();
};
const put = async (path: string) => {
  const res = await call("PUT", path);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("");
};
const del = async (path: string) => {
  const res = await call("DELETE", path);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("");
};
const find = async (body: Record<string, unknown>) => {
  const res = await call("POST", "/tools/find", { Query: {}, ...body });
  expect(res.status).toBe(200);
  return await res.json();
};

/** The four levels of an uploaded instance, as URL bases. */
const bases = (u: Uploaded): [LevelPath, string][] => [
  ["patients", `/patients/${u.ParentPatient}`],
  ["studies", `/studies/${u.ParentStudy}`],
  ["series", `/series/${u.ParentSeries}`],
  ["instances", `/instances/${u.ID}`],
];

describe("labels of one resource", () => {
  test("every level starts without labels", async () => {
    for (const [, base] of bases(epi1)) {
      expect(await json(`${base}/labels`)).toEqual([]);
      expect((await json(base)).Labels).toEqual([]);
    }
    expect(await json("/tools/labels")).toEqual([]);
  });

  test("PUT adds (twice is fine), GET lists sorted, DELETE removes, at every level", async () => {
    for (const [, base] of bases(epi1)) {
      await put(`${base}/labels/zeta`);
      await put(`${base}/labels/Alpha`);
      await put(`${base}/labels/zeta`);
      // Byte order: upper case before lower case, as Orthanc's std::set.
      expect(await json(`${base}/labels`)).toEqual(["Alpha", "zeta"]);
      expect((await json(base)).Labels).toEqual(["Alpha", "zeta"]);

      const present = await call("GET", `${base}/labels/Alpha`);
      expect(present.status).toBe(200);
      expect(await present.text()).toBe("");
      // Labels are case-sensitive, and an absent one is a bare 404.
      const absent = await call("GET", `${base}/labels/alpha`);
      expect(absent.status).toBe(404);
      expect(await absent.text()).toBe("");

      await del(`${base}/labels/Alpha`);
      await del(`${base}/labels/Alpha`); // removing an absent label is not an error
      expect(await json(`${base}/labels`)).toEqual(["zeta"]);
      expect((await call("GET", `${base}/labels/Alpha`)).status).toBe(404);
      await del(`${base}/labels/zeta`);
      expect(await json(`${base}/labels`)).toEqual([]);
    }
  });

  test("a label belongs to one resource, not to its parents or children", async () => {
    await put(`/series/${epi1.ParentSeries}/labels/series-only`);
    expect(await json(`/series/${epi1.ParentSeries}/labels`)).toEqual(["series-only"]);
    expect(await json(`/studies/${epi1.ParentStudy}/labels`)).toEqual([]);
    expect(await json(`/instances/${epi1.ID}/labels`)).toEqual([]);
    expect(await json(`/instances/${epi2.ID}/labels`)).toEqual([]);
    await del(`/series/${epi1.ParentSeries}/labels/series-only`);
  });

  test("/tools/labels lists every label in use once, sorted", async () => {
    await put(`/instances/${epi1.ID}/labels/b-2`);
    await put(`/patients/${knee.ParentPatient}/labels/b-2`);
    await put(`/series/${epi1.ParentSeries}/labels/a_1`);
    expect(await json("/tools/labels")).toEqual(["a_1", "b-2"]);
    await del(`/instances/${epi1.ID}/labels/b-2`);
    expect(await json("/tools/labels")).toEqual(["a_1", "b-2"]);
    await del(`/patients/${knee.ParentPatient}/labels/b-2`);
    await del(`/series/${epi1.ParentSeries}/labels/a_1`);
    expect(await json("/tools/labels")).toEqual([]);
  });

  test("labels show in expanded lists too", async () => {
    await put(`/studies/${knee.ParentStudy}/labels/listed`);
    const studies = await json("/studies?expand") as { ID: string; Labels: string[] }[];
    const byId = new Map(studies.map((s) => [s.ID, s.Labels]));
    expect(byId.get(knee.ParentStudy)).toEqual(["listed"]);
    expect(byId.get(epi1.ParentStudy)).toEqual([]);
    await del(`/studies/${knee.ParentStudy}/labels/listed`);
  });

  test("other methods answer 405 with the allowed ones", async () => {
    const res = await call("POST", `/instances/${epi1.ID}/labels/x`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET,PUT,DELETE");
    expect((await call("PUT", `/instances/${epi1.ID}/labels`)).status).toBe(405);
  });
});

describe("label validation", () => {
  const base = () => `/instances/${epi1.ID}`;

  test("letters, digits, '_' and '-', up to 64 characters, are accepted", async () => {
    const all = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    const longest = "x".repeat(64);
    await put(`${base()}/labels/${all}`);
    await put(`${base()}/labels/${longest}`);
    expect(await json(`${base()}/labels`)).toEqual([all, longest].sort());
    await del(`${base()}/labels/${all}`);
    await del(`${base()}/labels/${longest}`);
  });

  test("anything else is Orthanc's 400 ParameterOutOfRange, and nothing is stored", async () => {
    const bad = ["@", "with%20space", "a.b", "%C3%A9t%C3%A9", "a+b", "x".repeat(65)];
    for (const label of bad) {
      for (const method of ["PUT", "DELETE"]) {
        const res = await call(method, `${base()}/labels/${label}`);
        expect(res.status).toBe(400);
        const body = await res.json();
        expect(body).toMatchObject({
          HttpError: "Bad Request",
          HttpStatus: 400,
          Message: "Parameter out of range",
          Method: method,
          OrthancError: "Parameter out of range",
          OrthancStatus: 3,
        });
        expect(body.Details).toStartWith("A label must be a non-empty, alphanumeric string");
        expect(body.Details).toEndWith(`but got: ${decodeURIComponent(label)}`);
      }
    }
    expect(await json(`${base()}/labels`)).toEqual([]);
    expect(await json("/tools/labels")).toEqual([]);
  });
});

describe("unknown resources", () => {
  test("every label route answers Orthanc's 404 for an unknown id", async () => {
    const attempts: [string, string][] = [
      ["GET", "/patients/nope/labels"],
      ["GET", "/studies/nope/labels/x"],
      ["PUT", "/series/nope/labels/x"],
      ["DELETE", "/instances/nope/labels/x"],
      // An id of another level is unknown at this one.
      ["PUT", `/studies/${epi1.ParentPatient}/labels/x`],
      ["GET", `/instances/${epi1.ParentSeries}/labels`],
    ];
    for (const [method, path] of attempts) {
      const res = await call(method, path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        HttpStatus: 404,
        Message: "Unknown resource",
        OrthancStatus: 17,
        Method: method,
      });
    }
    expect(await json("/tools/labels")).toEqual([]);
  });

  test("a bad label is refused before the resource is looked up", async () => {
    const res = await call("PUT", "/patients/nope/labels/bad%20label");
    expect(res.status).toBe(400);
    expect((await res.json()).OrthancStatus).toBe(3);
  });
});

describe("/tools/find with labels", () => {
  // epi1 {a, b}, epi2 {b}, knee {}: every constraint separates them differently.
  beforeAll(async () => {
    await put(`/instances/${epi1.ID}/labels/a`);
    await put(`/instances/${epi1.ID}/labels/b`);
    await put(`/instances/${epi2.ID}/labels/b`);
  });
  afterAll(async () => {
    await del(`/instances/${epi1.ID}/labels/a`);
    await del(`/instances/${epi1.ID}/labels/b`);
    await del(`/instances/${epi2.ID}/labels/b`);
  });
  const sorted = (...ids: string[]) => [...ids].sort();
  const instances = (labels: unknown, constraint?: string, extra: Record<string, unknown> = {}) =>
    find({
      Level: "Instance",
      Labels: labels,
      ...(constraint === undefined ? {} : { LabelsConstraint: constraint }),
      ...extra,
    });

  test("All: the resources carrying every label (the default)", async () => {
    expect(await instances(["a"], "All")).toEqual([epi1.ID]);
    expect(await instances(["a", "b"], "All")).toEqual([epi1.ID]);
    expect(await instances(["b"], "All")).toEqual(sorted(epi1.ID, epi2.ID));
    expect(await instances(["b", "c"], "All")).toEqual([]);
    expect(await instances(["a", "b"])).toEqual([epi1.ID]);
    // A repeated label is one label.
    expect(await instances(["b", "b"], "All")).toEqual(sorted(epi1.ID, epi2.ID));
  });

  test("Any: the resources carrying at least one label", async () => {
    expect(await instances(["a"], "Any")).toEqual([epi1.ID]);
    expect(await instances(["a", "b"], "Any")).toEqual(sorted(epi1.ID, epi2.ID));
    expect(await instances(["b", "c"], "Any")).toEqual(sorted(epi1.ID, epi2.ID));
    expect(await instances(["c", "d"], "Any")).toEqual([]);
  });

  test("None: the resources carrying none of the labels", async () => {
    expect(await instances(["a"], "None")).toEqual(sorted(epi2.ID, knee.ID));
    expect(await instances(["a", "b"], "None")).toEqual([knee.ID]);
    expect(await instances(["c"], "None")).toEqual(sorted(epi1.ID, epi2.ID, knee.ID));
  });

  test("an empty list: no constraint for All/Any, no label at all for None (1.12.11)", async () => {
    const everything = sorted(epi1.ID, epi2.ID, knee.ID);
    expect(await instances([], "All")).toEqual(everything);
    expect(await instances([], "Any")).toEqual(everything);
    expect(await instances([], "None")).toEqual([knee.ID]);
    // Orthanc skips empty strings in the list.
    expect(await instances([""], "None")).toEqual([knee.ID]);
    expect(await find({ Level: "Instance" })).toEqual(everything);
  });

  test("labels combine with the DICOM query, Since, Limit and Expand", async () => {
    const brainix = { Query: { PatientName: "BRAINIX" } };
    expect(await instances(["a"], "None", brainix)).toEqual([epi2.ID]);
    expect(await instances(["b"], "Any", { Query: { PatientName: "nobody" } })).toEqual([]);
    const both = sorted(epi1.ID, epi2.ID);
    expect(await instances(["b"], "All", { Limit: 1 })).toEqual([both[0]]);
    expect(await instances(["b"], "All", { Since: 1, Limit: 1 })).toEqual([both[1]]);
    const expanded = await instances(["a"], "All", { Expand: true });
    expect(expanded).toHaveLength(1);
    expect(expanded[0]).toMatchObject({ ID: epi1.ID, Type: "Instance", Labels: ["a", "b"] });
  });

  test("the filter applies to the resources of the query level only", async () => {
    const series = (labels: string[], constraint: string) =>
      find({ Level: "Series", Labels: labels, LabelsConstraint: constraint });
    // The instances' labels do not make their series match.
    expect(await series(["a"], "Any")).toEqual([]);
    await put(`/series/${epi1.ParentSeries}/labels/a`);
    expect(await series(["a"], "Any")).toEqual([epi1.ParentSeries]);
    expect(await series(["a"], "None")).toEqual([knee.ParentSeries]);
    expect(await series([], "None")).toEqual([knee.ParentSeries]);
    await del(`/series/${epi1.ParentSeries}/labels/a`);
    expect(await series(["a"], "Any")).toEqual([]);
  });

  test("bad label fields are refused with a 400", async () => {
    const refused = async (body: Record<string, unknown>, status: number) => {
      const res = await call("POST", "/tools/find", { Level: "Instance", Query: {}, ...body });
      expect(res.status).toBe(400);
      expect((await res.json()).OrthancStatus).toBe(status);
    };
    await refused({ Labels: ["a"], LabelsConstraint: "Some" }, 8);
    await refused({ Labels: ["a"], LabelsConstraint: "all" }, 8);
    await refused({ Labels: ["a"], LabelsConstraint: 1 }, 8);
    await refused({ Labels: "a" }, 8);
    await refused({ Labels: [1] }, 8);
    await refused({ Labels: ["not valid"] }, 3);
    await refused({ Labels: ["y".repeat(65)], LabelsConstraint: "None" }, 3);
  });
});

describe("deleting a resource removes its labels", () => {
  test("deleting a patient drops the labels of everything below it", async () => {
    const dummy = await store("DummyCT.dcm");
    for (const [, base] of bases(dummy)) await put(`${base}/labels/doomed`);
    await put(`/instances/${knee.ID}/labels/kept`);
    expect(await json("/tools/labels")).toEqual(["doomed", "kept"]);

    expect((await call("DELETE", `/patients/${dummy.ParentPatient}`)).status).toBe(200);
    expect(await json("/tools/labels")).toEqual(["kept"]);
    for (const level of ["Patient", "Study", "Series", "Instance"]) {
      expect(await find({ Level: level, Labels: ["doomed"] })).toEqual([]);
    }
    // Stored again, the same resources come back without their old labels.
    await store("DummyCT.dcm");
    for (const [, base] of bases(dummy)) expect(await json(`${base}/labels`)).toEqual([]);
    await del(`/instances/${knee.ID}/labels/kept`);
  });

  test("deleting one instance drops its labels and keeps its sibling's", async () => {
    await put(`/instances/${epi1.ID}/labels/first`);
    await put(`/instances/${epi2.ID}/labels/second`);
    const res = await call("DELETE", `/instances/${epi1.ID}`);
    expect(res.status).toBe(200);
    expect(await json("/tools/labels")).toEqual(["second"]);
    expect(await json(`/instances/${epi2.ID}/labels`)).toEqual(["second"]);
    expect((await call("GET", `/instances/${epi1.ID}/labels`)).status).toBe(404);
    await store("Brainix/Epi/IM-0001-0001.dcm");
    expect(await json(`/instances/${epi1.ID}/labels`)).toEqual([]);
  });
});
