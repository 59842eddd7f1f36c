// The web UI in a real browser (issue 14): first paint of the study list with N studies indexed,
// and series scrolling in the viewer over 512×512 MR slices.
//
//   bun bench/ui.ts [--studies 10000] [--slices 60] [--runs 5]
//
// Pharos runs in-process on a temporary folder; the studies are small real instances (8×8
// pixels) stored through the store service, the MR series has 16-bit 512×512 slices. Headless
// Chromium (test/web/browser.ts) loads /ui/app/ in a fresh context per run, so nothing is cached.
// The study list figure is the page's own mark, set once its first page of rows is painted
// (`pharos-study-list`, src/web/client/studies.ts); first-contentful-paint is printed beside it,
// and the same mark in a second tab of that browser, whose network stack is already up.
// Scrolling steps the viewer by its ArrowDown key and waits for each frame to be drawn, first
// with the frames still to fetch, then again over the frames it holds.
import { parseArgs } from "node:util";
import { encodeDataset, part10, textElement, usElement } from "../src/dimse/codec.ts";
import { TransferSyntax } from "../src/dicom/uids.ts";
import { startInProcess } from "../test/support/in-process.ts";
import type { Page } from "puppeteer-core";
import { launchBrowser } from "../test/web/browser.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    studies: { type: "string", default: "10000" },
    slices: { type: "string", default: "60" },
    runs: { type: "string", default: "5" },
  },
});
const studyCount = Number(values.studies);
const sliceCount = Number(values.slices);
const runs = Number(values.runs);
const MR = "1.2.840.10008.5.1.4.1.1.4";
const MODALITIES = ["CT", "MR", "US", "CR", "PT", "DX"];

function instance(
  ids: { study: string; series: string; sop: string; patient: number },
  tags: { modality: string; date: string; description: string; number: number },
  size: number,
  pixels: Uint8Array,
): Uint8Array {
  const elements = [
    textElement(0x00080016, "UI", MR),
    textElement(0x00080018, "UI", ids.sop),
    textElement(0x00080020, "DA", tags.date),
    textElement(0x00080050, "SH", `ACC${ids.patient}`),
    textElement(0x00080060, "CS", tags.modality),
    textElement(0x00081030, "LO", tags.description),
    textElement(0x00100010, "PN", `PATIENT${ids.patient % 997}^BENCH${ids.patient}`),
    textElement(0x00100020, "LO", `PID${ids.patient}`),
    textElement(0x0020000d, "UI", ids.study),
    textElement(0x0020000e, "UI", ids.series),
    textElement(0x00200013, "IS", String(tags.number)),
    usElement(0x00280002, 1),
    textElement(0x00280004, "CS", "MONOCHROME2"),
    usElement(0x00280010, size),
    usElement(0x00280011, size),
    usElement(0x00280100, 16),
    usElement(0x00280101, 12),
    usElement(0x00280102, 11),
    usElement(0x00280103, 0),
    { tag: 0x7fe00010, vr: "OW", value: pixels },
  ];
  const syntax = TransferSyntax.ExplicitVrLittleEndian;
  return part10([encodeDataset(elements, syntax)], MR, ids.sop, syntax);
}

/** A 512×512 slice: rings whose radius moves with the slice, so that every frame differs. */
function slicePixels(slice: number): Uint8Array {
  const values = new Uint16Array(512 * 512);
  for (let y = 0; y < 512; y++) {
    for (let x = 0; x < 512; x++) {
      const r = Math.hypot(x - 256, y - 256);
      values[y * 512 + x] = r < 240 ? 2000 + 1500 * Math.sin((r + slice * 3) / 12) : 0;
    }
  }
  return new Uint8Array(values.buffer);
}

const server = await startInProcess({ config: { StorageCompression: false } });
const store = (bytes: Uint8Array) => server.pharos.core.store(bytes, { kind: "RestApi" });
try {
  const tiny = new Uint8Array(8 * 8 * 2);
  const fill = performance.now();
  const CONCURRENT = 8;
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENT }, async () => {
    while (next < studyCount) {
      const i = next++;
      const day = new Date(Date.UTC(2005, 0, 1) + i * 86_400_000 % (20 * 365 * 86_400_000));
      await store(instance(
        { study: `2.25.1${i}`, series: `2.25.2${i}`, sop: `2.25.3${i}`, patient: i },
        {
          modality: MODALITIES[i % MODALITIES.length]!,
          date: day.toISOString().slice(0, 10).replaceAll("-", ""),
          description: `BENCH STUDY ${i % 50}`,
          number: 1,
        },
        8,
        tiny,
      ));
    }
  }));
  const seriesUid = "2.25.999";
  for (let s = 0; s < sliceCount; s++) {
    await store(instance(
      { study: "2.25.998", series: seriesUid, sop: `2.25.997${s}`, patient: studyCount },
      { modality: "MR", date: "20250101", description: "BENCH MR", number: s + 1 },
      512,
      slicePixels(s),
    ));
  }
  console.error(
    `stored ${studyCount} studies and ${sliceCount} slices in ${
      ((performance.now() - fill) / 1000).toFixed(1)
    } s`,
  );
  const series = (await (await server.pharos.app.request("/tools/lookup", {
    method: "POST",
    body: seriesUid,
  })).json() as { ID: string }[])[0]!.ID;

  const browser = await launchBrowser();
  try {
    const listPaint = async (page: Page) => {
      await page.goto(`${server.url}/ui/app/#/studies`);
      await page.waitForFunction(() => performance.getEntriesByName("pharos-study-list").length);
      const paint = await page.evaluate(() => ({
        list: performance.getEntriesByName("pharos-study-list")[0]!.startTime,
        fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
        rows: document.querySelectorAll("tr.row").length,
        find: performance.getEntriesByType("resource")
          .filter((e) => e.name.endsWith("/tools/find"))
          .map((e) => (e as PerformanceResourceTiming).responseEnd - e.startTime)[0] ?? NaN,
      }));
      if (paint.rows === 0) throw new Error("the study list shows no row");
      return paint;
    };
    const listMs: number[] = [];
    const tabMs: number[] = [];
    const fcpMs: number[] = [];
    const coldRate: number[] = [];
    const warmRate: number[] = [];
    for (let run = 0; run < runs; run++) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const paint = await listPaint(page);
      // A second tab of the same browser: its network stack is up, the page revalidates (304).
      const tab = await context.newPage();
      const again = await listPaint(tab);
      await tab.close();
      console.error(
        `run ${run + 1}: list ${paint.list.toFixed(0)} ms (fcp ${paint.fcp.toFixed(0)} ms, ` +
          `its /tools/find ${paint.find.toFixed(0)} ms); in a second tab ` +
          `${again.list.toFixed(0)} ms (/tools/find ${again.find.toFixed(0)} ms)`,
      );
      listMs.push(paint.list);
      fcpMs.push(paint.fcp);
      tabMs.push(again.list);

      await page.goto(`${server.url}/ui/app/#/series/${series}`);
      await page.waitForSelector('canvas.frame[data-shown="0"]');
      const scroll = (count: number) =>
        page.evaluate(async (n) => {
          const canvas = document.querySelector<HTMLCanvasElement>("canvas.frame")!;
          const viewport = document.querySelector(".viewport")!;
          const key = (k: string) =>
            viewport.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
          key("Home");
          await new Promise<void>((ok) => {
            const wait = () => canvas.dataset.shown === "0" ? ok() : requestAnimationFrame(wait);
            wait();
          });
          const start = performance.now();
          for (let i = 1; i < n; i++) {
            key("ArrowDown");
            await new Promise<void>((ok) => {
              const wait = () =>
                canvas.dataset.shown === String(i) ? ok() : requestAnimationFrame(wait);
              wait();
            });
          }
          return (n - 1) / ((performance.now() - start) / 1000);
        }, count);
      coldRate.push(await scroll(sliceCount));
      warmRate.push(await scroll(sliceCount));
      await context.close();
    }
    console.log(
      `| web UI (${studyCount} studies, ${sliceCount} × 512×512 MR) | median of ${runs} |`,
    );
    console.log("| --- | --- |");
    console.log(`| study list first page painted | ${median(listMs).toFixed(0)} ms |`);
    console.log(`| first contentful paint | ${median(fcpMs).toFixed(0)} ms |`);
    console.log(`| study list, second tab of the browser | ${median(tabMs).toFixed(0)} ms |`);
    console.log(`| series scrolling, frames fetched | ${median(coldRate).toFixed(1)} images/s |`);
    console.log(`| series scrolling, frames held | ${median(warmRate).toFixed(1)} images/s |`);
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
