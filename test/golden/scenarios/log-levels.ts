// /tools/log-level and its categories as Orthanc 1.10.1 answers them: the overall level is the
// most verbose category, setting it sets them all, only the exact names are accepted. Ends at
// "default", since the verbosity of the log is the whole process's.
import type { Scenario } from "../scenario.ts";

const CATEGORIES = ["generic", "plugins", "http", "dicom", "sqlite", "jobs", "lua"];

const scenario: Scenario = {
  name: "log-levels",
  async run(s) {
    const put = (path: string, body: string) =>
      s.request({ method: "PUT", path: `/tools/${path}`, body, name: `PUT ${path} ${body}` });
    const readAll = async () => {
      await s.get("/tools/log-level");
      for (const c of CATEGORIES) await s.get(`/tools/log-level-${c}`);
    };
    await readAll();
    await put("log-level-http", "trace");
    await put("log-level-dicom", "verbose");
    await readAll();
    await put("log-level-http", "default");
    await s.get("/tools/log-level");
    await put("log-level", "trace");
    await readAll();
    for (const bad of ["bogus", "Verbose", " verbose", ""]) await put("log-level", bad);
    await put("log-level-jobs", "TRACE");
    await s.get("/tools/log-level-bogus");
    await s.request({ method: "DELETE", path: "/tools/log-level" });
    await put("log-level", "default");
    await readAll();
  },
};

export default scenario;
