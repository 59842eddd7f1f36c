// The searchable tag tree of an instance (GET /instances/{id}/tags): sequences open as branches,
// and a search keeps the tags whose name, number or value matches, with the branches above them.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { getJson } from "./api.ts";
import { ErrorBox, useLoad } from "./widgets.ts";

interface TagEntry {
  Name: string;
  Type: "String" | "Sequence" | "Null" | "TooLong" | "Binary";
  Value: string | TagSet[] | null;
}
type TagSet = Record<string, TagEntry>;

function matches(tag: string, entry: TagEntry, needle: string): boolean {
  if (!needle) return true;
  if (tag.includes(needle) || entry.Name.toLowerCase().includes(needle)) return true;
  if (typeof entry.Value === "string") return entry.Value.toLowerCase().includes(needle);
  if (Array.isArray(entry.Value)) {
    return entry.Value.some((item) => Object.entries(item).some(([t, e]) => matches(t, e, needle)));
  }
  return false;
}

function Branch({ tags, needle }: { tags: TagSet; needle: string }) {
  return html`<ul role="group">${
    Object.entries(tags).filter(([t, e]) => matches(t, e, needle)).map(([tag, entry]) =>
      Array.isArray(entry.Value)
        ? html`
          <li role="treeitem" aria-expanded="true">
            <details open>
                      <summary><code>${tag}</code> <b>${entry.Name}</b> (${entry.Value
                        .length} items)</summary>
                      ${entry.Value.map((item, i) =>
                        html`
                          <details open class="item">
                            <summary>Item ${i + 1}</summary>
                            <${Branch} tags=${item} needle=${needle} />
                          </details>
                        `
                      )}</details>
          </li>
        `
        : html`
          <li role="treeitem"
            class="tag"><code>${tag}</code> <b>${entry
              .Name}</b>${" "}<span class="value">${entry.Type === "String"
              ? entry.Value
              : html`<i>${entry.Type.toLowerCase()}</i>`}</span></li>
        `
    )
  }</ul>`;
}

export function TagTree({ instance }: { instance: string }) {
  const [search, setSearch] = useState("");
  const tags = useLoad(() => getJson<TagSet>(`instances/${instance}/tags`), [instance]);
  return html`<section class="tags" aria-label="Tags">
    <h2>Tags</h2>
    <input type="search" placeholder="Search tags (name, number, value)" aria-label="Search tags"
      value=${search} onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)} />
    <${ErrorBox} error=${tags.error} />
    ${
    tags.data
      ? html`
        <div class="tag-tree" role="tree">
          <${Branch} tags=${tags.data}
            needle=${search.trim().toLowerCase()} />
        </div>
      `
      : null
  }
  </section>`;
}
