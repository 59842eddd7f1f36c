// The jobs page (GET /jobs?expand, polled while shown) with pause, resume, cancel and resubmit,
// and the progress of one job as the dialogs that start jobs show it.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { getJson, message, postJson } from "./api.ts";
import { link } from "./router.ts";
import { ErrorBox, Progress } from "./widgets.ts";

export interface Job {
  ID: string;
  Type: string;
  State: "Pending" | "Running" | "Success" | "Failure" | "Paused" | "Retry";
  Progress: number;
  Priority: number;
  CreationTime: string;
  ErrorDescription?: string;
  ErrorDetails?: string;
  Content?: Record<string, unknown>;
}

const FINISHED = new Set(["Success", "Failure"]);
const POLL_MS = 500;

/** Polls `load` every half second until `done` says so (or the component goes away). */
function usePoll<T>(load: () => Promise<T>, done: (t: T) => boolean, key: unknown[]) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const poll = () =>
      load().then((d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
        if (!done(d)) timer = setTimeout(poll, POLL_MS);
      }, (e) => {
        if (!live) return;
        setError(message(e));
        timer = setTimeout(poll, POLL_MS * 4);
      });
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [...key, tick]);
  return { data, error, refresh: () => setTick((t) => t + 1) };
}

export function JobProgress({ id }: { id: string }) {
  const { data: job, error } = usePoll(
    () => getJson<Job>(`jobs/${id}`),
    (j) => FINISHED.has(j.State),
    [id],
  );
  return html`<div class="job-progress" data-state=${job?.State}>
    <${ErrorBox} error=${error} />
    <p>Job <a href=${link("jobs")}>${id.slice(0, 8)}</a>: <b class="state">${
    job?.State ?? "…"
  }</b></p>
    <${Progress} value=${job?.Progress ?? 0} label="job progress" />
    ${
    job?.State === "Failure"
      ? html`<p class="error">${job.ErrorDescription}${
        job.ErrorDetails ? `: ${job.ErrorDetails}` : ""
      }</p>`
      : null
  }
  </div>`;
}

export function JobsPage() {
  const { data: jobs, error, refresh } = usePoll(
    () => getJson<Job[]>("jobs?expand"),
    () => false,
    [],
  );
  const [actionError, setActionError] = useState<string>();
  const act = (id: string, action: string) => () =>
    postJson(`jobs/${id}/${action}`, {}).then(() => {
      setActionError(undefined);
      refresh();
    }, (e) => setActionError(message(e)));
  const sorted = [...(jobs ?? [])].sort((a, b) => b.CreationTime.localeCompare(a.CreationTime));
  return html`<section class="jobs">
    <h1>Jobs</h1>
    <${ErrorBox} error=${error ?? actionError} />
    ${jobs && jobs.length === 0 ? html`<p class="empty">No job yet.</p>` : null}
    <div class="table-scroll"><table class="list">
      <thead><tr><th>Job</th><th>Type</th><th>State</th><th>Progress</th><th class="narrow">Priority</th>
        <th class="narrow">Created</th><th>Actions</th></tr></thead>
      <tbody>${
    sorted.map((j) =>
      html`
        <tr key=${j.ID} data-id=${j.ID} data-state=${j.State}>
          <td><code>${j.ID.slice(0, 8)}</code></td>
          <td>${j.Type}</td>
          <td class="state">${j.State}${j.ErrorDescription && j.State === "Failure"
            ? html`
              <br /><small>${j.ErrorDescription}</small>
            `
            : null}</td>
          <td>
            <${Progress} value=${j.Progress} label=${`progress of job ${j.ID}`} />
          </td>
          <td class="narrow">${j.Priority}</td>
          <td class="narrow">${j.CreationTime.replace(
            /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d).*/,
            "$1-$2-$3 $4:$5:$6",
          )}</td>
          <td class="actions">
            <button onClick=${act(j.ID, "pause")} disabled=${!["Pending", "Running", "Retry"]
              .includes(j.State)}>Pause</button>
            <button onClick=${act(j.ID, "resume")} disabled=${j.State !== "Paused"}>Resume</button>
            <button onClick=${act(j.ID, "cancel")} disabled=${FINISHED.has(j.State)}>Cancel</button>
            <button onClick=${act(
              j.ID,
              "resubmit",
            )} disabled=${j.State !== "Failure"}>Resubmit</button>
          </td>
        </tr>
      `
    )
  }</tbody></table></div>
  </section>`;
}
