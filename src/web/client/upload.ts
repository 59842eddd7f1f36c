// Upload by drag-and-drop (files, folders, ZIPs) or file pickers: each file is one POST
// /instances with its own progress bar; the summary counts stored, already stored and failed.
import { html } from "htm/preact";
import { useRef, useState } from "preact/hooks";
import { ROOT } from "./api.ts";
import { link } from "./router.ts";
import { Progress } from "./widgets.ts";

interface Item {
  name: string;
  progress: number;
  state: "waiting" | "sending" | "done" | "failed";
  stored: number;
  already: number;
  message?: string;
  studies: string[];
}

interface StoreAnswer {
  Status: string;
  ParentStudy?: string;
}

interface OrthancErrorBody {
  Message?: string;
  Details?: string;
}

const PARALLEL = 3;

/** Every file below the dropped entries, folders walked. */
async function filesOf(dropped: DataTransfer): Promise<File[]> {
  const entries = [...dropped.items].map((i) => i.webkitGetAsEntry()).filter((
    e,
  ): e is FileSystemEntry => !!e);
  // Files put in the transfer by a script have no entries.
  if (entries.length === 0) return [...dropped.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      out.push(
        await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail)),
      );
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((ok, fail) =>
        reader.readEntries(ok, fail)
      );
      if (batch.length === 0) break;
      for (const child of batch) await walk(child);
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}

function send(file: File, onProgress: (fraction: number) => void): Promise<Partial<Item>> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${ROOT}instances`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => resolve({ state: "failed", message: "The server cannot be reached" });
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText || "null");
      } catch {
        body = null;
      }
      if (xhr.status >= 300) {
        const error = (body ?? {}) as OrthancErrorBody;
        const text = [error.Message, error.Details].filter(Boolean).join(": ") || xhr.statusText;
        resolve({ state: "failed", message: `${xhr.status}: ${text}` });
        return;
      }
      const answers = (Array.isArray(body) ? body : [body]).filter(Boolean) as StoreAnswer[];
      resolve({
        state: "done",
        stored: answers.filter((a) => a.Status === "Success").length,
        already: answers.filter((a) => a.Status === "AlreadyStored").length,
        studies: [...new Set(answers.flatMap((a) => a.ParentStudy ?? []))],
        message: answers.length === 0 ? "no DICOM file inside" : undefined,
      });
    };
    xhr.send(file);
  });
}

export function UploadPage() {
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const list = useRef<Item[]>([]);
  const update = (index: number, change: Partial<Item>) => {
    list.current = list.current.map((item, i) => i === index ? { ...item, ...change } : item);
    setItems(list.current);
  };
  const upload = async (files: File[]) => {
    const first = list.current.length;
    list.current = [
      ...list.current,
      ...files.map((f) => ({
        name: f.webkitRelativePath || f.name,
        progress: 0,
        state: "waiting" as const,
        stored: 0,
        already: 0,
        studies: [],
      })),
    ];
    setItems(list.current);
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const n = next++;
        update(first + n, { state: "sending" });
        const result = await send(files[n]!, (p) => update(first + n, { progress: p * 100 }));
        update(first + n, { ...result, progress: 100 });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  };
  const picked = (e: Event) => {
    const input = e.target as HTMLInputElement;
    upload([...(input.files ?? [])]);
    input.value = "";
  };
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (!e.dataTransfer) return;
    upload(await filesOf(e.dataTransfer));
  };
  const total = (key: "stored" | "already") => items.reduce((n, i) => n + i[key], 0);
  const failed = items.filter((i) => i.state === "failed").length;
  const studies = [...new Set(items.flatMap((i) => i.studies))];
  return html`<section class="upload">
    <h1>Upload</h1>
    <div class=${`drop-zone ${over ? "over" : ""}`} onDragOver=${(e: DragEvent) => {
    e.preventDefault();
    setOver(true);
  }} onDragLeave=${() => setOver(false)} onDrop=${onDrop}>
      <p>Drop DICOM files, folders or ZIP archives here, or</p>
      <label class="button">Choose files<input type="file" multiple class="visually-hidden"
        name="files" onChange=${picked} /></label>
      <label class="button">Choose a folder<input type="file" webkitdirectory class="visually-hidden"
        name="folder" onChange=${picked} /></label>
    </div>
    ${
    items.length
      ? html`<p class="summary" role="status">${[
        html`<b class="stored">${total("stored")}</b>`,
        " stored · ",
        html`<b class="already">${total("already")}</b>`,
        " already stored · ",
        html`<b class="failed">${failed}</b>`,
        " failed",
        ...studies.flatMap((
          s,
        ) => [" · ", html`<a href=${link("studies", s)}>study ${s.slice(0, 8)}</a>`]),
      ]}</p>`
      : null
  }
    <ul class="upload-list">${
    items.map((item) =>
      html`<li class=${item.state}><span class="name">${item.name}</span>
        <${Progress} value=${item.progress} label=${`upload of ${item.name}`} />
        <span class="result">${
        item.state === "failed" ? item.message : item.state === "done"
          ? item.message ??
            (item.stored ? `${item.stored} stored` : `${item.already} already stored`)
          : item.state
      }</span></li>`
    )
  }</ul>
  </section>`;
}
