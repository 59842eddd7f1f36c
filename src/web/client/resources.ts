// Drill-down: a patient's studies, a study's series, a series' viewer and instances, an
// instance's tags, metadata and attachments.
import { html } from "htm/preact";
import { getJson, ROOT } from "./api.ts";
import { Actions } from "./actions.ts";
import { link } from "./router.ts";
import { TagTree } from "./tags.ts";
import { type Slice, Viewer } from "./viewer.ts";
import { ErrorBox, formatDate, useLoad } from "./widgets.ts";

interface Resource {
  ID: string;
  MainDicomTags: Record<string, string>;
  PatientMainDicomTags?: Record<string, string>;
  Labels?: string[];
  ParentPatient?: string;
  ParentStudy?: string;
  ParentSeries?: string;
  Studies?: string[];
  Series?: string[];
  Instances?: string[];
  IndexInSeries?: number;
}

function TagTable({ tags }: { tags: Record<string, string> }) {
  return html`<dl class="tag-table">${
    Object.entries(tags).map(([k, v]) =>
      html`
        <div>
          <dt>${k}</dt>
          <dd>${v === ""
            ? html`<span class="empty">—</span>`
            : /Date$/.test(k)
            ? formatDate(v)
            : v}</dd>
        </div>
      `
    )
  }</dl>`;
}

function Crumbs({ items }: { items: [string, string | undefined, string][] }) {
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href=${link("studies")}>Studies</a>${
    items.map(([page, id, label]) =>
      html`${" › "}${
        id ? html`<a href=${link(page, id)}>${label}</a>` : html`<span>${label}</span>`
      }`
    )
  }</nav>`;
}

function ChildList(
  { page, items, columns }: { page: string; items: Resource[]; columns: string[] },
) {
  return html`
    <div class="table-scroll">
      <table class="list">
        <thead>
          <tr>${columns.map((c) => html`<th>${c}</th>`)}<th>Items</th></tr>
        </thead>
        <tbody>${items.map((r) =>
          html`<tr class="row" data-id=${r.ID}>${
            columns.map((c, i) =>
              html`<td>${
                i === 0
                  ? html`<a href=${link(page, r.ID)}>${r.MainDicomTags[c] || "(none)"}</a>`
                  : /Date$/.test(c)
                  ? formatDate(r.MainDicomTags[c])
                  : r.MainDicomTags[c]
              }</td>`
            )
          }<td>${(r.Series ?? r.Instances ?? r.Studies ?? []).length}</td></tr>`
        )}</tbody>
      </table>
    </div>
  `;
}

export function PatientPage({ id }: { id: string }) {
  const patient = useLoad(() => getJson<Resource>(`patients/${id}`), [id]);
  const studies = useLoad(() => getJson<Resource[]>(`patients/${id}/studies?expand`), [id]);
  const p = patient.data;
  return html`<section>
    <${Crumbs} items=${[["patients", undefined, p?.MainDicomTags.PatientName ?? "Patient"]]} />
    <${ErrorBox} error=${patient.error ?? studies.error} />
    ${
    p
      ? html`
        <h1>${p.MainDicomTags.PatientName || "(no name)"}</h1>
        <${Actions} level="patients" id=${id} tags=${p.MainDicomTags} labels=${p.Labels}
          onChanged=${patient.reload} />
        <${TagTable} tags=${p.MainDicomTags} />
      `
      : null
  }
    <h2>Studies</h2>
    <${ChildList} page="studies" items=${studies.data ?? []}
      columns=${["StudyDescription", "StudyDate", "AccessionNumber"]} />
  </section>`;
}

export function StudyPage({ id }: { id: string }) {
  const study = useLoad(() => getJson<Resource>(`studies/${id}`), [id]);
  const series = useLoad(() => getJson<Resource[]>(`studies/${id}/series?expand`), [id]);
  const s = study.data;
  const patientName = s?.PatientMainDicomTags?.PatientName || "(no name)";
  return html`<section>
    <${Crumbs} items=${[
    ["patients", s?.ParentPatient, patientName],
    ["studies", undefined, s?.MainDicomTags.StudyDescription || "Study"],
  ]} />
    <${ErrorBox} error=${study.error ?? series.error} />
    ${
    s
      ? html`
        <h1>${s.MainDicomTags.StudyDescription || "Study"} <small>${patientName}</small></h1>
        <${Actions} level="studies" id=${id} tags=${s.MainDicomTags} labels=${s.Labels}
          parent=${{ level: "patients", id: s.ParentPatient }} onChanged=${study.reload} />
        <${TagTable} tags=${{ ...s.PatientMainDicomTags, ...s.MainDicomTags }} />
      `
      : null
  }
    <h2>Series</h2>
    <${ChildList} page="series" items=${
    [...(series.data ?? [])].sort((a, b) =>
      Number(a.MainDicomTags.SeriesNumber ?? 0) - Number(b.MainDicomTags.SeriesNumber ?? 0)
    )
  } columns=${["SeriesDescription", "Modality", "SeriesNumber"]} />
  </section>`;
}

/** A series' frames in order: instances by their index in the series, then their frames. */
function slicesOf(instances: Resource[]): Slice[] {
  const sorted = [...instances].sort((a, b) =>
    (a.IndexInSeries ?? Number(a.MainDicomTags.InstanceNumber ?? 0)) -
    (b.IndexInSeries ?? Number(b.MainDicomTags.InstanceNumber ?? 0))
  );
  return sorted.flatMap((i) =>
    [...Array(Math.max(1, Number(i.MainDicomTags.NumberOfFrames ?? 1))).keys()].map((frame) => ({
      instance: i.ID,
      frame,
    }))
  );
}

export function SeriesPage({ id }: { id: string }) {
  const series = useLoad(() => getJson<Resource>(`series/${id}`), [id]);
  const instances = useLoad(
    () =>
      getJson<Resource[]>(`series/${id}/instances?expand`).then((list) => ({
        list,
        slices: slicesOf(list),
      })),
    [id],
  );
  const s = series.data;
  return html`<section class="series-page">
    <${Crumbs} items=${[
    ["studies", s?.ParentStudy, "Study"],
    ["series", undefined, s?.MainDicomTags.SeriesDescription || "Series"],
  ]} />
    <${ErrorBox} error=${series.error ?? instances.error} />
    ${
    s
      ? html`
        <h1>${s.MainDicomTags.SeriesDescription || "Series"} <small>${s.MainDicomTags
          .Modality}</small></h1>
        <${Actions} level="series" id=${id} tags=${s.MainDicomTags} labels=${s.Labels}
          parent=${s.ParentStudy
            ? { level: "studies", id: s.ParentStudy }
            : undefined} onChanged=${series.reload} />
      `
      : null
  }
    <div class="series-layout">
      ${instances.data ? html`<${Viewer} slices=${instances.data.slices} />` : null}
      <div class="instances">
        <h2>Instances</h2>
        <ol>${
    (instances.data ? slicesOf(instances.data.list).filter((x) => x.frame === 0) : []).map((x) =>
      html`<li><a href=${link("instances", x.instance)}>${x.instance.slice(0, 8)}…</a></li>`
    )
  }</ol>
      </div>
    </div>
  </section>`;
}

export function InstancePage({ id }: { id: string }) {
  const instance = useLoad(() => getJson<Resource>(`instances/${id}`), [id]);
  const metadata = useLoad(
    () => getJson<Record<string, string>>(`instances/${id}/metadata?expand`),
    [id],
  );
  const attachments = useLoad(() => getJson<string[]>(`instances/${id}/attachments`), [id]);
  const i = instance.data;
  return html`<section class="instance-page">
    <${Crumbs} items=${[
    ["series", i?.ParentSeries, "Series"],
    ["instances", undefined, `Instance ${i?.MainDicomTags.InstanceNumber ?? ""}`],
  ]} />
    <${ErrorBox} error=${instance.error} />
    ${
    i
      ? html`
        <h1>Instance ${i.MainDicomTags.InstanceNumber ?? ""}</h1>
        <${Actions} level="instances" id=${id} tags=${i.MainDicomTags}
          parent=${i.ParentSeries
            ? { level: "series", id: i.ParentSeries }
            : undefined} onChanged=${instance.reload} />
      `
      : null
  }
    <div class="instance-layout">
      <${TagTree} instance=${id} />
      <div>
        <h2>Metadata</h2>
        <${ErrorBox} error=${metadata.error} />
        ${metadata.data ? html`<${TagTable} tags=${metadata.data} />` : null}
        <h2>Attachments</h2>
        <${ErrorBox} error=${attachments.error} />
        <ul>${
    (attachments.data ?? []).map((a) =>
      html`<li><a href=${`${ROOT}instances/${id}/attachments/${a}/data`} download>${a}</a></li>`
    )
  }</ul>
      </div>
    </div>
  </section>`;
}
