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
  private done = new Map<string, Frame>();
  constructor(private gray: boolean) {}

  /** The frame if it is already here, to draw it without waiting for a promise. */
  ready(slice: Slice): Frame | undefined {
    return this.done.get(`${slice.instance}/${slice.frame}`);
  }

  get(slice: Slice): Promise<Frame> {
    const key = `${slice.instance}/${slice.frame}`;
    let frame = this.frames.get(key);
    if (!frame) {
      frame = this.load(slice);
      frame.then(
        (f) => this.frames.has(key) && this.done.set(key, f),
        () => this.frames.delete(key),
      );
      this.frames.set(key, frame);
      if (this.frames.size > CACHE) {
        const oldest = this.frames.keys().next().value!;
        this.frames.delete(oldest);
        this.done.delete(oldest);
      }
    }
    return frame;
  }

  private async load({ instance, frame }: Slice): Promise<Frame> {
    const base = `instances/${instance}/frames/${frame}`;
    if (this.gray) {
      // The stored values, rescaled here: the server sends a quarter of the bytes, faster.
      const response = await call(`${base}/numpy?rescale=false`);
      return { kind: "gray", pixels: readNpy(await response.arrayBuffer()) };
    }
    const response = await call(`${base}/preview`, { headers: { Accept: "image/png" } });
    return { kind: "color", bitmap: await createImageBitmap(await response.blob()) };
  }
}

interface SeriesLook {
  gray: boolean;
  invert: boolean;
  slope: number;
  intercept: number;
  level?: WindowLevel;
}

async function lookOf(instance: string): Promise<SeriesLook> {
  const tags = await getJson<Record<string, string>>(`instances/${instance}/simplified-tags`);
  const photometric = tags.PhotometricInterpretation ?? "MONOCHROME2";
  const first = (name: string) => parseFloat((tags[name] ?? "").split("\\")[0]!);
  const center = first("WindowCenter");
  const width = first("WindowWidth");
  const slope = first("RescaleSlope");
  const intercept = first("RescaleIntercept");
  return {
    gray: photometric.startsWith("MONOCHROME"),
    invert: photometric === "MONOCHROME1",
    slope: Number.isFinite(slope) && slope !== 0 ? slope : 1,
    intercept: Number.isFinite(intercept) ? intercept : 0,
    level: Number.isFinite(center) && width > 0 ? { center, width } : undefined,
  };
}

/** The window over the whole range of a frame, where the image gives none. */
function fullRange(pixels: Pixels, look: SeriesLook): WindowLevel {
  const low = pixels.min * look.slope + look.intercept;
  const high = pixels.max * look.slope + look.intercept;
  return { center: (low + high) / 2, width: Math.abs(high - low) || 1 };
}

function paintGray(
  target: HTMLCanvasElement,
  pixels: Pixels,
  level: WindowLevel,
  look: SeriesLook,
): void {
  if (target.width !== pixels.columns || target.height !== pixels.rows) {
    target.width = pixels.columns;
    target.height = pixels.rows;
  }
  const context = target.getContext("2d")!;
  const image = context.createImageData(pixels.columns, pixels.rows);
  const out = new Uint32Array(image.data.buffer);
  // grey = (stored × slope + intercept − low) × 255 / width, as one multiply and one add.
  const scale = 255 / Math.max(level.width, 1e-6);
  const a = look.slope * scale;
  const b = (look.intercept - (level.center - level.width / 2)) * scale;
  const values = pixels.values;
  const invert = look.invert;
  for (let i = 0; i < values.length; i++) {
    let v = values[i]! * a + b;
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
  // Scrolling draws at once, outside of preact's rendering (which waits for the next paint);
  // the state above only tells the controls what is shown.
  const live = useRef<{ index: number; look?: SeriesLook; level?: WindowLevel }>({ index: 0 });
  const current = useRef<{ frame: Frame; index: number }>();
  const drag = useRef<{ x: number; y: number; level?: WindowLevel; pan: boolean }>();

  const draw = () => {
    const canvas = frameCanvas.current;
    const shown = current.current;
    const { look, level } = live.current;
    if (!canvas || !shown || !look) return;
    const frame = shown.frame;
    if (frame.kind === "gray") {
      paintGray(canvas, frame.pixels, level ?? fullRange(frame.pixels, look), look);
    } else {
      canvas.width = frame.bitmap.width;
      canvas.height = frame.bitmap.height;
      canvas.getContext("2d")!.drawImage(frame.bitmap, 0, 0);
    }
    canvas.dataset.shown = String(shown.index);
  };

  const show = (wanted: number) => {
    const frames = cache.current;
    if (!frames || !slices.length) return;
    const target = Math.max(0, Math.min(slices.length - 1, wanted));
    live.current.index = target;
    setIndex(target);
    const paint = (frame: Frame) => {
      if (live.current.index !== target) return;
      current.current = { frame, index: target };
      setError(undefined);
      draw();
    };
    const ready = frames.ready(slices[target]!);
    if (ready) paint(ready);
    else {
      frames.get(slices[target]!).then(
        paint,
        (e) => live.current.index === target && setError(message(e)),
      );
    }
    for (let i = -2; i <= PREFETCH; i++) {
      const near = slices[target + i];
      if (near && i !== 0) frames.get(near).catch(() => undefined);
    }
  };

  const changeLevel = (next: WindowLevel | undefined) => {
    live.current.level = next;
    setLevel(next);
    draw();
  };

  useEffect(() => {
    setLook(undefined);
    live.current = { index: 0 };
    if (!slices.length) return;
    lookOf(slices[0]!.instance).then((l) => {
      cache.current = new FrameCache(l.gray);
      live.current = { index: 0, look: l, level: l.level };
      setLook(l);
      setLevel(l.level);
      show(0);
    }, (e) => setError(message(e)));
  }, [slices]);

  const step = (delta: number) => show(live.current.index + delta);
  const onKey = (e: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => step(1),
      ArrowRight: () => step(1),
      ArrowUp: () => step(-1),
      ArrowLeft: () => step(-1),
      PageDown: () => step(10),
      PageUp: () => step(-10),
      Home: () => show(0),
      End: () => show(slices.length - 1),
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
    const frame = current.current?.frame;
    const look = live.current.look;
    const base = live.current.level ??
      (frame?.kind === "gray" && look ? fullRange(frame.pixels, look) : undefined);
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
      changeLevel({
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
    changeLevel(PRESETS[name] ?? look?.level);
  };

  if (!slices.length) return html`<p class="empty">This series has no image.</p>`;
  return html`
    <section class="viewer" aria-label="Viewer">
      <div class="viewer-tools">
        <label>Frame <input type="range" min="0" max=${slices.length - 1} value=${index}
            aria-label="Frame" onInput=${(e: Event) =>
              show(Number((e.target as HTMLInputElement).value))} /></label>
        <span class="frame-number">${index + 1} / ${slices.length}</span>
        <label>Window <select onChange=${preset} disabled=${!look?.gray} aria-label="Window preset">
            ${Object.keys(PRESETS).map((name) => html`<option>${name}</option>`)}
          </select></label>
        <span class="window-values">${level
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
