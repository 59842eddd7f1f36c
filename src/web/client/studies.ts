// The study list, as Orthanc Explorer 2 shows it: one /tools/find per page (Limit, Since and
// OrderBy), filters turned into its wildcard query, the total from /tools/count-resources.
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { postJson } from "./api.ts";
import { go, link } from "./router.ts";
import { ErrorBox, formatDate, useLoad } from "./widgets.ts";

export const PAGE_SIZE = 50;

export interface Study {
  ID: string;
  MainDicomTags: Record<string, string>;
  PatientMainDicomTags: Record<string, string>;
  RequestedTags?: Record<string, string>;
  Labels?: string[];
  Series: string[];
  ParentPatient: string;
}

interface Filters {
  PatientName: string;
  PatientID: string;
  from: string;
  to: string;
  ModalitiesInStudy: string;
  StudyDescription: string;
  AccessionNumber: string;
  labels: string;
}

const EMPTY: Filters = {
  PatientName: "",
  PatientID: "",
  from: "",
  to: "",
  ModalitiesInStudy: "",
  StudyDescription: "",
  AccessionNumber: "",
  labels: "",
};

const COLUMNS = [
  { key: "PatientName", label: "Patient name", patient: true },
  { key: "PatientID", label: "Patient ID", patient: true },
  { key: "StudyDate", label: "Date" },
  { key: "ModalitiesInStudy", label: "Modalities", sortable: false },
  { key: "StudyDescription", label: "Description" },
  { key: "AccessionNumber", label: "Accession", narrow: true },
] as const;

function query(filters: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  const contains = (v: string) => v.includes("*") || v.includes("?") ? v : `*${v}*`;
  if (filters.PatientName) q.PatientName = contains(filters.PatientName);
  if (filters.PatientID) q.PatientID = contains(filters.PatientID);
  if (filters.StudyDescription) q.StudyDescription = contains(filters.StudyDescription);
  if (filters.AccessionNumber) q.AccessionNumber = contains(filters.AccessionNumber);
  if (filters.ModalitiesInStudy) q.ModalitiesInStudy = filters.ModalitiesInStudy.toUpperCase();
  if (filters.from || filters.to) {
    const day = (d: string) => d.replaceAll("-", "");
    q.StudyDate = `${day(filters.from)}-${day(filters.to)}`;
  }
  return q;
}

function labelsOf(filters: Filters): string[] {
  return filters.labels.split(",").map((l) => l.trim()).filter(Boolean);
}

interface Sort {
  key: string;
  direction: "ASC" | "DESC";
}

const FIRST_SORT: Sort = { key: "StudyDate", direction: "DESC" };

function findBody(filters: Filters) {
  const labels = labelsOf(filters);
  return {
    Level: "Study",
    Query: query(filters),
    CaseSensitive: false,
    ...(labels.length ? { Labels: labels, LabelsConstraint: "All" } : {}),
  };
}

function findPage(filters: Filters, page: number, sort: Sort): Promise<Study[]> {
  return postJson<Study[]>("tools/find", {
    ...findBody(filters),
    Expand: true,
    Limit: PAGE_SIZE,
    Since: page * PAGE_SIZE,
    RequestedTags: ["ModalitiesInStudy"],
    OrderBy: [{ Type: "DicomTag", Key: sort.key, Direction: sort.direction }],
  });
}

function countStudies(filters: Filters): Promise<number> {
  return postJson<{ Count: number }>("tools/count-resources", findBody(filters)).then((c) =>
    c.Count
  );
}

/**
 * The study list is the page most often opened first: its first page is asked for as soon as
 * the script runs, rather than once preact has mounted the page (after a paint).
 */
const opening = /^(#\/?(studies)?)?$/.test(location.hash);
let earlyStudies = opening ? findPage(EMPTY, 0, FIRST_SORT) : undefined;
// The count waits for the page: the server answers the rows first.
let earlyCount = earlyStudies?.then(() => countStudies(EMPTY));

export function StudyList() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(0);
  const [sort, setSort] = useState<Sort>(FIRST_SORT);
  const studies = useLoad(() => {
    const pending = earlyStudies ?? findPage(filters, page, sort);
    earlyStudies = undefined;
    return pending;
  }, [filters, page, sort]);
  const count = useLoad(() => {
    const pending = earlyCount ?? countStudies(filters);
    earlyCount = undefined;
    return pending;
  }, [filters]);
  const marked = useRef(false);
  useEffect(() => {
    // What bench/ui.ts measures: the first page of studies on screen.
    if (studies.data && !marked.current) {
      marked.current = true;
      requestAnimationFrame(() => performance.mark("pharos-study-list"));
    }
  }, [studies.data]);

  const field = (name: keyof Filters, label: string, type = "text") =>
    html`<label>${label}<input type=${type} name=${name} value=${draft[name]}
      onInput=${(e: Event) =>
      setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })} /></label>`;
  const submit = (e: Event) => {
    e.preventDefault();
    setPage(0);
    setFilters(draft);
  };
  const sortBy = (key: string) => {
    setPage(0);
    setSort(
      sort.key === key ? { key, direction: sort.direction === "ASC" ? "DESC" : "ASC" } : {
        key,
        direction: "ASC",
      },
    );
  };
  const pages = count.data === undefined
    ? undefined
    : Math.max(1, Math.ceil(count.data / PAGE_SIZE));
  const rows = studies.data ?? [];

  return html`<section class="studies">
    <form class="filters" onSubmit=${submit} aria-label="Study filters">
      ${field("PatientName", "Patient name")} ${field("PatientID", "Patient ID")}
      ${field("from", "From", "date")} ${field("to", "To", "date")}
      ${field("ModalitiesInStudy", "Modality")} ${field("StudyDescription", "Description")}
      ${field("AccessionNumber", "Accession")} ${field("labels", "Labels")}
      <div class="filter-buttons">
        <button type="submit">Search</button>
        <button type="button" class="secondary" onClick=${() => {
    setDraft(EMPTY);
    setFilters(EMPTY);
    setPage(0);
  }}>Clear</button>
      </div>
    </form>
    <${ErrorBox} error=${studies.error ?? count.error} />
    <div class="table-scroll">
    <table class="list" aria-busy=${studies.loading}>
      <thead><tr>
        ${
    COLUMNS.map((c) => {
      const sortable = !("sortable" in c);
      const current = sort.key === c.key;
      return html`
        <th class=${"narrow" in c ? "narrow" : ""}
          aria-sort=${current ? (sort.direction === "ASC" ? "ascending" : "descending") : "none"}>
                    ${sortable
                      ? html`<button class="sort" onClick=${() => sortBy(c.key)}>${c.label}${
                        current ? (sort.direction === "ASC" ? " ▲" : " ▼") : ""
                      }</button>`
                      : c.label}</th>
      `;
    })
  }
        <th class="narrow">Series</th><th>Labels</th>
      </tr></thead>
      <tbody>
        ${rows.map((s) => html`<${StudyRow} key=${s.ID} study=${s} />`)}
      </tbody>
    </table>
    </div>
    ${
    !studies.loading && rows.length === 0 && !studies.error
      ? html`<p class="empty">No study matches. Upload some from the Upload page.</p>`
      : null
  }
    <nav class="pager" aria-label="Pages">
      <button disabled=${page === 0} onClick=${() => setPage(page - 1)}>Previous</button>
      <span>Page ${page + 1}${pages === undefined ? "" : ` of ${pages}`}${
    count.data === undefined ? "" : ` · ${count.data} studies`
  }</span>
      <button disabled=${rows.length < PAGE_SIZE} onClick=${() => setPage(page + 1)}>Next</button>
    </nav>
  </section>`;
}

function StudyRow({ study }: { study: Study }) {
  const tags = { ...study.PatientMainDicomTags, ...study.MainDicomTags, ...study.RequestedTags };
  const open = () => go("studies", study.ID);
  const onKey = (e: KeyboardEvent) => {
    const row = e.currentTarget as HTMLElement;
    if (e.key === "Enter") open();
    else if (e.key === "ArrowDown") (row.nextElementSibling as HTMLElement | null)?.focus();
    else if (e.key === "ArrowUp") (row.previousElementSibling as HTMLElement | null)?.focus();
    else return;
    e.preventDefault();
  };
  return html`
    <tr tabindex="0" class="row" data-id=${study.ID} onClick=${open} onKeyDown=${onKey}>
      <td><a href=${link("studies", study.ID)} tabindex="-1">${tags.PatientName ||
        "(no name)"}</a></td>
      <td>${tags.PatientID}</td>
      <td>${formatDate(tags.StudyDate)}</td>
      <td>${tags.ModalitiesInStudy}</td>
      <td>${tags.StudyDescription}</td>
      <td class="narrow">${tags.AccessionNumber}</td>
      <td class="narrow">${study.Series.length}</td>
      <td>${(study.Labels ?? []).map((l) => html`<span class="label">${l}</span>`)}</td>
    </tr>
  `;
}
