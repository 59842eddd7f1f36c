// What can be done to a patient, study or series: download (ZIP, DICOMDIR), delete with
// confirmation, modify, anonymize, labels and send to a modality. The actions whose routes this
// server lacks are shown disabled (capabilities.ts).
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { call, getJson, message, postJson, ROOT } from "./api.ts";
import { type Capabilities, capabilities } from "./capabilities.ts";
import { JobProgress } from "./jobs.ts";
import { go } from "./router.ts";
import { Dialog, ErrorBox } from "./widgets.ts";

export type Level = "patients" | "studies" | "series" | "instances";

interface ActionProps {
  level: Level;
  id: string;
  tags: Record<string, string>;
  labels?: string[];
  /** Where to go once the resource is deleted. */
  parent?: { level: Level; id: string };
  onChanged: () => void;
}

type Open = "delete" | "modify" | "anonymize" | "send" | undefined;

const EDITABLE: Record<Level, string[]> = {
  patients: ["PatientName", "PatientID", "PatientBirthDate", "PatientSex"],
  studies: ["StudyDescription", "AccessionNumber", "StudyDate", "ReferringPhysicianName"],
  series: ["SeriesDescription", "SeriesNumber", "Modality", "BodyPartExamined"],
  instances: ["InstanceNumber"],
};

export function Actions(props: ActionProps) {
  const [can, setCan] = useState<Capabilities>();
  const [open, setOpen] = useState<Open>();
  useEffect(() => {
    capabilities().then(setCan);
  }, []);
  const missing = "This server does not offer this yet";
  const base = `${ROOT}${props.level}/${props.id}`;
  const close = () => setOpen(undefined);
  const downloadable = props.level !== "instances";
  return html`<div class="actions-bar" role="toolbar" aria-label="Actions">
    ${
    downloadable
      ? html`
        <a class=${`button ${can?.archive ? "" : "disabled"}`} href=${can?.archive
          ? `${base}/archive`
          : undefined}
          aria-disabled=${!can?.archive} title=${can?.archive
            ? "Download as ZIP"
            : missing} download>ZIP</a>
        <a class=${`button ${can?.media ? "" : "disabled"}`} href=${can?.media
          ? `${base}/media`
          : undefined}
          aria-disabled=${!can?.media} title=${can?.media
            ? "Download as DICOMDIR"
            : missing} download>DICOMDIR</a>
      `
      : html`<a class="button" href=${`${base}/file`} download>DICOM file</a>`
  }
    <button onClick=${() => setOpen("send")}>Send</button>
    <button onClick=${() => setOpen("modify")} disabled=${!can?.modify} title=${
    can?.modify ? "" : missing
  }>Modify</button>
    <button onClick=${() => setOpen("anonymize")} disabled=${!can?.anonymize} title=${
    can?.anonymize ? "" : missing
  }>Anonymize</button>
    <button class="danger" onClick=${() => setOpen("delete")}>Delete</button>
    ${open === "delete" ? html`<${DeleteDialog} ...${props} onClose=${close} />` : null}
    ${open === "modify" ? html`<${ModifyDialog} ...${props} onClose=${close} />` : null}
    ${open === "anonymize" ? html`<${AnonymizeDialog} ...${props} onClose=${close} />` : null}
    ${open === "send" ? html`<${SendDialog} ...${props} onClose=${close} />` : null}
  </div>
  ${props.level !== "instances" ? html`<${Labels} ...${props} enabled=${!!can?.labels} />` : null}`;
}

type DialogProps = ActionProps & { onClose: () => void };

function DeleteDialog({ level, id, parent, onClose }: DialogProps) {
  const [error, setError] = useState<string>();
  const confirm = () =>
    call(`${level}/${id}`, { method: "DELETE" }).then(() => {
      onClose();
      if (parent) go(parent.level, parent.id);
      else go("studies");
    }, (e) => setError(message(e)));
  return html`
    <${Dialog} title="Delete" onClose=${onClose}>
      <p>Delete this ${level === "series"
        ? "series"
        : level.slice(0, -1)} and everything below it? This cannot be undone.</p>
      <${ErrorBox} error=${error} />
      <div class="dialog-buttons"><button class="danger" onClick=${confirm}>Delete</button>
          <button class="secondary" onClick=${onClose} autofocus>Cancel</button></div>
      </${Dialog}>
  `;
}

function JobDialog(
  { title, start, onClose, children }: {
    title: string;
    start: () => Promise<{ ID: string }>;
    onClose: () => void;
    children?: unknown;
  },
) {
  const [job, setJob] = useState<string>();
  const [error, setError] = useState<string>();
  const run = (e: Event) => {
    e.preventDefault();
    start().then((answer) => setJob(answer.ID), (err) => setError(message(err)));
  };
  return html`
    <${Dialog} title=${title} onClose=${onClose}>
      <form onSubmit=${run}>
          ${children}
          <${ErrorBox} error=${error} />
          ${job ? html`<${JobProgress} id=${job} />` : null}
          <div class="dialog-buttons">
            ${job ? null : html`<button type="submit">${title}</button>`}
            <button type="button" class="secondary" onClick=${onClose}>${job
              ? "Close"
              : "Cancel"}</button>
          </div>
        </form>
      </${Dialog}>
  `;
}

function ModifyDialog({ level, id, tags, onClose, onChanged }: DialogProps) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(EDITABLE[level].map((t) => [t, tags[t] ?? ""]))
  );
  const start = () => {
    const replace = Object.fromEntries(
      Object.entries(values).filter(([t, v]) => v !== (tags[t] ?? "")),
    );
    return postJson<{ ID: string }>(`${level}/${id}/modify`, {
      Replace: replace,
      Force: "PatientID" in replace,
      Asynchronous: true,
    }).finally(onChanged);
  };
  return html`<${JobDialog} title="Modify" start=${start} onClose=${onClose}>
    ${
    EDITABLE[level].map((t) =>
      html`<label class="field">${t}<input name=${t} value=${values[t]}
        onInput=${(e: Event) =>
        setValues({ ...values, [t]: (e.target as HTMLInputElement).value })} /></label>`
    )
  }
  </${JobDialog}>`;
}

function AnonymizeDialog({ level, id, onClose, onChanged }: DialogProps) {
  const [keepDescriptions, setKeep] = useState(true);
  const start = () =>
    postJson<{ ID: string }>(`${level}/${id}/anonymize`, {
      Asynchronous: true,
      Keep: keepDescriptions ? ["StudyDescription", "SeriesDescription"] : [],
    }).finally(onChanged);
  return html`
    <${JobDialog} title="Anonymize" start=${start} onClose=${onClose}>
      <p>A new, anonymized copy is made; the original stays.</p>
      <label class="check"><input type="checkbox" checked=${keepDescriptions}
          onChange=${(e: Event) =>
            setKeep((e.target as HTMLInputElement).checked)} /> Keep the descriptions</label>
      </${JobDialog}>
  `;
}

/** A place a resource can be sent to, and the route that starts the sending job. */
interface Destination {
  label: string;
  path: string;
  body: (id: string) => Record<string, unknown>;
}

/**
 * Where a resource can be sent: the DICOM modalities, and the Orthanc peers and DICOMweb servers
 * if served.
 */
async function destinations(): Promise<Destination[]> {
  const can = await capabilities();
  const [modalities, peers, servers] = await Promise.all([
    getJson<string[]>("modalities"),
    can.peers ? getJson<string[]>("peers") : [],
    can.dicomWebServers ? getJson<string[]>("dicom-web/servers") : [],
  ]);
  const store = (id: string) => ({ Resources: [id], Asynchronous: true });
  return [
    ...modalities.map((m) => ({
      label: `modality ${m}`,
      path: `modalities/${encodeURIComponent(m)}/store`,
      body: store,
    })),
    ...peers.map((p) => ({
      label: `peer ${p}`,
      path: `peers/${encodeURIComponent(p)}/store`,
      body: store,
    })),
    // Orthanc's DICOMweb client: STOW-RS as a job.
    ...servers.map((s) => ({
      label: `DICOMweb server ${s}`,
      path: `dicom-web/servers/${encodeURIComponent(s)}/stow`,
      body: (id: string) => ({ Resources: [id], Synchronous: false }),
    })),
  ];
}

function SendDialog({ id, onClose }: DialogProps) {
  const [targets, setTargets] = useState<Destination[]>();
  const [target, setTarget] = useState(0);
  const [error, setError] = useState<string>();
  useEffect(() => {
    destinations().then(setTargets, (e) => setError(message(e)));
  }, []);
  const start = () => {
    const destination = targets?.[target];
    if (!destination) return Promise.reject(new Error("No destination is chosen"));
    return postJson<{ ID: string }>(destination.path, destination.body(id));
  };
  return html`
    <${JobDialog} title="Send" start=${start} onClose=${onClose}>
      <${ErrorBox} error=${error} />
      ${targets?.length === 0
        ? html`<p class="empty">
            No destination is configured (DicomModalities, OrthancPeers, DicomWeb.Servers).
          </p>`
        : html`<label class="field">To<select value=${target}
            onChange=${(e: Event) => setTarget(Number((e.target as HTMLSelectElement).value))}>
            ${(targets ?? []).map((t, i) => html`<option value=${i}>${t.label}</option>`)}
          </select></label>`}
    </${JobDialog}>
  `;
}

function Labels(
  { level, id, labels = [], enabled, onChanged }: ActionProps & { enabled: boolean },
) {
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string>();
  const change = (label: string, method: "PUT" | "DELETE") =>
    call(`${level}/${id}/labels/${encodeURIComponent(label)}`, { method }).then(() => {
      setError(undefined);
      setDraft("");
      onChanged();
    }, (e) => setError(message(e)));
  return html`<div class="labels" aria-label="Labels">
    <span>Labels:</span>
    ${
    labels.map((l) =>
      html`<span class="label">${l}<button class="remove" aria-label=${`Remove label ${l}`}
        disabled=${!enabled} onClick=${() => change(l, "DELETE")}>×</button></span>`
    )
  }
    <form onSubmit=${(e: Event) => {
    e.preventDefault();
    if (draft.trim()) change(draft.trim(), "PUT");
  }}><input aria-label="New label" placeholder="new label" value=${draft} disabled=${!enabled}
      onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled=${!enabled}>Add</button></form>
    <${ErrorBox} error=${error} />
  </div>`;
}
