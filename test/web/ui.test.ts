// The web UI in a real browser: served at /ui/app/ by an in-process Pharos, samples uploaded
// through its file input and by a drop, then what the pages show (rows, tags, pixels, a job).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir } from "../support/server.ts";
import { makeZip } from "../support/zip.ts";
import { canvasContent, launchBrowser, screenshot } from "./browser.ts";

// A browser on a busy machine: its steps wait on one another, never on a sleep.
setDefaultTimeout(30_000);

let server: InProcessServer;
let browser: Browser;
let page: Page;
const flair = join(samplesDir, "Brainix/Flair");
const flairAll = readdirSync(flair).sort().map((f) => join(flair, f));
const flairFiles = flairAll.slice(0, 6);
/** Dropped as a ZIP archive. */
const zippedFiles = flairAll.slice(6, 8);

beforeAll(async () => {
  const dicomPort = freePort();
  server = await startInProcess({
    config: {
      DicomPort: dicomPort,
      DicomAet: "PHAROSUI",
      DicomModalities: { self: ["PHAROSUI", "127.0.0.1", dicomPort] },
    },
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const open = (hash: string) => page.goto(`${server.url}/ui/app/#/${hash}`);
const texts = (selector: string) =>
  page.$$eval(selector, (elements) => elements.map((e) => e.textContent?.trim() ?? ""));

test("the server's root leads to the UI, whose files carry ETags", async () => {
  await page.goto(`${server.url}/`);
  expect(new URL(page.url()).pathname).toBe("/ui/app/");
  await page.waitForSelector(".studies");
  expect(await texts(".empty")).toEqual(["No study matches. Upload some from the Upload page."]);
  const first = await fetch(`${server.url}/ui/app/`);
  expect(first.headers.get("content-encoding")).toBe("gzip");
  const etag = first.headers.get("etag")!;
  const again = await fetch(`${server.url}/ui/app/`, { headers: { "If-None-Match": etag } });
  expect(again.status).toBe(304);
});

test("files picked in the upload page are stored, and a file that is not DICOM fails", async () => {
  await open("upload");
  const input = await page.waitForSelector('input[name="files"]');
  await input!.uploadFile(
    ...flairFiles,
    join(samplesDir, "ColorTestMalaterre.dcm"),
    join(samplesDir, "Lena.png"),
  );
  await page.waitForFunction(() =>
    document.querySelectorAll(".upload-list li.waiting, .upload-list li.sending").length === 0 &&
    document.querySelectorAll(".upload-list li").length === 8
  );
  expect(await texts(".summary b")).toEqual(["7", "0", "1"]);
  expect((await texts(".upload-list li.failed .result"))[0]).toMatch(/^400: /);
  await screenshot(page, "upload");
});

test("a file and a ZIP dropped on the page are uploaded (already stored, stored)", async () => {
  const file = [...await Bun.file(flairFiles[0]!).bytes()];
  const zip = [
    ...makeZip(
      await Promise.all(
        zippedFiles.map(async (f, i) => ({
          name: `dir/${i}.dcm`,
          data: await Bun.file(f).bytes(),
        })),
      ),
    ),
  ];
  await page.evaluate(
    (dicom, archive) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(dicom)], "dropped.dcm"));
      transfer.items.add(new File([new Uint8Array(archive)], "series.zip"));
      document.querySelector(".drop-zone")!.dispatchEvent(
        new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
    },
    file,
    zip,
  );
  await page.waitForFunction(() => document.querySelectorAll(".upload-list li.done").length === 9);
  expect(await texts(".summary b")).toEqual(["9", "1", "1"]);
  expect(await texts(".upload-list li.done .result")).toContain("2 stored");
});

test("the study list shows one row per study, filters and sorts", async () => {
  await open("studies");
  await page.waitForFunction(() => document.querySelectorAll("tr.row").length === 2);
  const names = await texts("tr.row td:first-child");
  expect(names.sort()).toEqual(["(no name)", "BRAINIX"]);
  const firstName = () => page.$eval("tr.row td:first-child", (cell) => cell.textContent);
  await (await page.waitForSelector("xpath/.//button[starts-with(text(), 'Patient name')]"))!
    .click();
  await page.waitForFunction(() => document.querySelector("th[aria-sort=ascending]"));
  await page.waitForFunction(() =>
    document.querySelector("tr.row td")?.textContent === "(no name)"
  );
  await (await page.waitForSelector("xpath/.//button[starts-with(text(), 'Patient name')]"))!
    .click();
  await page.waitForFunction(() => document.querySelector("tr.row td")?.textContent === "BRAINIX");
  expect(await firstName()).toBe("BRAINIX");
  await page.type('input[name="PatientName"]', "brain");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("tr.row").length === 1);
  expect(await texts("tr.row td:first-child")).toEqual(["BRAINIX"]);
  await screenshot(page, "studies");
});

test("by keyboard, a study opens, then its series shows its images in the viewer", async () => {
  await page.focus("tr.row");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".series-page, table.list tr.row a");
  await page.waitForFunction(() => location.hash.startsWith("#/studies/"));
  const series = await page.waitForSelector("table.list tr.row a");
  await series!.click();
  await page.waitForSelector('canvas.frame[data-shown="0"]');
  const first = await canvasContent(page, "canvas.frame");
  expect(first.width).toBe(288);
  expect(first.lit).toBeGreaterThan(10_000);
  expect(first.levels).toBeGreaterThan(50);
  await page.focus(".viewport");
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector('canvas.frame[data-shown="1"]');
  expect(await texts(".frame-number")).toEqual([
    `2 / ${flairFiles.length + zippedFiles.length}`,
  ]);
  // Dragging over the image changes the window.
  const before = (await texts(".window-values"))[0];
  const box = (await (await page.$(".viewport"))!.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 4 });
  await page.mouse.up();
  expect((await texts(".window-values"))[0]).not.toBe(before);
  await screenshot(page, "viewer");
});

test("an instance shows its tag tree, which the search narrows", async () => {
  const link = await page.waitForSelector(".instances a");
  await link!.click();
  await page.waitForSelector(".tag-tree li");
  const all = (await texts(".tag-tree li.tag")).length;
  expect(await texts(".tag-tree li.tag")).toContainEqual(
    expect.stringContaining("PatientName BRAINIX"),
  );
  await page.type('input[aria-label="Search tags"]', "patientname");
  await page.waitForFunction(
    (n) => document.querySelectorAll(".tag-tree li.tag").length < n,
    {},
    all,
  );
  expect(await texts(".tag-tree li.tag")).toEqual([
    expect.stringContaining("0010,0010 PatientName BRAINIX"),
  ]);
  await screenshot(page, "tags");
});

test("sending a study to a modality runs a job whose progress reaches Success", async () => {
  await open("studies");
  await page.waitForSelector("tr.row a");
  const studyLink =
    (await page.$$eval("tr.row", (rows) => rows.map((r) => (r as HTMLElement).dataset.id!)))[0]!;
  await open(`studies/${studyLink}`);
  await (await page.waitForSelector("xpath/.//button[text()='Send']"))!.click();
  await page.waitForSelector("dialog select option");
  await (await page.waitForSelector("dialog button[type=submit]"))!.click();
  await page.waitForSelector('.job-progress[data-state="Success"]', { timeout: 15_000 });
  await screenshot(page, "send");
  await open("jobs");
  await page.waitForSelector('tr[data-state="Success"]');
  expect(await texts('tr[data-state="Success"] td:nth-child(2)')).toContain("DicomModalityStore");
  await screenshot(page, "jobs");
});

test("sending a study to a DICOMweb server runs Orthanc's STOW-RS client job", async () => {
  // Pharos's own DICOMweb server as the remote: the study is stored again (already there).
  const put = await fetch(`${server.url}/dicom-web/servers/self`, {
    method: "PUT",
    body: JSON.stringify({ Url: `${server.url}/dicom-web/` }),
  });
  expect(put.status).toBe(200);
  await open("studies");
  await page.waitForSelector("tr.row a");
  const study =
    (await page.$$eval("tr.row", (rows) => rows.map((r) => (r as HTMLElement).dataset.id!)))[0]!;
  await open(`studies/${study}`);
  await (await page.waitForSelector("xpath/.//button[text()='Send']"))!.click();
  await page.waitForSelector("dialog select option");
  const options = await texts("dialog select option");
  expect(options).toEqual(["modality self", "DICOMweb server self"]);
  await page.select("dialog select", String(options.indexOf("DICOMweb server self")));
  await (await page.waitForSelector("dialog button[type=submit]"))!.click();
  await page.waitForSelector('.job-progress[data-state="Success"]', { timeout: 15_000 });
  await open("jobs");
  await page.waitForSelector('tr[data-state="Success"]');
  expect(await texts('tr[data-state="Success"] td:nth-child(2)')).toContain("DicomWebStowClient");
});

test("the anonymize dialog runs a job that makes a new study", async () => {
  await open("studies");
  await page.waitForSelector("tr.row");
  const id =
    (await page.$$eval("tr.row", (rows) => rows.map((r) => (r as HTMLElement).dataset.id!)))[0]!;
  await open(`studies/${id}`);
  await (await page.waitForSelector("xpath/.//button[text()='Anonymize' and not(@disabled)]"))!
    .click();
  await (await page.waitForSelector("dialog button[type=submit]"))!.click();
  await page.waitForSelector('.job-progress[data-state="Success"]');
  await open("studies");
  await page.waitForFunction(() => document.querySelectorAll("tr.row").length === 3);
  expect(await texts("tr.row td:first-child")).toContainEqual(expect.stringMatching(/^Anonymized/));
});

test("labels are added on the study page and filter the study list", async () => {
  await open("studies");
  await page.waitForSelector("tr.row");
  const id =
    (await page.$$eval("tr.row", (rows) => rows.map((r) => (r as HTMLElement).dataset.id!)))[0]!;
  await open(`studies/${id}`);
  await page.waitForSelector('input[aria-label="New label"]:not([disabled])');
  await page.type('input[aria-label="New label"]', "urgent");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() =>
    document.querySelector(".labels .label")?.textContent?.startsWith("urgent")
  );
  await open("studies");
  await page.waitForFunction(() => document.querySelectorAll("tr.row").length === 3);
  await page.type('input[name="labels"]', "urgent");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("tr.row").length === 1);
  expect(await page.$eval("tr.row", (r) => (r as HTMLElement).dataset.id)).toBe(id);
});

test("the system page shows the statistics and echoes a modality", async () => {
  await open("system");
  await page.waitForSelector(".count-studies");
  expect(await texts(".count-studies")).toEqual(["3"]);
  await (await page.waitForSelector('tr[data-id="self"] button'))!.click();
  await page.waitForFunction(() =>
    document.querySelector(".echo-result")?.textContent === "succeeded"
  );
  await page.waitForSelector(".plugins-loaded");
  expect(await texts(".system .error")).toEqual([]);
  await screenshot(page, "system");
});

test("a server error is a readable message, and missing routes show their actions disabled", async () => {
  await open("studies/no-such-study");
  const error = await page.waitForSelector(".error");
  expect(await error!.evaluate((e) => e.textContent)).toMatch(/^The server answered 404: /);
  const study = await (await server.pharos.app.request("/studies")).json() as string[];
  await open(`studies/${study[0]}`);
  await page.waitForSelector(".actions-bar button");
  const archive = await fetch(`${server.url}/studies/${study[0]}/archive`, { method: "PUT" });
  const zip = await page.$eval(".actions-bar a", (a) => a.getAttribute("aria-disabled"));
  expect(zip).toBe(archive.status === 405 ? "false" : "true");
});

test("the layout stays readable at tablet width", async () => {
  await page.setViewport({ width: 768, height: 1024 });
  await open("studies");
  await page.waitForSelector("tr.row");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, "tablet");
  await page.setViewport({ width: 1280, height: 900 });
});

test("the modify dialog changes a study's description through a job", async () => {
  await open("studies");
  await page.waitForSelector("tr.row");
  const id =
    (await page.$$eval("tr.row", (rows) => rows.map((r) => (r as HTMLElement).dataset.id!)))[0]!;
  await open(`studies/${id}`);
  await (await page.waitForSelector("xpath/.//button[text()='Modify' and not(@disabled)]"))!
    .click();
  const description = await page.waitForSelector('dialog input[name="StudyDescription"]');
  await description!.click({ count: 3 });
  await description!.type("Edited in the UI");
  await (await page.waitForSelector("dialog button[type=submit]"))!.click();
  await page.waitForSelector('.job-progress[data-state="Success"]');
  await open("studies");
  await page.waitForFunction(() => document.querySelectorAll("tr.row").length === 4);
  expect(await texts("tr.row td:nth-child(5)")).toContain("Edited in the UI");
});

test("with authentication on, the browser's credentials open the UI, which offers a logout", async () => {
  const guarded = await startInProcess({
    config: { AuthenticationEnabled: true, RegisteredUsers: { alice: "s3cret" } },
  });
  const tab = await browser.newPage();
  try {
    // What makes the browser prompt for a user and a password.
    const refused = await fetch(`${guarded.url}/ui/app/`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    await tab.authenticate({ username: "alice", password: "s3cret" });
    await tab.goto(`${guarded.url}/ui/app/`);
    const logout = await tab.waitForSelector("button.logout");
    expect(await logout!.evaluate((b) => b.textContent)).toBe("Log out alice");
    await screenshot(tab, "logout");
  } finally {
    await tab.close();
    await guarded.stop();
  }
});
