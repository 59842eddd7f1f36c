// A headless Chromium (Debian's package, .ci/run installs it) driven by puppeteer-core, for the
// tests of the web UI and bench/ui.ts. Screenshots go to test-output/web/, ignored by git.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export const screenshotDir = resolve(import.meta.dir, "../../test-output/web");

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function chromiumPath(): string | undefined {
  return process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => Bun.file(p).size > 0);
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("no Chromium: apt-get install chromium");
  return await puppeteer.launch({
    executablePath,
    headless: true,
    // Root in a container: Chromium's sandbox cannot start there.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) as `${string}.png` });
}

/** How many pixels of the canvas are neither black nor one flat grey: a drawn image has many. */
export function canvasContent(page: Page, selector: string) {
  return page.$eval(selector, (element) => {
    const canvas = element as HTMLCanvasElement;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    const levels = new Set<number>();
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i]! > 10) lit++;
      levels.add(data[i]!);
    }
    return { width: canvas.width, height: canvas.height, lit, levels: levels.size };
  });
}
