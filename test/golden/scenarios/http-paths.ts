// How paths and methods are routed (issue 11, HTTP): repeated and trailing slashes, Orthanc's
// method override for clients that cannot send PUT or DELETE, methods it does not serve, and
// gzip-encoded uploads.
import { gzipSync } from "node:zlib";
import { sample, type Scenario } from "../scenario.ts";

const file = "Brainix/Flair/IM-0001-0001.dcm";

const scenario: Scenario = {
  name: "http-paths",
  async run(s) {
    const { ID, ParentStudy } = await s.upload(file);
    for (
      const path of [
        "//system",
        "/system/",
        "//system//",
        "/studies/",
        `//studies//${ParentStudy}`,
        `/studies/${ParentStudy}/`,
        `/instances/${ID}/attachments/`,
        `/instances/${ID}//attachments`,
        `/instances/${ID}/content/`,
        "/tools//default-encoding",
        "//nothing//here/",
        "///",
        "/",
      ]
    ) {
      await s.get(path);
    }
    const metadata = `/instances/${ID}/metadata`;
    const readBoth = async () => {
      await s.get(`${metadata}/1024`);
      await s.get(`${metadata}/1025`);
    };
    // X-HTTP-Method-Override on any method, `_method` on a GET only
    await s.request({
      method: "POST",
      path: `${metadata}/1024`,
      headers: { "X-HTTP-Method-Override": "PUT" },
      body: "overridden",
    });
    await readBoth();
    await s.request({
      method: "POST",
      path: `${metadata}/1024`,
      headers: { "X-HTTP-Method-Override": "DELETE" },
    });
    await readBoth();
    await s.request({
      method: "GET",
      path: "/system",
      headers: { "X-HTTP-Method-Override": "DELETE" },
    });
    await s.request({
      method: "GET",
      path: "/nothing",
      headers: { "X-HTTP-Method-Override": "delete" },
    });
    await s.request({
      method: "POST",
      path: "/tools/find",
      headers: { "X-HTTP-Method-Override": "GET" },
      body: "{}",
    });
    await s.request({
      method: "POST",
      path: `${metadata}/1025`,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "_method=PUT",
    });
    await s.get(`${metadata}/1025?_method=put`);
    await readBoth();
    await s.get(`${metadata}/1025?_method=DELETE`);
    await readBoth();
    await s.get("/system?_method=patch");
    await s.get("/system?_method=");
    // Methods other than GET, POST, PUT and DELETE
    await s.request({ method: "PATCH", path: "/system" });
    await s.request({ method: "HEAD", path: "/system" });
    await s.request({ method: "OPTIONS", path: "/system" });
    await s.request({ method: "HEAD", path: "/nothing" });
    // gzip-encoded uploads
    await s.request({ method: "DELETE", path: `/instances/${ID}` });
    const gzipped = new Uint8Array(gzipSync(sample(file)));
    await s.request({
      method: "POST",
      path: "/instances",
      name: `upload gzip ${file}`,
      headers: { "Content-Encoding": "gzip" },
      body: gzipped,
    });
    await s.get("/instances");
    await s.request({
      method: "POST",
      path: "/instances",
      name: `upload GZIP ${file} again`,
      headers: { "Content-Encoding": "GZIP" },
      body: gzipped,
    });
    await s.request({
      method: "POST",
      path: "/instances",
      name: "upload gzip, truncated",
      headers: { "Content-Encoding": "gzip" },
      body: gzipped.slice(0, 1000),
    });
    await s.request({
      method: "POST",
      path: "/instances",
      name: "upload gzip, not gzip data",
      headers: { "Content-Encoding": "gzip" },
      body: sample(file),
    });
    await s.request({
      method: "POST",
      path: "/instances",
      name: "upload gzip, 3 bytes",
      headers: { "Content-Encoding": "gzip" },
      body: "abc",
    });
    await s.request({
      method: "POST",
      path: "/instances",
      name: "upload gzip, two members",
      headers: { "Content-Encoding": "gzip" },
      body: new Uint8Array([...gzipped, ...gzipped]),
    });
    await s.request({
      method: "POST",
      path: "/instances",
      name: "upload deflate",
      headers: { "Content-Encoding": "deflate" },
      body: gzipped,
    });
    await s.request({
      method: "POST",
      path: "/tools/find",
      name: "gzip-encoded JSON body",
      headers: { "Content-Encoding": "gzip" },
      body: new Uint8Array(gzipSync('{"Level":"Study","Query":{}}')),
    });
  },
};

export default scenario;
