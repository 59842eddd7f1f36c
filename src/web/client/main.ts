// The Pharos web UI: one page, its parts chosen by the URL's hash, all data from the REST API.
import { html, render } from "htm/preact";
import { Component, type ComponentChildren } from "preact";
import { ROOT } from "./api.ts";
import { JobsPage } from "./jobs.ts";
import { InstancePage, PatientPage, SeriesPage, StudyPage } from "./resources.ts";
import { link, type Place, usePlace } from "./router.ts";
import { StudyList } from "./studies.ts";
import { SystemPage } from "./system.ts";
import { UploadPage } from "./upload.ts";

/** A fault in a page shows as a message, never as a blank page. */
class Guard extends Component<{ children: ComponentChildren; place: string }, { error?: string }> {
  override state: { error?: string } = {};
  override componentDidCatch(error: unknown) {
    this.setState({ error: error instanceof Error ? error.message : String(error) });
  }
  override componentDidUpdate(previous: { place: string }) {
    if (previous.place !== this.props.place && this.state.error) {
      this.setState({ error: undefined });
    }
  }
  override render() {
    return this.state.error
      ? html`<p class="error" role="alert">This page failed: ${this.state.error}</p>`
      : this.props.children;
  }
}

function pageOf(place: Place) {
  const id = place.id ?? "";
  switch (place.page) {
    case "patients":
      return html`<${PatientPage} id=${id} />`;
    case "studies":
      return id ? html`<${StudyPage} id=${id} />` : html`<${StudyList} />`;
    case "series":
      return html`<${SeriesPage} id=${id} />`;
    case "instances":
      return html`<${InstancePage} id=${id} />`;
    case "upload":
      return html`<${UploadPage} />`;
    case "jobs":
      return html`<${JobsPage} />`;
    case "system":
      return html`<${SystemPage} />`;
    default:
      return html`<p class="error" role="alert">There is no page "${place.page}".</p>`;
  }
}

/** Basic authentication has no logout: wrong credentials make the browser forget the right ones. */
function logout() {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${ROOT}system`, true, "logout", "logout");
  xhr.onloadend = () => location.reload();
  xhr.send();
}

function App() {
  const place = usePlace();
  const user = document.querySelector<HTMLMetaElement>('meta[name="pharos-user"]')?.content;
  const tab = (page: string, label: string) =>
    html`<a href=${link(page)} aria-current=${
      place.page === page && !place.id ? "page" : undefined
    }>${label}</a>`;
  return html`
    <header class="top">
          <a class="brand" href=${link("studies")}>Pharos</a>
          <nav aria-label="Main">${tab("studies", "Studies")}${tab("upload", "Upload")}${tab(
            "jobs",
            "Jobs",
          )}${tab("system", "System")}</nav>
          ${user
            ? html`<button class="logout secondary" onClick=${logout}>Log out ${user}</button>`
            : null}
        </header>
    <main>
      <${Guard} place=${location.hash}>${pageOf(place)}</${Guard}></main>
  `;
}

const root = document.getElementById("app")!;
// The "Loading" placeholder is not preact's: it would stay beside the app.
root.textContent = "";
render(html`<${App} />`, root);
