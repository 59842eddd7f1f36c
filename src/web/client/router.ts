// Pages are addressed by the URL's hash (#/studies/ID), so that the server serves one page only.
import { useEffect, useState } from "preact/hooks";

export interface Place {
  page: string;
  id?: string;
  params: URLSearchParams;
}

export function currentPlace(): Place {
  const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [page = "studies", id] = path.split("/");
  return {
    page: page || "studies",
    id: id ? decodeURIComponent(id) : undefined,
    params: new URLSearchParams(query),
  };
}

export function usePlace(): Place {
  const [place, setPlace] = useState(currentPlace);
  useEffect(() => {
    const update = () => setPlace(currentPlace());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return place;
}

export function link(page: string, id?: string): string {
  return id ? `#/${page}/${encodeURIComponent(id)}` : `#/${page}`;
}

export function go(page: string, id?: string): void {
  location.hash = link(page, id);
}
