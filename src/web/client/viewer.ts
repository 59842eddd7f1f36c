// The viewer of a series: its frames in order, scrolled by wheel, keys or slider; grayscale
// frames are windowed in the browser from /numpy (drag to change the window, or a preset),
// colour ones are drawn from /preview. Zoom with Ctrl+wheel or +/-, pan with Shift+drag.
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { call, getJson, message } from "./api.ts";
import { type Pixels, readNpy } from "./npy.ts";
import { ErrorBox } from "./widgets.ts";

export interface Slice {
  instance: string;
  frame: number;
}

interface WindowLevel {
  center: number;
  width: number;
}

type Frame = { kind: "gray"; pixels: Pixels } | { kind: "color"; bitmap: ImageBitmap };

const PRESETS: Record<string, WindowLevel | undefined> = {
  "Image default": undefined,
  "CT brain": { center: 40, width: 80 },
  "CT lung": { center: -600, width: 1500 },
  "CT bone": { center: 400, width: 1800 },
  "CT abdomen": { center: 50, width: 400 },
};
const PREFETCH = 8;
const CACHE = 200;

class FrameCache {
  private frames = new Map<string, Promise<Frame>>();
  constructor(private gray: boolean) {}

  get(slice: Slice): Promise<Frame> {
    const key = `${slice.instance}/${slice.frame}`;
    let frame = this.frames.get(key);
    if (!frame) {
      frame = this.load(slice);
      frame.catch(() => this.frames.delete(key));
      this.frames.set(key, frame);
      if (this.frames.size > CACHE) this.frames.delete(this.frames.keys().next().value!);
    }
    return frame;
  }

  private async load({ instance, frame }: Slice): Promise<Frame> {
    const base = `instances/${instance}/frames/${frame}`;
    if (this.gray) {
      const response = await call(`${base}/numpy?rescale=true`);
      return { kind: "gray", pixels: readNpy(await response.arrayBuffer()) };
    }
    const response = await call(`${base}/preview`, { headers: { Accept: "image/png" } });
    return { kind: "color", bitmap: await createImageBitmap(await response.blob()) };
  }
}

interface SeriesLook {
  gray: boolean;
  invert: boolean;
  level?: WindowLevel;
}

async function lookOf(instance: string): Promise<SeriesLook> {
  const tags = await getJson<Record<string, string>>(`instances/${instance}/simplified-tags`);
  const photometric = tags.PhotometricInterpretation ?? "MONOCHROME2";
  const center = parseFloat((tags.WindowCenter ?? "").split("\\")[0]!);
  const width = parseFloat((tags.WindowWidth ?? "").split("\\")[0]!);
  return {
    gray: photometric.startsWith("MONOCHROME"),
    invert: photometric === "MONOCHROME1",
    level: Number.isFinite(center) && width > 0 ? { center, width } : undefined,
  };
}

function paintGray(
  target: HTMLCanvasElement,
  pixels: Pixels,
  level: WindowLevel,
  invert: boolean,
): void {
  if (target.width !== pixels.columns || target.height !== pixels.rows) {
    target.width = pixels.columns;
    target.height = pixels.rows;
  }
  const context = target.getContext("2d")!;
  const image = context.createImageData(pixels.columns, pixels.rows);
  const out = new Uint32Array(image.data.buffer);
  const low = level.center - level.width / 2;
  const scale = 255 / Math.max(level.width, 1e-6);
  const values = pixels.values;
  for (let i = 0; i < values.length; i++) {
    let v = (values[i]! - low) * scale;
    v = v < 0 ? 0 : v > 255 ? 255 : v | 0;
    if (invert) v = 255 - v;
    out[i] = 0xff000000 | (v << 16) | (v << 8) | v;
  }
  context.putImageData(image, 0, 0);
}

export function Viewer({ slices }: { slices: Slice[] }) {
  const [index, setIndex] = useState(0);
  const [look, setLook] = useState<SeriesLook>();
  const [level, setLevel] = useState<WindowLevel>();
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  const [error, setError] = useState<string>();
  const frameCanvas = useRef<HTMLCanvasElement>(null);
  const cache = useRef<FrameCache>();
  const current = useRef<Frame>();
  const drag = useRef<{ x: number; y: number; level?: WindowLevel; pan: boolean }>();

  useEffect(() => {
    setIndex(0);
    setLook(undefined);
    if (!slices.length) return;
    lookOf(slices[0]!.instance).then((l) => {
      cache.current = new FrameCache(l.gray);
      setLook(l);
      setLevel(l.level);
    }, (e) => setError(message(e)));
  }, [slices]);

  const draw = () => {
    const canvas = frameCanvas.current;
    const frame = current.current;
    if (!canvas || !frame || !look) return;
    if (frame.kind === "gray") {
      const w = level ?? {
        center: (frame.pixels.max + frame.pixels.min) / 2,
        width: frame.pixels.max - frame.pixels.min || 1,
      };
      paintGray(canvas, frame.pixels, w, look.invert);
    } else {
      canvas.width = frame.bitmap.width;
      canvas.height = frame.bitmap.height;
      canvas.getContext("2d")!.drawImage(frame.bitmap, 0, 0);
    }
    canvas.dataset.shown = String(index);
  };

  useEffect(() => {
    const frames = cache.current;
    if (!frames || !slices[index]) return;
    let live = true;
    frames.get(slices[index]!).then((frame) => {
      if (!live) return;
      current.current = frame;
      setError(undefined);
      draw();
    }, (e) => live && setError(message(e)));
    for (let i = 1; i <= PREFETCH; i++) {
      const next = slices[index + i];
      if (next) frames.get(next).catch(() => undefined);
    }
    return () => {
      live = false;
    };
  }, [index, look, slices]);

  useEffect(draw, [level]);

  const step = (delta: number) =>
    setIndex((i) => Math.max(0, Math.min(slices.length - 1, i + delta)));
  const onKey = (e: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => step(1),
      ArrowRight: () => step(1),
      ArrowUp: () => step(-1),
      ArrowLeft: () => step(-1),
      PageDown: () => step(10),
      PageUp: () => step(-10),
      Home: () => setIndex(0),
      End: () => setIndex(slices.length - 1),
      "+": () => setView((v) => ({ ...v, zoom: v.zoom * 1.25 })),
      "-": () => setView((v) => ({ ...v, zoom: v.zoom / 1.25 })),
      "0": () => setView({ zoom: 1, x: 0, y: 0 }),
    };
    const action = keys[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    if (e.ctrlKey) setView((v) => ({ ...v, zoom: v.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1) }));
    else step(e.deltaY > 0 ? 1 : -1);
  };
  const onPointerDown = (e: PointerEvent) => {
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    const frame = current.current;
    const base = level ??
      (frame?.kind === "gray"
        ? {
          center: (frame.pixels.max + frame.pixels.min) / 2,
          width: frame.pixels.max - frame.pixels.min,
        }
        : undefined);
    drag.current = { x: e.clientX, y: e.clientY, level: base, pan: e.shiftKey || e.button === 1 };
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (d.pan) {
      d.x = e.clientX;
      d.y = e.clientY;
      setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
    } else if (d.level && look?.gray) {
      // The whole width of the window per 500 pixels dragged, as most viewers do.
      const unit = Math.max(d.level.width, 1) / 500;
      setLevel({
        center: d.level.center + dy * unit,
        width: Math.max(1, d.level.width + dx * unit),
      });
    }
  };
  const endDrag = () => {
    drag.current = undefined;
  };
  const preset = (e: Event) => {
    const name = (e.target as HTMLSelectElement).value;
    setLevel(PRESETS[name] ?? look?.level);
  };

  if (!slices.length) return html`<p class="empty">This series has no image.</p>`;
  return html`
    <section class="viewer" aria-label="Viewer">
      <div class="viewer-tools">
        <label>Frame <input type="range" min="0" max=${slices.length - 1} value=${index}
            aria-label="Frame" onInput=${(e: Event) =>
              setIndex(Number((e.target as HTMLInputElement).value))} /></label>
        <span class="frame-number">${index + 1} / ${slices.length}</span>
        <label>Window <select onChange=${preset} disabled=${!look?.gray} aria-label="Window preset">
            ${Object.keys(PRESETS).map((name) => html`<option>${name}</option>`)}
          </select></label>
        <span class="level-values">${level
          ? `C ${Math.round(level.center)} W ${Math.round(level.width)}`
          : ""}</span>
        <button type="button" onClick=${() => setView({ zoom: 1, x: 0, y: 0 })}>Reset view</button>
      </div>
      <${ErrorBox} error=${error} />
      <div class="viewport" tabindex="0"
        aria-label="Image: arrows scroll, drag windows, Shift+drag pans, +/- zoom"
        onKeyDown=${onKey} onWheel=${onWheel} onPointerDown=${onPointerDown}
        onPointerMove=${onPointerMove} onPointerUp=${endDrag} onPointerCancel=${endDrag}>
        <canvas ref=${frameCanvas} class="frame"
          style=${`transform: translate(${view.x}px, ${view.y}px) scale(${view.zoom})`}></canvas>
      </div>
    </section>
  `;
}
