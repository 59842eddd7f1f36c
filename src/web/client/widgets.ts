// Small pieces every page uses: loading data with its error, error and progress displays, the
// dialog frame.
import { html } from "htm/preact";
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { message } from "./api.ts";

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `key` changes; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error: message(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

export function ErrorBox({ error }: { error?: string }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

export function Progress({ value, label }: { value: number; label?: string }) {
  const percent = Math.max(0, Math.min(100, Math.round(value)));
  return html`
    <div class="progress" role="progressbar" aria-valuenow=${percent} aria-valuemin="0"
      aria-valuemax="100" aria-label=${label ?? "progress"}>
        <div class="bar" style=${`width:${percent}%`}></div><span>${percent}%</span></div>
  `;
}

export function Dialog(
  { title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren },
) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return html`<dialog ref=${ref} class="dialog" onClose=${onClose} aria-label=${title}>
    <h2>${title}</h2>${children}</dialog>`;
}

/** A DICOM date (YYYYMMDD) as the reader expects it. */
export function formatDate(value: string | undefined): string {
  if (!value || !/^\d{8}$/.test(value)) return value ?? "";
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
