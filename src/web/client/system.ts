// The system page: the server, its statistics and disk use, its plugins, and the modalities with
// a C-ECHO button each.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { call, getJson, message } from "./api.ts";
import { ErrorBox, formatBytes, useLoad } from "./widgets.ts";

interface Statistics {
  CountPatients: number;
  CountStudies: number;
  CountSeries: number;
  CountInstances: number;
  TotalDiskSize: string;
  TotalUncompressedSize: string;
}

interface Plugin {
  ID: string;
  Version?: string;
  Description?: string;
}

function Echo({ modality }: { modality: string }) {
  const [result, setResult] = useState<string>();
  const echo = () => {
    setResult("…");
    call(`modalities/${encodeURIComponent(modality)}/echo`, { method: "POST", body: "{}" }).then(
      () => setResult("succeeded"),
      (e) => setResult(`failed: ${message(e)}`),
    );
  };
  return html`
    <button onClick=${echo}>C-ECHO</button> <span class="echo-result"
      role="status">${result}</span>
  `;
}

export function SystemPage() {
  const system = useLoad(() => getJson<Record<string, unknown>>("system"), []);
  const stats = useLoad(() => getJson<Statistics>("statistics"), []);
  const plugins = useLoad(
    () =>
      getJson<string[]>("plugins").then((ids) =>
        // explorer.js is Orthanc Explorer's script of the plugins' extensions, not a plugin.
        Promise.all(
          ids.filter((id) => id !== "explorer.js").map((id) => getJson<Plugin>(`plugins/${id}`)),
        )
      ),
    [],
  );
  const modalities = useLoad(
    () => getJson<Record<string, { AET: string; Host: string; Port: number }>>("modalities?expand"),
    [],
  );
  const s = stats.data;
  return html`
    <section class="system">
      <h1>System</h1>
      <${ErrorBox} error=${system.error ?? stats.error} />
      <div class="cards">
          ${s
            ? html`
              <div class="card">
                <h2>Statistics</h2>
                <dl class="tag-table">
                  <div>
                    <dt>Patients</dt>
                    <dd>${s.CountPatients}</dd>
                  </div>
                  <div>
                    <dt>Studies</dt>
                    <dd class="count-studies">${s.CountStudies}</dd>
                  </div>
                  <div>
                    <dt>Series</dt>
                    <dd>${s.CountSeries}</dd>
                  </div>
                  <div>
                    <dt>Instances</dt>
                    <dd>${s.CountInstances}</dd>
                  </div>
                  <div>
                    <dt>Disk use</dt>
                    <dd>${formatBytes(Number(s.TotalDiskSize))}</dd>
                  </div>
                  <div>
                    <dt>Uncompressed</dt>
                    <dd>${formatBytes(Number(s.TotalUncompressedSize))}</dd>
                  </div>
                </dl>
              </div>
            `
            : null}
          ${system.data
            ? html`
              <div class="card">
                <h2>Server</h2>
                <dl class="tag-table">${[
                  "Name",
                  "Version",
                  "ApiVersion",
                  "DicomAet",
                  "DicomPort",
                  "HttpPort",
                ].map((k) =>
                  html`
                    <div>
                      <dt>${k}</dt>
                      <dd>${String(system.data![k] ?? "")}</dd>
                    </div>
                  `
                )}</dl>
              </div>
            `
            : null}
          <div class=${`card ${
            plugins.loading ? "" : "plugins-loaded"
          }`}><h2>Plugins</h2><${ErrorBox} error=${plugins.error} />
            ${plugins.data?.length === 0 ? html`<p class="empty">No plugin loaded.</p>` : null}
            <ul>${(plugins.data ?? []).map((p) =>
              html`<li><b>${p.ID}</b> ${p.Version ?? ""} <small>${p.Description ?? ""}</small></li>`
            )}</ul></div>
          <div class="card wide"><h2>Modalities</h2><${ErrorBox} error=${modalities.error} />
            ${modalities.data && Object.keys(modalities.data).length === 0
              ? html`<p class="empty">No modality is configured (DicomModalities).</p>`
              : null}
            <table class="list"><tbody>${Object.entries(modalities.data ?? {}).map(([name, m]) =>
              html`
                <tr data-id=${name}>
                  <td><b>${name}</b></td>
                  <td>${m.AET}@${m.Host}:${m.Port}</td>
                  <td>
                    <${Echo} modality=${name} />
                  </td>
                </tr>
              `
            )}</tbody></table></div>
        </div>
    </section>
  `;
}
